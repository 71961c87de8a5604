// Which open PRs a sweep may pass over: those whose last reconcile found nothing to do and nothing
// to wait for, and whose entry in the PR list (updated_at, head, base, labels, state, draft) and
// base policy are the same as then. Everything a person does on a PR (a comment, a review, a push, a
// label) moves its `updated_at`; what does not (a check run finishing, time passing) matters only to
// a PR that is ready to merge or has a window or a wake-up pending, and those are never passed over.
// A quiet PR is still reconciled in full once `maxAgeMs` has passed (a permission granted, a comment
// edited: things the list does not show). Passing over a PR decides nothing and writes nothing.
import { createHash } from 'node:crypto';
import type { QuietPullsOptions, ReconcileOutcome, RepositoryRef, SweepMemo } from './types.js';

/** What the PR list says of a PR, as far as a skip depends on it. */
export interface ListedPull {
  number: number;
  updatedAt?: string;
  headSha: string;
  baseRef: string;
  labels: string[];
  state: string;
  draft: boolean;
}

interface Memo {
  fingerprint: string;
  at: number;
}

export class QuietPulls {
  readonly #memo: SweepMemo;
  readonly #maxAgeMs: number;
  readonly #settleMs: number;

  constructor(memo: SweepMemo, options: QuietPullsOptions = {}) {
    this.#memo = memo;
    this.#maxAgeMs = options.maxAgeMs ?? 3600_000;
    this.#settleMs = options.settleMs ?? 60_000;
  }

  static fingerprint(pr: ListedPull, policy: string): string | undefined {
    if (!pr.updatedAt) return undefined;
    const labels = [...new Set(pr.labels.map((l) => l.toLowerCase()))].sort();
    return createHash('sha1')
      .update(JSON.stringify([pr.updatedAt, pr.headSha, pr.baseRef, labels, pr.state, pr.draft, policy]))
      .digest('base64url');
  }

  #key(repo: RepositoryRef, number: number): string {
    return `quiet ${repo.owner}/${repo.repo}#${number}`.toLowerCase();
  }

  /** Whether the sweep may pass over this PR now. */
  async quiet(repo: RepositoryRef, number: number, fingerprint: string | undefined, now: Date): Promise<boolean> {
    if (!fingerprint) return false;
    const text = await this.#memo.get(this.#key(repo, number)).catch(() => undefined);
    if (!text) return false;
    const memo = JSON.parse(text) as Memo;
    return memo.fingerprint === fingerprint && now.getTime() - memo.at < this.#maxAgeMs && now.getTime() >= memo.at;
  }

  /** After a full reconcile: remember the PR as quiet, or forget it. */
  record(repo: RepositoryRef, pr: ListedPull, fingerprint: string | undefined, outcome: ReconcileOutcome, now: Date): void {
    const key = this.#key(repo, pr.number);
    const settled = pr.updatedAt !== undefined && now.getTime() - Date.parse(pr.updatedAt) >= this.#settleMs;
    if (fingerprint && settled && isQuiet(outcome)) this.#memo.set(key, JSON.stringify({ fingerprint, at: now.getTime() } satisfies Memo));
    else this.#memo.delete(key);
  }
}

/** Nothing to write, nothing failed, nothing to wake for, and not waiting to merge (other checks,
 * mergeability and time are not in the PR list). */
export function isQuiet(outcome: ReconcileOutcome): boolean {
  return !outcome.error && !outcome.wakeAt && outcome.effects.length === 0 && !outcome.merged && outcome.decision.state !== 'ready';
}
