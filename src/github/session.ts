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
