// A base branch with a merge queue: the gate never merges into it directly. It enqueues the decided
// head (GraphQL `enqueuePullRequest` with `expectedHeadOid`), and takes a queued PR out of the queue
// when it would no longer merge it (a veto, a push, an escalation). Whether a PR is queued is asked of
// GitHub every time, never remembered: read here before the plan, chosen by the core (queue-way.ts),
// applied with the plan's other writes (apply-effects.ts).
import type { Decision } from '../core/model/decision.js';
import type { BranchRules } from '../core/model/base-branch.js';
import type { GitHubView } from '../core/model/effects.js';
import type { QueueStep } from '../core/merge-group.js';
import type { QueueFacts } from '../core/queue-way.js';
import { describeError } from './errors.js';
import { describeGraphqlError, dequeuePullRequest, enqueuePullRequest, readPullRequestQueue } from './merge-queue.js';
import { readBranchRules } from './read-branch-rules.js';
import type { Session } from './session.js';
import type { PullRequestRef } from './types.js';

export interface QueueLook {
  required: boolean;
  step: QueueStep;
  /** The PR's node id, when the queue was asked about it. */
  pullRequestId?: string;
}

/**
 * Whether this reconcile must look at the queue: always before a merge; otherwise only when the PR may
 * be queued and the gate would no longer merge it: its check on this head said "may merge" before
 * (the gate may have enqueued it), or the caller knows the queue or the head just changed.
 */
export function mustLookAtQueue(
  decision: Pick<Decision, 'governed' | 'state' | 'merge'>,
  merging: boolean,
  view: Pick<GitHubView, 'checkRun'>,
  hint: boolean,
): boolean {
  if (merging) return true;
  if (!decision.governed || decision.state === 'ready') return false;
  const wasReady = view.checkRun?.status === 'completed' && view.checkRun.conclusion === 'success';
  return wasReady || hint;
}

/** What GitHub says about the queue: the base's rules (unless already read) and, when it has a queue,
 * the PR's place in it. Deciding what to do about it is the core's (queue-way.ts). */
export async function readQueueFacts(
  session: Session,
  ref: PullRequestRef,
  baseRef: string,
  readRules: (session: Session, repo: { owner: string; repo: string }, branch: string) => Promise<BranchRules> = readBranchRules,
  known?: BranchRules,
): Promise<QueueFacts> {
  // Rules this reconcile already read for its merge step are not read twice.
  const rules = known ?? (await readRules(session, { owner: ref.owner, repo: ref.repo }, baseRef));
  if (!rules.mergeQueue) return { required: false, queued: false, headSha: '', pullRequestId: '', history: [] };
  const pr = await readPullRequestQueue(session, ref);
  return { required: true, queued: pr.queued, headSha: pr.headSha, pullRequestId: pr.id, history: pr.history };
}

export interface QueueResult {
  applied?: 'enqueued' | 'dequeued';
  /** Look again soon (GitHub refused an enqueue because the head moved). */
  retrySoon?: boolean;
  error?: string;
}

/** Apply the step. An enqueue GitHub refuses is never retried blindly: the gate decides again. */
export async function applyQueueStep(session: Session, ref: PullRequestRef, look: QueueLook): Promise<QueueResult> {
  const { step, pullRequestId } = look;
  if (step.kind === 'none' || step.kind === 'hold' || !pullRequestId) return {};
  try {
    if (step.kind === 'dequeue') {
      await dequeuePullRequest(session, pullRequestId);
      session.log.info({ pr: ref, reason: step.reason }, 'removed from the merge queue');
      return { applied: 'dequeued' };
    }
    const { position } = await enqueuePullRequest(session, pullRequestId, step.expectedHeadOid);
    session.log.info({ pr: ref, sha: step.expectedHeadOid, position }, 'added to the merge queue');
    return { applied: 'enqueued' };
  } catch (error) {
    const message = describeGraphqlError(error);
    if (step.kind === 'enqueue' && /head (branch|sha|oid)|modified|expected/i.test(message)) {
      // The PR moved (a push) since it was decided: nothing undecided entered the queue; decide again.
      session.log.warn({ pr: ref, sha: step.expectedHeadOid, error: message }, 'enqueue refused, the head moved; re-evaluating');
      return { retrySoon: true };
    }
    if (step.kind === 'enqueue') {
      session.log.error({ pr: ref, sha: step.expectedHeadOid, error: message }, 'enqueue refused');
      return { error: `enqueue failed: ${message}` };
    }
    if (/not in the merge queue/i.test(message)) {
      // It left the queue between the look and the dequeue (its group failed, someone removed it): done.
      session.log.info({ pr: ref }, 'already out of the merge queue');
      return {};
    }
    session.log.error({ pr: ref, error: describeError(error) }, 'could not remove the pull request from the merge queue');
    return { error: `dequeue failed: ${message}` };
  }
}
