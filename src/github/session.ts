// One reconcile's view of the client: counts every REST request (pages included) so tests and
// benchmarks can hold the request budget, and carries the clock, the logger and the answers kept for
// conditional reads.
import type { GitHubClient } from './client.js';
import { KeptAnswers } from './kept-answers.js';
import type { ReconcileLog } from './types.js';

export interface Session {
  client: GitHubClient;
  /** REST requests made so far, one per page of a paginated list. */
  requests: number;
  now: Date;
  log: ReconcileLog;
  /** Answers read before, with their ETags (policy files, branch rules): the caller's, or this session's own. */
  kept: KeptAnswers;
}

const silent: ReconcileLog = { info() {}, warn() {}, error() {} };

export function openSession(client: GitHubClient, now: Date, log: ReconcileLog | undefined, kept?: KeptAnswers): Session {
  return { client, requests: 0, now, log: log ?? silent, kept: kept ?? new KeptAnswers() };
}

/** Run one REST request and count it. */
export async function request<T>(session: Session, call: (client: GitHubClient) => Promise<T>): Promise<T> {
  session.requests += 1;
  return call(session.client);
}

/**
 * Every item of a paginated list, read page by page (each page one counted request), each turned into
 * what the shell keeps; an item `keep` answers undefined for is left out.
 */
export async function gatherPages<Item, Kept>(
  session: Session,
  pages: AsyncIterable<{ data: Item[] }>,
  keep: (item: Item) => Kept | undefined,
): Promise<Kept[]> {
  const kept: Kept[] = [];
  for await (const page of pages) {
    session.requests += 1;
    for (const item of page.data) {
      const value = keep(item);
      if (value !== undefined) kept.push(value);
    }
  }
  return kept;
}
