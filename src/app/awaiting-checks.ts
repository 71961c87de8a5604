// Heads of PRs the gate has decided to merge but has not merged yet: it waits for other CI or for
// GitHub's mergeability. A commit status (Jenkins, older integrations) carries a commit, not a PR,
// and finding a commit's PRs costs a REST request per status; looking the commit up here costs none.
// What this replica does not know (another replica decided the PR, or a restart forgot it) waits
// for the sweep, as it did before.
import type { ReconcileOutcome } from '../github/types.js';
import { pullKey, type PullRef } from './pull-ref.js';

const commitKey = (owner: string, repo: string, sha: string) => `${owner.toLowerCase()}/${repo.toLowerCase()}@${sha.toLowerCase()}`;

export class AwaitingChecks {
  readonly #byCommit = new Map<string, PullRef>();
  readonly #byPull = new Map<string, string>();

  constructor(private readonly limit = 10_000) {}

  /** Remembers the PR's head while its decision is "merge" and it is not merged; forgets it otherwise. */
  record(outcome: ReconcileOutcome, ref: PullRef): void {
    const pull = pullKey(ref);
    const previous = this.#byPull.get(pull);
    if (previous) this.#byCommit.delete(previous);
    this.#byPull.delete(pull);
    const { decision, facts } = outcome;
    if (outcome.error || outcome.merged || !facts || decision.state !== 'ready' || !decision.merge) return;
    const key = commitKey(ref.owner, ref.repo, facts.headSha);
    this.#byCommit.set(key, ref);
    this.#byPull.set(pull, key);
    // Oldest first: the PRs waiting longest are the likeliest to have been merged or closed by hand.
    while (this.#byCommit.size > this.limit) {
      const [oldest, oldRef] = this.#byCommit.entries().next().value as [string, PullRef];
      this.#byCommit.delete(oldest);
      this.#byPull.delete(pullKey(oldRef));
    }
  }

  /** The PR waiting on this commit, if this replica knows one. */
  find(owner: string, repo: string, sha: string): PullRef | undefined {
    return this.#byCommit.get(commitKey(owner, repo, sha));
  }

  get size(): number {
    return this.#byCommit.size;
  }
}
