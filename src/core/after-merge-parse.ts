// The three commands of a review after merge, read from one line: `/reviewed`, `/concern <reason>`,
// `/revert [reason]`. Kept apart from their state machine (after-merge-commands.ts) so that the command
// parser depends on nothing but types.
import type { Command } from './model/decision.js';

export type AfterMergeCommand = Extract<Command, { kind: 'after-merge' }>;

const MAX_REASON = 300;

/** `/reviewed`, `/concern <reason>`, `/revert [reason]` on one trimmed line (already lower-cased
 * words); undefined for anything else. A `/concern` without its reason is not a concern. */
export function parseAfterMergeLine(line: string, words: string[]): Command | undefined {
  const head = words[0];
  const rest = line
    .replace(/^\S+\s*/, '')
    .trim()
    .slice(0, MAX_REASON);
  if (head === '/reviewed')
    return words.length === 1
      ? { kind: 'after-merge', action: 'reviewed' }
      : { kind: 'unrecognized', text: line.slice(0, 80), suggestion: '/reviewed' };
  if (head === '/concern')
    return rest
      ? { kind: 'after-merge', action: 'concern', reason: rest }
      : { kind: 'unrecognized', text: line.slice(0, 80), suggestion: '/concern <reason>' };
  if (head === '/revert') return { kind: 'after-merge', action: 'revert', ...(rest ? { reason: rest } : {}) };
  return undefined;
}

export function afterMergeText(command: AfterMergeCommand): string {
  return command.action === 'reviewed' ? '/reviewed' : `/${command.action}${command.reason ? ` ${command.reason}` : ''}`;
}

/** Why an after-merge command on a PR that is still open decides nothing. */
export function notMergedMessage(command: AfterMergeCommand): string {
  return `\`/${command.action}\` answers a review after merge: it counts only on a merged pull request that was sampled for one.`;
}
