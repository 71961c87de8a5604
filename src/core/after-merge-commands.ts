// The review after merge of one merged PR, as a state machine over its comments. Pure: the policy, the
// PR's comments and who may act, the gate's record and the time in; the record, the verdicts to
// answer and a revert to open out.
//
//   open ──/reviewed──▶ reviewed (closed)
//   open ──/concern r──▶ open, concern raised (the PR's author is mentioned with the reason)
//   open ──/revert r──▶ revert asked ──GitHub opens it──▶ reverted (closed)
//                                    └─GitHub refuses───▶ open (said once)
//
// Only comments created after the merge count, each once (its id goes to `answered`), and only from
// people authorized exactly like `/approve`: never the PR's author, a committer, an agent or a bot. An
// edited comment counts for nothing: its author, as GitHub reports it, need not have written the
// command (anyone with write access can edit a comment).
import { afterMergeOpen, type AfterMergeRecord } from './model/after-merge.js';
import { meets } from './approvers.js';
import { standing, type Standing } from './authorize.js';
import { isBot, parseCommands, wasEdited } from './commands.js';
import type { Ledger } from './model/ledger.js';
import { parseTime } from './time.js';
import type { CommandVerdict } from './model/decision.js';
import type { Policy } from './model/policy.js';
import type { PullRequestFacts } from './model/pull-request.js';

export { afterMergeText, notMergedMessage, type AfterMergeCommand } from './after-merge-parse.js';
import type { AfterMergeCommand } from './after-merge-parse.js';

export interface AfterMergeInput {
  policy: Policy;
  facts: Pick<PullRequestFacts, 'author' | 'commits' | 'authorizations' | 'comments'>;
  ledger: Ledger;
  /** The record to start from: the ledger's, or a new one for a PR sampled now; undefined: not sampled. */
  record: AfterMergeRecord | undefined;
  /** Why it was or was not sampled (for the refusal on an unsampled PR). */
  why: string;
  mergedAt: string;
}

export interface RevertRequest {
  by: string;
  at: string;
  commentId: number;
  reason?: string;
}

export interface AfterMergeStep {
  /** The record after every new command (answered ids included). */
  ledger: Ledger;
  record: AfterMergeRecord | undefined;
  /** New verdicts, in comment order: accepted ones get 👍, refused ones one reply. */
  verdicts: CommandVerdict[];
  /** A `/revert` accepted now: the shell asks GitHub to open it, then records the outcome. */
  revert?: RevertRequest;
  /** Concerns accepted now: the PR's author is mentioned with each reason. */
  concerns: CommandVerdict[];
}

/** Whether a person may answer this review after merge (authorized like `/approve`; `after_merge.reviewers`
 * narrows it to those it names). */
export function afterMergeStanding(actor: { login: string; type: string }, facts: AfterMergeInput['facts'], policy: Policy): Standing {
  const who = standing(actor, facts, policy);
  const only = policy.afterMerge?.reviewers;
  if (who.kind === 'excluded' || !only) return who;
  const auth = facts.authorizations[actor.login.toLowerCase()];
  if (meets(actor.login, auth, { users: only.users, teams: only.teams }))
    return { kind: 'reviewer', via: 'user', detail: 'named in after_merge.reviewers' };
  if (!auth && !only.users.length) return { kind: 'unknown', message: `the gate has no team information for @${actor.login} yet.` };
  if (auth && (auth.teamErrors?.length ?? 0) > 0)
    return { kind: 'unknown', message: `GitHub would not tell the gate whether @${actor.login} is in ${only.teams.join(', ')}.` };
  const named = [...only.users.map((u) => `@${u.replace(/^@/, '')}`), ...only.teams.map((t) => `members of ${t}`)].join(', ');
  return {
    kind: 'not-reviewer',
    message: `@${actor.login} may not answer this review after merge: \`after_merge.reviewers\` names ${named}.`,
  };
}

const EXCLUDED: Record<string, (at: string) => string> = {
  author: (at) => `${at} opened this pull request; its author cannot review it after merge.`,
  committer: (at) => `${at} authored or committed commits on this pull request; people who wrote the change cannot review it after merge.`,
  agent: (at) => `${at} is an agent account in the policy's \`agents.authors\`; agents cannot review after merge.`,
  bot: (at) => `${at} is a bot; only people review after merge.`,
};

/** Logins whose permission and teams the shell must look up before `answerAfterMerge`. */
export function afterMergeAuthors(facts: Pick<PullRequestFacts, 'author' | 'comments'>, ledger: Ledger, mergedAt: string): string[] {
  const done = new Set(ledger.answered);
  const mergedMs = parseTime(mergedAt) ?? 0;
  const logins = new Set<string>();
  for (const c of facts.comments) {
    if (done.has(c.id) || isBot(c.author) || wasEdited(c) || (parseTime(c.createdAt) ?? 0) < mergedMs) continue;
    if (c.author.login.toLowerCase() === facts.author.login.toLowerCase()) continue;
    if (parseCommands(c.body).some((x) => x.kind === 'after-merge')) logins.add(c.author.login.toLowerCase());
  }
  return [...logins].sort();
}

export function answerAfterMerge(input: AfterMergeInput): AfterMergeStep {
  const { policy, facts, ledger, mergedAt } = input;
  let record = input.record;
  const done = new Set(ledger.answered);
  const mergedMs = parseTime(mergedAt) ?? 0;
  const answered: number[] = [];
  const verdicts: CommandVerdict[] = [];
  const concerns: CommandVerdict[] = [];
  let revert: RevertRequest | undefined;
  const comments = [...facts.comments].sort((a, b) => (parseTime(a.createdAt) ?? 0) - (parseTime(b.createdAt) ?? 0) || a.id - b.id);
  for (const c of comments) {
    // Comments from before the merge were answered (or refused) by the open PR's decision.
    if (done.has(c.id) || (parseTime(c.createdAt) ?? 0) < mergedMs) continue;
    const commands = parseCommands(c.body).filter((x): x is AfterMergeCommand => x.kind === 'after-merge');
    if (commands.length === 0) continue;
    // Never answer a bot: two bots answering each other is an endless loop. Its command counts for nothing.
    if (isBot(c.author)) {
      answered.push(c.id);
      continue;
    }
    const who = afterMergeStanding(c.author, facts, policy);
    // A failed lookup is transient: answered once GitHub tells, never refused now.
    if (who.kind === 'unknown' && !wasEdited(c) && record) continue;
    const at = `@${c.author.login}`;
    for (const command of commands) {
      const base = { source: { type: 'comment' as const, id: c.id }, by: c.author.login, at: c.createdAt, command };
      const refuse = (refusal: CommandVerdict['refusal'], message: string) => verdicts.push({ ...base, accepted: false, refusal, message });
      if (!record) {
        refuse(
          'not-after-merge',
          `This pull request was not sampled for review after merge (${input.why}), so there is nothing to answer here.`,
        );
        continue;
      }
      if (wasEdited(c)) {
        refuse(
          'edited',
          `This comment was edited, and only commands present when a comment is created count: post \`/${command.action}\` in a new comment.`,
        );
        continue;
      }
      if (who.kind === 'excluded') {
        refuse(who.reason, EXCLUDED[who.reason]!(at));
        continue;
      }
      if (who.kind !== 'reviewer') {
        refuse('not-reviewer', who.message);
        continue;
      }
      if (record.revert?.number !== undefined) {
        refuse(
          'not-after-merge',
          `This pull request was already reverted by #${record.revert.number} at the request of @${record.revert.by}.`,
        );
        continue;
      }
      if (command.action === 'revert') {
        if (revert || (record.revert && record.revert.refused === undefined)) {
          refuse('not-after-merge', `A revert was already asked for by @${revert?.by ?? record.revert!.by}.`);
          continue;
        }
        revert = { by: c.author.login, at: c.createdAt, commentId: c.id, ...(command.reason ? { reason: command.reason } : {}) };
        record = { ...record, revert: { ...revert } };
        verdicts.push({ ...base, accepted: true });
        continue;
      }
      if (record.reviewed) {
        refuse('not-after-merge', `The review after merge is already done: @${record.reviewed.by} commented \`/reviewed\`.`);
        continue;
      }
      if (command.action === 'reviewed') {
        record = { ...record, reviewed: { by: c.author.login, at: c.createdAt, commentId: c.id } };
      } else {
        record = {
          ...record,
          concerns: [...record.concerns, { by: c.author.login, at: c.createdAt, commentId: c.id, reason: command.reason ?? '' }],
        };
        concerns.push({ ...base, accepted: true });
      }
      verdicts.push({ ...base, accepted: true });
    }
    answered.push(c.id);
  }
  const next: Ledger = { ...ledger, answered: [...ledger.answered, ...answered], ...(record ? { afterMerge: record } : {}) };
  return { ledger: next, record, verdicts, concerns, ...(revert ? { revert } : {}) };
}

/** The item is open: the label that indexes it belongs on the PR. */
export const wantsAfterMergeLabel = (record: AfterMergeRecord | undefined): boolean => afterMergeOpen(record);
