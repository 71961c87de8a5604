// The shell's public contract: what the App and the Action pass to reconcile and sweep, and what they get back.
import type { Decision, Effect, PullRequestFacts } from '../core/types.js';
import type { GateIdentity } from './identity.js';
import type { QuietPullsOptions, SweepMemo } from './quiet-pulls.js';

export interface PullRequestRef {
  owner: string;
  repo: string;
  number: number;
}

export interface RepositoryRef {
  owner: string;
  repo: string;
}

export interface ReconcileLog {
  info(o: object, m?: string): void;
  warn(o: object, m?: string): void;
  error(o: object, m?: string): void;
}

export interface ReconcileOptions {
  /** `check` reads and decides but writes nothing (the Action's defence-in-depth mode). */
  mode: 'full' | 'check';
  identity: GateIdentity;
  /** Default `.github/hitl.yml`. */
  policyPath?: string;
  /** Default: the real clock (the shell owns the clock; the core takes time as an argument). */
  now?: () => Date;
  log?: ReconcileLog;
  /** The webhook's `pull_request` object, to save the GET when it is fresh. */
  pullRequest?: unknown;
  /** The Action may only be able to write a commit status. Default `check-run`. */
  checkRunAs?: 'check-run' | 'status';
  /** Check runs that are not "other checks" a merge waits for: the Action's own running job. */
  ignoreCheckRunIds?: readonly number[];
  /**
   * The event says this head SHA was just pushed (`opened`, `synchronize`): for a PR the policy does
   * not govern, the gate then writes its passing check without first looking for an earlier one
   * (a replayed event may leave a duplicate passing check; it never hides a failing one).
   */
  headIsNew?: boolean;
}

export interface ReconcileOutcome {
  ref: PullRequestRef;
  decision: Decision;
  /** The facts the decision was made on (absent when GitHub failed before they were gathered). */
  facts?: PullRequestFacts;
  /** What `plan` asked for. */
  effects: Effect[];
  /** The effects that were applied successfully (a `wake` counts as applied: the caller schedules it). */
  applied: Effect[];
  /** When the caller should reconcile this PR again without an event. */
  wakeAt?: string;
  merged: boolean;
  /** REST requests made (tests and benchmarks count them). */
  requests: number;
  /** Set when GitHub failed us: the caller should retry later. Nothing was merged. */
  error?: string;
}

export type SweepOptions = Omit<ReconcileOptions, 'pullRequest'> & {
  /** Remembers which PRs were quiet at the last sweep, so an unchanged one is passed over (quiet-pulls.ts). */
  memo?: SweepMemo;
  quiet?: QuietPullsOptions;
};
