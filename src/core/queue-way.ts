// How the gate merges on a base branch with a merge queue, as one pure choice: from the decision, the
// head the plan would merge and what GitHub says about the queue, the queue step (enqueue the decided
// head, take out a PR the gate would no longer merge, hold a head someone took out, or nothing) and the
// decision as the check and the status comment then show it.
import { queueStep, undoneEnqueue, withDequeueNote, withQueueNote, type QueueHistoryEvent, type QueueStep } from './merge-group.js';
import type { Decision } from './model/decision.js';

/** What GitHub says about the queue, read by the shell before planning. */
export interface QueueFacts {
  /** The base branch's rules include `merge_queue`: a direct merge is never requested. */
  required: boolean;
  queued: boolean;
  /** GitHub's head of the PR now: the queue is asked about that one. */
  headSha: string;
  /** The PR's GraphQL node id. */
  pullRequestId: string;
  history: QueueHistoryEvent[];
}

export interface QueueWay {
  decision: Decision;
  step: QueueStep;
  required: boolean;
  pullRequestId?: string;
  /** GitHub's head is not the decided one: nothing is enqueued; decide again soon. */
  headMoved: boolean;
}

export function chooseQueueWay(decision: Decision, mergeSha: string | undefined, queue: QueueFacts | undefined, gate: string): QueueWay {
  if (!queue?.required) return { decision, step: { kind: 'none' }, required: false, headMoved: false };
  const decided = mergeSha !== undefined && queue.headSha === mergeSha ? mergeSha : undefined;
  const step = queueStep(
    decision,
    { required: true, queued: queue.queued },
    decided ? { sha: decided } : undefined,
    decided ? undoneEnqueue(queue.history, decided, gate) : undefined,
  );
  let shown = decision;
  if (decided && (step.kind === 'enqueue' || step.kind === 'none')) shown = withQueueNote(shown);
  if (step.kind === 'hold' || step.kind === 'dequeue') shown = withDequeueNote(shown, step);
  return {
    decision: shown,
    step,
    required: true,
    pullRequestId: queue.pullRequestId,
    headMoved: mergeSha !== undefined && decided === undefined,
  };
}
