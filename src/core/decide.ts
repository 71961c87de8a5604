// The decision: from the policy, what GitHub holds about a PR and the time, whether the PR may merge
// now, and why. Pure. It replays the PR's command timeline (comments and reviews, oldest first)
// against the gate's own ledger, so the same facts always give the same decision.
import { classify, type ClassifyInput, type Escalation } from './classify.js';
import { keptClicks, withClicks } from './clicks.js';
import { withdrawalsOf, type GateLedger, type WithdrawalRecord } from './ledger.js';
import { isPermissive } from './commands.js';
import { standing, type Standing } from './authorize.js';
import { parseTime } from './time.js';
import { timeline, type TimelineEntry } from './timeline.js';
import { delayEnd, formatDeadline } from './working-hours.js';
import { approverGroups, approverStatus, meets, missingLines, type ApproverStatus } from './approvers.js';
import { attentionFor, keepAttention, nextReminder } from './attention.js';
import { withMode } from './observe.js';
import { afterMergeText, notMergedMessage } from './after-merge-parse.js';
import { riskOf, samplingNote } from './after-merge.js';
import type {
  Approval,
  Classification,
  Command,
  CommandVerdict,
  Decision,
  Ledger,
  Policy,
  PolicyLoad,
  PullRequestFacts,
  RefusalReason,
  Tier,
  VetoRecord,
} from './types.js';
import { maxTier, tierRank } from './types.js';

/** A veto reason is the vetoer's words, but it is kept in the ledger: bound its size. */
const MAX_REASON = 300;

export function classifyInput(facts: PullRequestFacts): ClassifyInput {
  return {
    author: facts.author,
    labels: facts.labels,
    headRef: facts.headRef,
    baseRef: facts.baseRef,
    files: facts.files,
    changedFiles: facts.changedFiles,
    additions: facts.additions,
    deletions: facts.deletions,
    commits: facts.commits,
  };
}

const shortSha = (sha: string): string => sha.slice(0, 7);
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
const mentions = (logins: string[]): string => {
  const at = logins.map((l) => `@${l}`);
  return at.length <= 2 ? at.join(' and ') : `${at.slice(0, -1).join(', ')} and ${at[at.length - 1]}`;
};

interface ActiveVeto {
  record: VetoRecord;
  login: string;
  atMs: number | undefined;
}

/** The decision, in the policy's mode (observe.ts). */
export function decide(load: PolicyLoad, facts: PullRequestFacts, now: Date): Decision {
  return withMode(load, (l) => decideOnce(l, facts, now));
}

function decideOnce(load: PolicyLoad, facts: PullRequestFacts, now: Date): Decision {
  const nowMs = now.getTime();
  const policy = load.kind === 'ok' ? load.policy : undefined;
  const previous: Ledger = facts.ledger ?? { vetoes: [], answered: [] };
  // Clicks on the check run are commands too, read from the ledger where the shell recorded them.
  const clicks = keptClicks(facts.ledger, facts.headSha);
  const entries = withClicks(timeline(facts), clicks);
  const input = classifyInput(facts);
  // An earlier version's record the gate could not trust (its comment was edited by someone else) holds
  // the PR as hard: fail closed, until approvals on the current head say otherwise.
  const notices = (previous as GateLedger).notices ?? [];
  const untrusted = notices.some((n) => n.kind === 'legacy-untrusted');
  const unreadable = notices.some((n) => n.kind === 'record-unreadable');
  const ledgerEscalations: Escalation[] = previous.escalation
    ? [{ tier: previous.escalation, by: untrusted ? 'the gate: its earlier record was edited by someone else' : unreadable ? 'the gate: its record on a replaced head could not be read' : 'an earlier command', via: 'ledger' }]
    : [];

  const base: Decision = {
    governed: false,
    tier: 'none',
    state: 'ignored',
    classification: { governed: false, governedBy: [], tier: 'fyi', reasons: [] },
    title: '',
    blockers: [],
    approvals: [],
    approvalsRequired: 0,
    vetoes: [],
    commands: [],
    merge: false,
    mergeMethod: policy?.merge.method ?? 'merge',
    ledger: { ...previous },
    policy: { kind: load.kind, path: load.path, ...(load.kind === 'invalid' ? { errors: load.errors } : {}), ...(load.kind === 'ok' ? { hash: load.hash } : {}) },
  };

  if (facts.merged || facts.state !== 'open') {
    return { ...base, title: facts.merged ? 'Merged: nothing to gate' : 'Closed: nothing to gate' };
  }

  let classification: Classification;
  const verdicts = new Map<TimelineEntry, CommandVerdict>();
  let escalation = previous.escalation;
  try {
    // Escalations first: they can only raise the tier, and every other verdict depends on the tier.
    const before = classify(load, input, ledgerEscalations);
    const raised: Escalation[] = [];
    for (const e of entries) {
      if (e.command.kind !== 'escalate') continue;
      const command = e.command;
      if (tierRank(command.tier) < tierRank(before.tier)) {
        verdicts.set(e, refused(e, command, 'lowers-tier', `\`/escalate ${command.tier}\` cannot lower the tier: this PR is already ${before.tier}, and tiers can only be raised.`));
      } else {
        verdicts.set(e, { ...verdictBase(e, command), accepted: true });
        raised.push({ tier: command.tier, by: e.actor.login, via: 'command' });
        escalation = escalation ? maxTier(escalation, command.tier) : command.tier;
      }
    }
    // A `hitl:<tier>` label is an escalation too, and labels can be removed (by the agent as well):
    // the ledger remembers the highest one, so that taking the label off never lowers the tier.
    const labelled = before.reasons.flatMap((r) => (r.kind === 'escalation' && r.via === 'label' ? [r.tier] : []));
    for (const t of labelled) escalation = escalation ? maxTier(escalation, t) : t;
    // The ledger only stands in for escalations whose label or command is gone: while one still says
    // as much, leave the ledger's copy out, so the explanation does not change once it is recorded.
    const visible = [...labelled, ...raised.map((r) => r.tier)].reduce<Tier | undefined>((t, r) => (t ? maxTier(t, r) : r), undefined);
    const remembered = ledgerEscalations.filter((l) => !visible || tierRank(l.tier) > tierRank(visible));
    classification = raised.length || remembered.length !== ledgerEscalations.length ? classify(load, input, [...remembered, ...raised]) : before;
  } catch (error) {
    // A bug in classification must not open the gate: treat the PR as governed, hard and blocked.
    const message = `the gate could not classify this PR (${error instanceof Error ? error.message : String(error)})`;
    classification = { governed: true, governedBy: [], tier: 'hard', reasons: [{ kind: 'policy-unreadable', tier: 'hard', message }] };
  }

  // Once the gate has posted its status comment (the ledger is in it), the PR stays governed: labels
  // and branch names that made it an agent PR are hints anyone can remove, and removing one must not
  // wave the PR through (invariant 5). Only removing the policy itself ends governance.
  const wasGoverned = facts.ledger !== undefined && load.kind !== 'missing';
  if (!classification.governed && !wasGoverned) {
    // Only the policy knows every agent (its own accounts, labels and branches). Without it, a green
    // check could wave an agent PR through branch protection: hold it pending until the policy is read.
    if (classification.reasons.some((r) => r.kind === 'policy-unreadable')) {
      return { ...base, classification, state: 'waiting', title: 'Policy unreadable: not decided yet' };
    }
    const title = load.kind === 'missing' ? `No policy at ${load.path}: nothing to gate` : 'Not an agent PR: nothing to gate';
    return { ...base, classification, title };
  }

  const tier = classification.tier;
  const tierPolicy = policy?.tiers;
  // Approvals bind to the commit they were given on (invariant 3). Soft always binds: a push restarts
  // the window, so an approval of older code must not end the new window early. `invalidate_on_push:
  // false` applies only to PRs that the policy itself makes hard: a raise to hard (which anyone may
  // ask for) must never let older approvals count that the lower tier would have ignored.
  const policyTier = classification.reasons.filter((r) => r.kind !== 'escalation').reduce<Tier>((t, r) => maxTier(t, r.tier), 'fyi');
  const binds = policyTier !== 'hard' || (tierPolicy?.hard.invalidateOnPush ?? true);
  const headSeenMs = parseTime(facts.headSeenAt);

  /** `bound`: given on the current head (only those can overrule a veto, whatever the policy says). */
  const approvals = new Map<string, Approval & { atMs: number; bound: boolean }>();
  const everApproved = new Set<string>();
  const vetoes = new Map<number, ActiveVeto>();
  const withdrawals = new Map<string, WithdrawalRecord>();
  const withdraw = (record: WithdrawalRecord, keep: boolean) => {
    const login = record.by.toLowerCase();
    if (keep || everApproved.has(login)) withdrawals.set(`${record.sourceId}:${login}`, record);
    approvals.delete(login);
  };
  // What only the ledger remembers (vetoes and withdrawals whose comment was edited, deleted or
  // dismissed) is replayed at the moment it happened, among the live entries.
  const ledgerQueue = [
    ...previous.vetoes.map((veto) => ({ atMs: parseTime(veto.at), id: veto.commentId, veto })),
    ...withdrawalsOf(facts.ledger).map((withdrawal) => ({ atMs: parseTime(withdrawal.at), id: withdrawal.sourceId, withdrawal })),
  ].sort((a, b) => (a.atMs ?? Infinity) - (b.atMs ?? Infinity) || a.id - b.id);
  const flushLedger = (upTo: TimelineEntry | undefined) => {
    while (ledgerQueue.length) {
      const next = ledgerQueue[0]!;
      if (upTo) {
        const a = next.atMs ?? Infinity;
        const b = upTo.atMs ?? Infinity;
        if (a > b || (a === b && next.id > upTo.source.id)) return;
      }
      ledgerQueue.shift();
      if ('withdrawal' in next) withdraw(next.withdrawal, true);
      else if (!vetoes.has(next.id)) vetoes.set(next.id, { record: next.veto, login: next.veto.by.toLowerCase(), atMs: next.atMs });
    }
  };

  for (const e of entries) {
    flushLedger(e);
    const command = e.command;
    const login = e.actor.login.toLowerCase();
    const asWithdrawal = (): WithdrawalRecord => ({ by: e.actor.login, at: e.at, sourceId: e.source.id });
    if (command.kind === 'withdraw') {
      // Requesting changes, or a comment edited since (it may have said `/approve cancel`).
      withdraw(asWithdrawal(), false);
      continue;
    }
    if (command.kind === 'escalate') continue; // decided above
    if (command.kind === 'explain') {
      verdicts.set(e, { ...verdictBase(e, command), accepted: true });
      continue;
    }
    if (command.kind === 'after-merge') {
      // Answered on a merged PR (after-merge-commands.ts); on an open one they decide nothing.
      verdicts.set(e, refused(e, command, 'not-after-merge', notMergedMessage(command)));
      continue;
    }
    if (command.kind === 'unrecognized') {
      const message = `hitl-gate does not know this command: did you mean \`${command.suggestion}\`? A command must be alone on its line.`;
      verdicts.set(e, { ...verdictBase(e, command), accepted: false, refusal: 'unknown-command', message });
      continue;
    }
    const who = standing(e.actor, facts, policy);
    const verdict = judge(e, command, who, {
      valid: () => validForHead(e, binds, headSeenMs, facts.headSha),
      hasApproved: () => everApproved.has(login),
      hasVetoed: () => [...vetoes.values()].some((v) => v.login === login),
    });
    verdicts.set(e, verdict);
    if (command.kind === 'approve' && who.kind === 'reviewer') everApproved.add(login);
    if (!verdict.accepted) continue;
    if (command.kind === 'approve') {
      const bound = validForHead(e, true, headSeenMs, facts.headSha);
      // One approval per person: the latest, except that an approval of an older commit never
      // displaces one of the current head (approvals do not cancel each other; withdrawals do).
      if (bound || !approvals.get(login)?.bound) {
        approvals.set(login, { by: e.actor.login, at: e.at, via: e.source.type, sourceId: e.source.id, atMs: e.atMs ?? 0, bound });
      }
    } else if (command.kind === 'approve-cancel') {
      withdraw(asWithdrawal(), false);
    } else if (command.kind === 'veto') {
      const existing = vetoes.get(e.source.id);
      const reason = command.reason?.slice(0, MAX_REASON);
      const record: VetoRecord = existing?.record ?? { by: e.actor.login, at: e.at, commentId: e.source.id, ...(reason ? { reason } : {}) };
      // Every counted veto goes to the ledger, also one counted only because a lookup failed: once
      // counted, editing or deleting its comment must not lift it.
      vetoes.set(e.source.id, { record, login, atMs: e.atMs });
    } else if (command.kind === 'veto-cancel') {
      // Every earlier veto of this person, including ones only the ledger remembers.
      for (const [id, v] of vetoes) if (v.login === login) vetoes.delete(id);
    }
  }
  flushLedger(undefined);

  // A rule's own approvers (the DBA team for migrations) are trusted with that rule's PRs, not with
  // every PR: only the top-level reviewers may end a soft window early or overrule a veto.
  const general = (a: { by: string }): boolean => policy !== undefined && meets(a.by, facts.authorizations[a.by.toLowerCase()], policy.reviewers);
  // A veto stands until overruled by enough approvals for the current head given after it.
  const overruleCount = requiredApprovals(policy);
  const approvalList = [...approvals.values()];
  const active = [...vetoes.values()].filter((v) => {
    if (!policy || v.atMs === undefined) return true;
    const vetoMs = v.atMs;
    return approvalList.filter((a) => a.bound && a.atMs > vetoMs && general(a)).length < overruleCount;
  });

  const approvalsOut: Approval[] = approvalList.map(({ atMs: _atMs, bound: _bound, ...a }) => a);
  const commands = entries.flatMap((e) => {
    const v = verdicts.get(e);
    return v ? [v] : [];
  });
  const ledger: GateLedger = {
    // Overruled vetoes stay in the ledger: a push invalidates the approvals that overruled them.
    vetoes: [...vetoes.values()].map((v) => v.record),
    answered: previous.answered,
    ...(escalation ? { escalation } : {}),
    ...(withdrawals.size ? { withdrawals: [...withdrawals.values()] } : {}),
    ...keepAttention(previous),
    ...(clicks.length ? { clicks } : {}),
    // Chat messages sent so far are the shell's business (notify.ts); the decision only keeps them.
    ...((previous as GateLedger).notified ? { notified: (previous as GateLedger).notified } : {}),
    // What the gate noticed about its status comment stays said (the plan renews `comment`).
    ...((previous as GateLedger).notices?.length ? { notices: (previous as GateLedger).notices } : {}),
  };

  const approvers = policy ? approverStatus(approverGroups(policy, classification), approvalsOut, facts.authorizations) : [];
  const outcome = stateOf({ facts, policy, load, classification, tier, approvals: approvalsOut, generalApprovals: approvalsOut.filter(general), vetoes: active.map((v) => v.record), nowMs, approvers });
  const attention = policy ? attentionFor(policy, facts, { tier, state: outcome.state, vetoes: active.map((v) => v.record), approvals: approvalsOut }, approvers, nowMs) : undefined;
  const reminderAt = nextReminder(attention, ledger, facts.headSha, nowMs);
  if (reminderAt && (!outcome.wakeAt || reminderAt < outcome.wakeAt)) outcome.wakeAt = reminderAt;
  return {
    ...base,
    governed: true,
    tier,
    classification,
    ...outcome,
    approvals: approvalsOut,
    approvalsRequired: tier === 'hard' ? Math.max(requiredApprovals(policy), ...approvers.map((g) => g.required)) : 0,
    vetoes: active.map((v) => v.record),
    commands,
    ledger,
    ...(approvers.length ? { approvers } : {}),
    ...(attention ? { attention } : {}),
    ...afterMergeNote(policy, facts, tier, classification, approvalsOut),
  };
}

/** Whether this PR would be reviewed after merge (with the policy's `after_merge`), for the status comment. */
function afterMergeNote(policy: Policy | undefined, facts: PullRequestFacts, tier: Tier, classification: Classification, approvals: Approval[]): Pick<Decision, 'afterMergeNote'> {
  if (!policy?.afterMerge) return {};
  const note = samplingNote(policy, { owner: facts.owner, repo: facts.repo, number: facts.number, tier, risk: riskOf(classification, policy, classifyInput(facts)), approvedBy: approvals.map((a) => a.by) });
  return note ? { afterMergeNote: note } : {};
}

/** A hard PR always needs a person: even a policy that asks for 0 approvals gets 1. Otherwise a raise
 * to hard (which anyone may ask for) could skip a soft veto window. */
function requiredApprovals(policy: Policy | undefined): number {
  return Math.max(1, policy?.tiers.hard.approvals ?? 1);
}

function verdictBase(e: TimelineEntry, command: Command): Omit<CommandVerdict, 'accepted'> {
  return { source: e.source, by: e.actor.login, at: e.at, command };
}

function refused(e: TimelineEntry, command: Command, refusal: RefusalReason, message: string): CommandVerdict {
  return { ...verdictBase(e, command), accepted: false, refusal, message };
}

function validForHead(e: TimelineEntry, binds: boolean, headSeenMs: number | undefined, headSha: string): boolean {
  // A click always binds to the head of the check run it was made on, whatever the policy says.
  if (e.source.type === 'click') return e.commitId === headSha;
  if (!binds) return true;
  if (e.source.type === 'review') return e.commitId === headSha;
  // Comments carry no commit: they count only when made after the gate first saw this head. Without
  // that trusted time (the gate is only now creating its check run) nothing is known to be after it.
  return headSeenMs !== undefined && e.atMs !== undefined && e.atMs >= headSeenMs;
}

interface History {
  valid: () => boolean;
  hasApproved: () => boolean;
  hasVetoed: () => boolean;
}

function judge(e: TimelineEntry, command: Exclude<Command, { kind: 'escalate' | 'explain' | 'unrecognized' | 'after-merge' }>, who: Standing, history: History): CommandVerdict {
  const name = commandText(command);
  if (who.kind === 'excluded') return refused(e, command, who.reason, who.message);
  // Only created comments count. An edited comment may have gained its command after the fact, so its
  // permissive commands are refused; its `/veto` (and `/approve cancel`, `/escalate`) still count: we
  // cannot tell they were not there at creation, and they only make the gate stricter.
  if (isPermissive(command) && (e.edited || e.unverifiable)) {
    const message = e.edited
      ? `This comment was edited, and only commands present when a comment is created count: post \`${name}\` in a new comment.`
      : `A review's text can be edited without a trace, so \`${name}\` there does not count: approve the review itself or post a new comment.`;
    return refused(e, command, 'edited', message);
  }
  if (who.kind === 'not-reviewer') return refused(e, command, 'not-reviewer', who.message);
  if (e.source.type === 'click' && !history.valid()) {
    // The person saw an older commit: their click decides nothing about code they did not see.
    const message = `You clicked on the check of ${shortSha(e.commitId ?? '')}, an older commit of this pull request, so the click counts for nothing; click again on the current check or comment \`${name}\`.`;
    return refused(e, command, 'before-push', message);
  }
  if (who.kind === 'unknown') {
    // Fail closed in the strict direction: a veto of someone we cannot check still counts.
    if (command.kind === 'veto') return { ...verdictBase(e, command), accepted: true, message: `Counted although ${who.message}` };
    return refused(e, command, 'permission-error', `Not counted: ${who.message} The gate will check again on the next update.`);
  }
  switch (command.kind) {
    case 'approve':
      if (!history.valid()) {
        const message = e.source.type === 'review'
          ? `This approval was given on ${shortSha(e.commitId ?? '')}, not on the current head; approve the latest commit again.`
          : `This approval was given before the gate saw the current head; comment \`/approve\` again to approve it.`;
        return refused(e, command, 'before-push', message);
      }
      break;
    case 'approve-cancel':
      if (!history.hasApproved()) return refused(e, command, 'nothing-to-cancel', `There was no earlier approval of @${e.actor.login} to cancel.`);
      break;
    case 'veto-cancel':
      if (!history.hasVetoed()) return refused(e, command, 'nothing-to-cancel', `There was no earlier veto of @${e.actor.login} to cancel.`);
      break;
    case 'veto':
      break;
  }
  return { ...verdictBase(e, command), accepted: true };
}

export function commandText(command: Command): string {
  switch (command.kind) {
    case 'approve': return '/approve';
    case 'approve-cancel': return '/approve cancel';
    case 'veto': return '/veto';
    case 'veto-cancel': return '/veto cancel';
    case 'escalate': return `/escalate ${command.tier}`;
    case 'explain': return '/hitl explain';
    case 'after-merge': return afterMergeText(command);
    case 'unrecognized': return command.text;
  }
}

interface StateInput {
  facts: PullRequestFacts;
  policy: Policy | undefined;
  load: PolicyLoad;
  classification: Classification;
  tier: Tier;
  approvals: Approval[];
  /** Approvals by the top-level reviewers: only these end a soft window early. */
  generalApprovals: Approval[];
  vetoes: VetoRecord[];
  nowMs: number;
  approvers: ApproverStatus[];
}

type Outcome = Pick<Decision, 'state' | 'title' | 'blockers' | 'merge' | 'window' | 'wakeAt'>;

function stateOf(s: StateInput): Outcome {
  const { facts, policy, classification, tier, approvals, vetoes, nowMs } = s;
  const blocked = (title: string, blockers: string[]): Outcome => ({ state: 'blocked', title, blockers, merge: false });

  const policyError = policyProblem(s.load, classification);
  if (policyError || !policy) {
    const problem = policyError ?? 'the policy could not be used';
    return blocked(`Blocked: ${problem}`, [`Fix ${s.load.path}: ${problem}.`]);
  }
  if (vetoes.length) {
    const by = [...new Set(vetoes.map((v) => v.by))];
    return blocked(`Blocked: vetoed by ${mentions(by)}`, vetoes.map((v) => `Vetoed by @${v.by}${v.reason ? `: ${v.reason}` : ''}.`));
  }
  const mergeSetting = policy.tiers[tier].merge;
  const ready = (title: string): Outcome => ({ state: 'ready', title, blockers: [], merge: mergeSetting });
  const readyTitle = (prefix: string) => (mergeSetting ? `${prefix}ready to merge (${tier})` : `${prefix}ready; merging is left to a person (${tier})`);

  let outcome: Outcome;
  if (tier === 'hard') {
    // Per approver group (rules that name their own approvers, and the top-level reviewers).
    const missing = Math.max(0, ...s.approvers.map((g) => g.missing));
    const onlyTopLevel = s.approvers.every((g) => g.rule === undefined);
    outcome = missing > 0
      ? onlyTopLevel
        ? blocked(`Blocked: needs ${plural(missing, 'more approval')} (hard)`, [`Needs ${plural(missing, 'more approval')} from an authorized reviewer.`])
        : blocked(`Blocked: needs approval for ${s.approvers.filter((g) => g.missing > 0).map((g) => g.rule ?? 'the hard tier').join(', ')} (hard)`, missingLines(s.approvers))
      : ready(readyTitle(approvals.length ? `Approved by ${mentions(approvals.map((a) => a.by))}: ` : ''));
  } else if (tier === 'soft') {
    const startMs = parseTime(facts.headSeenAt) ?? nowMs;
    const hours = policy.workingHours;
    const endMs = delayEnd(startMs, policy.tiers.soft.windowMs, hours);
    const window = { start: new Date(startMs).toISOString(), end: new Date(endMs).toISOString(), ...(hours ? { timezone: hours.timezone } : {}) };
    if (s.generalApprovals.length) outcome = { ...ready(readyTitle(`Approved by ${mentions(s.generalApprovals.map((a) => a.by))}: `)), window };
    else if (nowMs < endMs) {
      const at = formatDeadline(endMs, nowMs, hours?.timezone);
      const title = mergeSetting ? `Merges at ${at} unless someone vetoes (soft)` : `Veto window ends at ${at} (soft)`;
      outcome = { state: 'waiting', title, blockers: [`Veto window open until ${at}.`], merge: false, window, wakeAt: window.end };
    } else outcome = { ...ready(readyTitle('Veto window over: ')), window };
  } else {
    outcome = ready(readyTitle(''));
  }
  if (facts.draft) {
    // A draft is not up for review: nothing merges, and the window is no reason to wake up. (Vetoes
    // and policy errors were reported above: they block drafts too.)
    const { wakeAt: _wakeAt, ...rest } = outcome;
    return { ...rest, state: 'waiting', title: `Draft: waiting until ready for review (${tier})`, blockers: ['The PR is a draft.', ...outcome.blockers], merge: false };
  }
  return { ...outcome, title: capitalize(outcome.title) };
}

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

function policyProblem(load: PolicyLoad, classification: Classification): string | undefined {
  // An unreadable policy also loads as `invalid`; say what really happened, not "error at 1:1".
  const unreadable = classification.reasons.find((r) => r.kind === 'policy-unreadable');
  if (unreadable) return `policy unreadable (${unreadable.message})`;
  if (load.kind === 'invalid') {
    const first = load.errors[0];
    return first ? `policy error at ${first.file}:${first.line}:${first.column}` : `policy error in ${load.path}`;
  }
  for (const r of classification.reasons) {
    if (r.kind === 'policy-error') {
      const first = r.errors[0];
      return first ? `policy error at ${first.file}:${first.line}:${first.column}` : `policy error in ${load.path}`;
    }
    if (r.kind === 'policy-unreadable') return `policy unreadable (${r.message})`;
  }
  return undefined;
}

