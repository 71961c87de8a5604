// The shell's public contract: what the App and the Action pass to reconcile and sweep, and what they get back.
import type { Notification, NotifyChannel } from '../core/notify.js';
import type { RecordNotice } from '../core/model/ledger.js';
import type { PullRequestFacts } from '../core/model/pull-request.js';
import type { Decision } from '../core/model/decision.js';
import type { Effect } from '../core/model/effects.js';
import type { PolicyLoads } from '../core/policy/load.js';
import type { GateIdentity } from './identity.js';
import type { KeptAnswers } from './kept-answers.js';

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
  /** Policies already loaded, kept by whoever outlives one reconcile (the App's process). Absent: the
   * policy is parsed, validated and compiled again. */
  policyLoads?: PolicyLoads;
  /** Default: the real clock (the shell owns the clock; the core takes time as an argument). */
  now?: () => Date;
  log?: ReconcileLog;
  /** The webhook's `pull_request` object, to save the GET when it is fresh. */
  pullRequest?: unknown;
  /** The Action may only be able to write a commit status. Default `check-run`. */
  checkRunAs?: 'check-run' | 'status';
  /** Chat (core/notify.ts): the channels the App can send on and the web address of GitHub (for
   * PR links). Absent: nothing is claimed for chat (the Action). */
  notify?: {
    channels: readonly NotifyChannel[];
    webUrl: string;
  };
  /** Offer one-click `Approve` / `Veto` on the check run (the App, which receives the clicks). */
  checkRunActions?: boolean;
  /** Check runs that are not "other checks" a merge waits for: the Action's own running job. */
  ignoreCheckRunIds?: readonly number[];
  /**
   * The event says this head SHA was just pushed (`opened`, `synchronize`): for a PR the policy does
   * not govern, the gate then writes its passing check without first looking for an earlier one
   * (a replayed event may leave a duplicate passing check; it never hides a failing one).
   */
  headIsNew?: boolean;
  /**
   * The event opened the PR with this head: a PR's first head cannot carry an earlier record of the
   * gate's, so reconcile does not search the earlier heads for one (it does for any other head it has
   * no record on). Only honoured while the PR's head is still this one.
   */
  firstHead?: string;
  /**
   * The event says the PR's place in a merge queue may have changed (it was queued, its head moved, a
   * merge group went away): the gate asks GitHub whether it is queued even if it never said "ready".
   */
  mergeQueueHint?: boolean;
  /**
   * The App with several replicas: whether this process still holds the PR's lock (or, in a sweep,
   * the repository's). Once it returns false another replica may be reconciling the PR: apply no
   * effect and write no record; end with `error` so the caller retries. The App's client already
   * refuses every request sent after the lock was lost; checking this before applying effects stops
   * a plan half-way less often. Absent: nothing else writes this PR (one process, the Action).
   */
  stillHeld?: () => boolean;
  /**
   * Answers GitHub gave before (policy files, branch rules), kept with their ETags so reads repeat
   * conditionally. Held by whoever owns their lifetime (the App for as long as it runs, the Action for
   * one run) and passed in; absent, this reconcile keeps its own.
   */
  kept?: KeptAnswers;
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
  /** Chat messages to send now: claimed in the ledger this pass wrote, or `merged`. The caller sends
   * them after the reconcile, never before or instead of it. */
  notifications?: Notification[];
  /** The gate added the PR to its base branch's merge queue, or took it out, in this reconcile. */
  mergeQueue?: 'enqueued' | 'dequeued';
  /** What the gate noticed about its status comment on this look (edited or deleted by someone else). */
  notice?: RecordNotice;
  /** Set when GitHub failed us: the caller should retry later. Nothing was merged. */
  error?: string;
}

export type SweepOptions = Omit<ReconcileOptions, 'pullRequest'> & {
  /** Remembers which PRs were quiet at the last sweep, so an unchanged one is passed over (quiet-pulls.ts). */
  memo?: SweepMemo;
  quiet?: QuietPullsOptions;
};

/** What a sweep remembers of quiet PRs (quiet-pulls.ts). Where the memo lives: the App gives its
 * bounded (and, with Redis, shared) cache. */
export interface SweepMemo {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): void;
  delete(key: string): void;
}

export interface QuietPullsOptions {
  /** A quiet PR is reconciled in full at least this often. Default one hour. */
  maxAgeMs?: number;
  /** `updated_at` has second precision and GitHub's clock is not ours: a PR updated this recently is
   * not recorded as quiet, so an event in the same second as the last one cannot hide. Default 60 s. */
  settleMs?: number;
}
