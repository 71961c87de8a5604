// One command against the person who gave it and the commit it was given on: counted or refused,
// with the sentence that says why. Pure; the replay (replay.ts) supplies what the timeline said before.
import { isPermissive } from '../commands.js';
import { afterMergeText } from '../after-merge-parse.js';
import type { Standing } from '../authorize.js';
import type { TimelineEntry } from '../timeline.js';
import type { Command, CommandVerdict, RefusalReason } from '../model/decision.js';

const shortSha = (sha: string): string => sha.slice(0, 7);

export function verdictBase(e: TimelineEntry, command: Command): Omit<CommandVerdict, 'accepted'> {
  return { source: e.source, by: e.actor.login, at: e.at, command };
}

export function refused(e: TimelineEntry, command: Command, refusal: RefusalReason, message: string): CommandVerdict {
  return { ...verdictBase(e, command), accepted: false, refusal, message };
}

/** Whether an entry speaks about the current head. `binds`: the policy binds approvals to a commit. */
export function validForHead(e: TimelineEntry, binds: boolean, headSeenMs: number | undefined, headSha: string): boolean {
  // A click always binds to the head of the check run it was made on, whatever the policy says.
  if (e.source.type === 'click') return e.commitId === headSha;
  if (!binds) return true;
  if (e.source.type === 'review') return e.commitId === headSha;
  // Comments carry no commit: they count only when made after the gate first saw this head. Without
  // that trusted time (the gate is only now creating its check run) nothing is known to be after it.
  return headSeenMs !== undefined && e.atMs !== undefined && e.atMs >= headSeenMs;
}

/** What the timeline said before this entry, asked only when the verdict needs it. */
export interface History {
  valid: () => boolean;
  hasApproved: () => boolean;
  hasVetoed: () => boolean;
}

export type JudgedCommand = Exclude<Command, { kind: 'escalate' | 'explain' | 'unrecognized' | 'after-merge' }>;

export function judge(e: TimelineEntry, command: JudgedCommand, who: Standing, history: History): CommandVerdict {
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
        const message =
          e.source.type === 'review'
            ? `This approval was given on ${shortSha(e.commitId ?? '')}, not on the current head; approve the latest commit again.`
            : `This approval was given before the gate saw the current head; comment \`/approve\` again to approve it.`;
        return refused(e, command, 'before-push', message);
      }
      break;
    case 'approve-cancel':
      if (!history.hasApproved())
        return refused(e, command, 'nothing-to-cancel', `There was no earlier approval of @${e.actor.login} to cancel.`);
      break;
    case 'veto-cancel':
      if (!history.hasVetoed())
        return refused(e, command, 'nothing-to-cancel', `There was no earlier veto of @${e.actor.login} to cancel.`);
      break;
    case 'veto':
      break;
  }
  return { ...verdictBase(e, command), accepted: true };
}

export function commandText(command: Command): string {
  switch (command.kind) {
    case 'approve':
      return '/approve';
    case 'approve-cancel':
      return '/approve cancel';
    case 'veto':
      return '/veto';
    case 'veto-cancel':
      return '/veto cancel';
    case 'escalate':
      return `/escalate ${command.tier}`;
    case 'explain':
      return '/hitl explain';
    case 'after-merge':
      return afterMergeText(command);
    case 'unrecognized':
      return command.text;
  }
}
