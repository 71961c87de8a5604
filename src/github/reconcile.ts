// Reconcile one pull request: gather facts -> decide -> plan -> apply. Safe to call any number of times.
import type { GitHubClient } from './client.js';
import type { PullRequestRef, ReconcileOptions, ReconcileOutcome } from './types.js';

export async function reconcile(_client: GitHubClient, _ref: PullRequestRef, _options: ReconcileOptions): Promise<ReconcileOutcome> {
  throw new Error('not implemented');
}
