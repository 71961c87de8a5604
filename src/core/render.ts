// What people read: the status comment (understood in five seconds, details folded away), the check
// run's output, replies to commands. Every command the text shows is inside a code span, and every
// string the gate did not write is escaped, so nothing the gate posts can parse as a command.
import { checkRunActions } from './clicks.js';
import { commandText } from './decide.js';
import { decisionMarker, decisionRecord } from './decision-record.js';
import type { Policy, PolicyError } from './model/policy.js';
import type { PullRequestFacts } from './model/pull-request.js';
import type { ApproverStatus, CommandVerdict, Decision, TierReason } from './model/decision.js';
import { LEDGER_TARGET_CHARS, STATUS_MARKER } from './ledger.js';
import { CHECK_NAME } from './model/effects.js';
import { describeGoverned, describeReason, fileList } from './reason-text.js';
import { observeLines, observeTitle } from './render-observe.js';
import { PROTECTED_BRANCHES_DOCS } from './merge-blockers.js';
import { code, escapeText, oneLine, person } from './markdown.js';
import { formatUtc, formatWhen, parseTime } from './time.js';
import { formatLocal } from './working-hours.js';

/** What the decision does not carry but the text is better with. */
export interface RenderOptions {
  /** The policy's reviewers, to say exactly who may act; without it the text points at the policy. */
  reviewers?: Policy['reviewers'];
  /** The check run carries one-click Approve / Veto buttons (the App): say so where they help. */
  checkRunActions?: boolean;
  /** What GitHub still needs before it merges what the policy lets through (see merge-blockers.ts). */
  githubNeeds?: string[];
}

export { readLedger, ledgerMarker } from './ledger.js';

/** GitHub refuses comments over 65536 characters and check-run fields over 65535. */
export const COMMENT_LIMIT = 65_536;
export const CHECK_RUN_LIMIT = 65_535;

const ICON: Record<Decision['state'], string> = { ready: '🟢', waiting: '🟡', blocked: '🔴', ignored: '⚪' };
function policyErrorLine(e: PolicyError): string {
  return `${code(`${e.file}:${e.line}:${e.column}`)} ${escapeText(e.message, 300)}`;
}

/** The reasons that set the tier, strongest first. */
function decisive(decision: Decision): TierReason[] {
  const reasons = decision.classification.reasons;
  const top = reasons.filter((r) => r.tier === decision.classification.tier);
  return top.length ? top : reasons;
}

function why(decision: Decision): string {
  const reasons = decisive(decision);
  const shown = reasons.slice(0, 4).map((r) => describeReason(r, 5));
  const more = reasons.length - shown.length;
  return shown.join('; ') + (more > 0 ? `; and ${more} more` : '');
}

/** What happens next with a PR, in one sentence (Markdown): the status comment's "Next", and what
 * the MCP tool `get_review_status` answers. */
export function nextStep(decision: Decision, facts: PullRequestFacts, nowMs: number, relative: boolean): string {
  const head = code(facts.headSha.slice(0, 7));
  if (
    decision.policy.kind === 'invalid' ||
    decision.classification.reasons.some((r) => r.kind === 'policy-error' || r.kind === 'policy-unreadable')
  ) {
    const errors = decision.policy.errors ?? decision.classification.reasons.flatMap((r) => (r.kind === 'policy-error' ? r.errors : []));
    const shown = errors.slice(0, 3).map(policyErrorLine).join('; ');
    const more = errors.length > 3 ? `; and ${errors.length - 3} more below` : '';
    return `Nothing merges until the policy at ${code(decision.policy.path)} on the base branch is fixed${shown ? `: ${shown}${more}` : ''}.`;
  }
  if (decision.vetoes.length) {
    const who = [...new Set(decision.vetoes.map((v) => v.by))].map(person).join(', ');
    return `Blocked until ${who} withdraws the veto with ${code('/veto cancel')}, or enough authorized approvals given after the veto overrule it.`;
  }
  if (facts.draft) return 'This is a draft: nothing happens until it is marked ready for review.';
  if (decision.state === 'blocked') {
    const perRule = decision.approvers?.some((g) => g.rule !== undefined) ? missingApprovers(decision.approvers) : [];
    if (perRule.length) {
      return `${perRule.join(' ')} Comment ${code('/approve')} or approve in a review. Only approvals of the current commit ${head} count.`;
    }
    const missing = decision.approvalsRequired - decision.approvals.length;
    return `Needs ${missing} more approval${missing === 1 ? '' : 's'} from an authorized reviewer: comment ${code('/approve')} or approve in a review. Only approvals of the current commit ${head} count.`;
  }
  if (decision.state === 'waiting' && decision.next) {
    const end = parseTime(decision.next.at) ?? nowMs;
    const local = decision.window?.timezone ? ` (${formatLocal(end, decision.window.timezone)}, counted in working hours)` : '';
    const when = `**at ${relative ? formatWhen(end, nowMs) : formatUtc(end, nowMs)}${local}**`;
    return decision.next.kind === 'merge-at'
      ? `Merges ${when} unless an authorized reviewer comments ${code('/veto [reason]')}; ${code('/approve')} merges it sooner.`
      : `The veto window closes ${when}.`;
  }
  if (decision.state === 'ready') {
    return decision.merge
      ? 'Merges as soon as GitHub reports it mergeable and the other checks pass.'
      : `Ready; the policy leaves merging ${decision.tier} PRs to a person.`;
  }
  return '';
}

/** One sentence on the check run's buttons, when the state offers them (see clicks.ts). */
function buttonsHint(decision: Decision): string {
  const labels = checkRunActions(decision).map((a) => `**${a.label}**`);
  return labels.length ? ` Reviewers can also click ${labels.join(' or ')} on the ${code(CHECK_NAME)} check.` : '';
}

function approvalsLine(decision: Decision, nowMs: number): string {
  const perRule = decision.approvers?.some((g) => g.rule !== undefined) ?? false;
  const required = decision.approvalsRequired && !perRule ? ` of ${decision.approvalsRequired} needed` : '';
  const list = decision.approvals.map((a) => `${person(a.by)} (${a.via}, ${formatUtc(parseTime(a.at) ?? nowMs, nowMs)})`);
  return `**Approvals:** ${list.length}${required}${list.length ? `: ${list.slice(0, 10).join(', ')}${list.length > 10 ? ` and ${list.length - 10} more` : ''}` : ''}`;
}

function vetoesLine(decision: Decision, nowMs: number): string {
  const active = decision.vetoes.map(
    (v) => `${person(v.by)} (${formatUtc(parseTime(v.at) ?? nowMs, nowMs)})${v.reason ? `: ${code(v.reason, 120)}` : ''}`,
  );
  const activeIds = new Set(decision.vetoes.map((v) => v.commentId));
  const overruled = decision.ledger.vetoes
    .filter((v) => !activeIds.has(v.commentId))
    .map((v) => `${person(v.by)} (overruled by later approvals)`);
  const all = [...active, ...overruled];
  return `**Vetoes:** ${all.length ? `${all.slice(0, 10).join(', ')}${all.length > 10 ? ` and ${all.length - 10} more` : ''}` : 'none'}`;
}

const COMMANDS_HELP =
  `${code('/approve')} · ${code('/approve cancel')} · ${code('/veto [reason]')} · ${code('/veto cancel')} · ` +
  `${code('/escalate fyi|soft|hard')} (raise only, anyone) · ${code('/hitl explain')}`;

/** The five-second part: what state, which tier and why, what happens next, who may act. */
function whoMayAct(decision: Decision, reviewers: Policy['reviewers'] | undefined): string {
  const never = 'never the PR author, its committers, agent accounts or bots';
  if (!reviewers) return `the reviewers named by ${code('reviewers')} in ${code(decision.policy.path)}; ${never}`;
  const who = [
    ...reviewers.users.slice(0, 10).map((u) => person(u.replace(/^@/, ''))),
    ...(reviewers.users.length > 10 ? [`${reviewers.users.length - 10} more listed users`] : []),
    ...reviewers.teams.slice(0, 10).map((t) => `members of ${code(t, 100)}`),
    `anyone with ${code(reviewers.permission)} permission or more`,
  ];
  return `${who.join(', ')}; ${never}`;
}

function headline(decision: Decision, facts: PullRequestFacts, nowMs: number, relative: boolean, options: RenderOptions): string[] {
  const observing = decision.mode === 'observe';
  return [
    observing
      ? `### 👁️ ${escapeText(observeTitle(decision, nowMs), 200)}`
      : `### ${ICON[decision.state]} ${escapeText(decision.title, 200)}`,
    '',
    ...observeLines(decision, nowMs),
    `**Tier ${decision.tier}** because ${why(decision)}.`,
    '',
    `**${observing ? 'Enforced, next would be' : 'Next'}:** ${nextStep(decision, facts, nowMs, relative)}${options.checkRunActions && !observing ? buttonsHint(decision) : ''}`,
    '',
    ...githubNeedsLines(options.githubNeeds),
    ...(decision.afterMergeNote ? [decision.afterMergeNote, ''] : []),
    ...noticeLines(decision, nowMs),
    `**Who may act:** ${whoMayAct(decision, options.reviewers)}. Comment one command per line: ${COMMANDS_HELP}.`,
    '',
    `${approvalsLine(decision, nowMs)} · ${vetoesLine(decision, nowMs)}`,
  ];
}

/** What the gate noticed about its status comment: said in the comment and the check, with who and
 * when where GitHub says. Nothing it decides was read from the comment (docs/security.md). */
function noticeLines(decision: Decision, nowMs: number): string[] {
  const notices = decision.ledger.notices ?? [];
  if (notices.length === 0) return [];
  const lines = notices.slice(-3).map((n) => {
    const who = n.by ? ` by ${person(n.by)}` : '';
    const when = formatUtc(parseTime(n.happenedAt ?? n.at) ?? nowMs, nowMs);
    switch (n.kind) {
      case 'comment-edited':
        return `- ⚠️ This status comment was edited${who} (${when}). hitl-gate restored it: nothing it decides is read from a comment.`;
      case 'comment-deleted':
        return `- ⚠️ hitl-gate's status comment was deleted (noticed ${when}; GitHub does not say by whom). This is a new copy: nothing it decides is read from a comment.`;
      case 'record-unreadable':
        return `- ⚠️ A head that a force-push replaced is no longer shown by GitHub, so hitl-gate could not read its record there (${when}): this PR is held as \`hard\` until it is approved.`;
      case 'legacy-untrusted':
        return `- ⚠️ The record an earlier version of hitl-gate kept in this comment was edited${who} (${when}), so it is not trusted: this PR is held as \`hard\` until it is approved.`;
    }
  });
  return ['**Noticed:**', ...lines, ''];
}

/** The policy lets it merge but GitHub will not yet: say what GitHub still needs (never a silent stall). */
function githubNeedsLines(needs: string[] | undefined): string[] {
  if (!needs || needs.length === 0) return [];
  const shown = needs.slice(0, 10).map((n) => `- ${n}`);
  return [
    `**GitHub still needs** (the policy lets this merge; see \`${PROTECTED_BRANCHES_DOCS}\` in hitl-gate's documentation for how to set up the base branch):`,
    ...shown,
    ...(needs.length > shown.length ? [`- and ${needs.length - shown.length} more`] : []),
    '',
  ];
}

function verdictLine(v: CommandVerdict, nowMs: number): string {
  const what =
    v.source.type === 'click'
      ? `${person(v.by)} clicked **${v.command.kind === 'approve' ? 'Approve' : 'Veto'}** on the check (${formatUtc(parseTime(v.at) ?? nowMs, nowMs)})`
      : `${person(v.by)} ${code(v.command.kind === 'veto' && v.command.reason ? `/veto ${v.command.reason}` : commandText(v.command), 80)} (${v.source.type}, ${formatUtc(parseTime(v.at) ?? nowMs, nowMs)})`;
  return v.accepted
    ? `- ✅ ${what}${v.message ? `: ${escapeText(v.message, 300)}` : ''}`
    : `- ❌ ${what}: ${v.refusal}: ${escapeText(v.message ?? '', 300)}`;
}

/** Every reason, every policy error, every command: lines appended while they fit in `budget`. */
function detailLines(decision: Decision, nowMs: number, budget: number): string[] {
  const groups: Array<[string, string[]]> = [
    [
      'Governed because',
      decision.classification.governedBy.length
        ? decision.classification.governedBy.map((g) => `- ${describeGoverned(g)}`)
        : [
            '- the gate already governed this PR: a PR stays governed once it was, even if the label or branch that made it an agent PR is gone',
          ],
    ],
    ['Every reason', decision.classification.reasons.map((r) => `- ${describeReason(r, 20)}`)],
    ['Policy errors', (decision.policy.errors ?? []).map((e) => `- ${policyErrorLine(e)}`)],
    ['Blockers', decision.blockers.map((b) => `- ${escapeText(b, 300)}`)],
    ['Commands', decision.commands.map((v) => verdictLine(v, nowMs))],
  ];
  const out: string[] = [];
  let used = 0;
  for (const [title, lines] of groups) {
    if (lines.length === 0) continue;
    const heading = `**${title}**`;
    out.push(heading);
    used += heading.length + 1;
    let shown = 0;
    for (const line of lines) {
      if (used + line.length + 1 > budget) break;
      out.push(line);
      used += line.length + 1;
      shown += 1;
    }
    if (shown < lines.length) {
      const more = `- and ${lines.length - shown} more`;
      out.push(more);
      used += more.length + 1;
    }
    out.push('');
  }
  return out;
}

function fit(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const note = '\n\n… (truncated)';
  return text.slice(0, limit - note.length) + note;
}

/** The explanation without the ledger: the status comment's text and the `/hitl explain` reply. */
/** `relative` adds "in 12 minutes" to times: right for a one-off reply, wrong for a text that stays up
 * (it goes stale, and keeping it true would mean an edit at every look). */
export function renderExplanation(
  decision: Decision,
  facts: PullRequestFacts,
  now: Date,
  options: RenderOptions = {},
  budget = 40_000,
  relative = true,
): string {
  const nowMs = now.getTime();
  const head = headline(decision, facts, nowMs, relative, options).join('\n');
  const details = detailLines(decision, nowMs, Math.max(1_000, budget - head.length - 200));
  return [
    head,
    '',
    '<details><summary>Details: every reason and command</summary>',
    '',
    ...details,
    '</details>',
    '',
    `<sub>Decided on commit ${code(facts.headSha.slice(0, 7))}.</sub>`,
  ].join('\n');
}

export function renderStatusComment(decision: Decision, facts: PullRequestFacts, now: Date, options: RenderOptions = {}): string {
  // The comment is a view: its marker only tells it from the gate's replies. The record is in the check run.
  const marker = STATUS_MARKER;
  // Absolute times only: the comment is edited when the decision changes, not when the clock moves.
  const body = renderExplanation(decision, facts, now, options, COMMENT_LIMIT - marker.length - 2_000, false);
  return `${fit(body, COMMENT_LIMIT - marker.length - 2)}\n\n${marker}`;
}

export function renderCheckRun(
  decision: Decision,
  facts: PullRequestFacts,
  now: Date,
  options: RenderOptions = {},
): { title: string; summary: string; text: string } {
  const nowMs = now.getTime();
  // The title is plain text, not Markdown.
  const title = oneLine(decision.governed && decision.mode === 'observe' ? observeTitle(decision, nowMs) : decision.title, 200);
  if (!decision.governed) {
    const unreadable = decision.classification.reasons.find((r) => r.kind === 'policy-unreadable');
    if (unreadable) {
      const summary = `hitl-gate could not read the policy at ${code(decision.policy.path)} (${escapeText(unreadable.message, 300)}). Only the policy says which accounts, labels and branches belong to agents, so this check stays pending until it can be read; the gate tries again shortly.`;
      return { title, summary, text: '' };
    }
    const summary =
      decision.policy.kind === 'missing'
        ? `There is no policy at ${code(decision.policy.path)} on the base branch, so hitl-gate governs no pull request here. Add one to put agent PRs through a tier (\`fyi\`, \`soft\` or \`hard\`); \`hitl-gate schema\` prints its JSON Schema.`
        : `This pull request is not from an agent under ${code(decision.policy.path)} (${code('agents')}: authors, labels, branches), so hitl-gate does not gate it.`;
    return { title, summary, text: '' };
  }
  const rows = decision.classification.reasons.slice(0, 50).map((r) => {
    const name = r.kind === 'rule' ? escapeText(r.rule, 80) : r.kind;
    const files = 'files' in r ? fileList(r.files, 10) : '';
    return `| ${name.replace(/\|/g, '\\|')} | ${r.tier} | ${files.replace(/\|/g, '\\|')} |`;
  });
  const more = decision.classification.reasons.length - rows.length;
  const table = ['| rule | tier | files |', '|---|---|---|', ...rows, ...(more > 0 ? [`| and ${more} more | | |`] : [])].join('\n');
  // No relative times here: the summary must not change (and cost an update) as the clock moves.
  const summary = fit([...headline(decision, facts, nowMs, false, options), '', table].join('\n'), CHECK_RUN_LIMIT);
  // The decision as evidence for `hitl-gate audit`, hidden at the end of the details.
  // Hidden markers come first, so that fitting the text to GitHub's limit only ever shortens the details;
  // room is kept for the gate's record, which the shell puts in front of them (ledger.ts `withRecord`).
  const record = decisionRecord(decision, facts);
  const marker = record ? `${decisionMarker(record)}\n\n` : '';
  const room = CHECK_RUN_LIMIT - marker.length - LEDGER_TARGET_CHARS - 100;
  const text = marker + fit(detailLines(decision, nowMs, Math.max(1_000, room - 100)).join('\n'), Math.max(1_000, room));
  return { title, summary, text };
}

/** One reply for one comment: why each refused command was refused, and the explanation if asked. */
export function renderReply(
  verdicts: CommandVerdict[],
  decision: Decision,
  facts: PullRequestFacts,
  now: Date,
  options: RenderOptions = {},
  explanation?: () => string,
): string {
  const by = verdicts[0]?.by ?? '';
  const lines: string[] = [];
  for (const v of verdicts) {
    const readFrom = v.command.kind === 'veto' ? v.command.readFrom : undefined;
    if (v.accepted && readFrom !== undefined) {
      lines.push(
        `- ${code(readFrom, 80)} was read as ${code('/veto')}: this pull request is held until you comment ${code('/veto cancel')}.`,
      );
      continue;
    }
    if (v.accepted || !v.message) continue;
    const what =
      v.source.type === 'click'
        ? `Your click on **${v.command.kind === 'approve' ? 'Approve' : 'Veto'}** on the ${code(CHECK_NAME)} check`
        : v.source.type === 'review' && v.command.kind === 'approve' && v.refusal !== 'edited'
          ? 'Your approving review'
          : readFrom !== undefined
            ? `${code(readFrom, 80)} (read as ${code('/veto')})`
            : code(commandText(v.command), 80);
    lines.push(`- ${what} was not counted: ${escapeText(v.message, 400)}`);
  }
  const explain = verdicts.some((v) => v.accepted && v.command.kind === 'explain');
  const parts = [`@${by.replace(/[^A-Za-z0-9\-[\]]/g, '')}`];
  if (lines.length) parts.push(lines.join('\n'));
  if (explain) parts.push(explanation ? explanation() : renderExplanation(decision, facts, now, options, 40_000));
  return fit(parts.join('\n\n'), COMMENT_LIMIT);
}

/** Per approver group still missing approvals: "Rule **Database migrations** needs 1 more approval
 * from members of `acme/dba`." Logins are shown without mentioning anyone. */
export function missingApprovers(groups: ApproverStatus[]): string[] {
  return groups
    .filter((g) => g.missing > 0)
    .map((g) => {
      const who = [
        ...g.reviewers.users.slice(0, 10).map((u) => person(u.replace(/^@/, ''))),
        ...g.reviewers.teams.slice(0, 10).map((t) => `members of ${code(t, 100)}`),
        ...(g.reviewers.permission ? [`anyone with ${code(g.reviewers.permission)} permission or more`] : []),
      ];
      const list = who.length <= 1 ? who.join('') : `${who.slice(0, -1).join(', ')} or ${who[who.length - 1]}`;
      const what = g.rule ? `Rule **${escapeText(g.rule, 80)}**` : 'The hard tier';
      return `${what} needs ${g.missing} more approval${g.missing === 1 ? '' : 's'} from ${list}.`;
    });
}
