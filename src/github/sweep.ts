// Reconcile every open governed pull request of one repository: webhooks get lost, timers die with processes.
import type { GitHubClient } from './client.js';
import type { ReconcileOutcome, RepositoryRef, SweepOptions } from './types.js';

export async function sweep(_client: GitHubClient, _repo: RepositoryRef, _options: SweepOptions): Promise<ReconcileOutcome[]> {
  throw new Error('not implemented');
}
