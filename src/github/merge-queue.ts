// GitHub's merge queue over GraphQL: GitHub has no REST endpoint to enqueue, dequeue or list a queue,
// so this is the one place the gate speaks GraphQL. Every answer is read as untrusted data.
import type { QueueEntry, QueueHistoryEvent } from '../core/merge-group.js';
import { describeError } from './errors.js';
import { request, type Session } from './session.js';
import type { PullRequestRef, RepositoryRef } from './types.js';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/** A GraphQL answer with `errors` (Octokit throws it), in words: GitHub's own messages, joined. */
export function describeGraphqlError(error: unknown): string {
  if (isRecord(error) && Array.isArray(error.errors)) {
    const messages = error.errors.map((e) => (isRecord(e) && typeof e.message === 'string' ? e.message : '')).filter(Boolean);
    if (messages.length > 0) return `GitHub refused: ${messages.join('; ')}`;
  }
  return describeError(error);
}

export interface PullRequestQueueState {
  /** The PR's GraphQL node id (`node_id` in REST). */
  id: string;
  headSha: string;
  queued: boolean;
  /** The PR's latest entries into and removals from the queue. */
  history: QueueHistoryEvent[];
}

const PULL_REQUEST_QUEUE = `query hitlPullRequestQueue($owner: String!, $repo: String!, $number: Int!) {
  repository(owner: $owner, name: $repo) {
    pullRequest(number: $number) {
      id headRefOid isInMergeQueue mergeQueueEntry { id state }
      timelineItems(last: 50, itemTypes: [ADDED_TO_MERGE_QUEUE_EVENT, REMOVED_FROM_MERGE_QUEUE_EVENT]) {
        nodes {
          __typename
          ... on AddedToMergeQueueEvent { createdAt actor { login } }
          ... on RemovedFromMergeQueueEvent { createdAt actor { login } beforeCommit { oid } reason }
        }
      }
    }
  }
}`;

function readHistory(items: unknown): QueueHistoryEvent[] {
  const nodes = isRecord(items) && Array.isArray(items.nodes) ? items.nodes : [];
  const out: QueueHistoryEvent[] = [];
  for (const n of nodes) {
    if (!isRecord(n) || !str(n.createdAt)) continue;
    const kind =
      n.__typename === 'AddedToMergeQueueEvent' ? 'added' : n.__typename === 'RemovedFromMergeQueueEvent' ? 'removed' : undefined;
    if (!kind) continue;
    const actor = isRecord(n.actor) ? str(n.actor.login) : undefined;
    const headSha = isRecord(n.beforeCommit) ? str(n.beforeCommit.oid) : undefined;
    const reason = str(n.reason);
    out.push({
      kind,
      at: n.createdAt as string,
      ...(actor ? { actor } : {}),
      ...(headSha ? { headSha } : {}),
      ...(reason ? { reason } : {}),
    });
  }
  return out;
}

/** Whether GitHub has the PR in its base branch's merge queue now. Throws when GitHub will not say. */
export async function readPullRequestQueue(session: Session, ref: PullRequestRef): Promise<PullRequestQueueState> {
  const data = await request(session, (c) =>
    c.graphql<unknown>(PULL_REQUEST_QUEUE, { owner: ref.owner, repo: ref.repo, number: ref.number }),
  );
  const pr = isRecord(data) && isRecord(data.repository) ? data.repository.pullRequest : undefined;
  if (!isRecord(pr) || !str(pr.id) || !str(pr.headRefOid) || typeof pr.isInMergeQueue !== 'boolean') {
    throw new Error(`GitHub did not say whether #${ref.number} is in the merge queue`);
  }
  return {
    id: pr.id as string,
    headSha: pr.headRefOid as string,
    queued: pr.isInMergeQueue || isRecord(pr.mergeQueueEntry),
    history: readHistory(pr.timelineItems),
  };
}

const ENQUEUE = `mutation hitlEnqueue($id: ID!, $head: GitObjectID!) {
  enqueuePullRequest(input: { pullRequestId: $id, expectedHeadOid: $head }) { mergeQueueEntry { id position state } }
}`;

const DEQUEUE = `mutation hitlDequeue($id: ID!) {
  dequeuePullRequest(input: { id: $id }) { mergeQueueEntry { id } }
}`;

/**
 * Enqueue exactly the decided head: GitHub refuses when the PR's head is no longer `expectedHeadOid`
 * (a push raced the decision), so nothing the gate did not decide on enters the queue.
 */
export async function enqueuePullRequest(session: Session, pullRequestId: string, expectedHeadOid: string): Promise<{ position?: number }> {
  const data = await request(session, (c) => c.graphql<unknown>(ENQUEUE, { id: pullRequestId, head: expectedHeadOid }));
  const entry = isRecord(data) && isRecord(data.enqueuePullRequest) ? data.enqueuePullRequest.mergeQueueEntry : undefined;
  if (!isRecord(entry)) throw new Error('GitHub did not return a merge queue entry');
  return typeof entry.position === 'number' ? { position: entry.position } : {};
}

export async function dequeuePullRequest(session: Session, pullRequestId: string): Promise<void> {
  await request(session, (c) => c.graphql<unknown>(DEQUEUE, { id: pullRequestId }));
}

const QUEUE_ENTRIES = `query hitlMergeQueue($owner: String!, $repo: String!, $branch: String!) {
  repository(owner: $owner, name: $repo) {
    mergeQueue(branch: $branch) {
      entries(first: 100) { totalCount nodes { position enqueuedAt headCommit { oid } pullRequest { number headRefOid } } }
    }
  }
}`;

/**
 * The entries of `branch`'s merge queue, front first. Throws when GitHub will not list them or lists
 * more than one page (the gate then cannot vouch for a group, and fails it).
 */
export async function listMergeQueue(session: Session, repo: RepositoryRef, branch: string): Promise<QueueEntry[]> {
  const data = await request(session, (c) => c.graphql<unknown>(QUEUE_ENTRIES, { owner: repo.owner, repo: repo.repo, branch }));
  const queue = isRecord(data) && isRecord(data.repository) ? data.repository.mergeQueue : undefined;
  if (!isRecord(queue)) throw new Error(`GitHub lists no merge queue for ${branch}`);
  const entries = isRecord(queue.entries) ? queue.entries : undefined;
  const nodes = entries && Array.isArray(entries.nodes) ? entries.nodes : undefined;
  if (!entries || !nodes) throw new Error(`GitHub did not list the merge queue of ${branch}`);
  if (typeof entries.totalCount === 'number' && entries.totalCount > nodes.length)
    throw new Error(`the merge queue of ${branch} holds more than ${nodes.length} entries`);
  const out: QueueEntry[] = [];
  for (const n of nodes) {
    if (
      !isRecord(n) ||
      typeof n.position !== 'number' ||
      !isRecord(n.pullRequest) ||
      typeof n.pullRequest.number !== 'number' ||
      !str(n.pullRequest.headRefOid)
    ) {
      throw new Error(`GitHub listed a merge queue entry of ${branch} without its pull request`);
    }
    out.push({
      number: n.pullRequest.number,
      position: n.position,
      prHeadSha: n.pullRequest.headRefOid as string,
      headCommit: isRecord(n.headCommit) ? (str(n.headCommit.oid) ?? null) : null,
      ...(str(n.enqueuedAt) ? { enqueuedAt: n.enqueuedAt as string } : {}),
    });
  }
  return out.sort((a, b) => a.position - b.position);
}

/** Every GraphQL document the gate sends (tests validate them against GitHub's published schema). */
export const QUEUE_OPERATIONS = { PULL_REQUEST_QUEUE, ENQUEUE, DEQUEUE, QUEUE_ENTRIES } as const;
