// The job summary: the same explanation a person gets in the gate's status comment, plus what this run
// did. A summary that cannot be rendered must never hide the verdict, so the header is built here.
import { renderExplanation } from '../src/core/render.js';
import { withoutHiddenMarkers } from '../src/core/hidden-marker.js';
import { describeReason } from '../src/core/reason-text.js';
import type { PullRequestFacts } from '../src/core/model/pull-request.js';
import type { Decision } from '../src/core/model/decision.js';
import type { Effect } from '../src/core/model/effects.js';
import type { ReconcileOutcome } from '../src/github/index.js';
import type { Mode } from './inputs.js';

/** The facts behind a decision, when the engine hands them back (they are needed to render the comment). */
type OutcomeWithFacts = ReconcileOutcome & { facts?: PullRequestFacts };

export function buildPullRequestSummary(outcome: OutcomeWithFacts, mode: Mode, now: Date): string {
  const { decision, ref } = outcome;
  const lines = [
    `## hitl-gate: #${ref.number} is ${decision.state}`,
    '',
    `| tier | state | verdict |`,
    `| --- | --- | --- |`,
    `| \`${decision.tier}\` | \`${decision.state}\` | ${cell(decision.title)} |`,
    '',
  ];
  if (outcome.error) lines.push(`> [!CAUTION]`, `> GitHub failed us: ${outcome.error}. Nothing was merged; the next run tries again.`, '');
  const policyErrors = decision.policy.errors ?? [];
  if (policyErrors.length > 0) {
    lines.push(`**${decision.policy.path} has errors** (fix them on the base branch; until then every agent PR is blocked):`, '');
    lines.push(...policyErrors.map((e) => `- \`${e.file}:${e.line}:${e.column}\`: ${e.message}`), '');
  }
  lines.push(explanation(outcome, now), '');
  lines.push(`### This run (${mode} mode)`, '', ...describeRun(outcome, mode), '');
  return lines.join('\n');
}

export function buildSweepSummary(outcomes: ReconcileOutcome[]): string {
  const lines = ['## hitl-gate sweep', ''];
  if (outcomes.length === 0) {
    lines.push('No open pull request to reconcile.', '');
    return lines.join('\n');
  }
  lines.push('| pull request | tier | state | verdict | this run |', '| --- | --- | --- | --- | --- |');
  for (const outcome of [...outcomes].sort((a, b) => a.ref.number - b.ref.number)) {
    const { decision } = outcome;
    lines.push(
      `| #${outcome.ref.number} | \`${decision.tier}\` | \`${decision.state}\` | ${cell(decision.title)} | ${cell(sweepAction(outcome))} |`,
    );
  }
  const merged = outcomes.filter((o) => o.merged).length;
  const failed = outcomes.filter((o) => o.error).length;
  lines.push('', `${outcomes.length} reconciled, ${merged} merged, ${failed} failed.`, '');
  return lines.join('\n');
}

function explanation(outcome: OutcomeWithFacts, now: Date): string {
  if (outcome.facts) {
    try {
      return renderExplanation(outcome.decision, outcome.facts, now);
    } catch {
      // fall through to the renderings below: the verdict is what matters.
    }
  }
  const fromEffects = outcome.effects.find((e): e is Extract<Effect, { kind: 'status-comment' }> => e.kind === 'status-comment');
  // The status comment's text, without the markers it carries for the gate (not for this page).
  return fromEffects ? withoutHiddenMarkers(fromEffects.body) : plainExplanation(outcome.decision);
}

/** The decision in words, without the core's renderer (used when the facts are not at hand). */
export function plainExplanation(decision: Decision): string {
  const lines: string[] = [];
  if (decision.blockers.length > 0) {
    lines.push('**Why it cannot merge now**', '', ...decision.blockers.map((b) => `- ${b}`), '');
  }
  const reasons = decision.classification.reasons;
  if (reasons.length > 0) {
    lines.push('**Why this tier**', '', ...reasons.map((r) => `- ${describeReason(r, 5)}`), '');
  }
  if (decision.window) lines.push(`Veto window: ${decision.window.start} to ${decision.window.end}.`, '');
  if (decision.approvalsRequired > 0) {
    const who = decision.approvals.map((a) => `@${a.by}`).join(', ') || 'none yet';
    lines.push(`Approvals: ${decision.approvals.length} of ${decision.approvalsRequired} (${who}).`, '');
  }
  for (const veto of decision.vetoes) lines.push(`Vetoed by @${veto.by} at ${veto.at}${veto.reason ? `: ${veto.reason}` : ''}.`);
  const refused = decision.commands.filter((c) => !c.accepted);
  if (refused.length > 0) {
    lines.push(
      '',
      '**Commands that did not count**',
      '',
      ...refused.map((c) => `- \`/${c.command.kind.replace('-', ' ')}\` by @${c.by}: ${c.message ?? c.refusal ?? 'refused'}`),
    );
  }
  return lines.join('\n').trim();
}

function describeRun(outcome: ReconcileOutcome, mode: Mode): string[] {
  if (mode === 'check') return ['Read-only: nothing was written to GitHub.'];
  if (outcome.applied.length === 0 && !outcome.merged) return ['Nothing to change: GitHub already shows this decision.'];
  const lines = outcome.applied.map((effect) => `- ${describeEffect(effect)}`);
  if (outcome.merged && !outcome.applied.some((e) => e.kind === 'merge')) lines.push('- merged');
  return lines;
}

function describeEffect(effect: Effect): string {
  switch (effect.kind) {
    case 'check-run':
      return `${effect.id === undefined ? 'created' : 'updated'} the \`hitl\` check (${effect.conclusion ?? effect.status}): ${effect.title}`;
    case 'status-comment':
      return `${effect.id === undefined ? 'posted' : 'updated'} the status comment`;
    case 'react':
      return `reacted ${effect.content} to ${effect.target.type} ${effect.target.id}`;
    case 'reply':
      return `answered comment ${effect.inReplyTo}`;
    case 'merge':
      return `merged ${effect.sha.slice(0, 7)} (${effect.method})`;
    case 'update-branch':
      return `asked GitHub to bring ${effect.expectedHeadSha.slice(0, 7)} up to date with its base`;
    case 'enqueue':
      return `added ${effect.expectedHeadOid.slice(0, 7)} to the merge queue`;
    case 'dequeue':
      return 'took the pull request out of the merge queue';
    case 'wake':
      return `next look at ${effect.at} (the next scheduled sweep picks it up)`;
    case 'request-reviews':
      return `requested reviews from ${[...effect.users.map((u) => `@${u}`), ...effect.teams].join(', ')}`;
    case 'reminder':
      return `posted reminder ${effect.step} of ${effect.steps}`;
  }
}

function sweepAction(outcome: ReconcileOutcome): string {
  if (outcome.error) return `failed: ${outcome.error}`;
  if (outcome.merged) return 'merged';
  const writes = outcome.applied.filter((e) => e.kind !== 'wake').map(shortEffect);
  const done = writes.length > 0 ? [...new Set(writes)].join(', ') : 'no change';
  return outcome.wakeAt ? `${done}; next look at ${outcome.wakeAt}` : done;
}

function shortEffect(effect: Effect): string {
  switch (effect.kind) {
    case 'check-run':
      return effect.id === undefined ? 'hitl check created' : 'hitl check updated';
    case 'status-comment':
      return effect.id === undefined ? 'status comment posted' : 'status comment updated';
    case 'react':
      return 'command acknowledged';
    case 'reply':
      return 'command answered';
    case 'enqueue':
      return 'added to the merge queue';
    case 'dequeue':
      return 'taken out of the merge queue';
    case 'merge':
      return 'merged';
    case 'update-branch':
      return 'branch update requested';
    case 'wake':
      return 'wake';
    case 'request-reviews':
      return 'reviews requested';
    case 'reminder':
      return 'reminder posted';
  }
}

/** Table cells hold one line and no pipes. */
function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}
