// A base branch with a merge queue: the gate never merges into it directly. It enqueues the decided
// head (GraphQL `enqueuePullRequest` with `expectedHeadOid`), and takes a queued PR out of the queue
// when it would no longer merge it (a veto, a push, an escalation). Whether a PR is queued is asked of
// GitHub every time, never remembered.
import type { BranchRules } from '../core/branch-rules.js';
import { queueStep, undoneEnqueue, withDequeueNote, withQueueNote, type QueueStep } from '../core/merge-group.js';
import type { Decision, Effect, GitHubView } from '../core/types.js';
import { describeError } from './errors.js';
import { describeGraphqlError, dequeuePullRequest, enqueuePullRequest, readPullRequestQueue } from './merge-queue.js';
import { readBranchRules } from './read-branch-rules.js';
import type { Session } from './session.js';
import type { PullRequestRef } from './types.js';

export interface QueueLook {
  /** The base branch's rules include `merge_queue`: a direct merge is never requested. */
  required: boolean;
  step: QueueStep;
  /** The PR's node id, when the queue was asked about it. */
  pullRequestId?: string;
  /** GitHub's head is not the decided one: nothing was enqueued; decide again soon. */
  headMoved?: boolean;
}

type MergeEffect = Extract<Effect, { kind: 'merge' }>;

/**
 * Whether this reconcile must look at the queue: always before a merge; otherwise only when the PR may
 * be queued and the gate would no longer merge it: its check on this head said "may merge" before
 * (the gate may have enqueued it), or the caller knows the queue or the head just changed.
 */
export function mustLookAtQueue(decision: Pick<Decision, 'governed' | 'state' | 'merge'>, merge: MergeEffect | undefined, view: Pick<GitHubView, 'checkRun'>, hint: boolean): boolean {
  if (merge) return true;
  if (!decision.governed || decision.state === 'ready') return false;
  const wasReady = view.checkRun?.status === 'completed' && view.checkRun.conclusion === 'success';
  return wasReady || hint;
}

/** Read the base's rules and, when it has a queue, the PR's place in it; decide the step. */
export async function lookAtQueue(
  session: Session, ref: PullRequestRef, baseRef: string, decision: Pick<Decision, 'governed' | 'state' | 'merge' | 'title' | 'blockers'>, merge: MergeEffect | undefined, gate: string,
  readRules: (session: Session, repo: { owner: string; repo: string }, branch: string) => Promise<BranchRules> = readBranchRules,
  known?: BranchRules,
): Promise<QueueLook> {
  // Rules this reconcile already read for its merge step are not read twice.
  const rules = known ?? await readRules(session, { owner: ref.owner, repo: ref.repo }, baseRef);
  if (!rules.mergeQueue) return { required: false, step: { kind: 'none' } };
  const pr = await readPullRequestQueue(session, ref);
  // The queue is asked about the head GitHub has now: if it is not the decided one, enqueue nothing.
  const decided = merge && pr.headSha === merge.sha ? merge : undefined;
  const step = queueStep(decision, { required: true, queued: pr.queued }, decided, decided ? undoneEnqueue(pr.history, decided.sha, gate) : undefined);
  return { required: true, step, pullRequestId: pr.id, ...(merge && !decided ? { headMoved: true } : {}) };
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

export interface QueueFollow {
  decision: Decision;
  effects: Effect[];
  /** Set when the queue was looked at. */
  look?: QueueLook;
  result: QueueResult;
}

/**
 * The reconcile's merge queue step, between the plan and its writes: on a queue branch the merge
 * effect is dropped (the caller enqueues once every other write went through), a queued PR the gate
 * would no longer merge is dequeued first, and `replan` renders the decision that says so. Throws
 * when the rules cannot be read before a merge (nothing is merged then).
 */
export async function followMergeQueue(
  session: Session, ref: PullRequestRef, baseRef: string, decision: Decision, effects: Effect[], view: Pick<GitHubView, 'checkRun' | 'base'>, hint: boolean, replan: (decision: Decision) => Effect[], gate: string,
): Promise<QueueFollow> {
  const merge = effects.find((e): e is MergeEffect => e.kind === 'merge');
  if (!mustLookAtQueue(decision, merge, view, hint)) return { decision, effects, result: {} };
  let look: QueueLook;
  try {
    look = await lookAtQueue(session, ref, baseRef, decision, merge, gate, readBranchRules, view.base?.rules);
  } catch (error) {
    if (merge) throw error;
    // Nothing is dequeued now; the gate's check on the merge group still stops a PR it would not merge.
    session.log.warn({ pr: ref, error: describeError(error) }, 'could not read the merge queue; nothing dequeued now');
    return { decision, effects, result: { retrySoon: true } };
  }
  let result: QueueResult = look.headMoved ? { retrySoon: true } : {};
  if (merge && look.required && !look.headMoved && (look.step.kind === 'enqueue' || look.step.kind === 'none')) {
    decision = withQueueNote(decision);
    effects = replan(decision);
  }
  if (look.step.kind === 'hold') {
    session.log.info({ pr: ref, reason: look.step.reason }, 'not queued again');
    decision = withDequeueNote(decision, look.step);
    effects = replan(decision);
  }
  if (look.step.kind === 'dequeue') {
    result = await applyQueueStep(session, ref, look);
    if (result.applied === 'dequeued') {
      decision = withDequeueNote(decision, look.step);
      effects = replan(decision);
    }
  }
  if (look.required) effects = effects.filter((e) => e.kind !== 'merge');
  return { decision, effects, look, result };
}
