// Human attention for hard PRs waiting for approvals: ask the people who can approve (GitHub review
// requests, once per head), and when the PR goes stale remind them, one new comment per step of
// `tiers.hard.remind` (a mention added by an edit is not reliably notified), widening to
// `tiers.hard.escalate_to` after the last step. Which requests and steps were done is kept in the
// gate's ledger (for the current head), so a restart or a second replica never repeats one, and a
// push starts over. Pure: the decision and the time in, effects and ledger fields out.
import { standing } from './authorize.js';
import type { Policy } from './model/policy.js';
import type { Ledger } from './model/ledger.js';
import type { PullRequestFacts } from './model/pull-request.js';
import type { ApproverStatus, Attention, Decision, People } from './model/decision.js';
import type { Effect } from './model/effects.js';
import { escapeText } from './markdown.js';
import { parseTime } from './time.js';
import { delayEnd, formatDeadline } from './working-hours.js';

/** The ledger's record of what was asked for one head. */
export type AttentionLedger = Pick<Ledger, 'requested' | 'reminded'>;

const lower = (s: string): string => s.toLowerCase();
const uniq = (list: string[]): string[] => {
  const seen = new Map<string, string>();
  for (const s of list) if (!seen.has(lower(s))) seen.set(lower(s), s);
  return [...seen.values()];
};

/** Users who may be asked: never the author, a committer, an agent or a bot, nor who already approved. */
function askable(logins: string[], facts: PullRequestFacts, policy: Policy, approved: Set<string>): string[] {
  return uniq(logins.map((u) => u.replace(/^@/, ''))).filter((login) => {
    if (approved.has(lower(login))) return false;
    const type = /\[bot\]$/i.test(login) ? 'Bot' : 'User';
    return standing({ login, type }, facts, policy).kind !== 'excluded';
  });
}

export function attentionFor(
  policy: Policy,
  facts: PullRequestFacts,
  decision: Pick<Decision, 'tier' | 'state' | 'vetoes' | 'approvals'>,
  approvers: ApproverStatus[],
  nowMs: number,
): Attention | undefined {
  const missing = approvers.filter((g) => g.missing > 0);
  if (decision.tier !== 'hard' || decision.state !== 'blocked' || decision.vetoes.length > 0 || facts.draft || missing.length === 0)
    return undefined;
  const approved = new Set(decision.approvals.map((a) => lower(a.by)));
  const candidates: People = {
    users: askable(
      missing.flatMap((g) => g.reviewers.users),
      facts,
      policy,
      approved,
    ),
    teams: uniq(missing.flatMap((g) => g.reviewers.teams)),
  };
  const hard = policy.tiers.hard;
  // The ladder starts when the gate first saw this head (its own check run): a push restarts it.
  const since = parseTime(facts.headSeenAt) ?? nowMs;
  const reminders = (hard.remindMs ?? []).map((ms) => new Date(delayEnd(since, ms, policy.workingHours)).toISOString());
  const escalateTo = hard.escalateTo
    ? { users: askable(hard.escalateTo.users, facts, policy, new Set()), teams: uniq(hard.escalateTo.teams) }
    : undefined;
  return {
    candidates,
    requestReview: hard.requestReview !== false,
    reminders,
    ...(escalateTo ? { escalateTo } : {}),
    ...(policy.workingHours ? { timezone: policy.workingHours.timezone } : {}),
  };
}

const stepsDone = (ledger: AttentionLedger, head: string): number => (ledger.reminded?.head === head ? ledger.reminded.steps : 0);

/** The next reminder still to come after `nowMs` (for the decision's wakeAt), if any. */
export function nextReminder(attention: Attention | undefined, ledger: AttentionLedger, head: string, nowMs: number): string | undefined {
  if (!attention) return undefined;
  const done = stepsDone(ledger, head);
  return attention.reminders.slice(done).find((at) => (parseTime(at) ?? 0) > nowMs);
}

/** Keep the ledger's attention records across decisions (the decision rebuilds the rest). */
export function keepAttention(ledger: Ledger | undefined): AttentionLedger {
  const l: AttentionLedger = ledger ?? {};
  return { ...(l.requested ? { requested: l.requested } : {}), ...(l.reminded ? { reminded: l.reminded } : {}) };
}

const minus = (want: string[], done: string[]): string[] => want.filter((w) => !done.some((d) => lower(d) === lower(w)));

// The only mentions the gate ever writes: of logins and teams the policy names, reduced to the
// characters GitHub allows in them, so a name cannot carry Markdown or a command.
const mention = (p: People): string[] => [
  ...p.users.map((u) => `@${u.replace(/[^A-Za-z0-9\-[\]]/g, '')}`),
  ...p.teams.map((t) => `@${t.replace(/[^A-Za-z0-9\-_./]/g, '')}`),
];

function reminderBody(
  step: number,
  attention: Attention,
  decision: Decision,
  facts: PullRequestFacts,
  nowMs: number,
  escalate: People | undefined,
): string {
  const since = parseTime(facts.headSeenAt) ?? nowMs;
  const who = mention(attention.candidates);
  const what =
    decision.approvers
      ?.filter((g) => g.missing > 0)
      .map((g) => (g.rule ? `"${escapeText(g.rule, 80)}"` : 'the hard tier'))
      .join(', ') ?? 'approval';
  const lines = [
    `⏰ Reminder ${step} of ${attention.reminders.length}: this pull request has been waiting for approval (${what}) since ${formatDeadline(since, nowMs, attention.timezone)}.`,
    who.length
      ? `${who.join(' ')}: please review and comment \`/approve\` (or \`/veto\`).`
      : 'Anyone the policy authorizes may comment `/approve` (or `/veto`).',
  ];
  const wider = escalate ? mention(escalate) : [];
  if (wider.length) lines.push(`Escalating to ${wider.join(' ')}: no approval yet after the last reminder.`);
  return lines.join('\n\n');
}

/** The reminder step `planAttention` posts now, if one is due and not yet in the ledger for this head.
 * Chat hears of the same step as a `stale` event. */
export function dueReminderStep(decision: Decision, facts: PullRequestFacts, now: Date): number | undefined {
  const attention = decision.attention;
  if (!attention) return undefined;
  const done = stepsDone(keepAttention(decision.ledger), facts.headSha);
  const due = attention.reminders.filter((at) => (parseTime(at) ?? Infinity) <= now.getTime()).length;
  return due > done ? due : undefined;
}

/**
 * The review requests and the reminder step due now, and the ledger records that say they were done.
 * The caller writes the ledger (the status comment) BEFORE applying these effects, so a crash between
 * the two loses a step rather than repeating it.
 */
export function planAttention(decision: Decision, facts: PullRequestFacts, now: Date): { effects: Effect[]; ledger: AttentionLedger } {
  const previous = keepAttention(decision.ledger);
  const attention = decision.attention;
  if (!attention) return { effects: [], ledger: previous };
  const nowMs = now.getTime();
  const head = facts.headSha;
  const effects: Effect[] = [];
  const ledger: AttentionLedger = { ...previous };

  if (attention.requestReview) {
    const done = previous.requested?.head === head ? previous.requested : { users: [], teams: [] };
    const users = minus(attention.candidates.users, done.users);
    const teams = minus(attention.candidates.teams, done.teams);
    if (users.length || teams.length) {
      effects.push({ kind: 'request-reviews', users, teams, reason: 'approvers' });
      ledger.requested = { head, users: [...done.users, ...users], teams: [...done.teams, ...teams] };
    }
  }

  const due = dueReminderStep(decision, facts, now);
  if (due !== undefined) {
    // Steps missed while nobody looked are not posted one by one: one comment, for the latest step.
    const last = due === attention.reminders.length;
    const escalate =
      last && attention.escalateTo && (attention.escalateTo.users.length || attention.escalateTo.teams.length)
        ? attention.escalateTo
        : undefined;
    effects.push({
      kind: 'reminder',
      step: due,
      steps: attention.reminders.length,
      body: reminderBody(due, attention, decision, facts, nowMs, escalate),
      ...(escalate ? { requestReviewers: escalate } : {}),
    });
    ledger.reminded = { head, steps: due };
  }
  return { effects, ledger };
}
