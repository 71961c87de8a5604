// What people read about a review after merge: the merged PR's status comment (a view of the record,
// rendered against the merge time so it never changes as the clock moves) and the gate's replies.
import { afterMergeOpen, type AfterMergeRecord } from './model/after-merge.js';
import { afterMergeText } from './after-merge-parse.js';
import { describeReviewers, formatDue } from './after-merge.js';
import { STATUS_MARKER } from './ledger.js';
import { code, escapeText, person } from './markdown.js';
import { formatUtc, parseTime } from './time.js';
import type { CommandVerdict } from './model/decision.js';

export const AFTER_MERGE_HELP = `${code('/reviewed')} · ${code('/concern <reason>')} · ${code('/revert [reason]')}`;

export interface AfterMergeView {
  record: AfterMergeRecord;
  timezone?: string;
  /** The top-level reviewers' permission, when they (not `after_merge.reviewers`) answer. */
  permission?: string;
}

function stateLine(r: AfterMergeRecord, at: (iso: string) => string): string {
  if (r.revert?.number !== undefined)
    return `↩️ **Reverted:** ${person(r.revert.by)} asked for a revert (${at(r.revert.at)})${r.revert.reason ? `: ${escapeText(r.revert.reason, 200)}` : ''}; GitHub opened #${r.revert.number}.`;
  if (r.reviewed) return `✅ **Reviewed after merge** by ${person(r.reviewed.by)} (${at(r.reviewed.at)}).`;
  if (r.revert?.refused !== undefined)
    return `⚠️ **Revert refused by GitHub** (asked by ${person(r.revert.by)}, ${at(r.revert.at)}): ${escapeText(r.revert.refused, 200)}. Still awaiting review.`;
  if (r.concerns.length) return '⚠️ **Concern raised**: awaiting `/reviewed` or `/revert`.';
  return '🕒 **Awaiting review after merge.**';
}

export function renderAfterMergeComment(view: AfterMergeView): string {
  const r = view.record;
  const mergedMs = parseTime(r.mergedAt) ?? 0;
  const at = (iso: string) => formatUtc(parseTime(iso) ?? mergedMs, mergedMs);
  const title = afterMergeOpen(r)
    ? '### 🔎 Merged without a human: review after merge'
    : '### ⚪ Merged without a human: review after merge done';
  const concerns = r.concerns.slice(-10).map((c) => `- ${person(c.by)} (${at(c.at)}): ${escapeText(c.reason, 300)}`);
  return [
    title,
    '',
    `Merged without a human; review after merge due by ${formatDue(r, view.timezone)}, by ${describeReviewers(r.reviewers, view.permission)}.`,
    '',
    ...(r.why ? [`**Why:** ${r.tier ? `tier ${r.tier} at merge; ` : ''}${r.why}.`, ''] : []),
    stateLine(r, at),
    '',
    ...(concerns.length ? ['**Concerns:**', ...concerns, ''] : []),
    ...(afterMergeOpen(r)
      ? [
          `**Who may answer:** ${describeReviewers(r.reviewers, view.permission)}; never the PR author, its committers, agent accounts or bots. Comment one per line: ${AFTER_MERGE_HELP}.`,
          '',
        ]
      : []),
    STATUS_MARKER,
  ].join('\n');
}

const handle = (login: string): string => `@${login.replace(/[^A-Za-z0-9\-[\]]/g, '')}`;

/** One reply for one comment's refused commands. */
export function renderAfterMergeRefusal(verdicts: CommandVerdict[]): string {
  const by = verdicts[0]?.by ?? '';
  const lines = verdicts
    .filter((v) => !v.accepted && v.message)
    .map(
      (v) =>
        `- ${code(v.command.kind === 'after-merge' ? afterMergeText(v.command) : v.command.kind, 80)} was not counted: ${escapeText(v.message!, 400)}`,
    );
  return [handle(by), '', ...lines].join('\n');
}

/** A concern, told to the PR's author (the agent) with its reason: it is theirs to answer. */
export function renderConcern(author: string, v: CommandVerdict): string {
  const reason = v.command.kind === 'after-merge' ? (v.command.reason ?? '') : '';
  return `${handle(author)}: ${person(v.by)} raised a concern after merge: ${escapeText(reason, 300)}\n\nThe review after merge stays open until an authorized reviewer comments ${code('/reviewed')} or it is reverted.`;
}

export function renderRevertOpened(by: string, number: number): string {
  return `${handle(by)} GitHub opened #${number} to revert this pull request. It is labelled ${code('hitl:revert')} and goes through the gate like any pull request.`;
}

export function renderRevertRefused(by: string, message: string): string {
  return `${handle(by)} GitHub refused to open a revert of this pull request: ${escapeText(message, 300)}. The review after merge stays open; revert it by hand, or comment ${code('/revert')} again once it can be reverted.`;
}

export function revertTitle(number: number, title: string): string {
  return `Revert "${title.slice(0, 200)}" (#${number})`;
}

export function revertBody(number: number, by: string, reason: string | undefined): string {
  return [
    `Reverts #${number}, asked for by ${person(by)} in its review after merge${reason ? `: ${escapeText(reason, 300)}` : '.'}`,
    '',
    revertMarker(number),
  ].join('\n');
}

/** What marks the gate's revert of PR `number` (found again by it, when its author is the gate). */
export function revertMarker(number: number): string {
  return `<!-- hitl-gate:revert-of #${number} -->`;
}
