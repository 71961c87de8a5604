// Per-PR serialization and coalescing. Every event only says "PR X may have changed", so N events
// for one PR that arrive while it waits or runs collapse into at most one more reconcile: a burst
// of 15 webhooks costs one or two reconciles, never 15. Different PRs run concurrently up to a bound.
import { pullKey, describePull, type PullRef } from './pull-ref.js';
import { errorMessage, silentLog, type Log } from './log.js';
import { DEFAULT_CONCURRENCY } from './config.js';
import { QueueWidth } from './queue-width.js';
import type { Hold } from './redis-lock.js';

export interface ReconcileJob extends PullRef {
  /** Why: the event name, `timer`, `sweep`, `retry`. For logs only. */
  reason: string;
  /** The `pull_request` of the webhook, when there was one: saves a request. Never used on retries. */
  pullRequest?: { updated_at?: string | null } & Record<string, unknown>;
  /** The payload's event pushed a new head (opened, synchronize): lets reconcile skip a lookup.
   * Travels with the payload it describes. */
  headIsNew?: boolean;
  /** The payload's event opened the PR: its head is the PR's first, which cannot carry an earlier
   * record (reconcile then skips the search). Travels with the payload it describes. */
  firstHead?: string;
  /** The PR's place in a merge queue may have changed (queued, pushed, group gone): reconcile asks
   * GitHub whether it is queued. Kept when events are coalesced. */
  mergeQueueHint?: boolean;
}

function withoutPayload(job: ReconcileJob): ReconcileJob {
  const { pullRequest: _p, headIsNew: _h, firstHead: _f, ...rest } = job;
  return rest;
}

/** Runs one reconcile; throwing means "retry later". `hold`, when the PR's lock lives outside this
 * process (Redis), says whether it is still held: once it is not, the work must write nothing. */
export type ReconcileWork = (job: ReconcileJob, hold?: Hold) => Promise<void>;

export interface ReconcileQueue {
  enqueue(job: ReconcileJob): Promise<void>;
  /** PRs waiting or running. */
  depth(): number | Promise<number>;
  /** Resolves once nothing is waiting, running or backing off (tests, shutdown). */
  idle(): Promise<void>;
  /** Runs `fn` (a sweep of one repository, which reconciles its PRs itself) while no reconcile of
   * that repository runs; events that arrive meanwhile wait and run after it. `hold` as for
   * ReconcileWork. */
  exclusive<T>(repo: RepoRef, fn: (hold?: Hold) => Promise<T>): Promise<T>;
  /** Stops taking work and waits at most `timeoutMs` for reconciles in flight. */
  close(timeoutMs: number): Promise<void>;
}

export interface RepoRef {
  installationId: number;
  owner: string;
  repo: string;
}

export function repoKey(ref: RepoRef): string {
  return `${ref.installationId}/${ref.owner.toLowerCase()}/${ref.repo.toLowerCase()}`;
}

export { DEFAULT_CONCURRENCY } from './config.js';

export interface MemoryQueueOptions {
  work: ReconcileWork;
  /** PRs reconciled at the same time (default 256). A reconcile spends most of its time waiting: on
   * GitHub, and on its installation's write pacing (a second between writes), so a small bound caps
   * throughput at a few reconciles a second however many installations are busy. */
  concurrency?: number;
  /** A width that changes with load (./queue-width.ts); replaces `concurrency`. */
  width?: QueueWidth;
  /** Retries after a failure; after that the periodic sweep is the safety net. */
  maxRetries?: number;
  /** First backoff; doubled per attempt, with jitter. */
  retryBaseMs?: number;
  log?: Log;
  random?: () => number;
}

interface Entry {
  repo: string;
  installation: number;
  /** The job to run next; undefined while running with nothing new. */
  next?: ReconcileJob;
  running: boolean;
  queued: boolean;
  attempt: number;
  backoff?: NodeJS.Timeout;
}

/** Remembered `updated_at` of the newest payload used per PR: a late, older delivery must not
 * make a reconcile decide on a state GitHub has already moved past. Bounded; when forgotten, the
 * worst case is one reconcile on a stale payload whose merge GitHub refuses (the merge names the SHA). */
const SEEN_LIMIT = 20_000;

/** Keeps the newest `pull_request` payload: events may arrive out of order. */
function merge(older: ReconcileJob | undefined, newer: ReconcileJob): ReconcileJob {
  if (!older) return newer;
  const a = older.pullRequest?.updated_at ?? '';
  const b = newer.pullRequest?.updated_at ?? '';
  const source = !newer.pullRequest ? older : !older.pullRequest ? newer : b >= a ? newer : older;
  const reason = older.reason === newer.reason ? newer.reason : `${older.reason}+${newer.reason}`;
  const hint = older.mergeQueueHint === true || newer.mergeQueueHint === true ? { mergeQueueHint: true } : {};
  return {
    ...withoutPayload(newer),
    reason,
    ...hint,
    ...(source.pullRequest
      ? { pullRequest: source.pullRequest, headIsNew: source.headIsNew, ...(source.firstHead ? { firstHead: source.firstHead } : {}) }
      : {}),
  };
}

export class MemoryQueue implements ReconcileQueue {
  readonly #entries = new Map<string, Entry>();
  readonly #seen = new Map<string, string>();
  #ready: string[] = [];
  #running = 0;
  /** Running reconciles per repository key. */
  readonly #runningByRepo = new Map<string, number>();
  /** Running reconciles per installation: the share of the width each may take (see #pump). */
  readonly #runningByInstallation = new Map<number, number>();
  /** PRs waiting for a place, per installation (kept as entries change, so #pump need not scan). */
  readonly #queuedByInstallation = new Map<number, number>();
  /** Repositories being swept, and who waits for their last reconcile to finish. */
  readonly #exclusive = new Map<string, { drained?: () => void }>();
  /** Keys held back while their repository is swept. */
  #held: string[] = [];
  #closed = false;
  #idleWaiters: Array<() => void> = [];
  readonly #work: ReconcileWork;
  readonly #width: QueueWidth;
  readonly #maxRetries: number;
  readonly #retryBaseMs: number;
  readonly #log: Log;
  readonly #random: () => number;

  constructor(options: MemoryQueueOptions) {
    this.#work = options.work;
    const fixed = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);
    this.#width = options.width ?? new QueueWidth({ max: fixed, min: fixed });
    // A wider queue may start what waits at once; a narrower one lets running reconciles finish.
    this.#width.onChange(() => this.#pump());
    this.#maxRetries = Math.max(0, options.maxRetries ?? 4);
    this.#retryBaseMs = options.retryBaseMs ?? 2_000;
    this.#log = options.log ?? silentLog;
    this.#random = options.random ?? Math.random;
  }

  async enqueue(job: ReconcileJob): Promise<void> {
    if (this.#closed) {
      this.#log.warn({ pull: describePull(job) }, 'shutting down: event left to the next sweep');
      return;
    }
    const key = pullKey(job);
    const seen = this.#seen.get(key);
    if (job.pullRequest && seen !== undefined && (job.pullRequest.updated_at ?? '') < seen) job = withoutPayload(job);
    const entry = this.#entries.get(key);
    if (!entry) {
      const created: Entry = { repo: repoKey(job), installation: job.installationId, next: job, running: false, queued: false, attempt: 0 };
      this.#entries.set(key, created);
      this.#setQueued(created, true);
      this.#ready.push(key);
      this.#pump();
      return;
    }
    entry.next = merge(entry.next, job);
    if (entry.backoff) {
      // A fresh event is a better retry than waiting out the backoff.
      clearTimeout(entry.backoff);
      entry.backoff = undefined;
      this.#schedule(key, entry);
    } else if (!entry.running && !entry.queued) {
      this.#schedule(key, entry);
    }
  }

  depth(): number {
    let n = 0;
    for (const entry of this.#entries.values()) if (entry.running || entry.queued || entry.backoff) n++;
    return n;
  }

  idle(): Promise<void> {
    if (this.#entries.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  async close(timeoutMs: number): Promise<void> {
    this.#closed = true;
    // Work that has not started is dropped: GitHub holds the truth and the next sweep redoes it.
    this.#ready.length = 0;
    this.#held = [];
    for (const [key, entry] of this.#entries) {
      if (entry.backoff) clearTimeout(entry.backoff);
      entry.backoff = undefined;
      this.#setQueued(entry, false);
      entry.next = undefined;
      if (!entry.running) this.#entries.delete(key);
    }
    this.#checkIdle();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      timer.unref();
    });
    await Promise.race([this.idle(), timeout]);
    clearTimeout(timer);
  }

  /** One process: no lock outside it to lose, so `fn` gets no hold. */
  async exclusive<T>(repo: RepoRef, fn: (hold?: Hold) => Promise<T>): Promise<T> {
    const rk = repoKey(repo);
    // One sweep per repository at a time: wait for an earlier one to end.
    while (this.#exclusive.has(rk)) await new Promise((resolve) => setTimeout(resolve, 50));
    const slot: { drained?: () => void } = {};
    this.#exclusive.set(rk, slot);
    try {
      if ((this.#runningByRepo.get(rk) ?? 0) > 0) await new Promise<void>((resolve) => (slot.drained = resolve));
      return await fn();
    } finally {
      this.#exclusive.delete(rk);
      const held = this.#held;
      this.#held = [];
      this.#ready = held.concat(this.#ready);
      this.#pump();
    }
  }

  #remember(key: string, job: ReconcileJob): void {
    const updatedAt = job.pullRequest?.updated_at;
    if (!updatedAt) return;
    const seen = this.#seen.get(key);
    if (seen !== undefined && seen >= updatedAt) return;
    this.#seen.delete(key);
    this.#seen.set(key, updatedAt);
    if (this.#seen.size > SEEN_LIMIT) this.#seen.delete(this.#seen.keys().next().value!);
  }

  #schedule(key: string, entry: Entry): void {
    if (this.#closed) return;
    this.#setQueued(entry, true);
    this.#ready.push(key);
    this.#pump();
  }

  /**
   * Starts what waits, oldest first, within the width. Installations share it: while several have
   * work, one may hold at most its share of the places (the width divided among them), and what is
   * over its share waits for a second pass that takes only places nobody else wants. Without this, a
   * burst of one installation (a thousand new PRs, each waiting on its installation's write budget)
   * would hold every place and put everyone else's events behind all of its own.
   */
  #pump(): void {
    if (this.#running >= this.#width.current || this.#ready.length === 0) return;
    const installations = new Set([...this.#runningByInstallation.keys(), ...this.#queuedByInstallation.keys()]);
    if (installations.size > 1) {
      const share = Math.max(1, Math.floor(this.#width.current / installations.size));
      // Only PRs of installations under their share may pass the rest in the first pass; once they
      // are started it stops, so a long line of one installation is not walked for nothing.
      let eligible = 0;
      for (const [installation, waiting] of this.#queuedByInstallation) {
        if ((this.#runningByInstallation.get(installation) ?? 0) < share) eligible += waiting;
      }
      if (eligible > 0) this.#startWaiting(share, eligible);
    }
    this.#startWaiting(Infinity, Infinity);
  }

  #setQueued(entry: Entry, queued: boolean): void {
    if (entry.queued === queued) return;
    entry.queued = queued;
    const n = (this.#queuedByInstallation.get(entry.installation) ?? 0) + (queued ? 1 : -1);
    if (n > 0) this.#queuedByInstallation.set(entry.installation, n);
    else this.#queuedByInstallation.delete(entry.installation);
  }

  #startWaiting(share: number, eligible: number): void {
    const over: string[] = [];
    let started = 0;
    while (this.#running < this.#width.current && this.#ready.length > 0 && started < eligible) {
      const key = this.#ready.shift()!;
      const entry = this.#entries.get(key);
      if (!entry?.queued || entry.running || !entry.next) continue;
      if (this.#exclusive.has(entry.repo)) {
        this.#held.push(key);
        continue;
      }
      if ((this.#runningByInstallation.get(entry.installation) ?? 0) >= share) {
        over.push(key);
        continue;
      }
      started++;
      this.#setQueued(entry, false);
      this.#runningByRepo.set(entry.repo, (this.#runningByRepo.get(entry.repo) ?? 0) + 1);
      this.#runningByInstallation.set(entry.installation, (this.#runningByInstallation.get(entry.installation) ?? 0) + 1);
      entry.running = true;
      const job = entry.next;
      entry.next = undefined;
      this.#remember(key, job);
      this.#running++;
      void this.#run(key, entry, job);
    }
    // What was over its share keeps its place in line, ahead of what came after it.
    if (over.length > 0) this.#ready = over.concat(this.#ready);
  }

  async #run(key: string, entry: Entry, job: ReconcileJob): Promise<void> {
    try {
      await this.#work(job);
      entry.attempt = 0;
    } catch (error) {
      entry.attempt++;
      const pull = describePull(job);
      if (entry.next) {
        this.#log.warn({ pull, err: errorMessage(error) }, 'reconcile failed; a newer event runs it again');
      } else if (entry.attempt <= this.#maxRetries && !this.#closed) {
        const delay = Math.round(this.#retryBaseMs * 2 ** (entry.attempt - 1) * (0.75 + this.#random() * 0.5));
        this.#log.warn({ pull, attempt: entry.attempt, retryInMs: delay, err: errorMessage(error) }, 'reconcile failed; retrying');
        // A retry reads everything fresh from GitHub.
        entry.next = { ...withoutPayload(job), reason: 'retry' };
        entry.backoff = setTimeout(() => {
          entry.backoff = undefined;
          this.#schedule(key, entry);
        }, delay);
        entry.backoff.unref();
      } else {
        this.#log.error({ pull, attempts: entry.attempt, err: errorMessage(error) }, 'reconcile failed; giving up until the next sweep');
      }
    } finally {
      entry.running = false;
      this.#running--;
      const mine = (this.#runningByInstallation.get(entry.installation) ?? 1) - 1;
      if (mine > 0) this.#runningByInstallation.set(entry.installation, mine);
      else this.#runningByInstallation.delete(entry.installation);
      const left = (this.#runningByRepo.get(entry.repo) ?? 1) - 1;
      if (left > 0) this.#runningByRepo.set(entry.repo, left);
      else {
        this.#runningByRepo.delete(entry.repo);
        this.#exclusive.get(entry.repo)?.drained?.();
      }
      if (entry.next && !entry.backoff && !this.#closed) this.#schedule(key, entry);
      else if (!entry.backoff && !entry.queued) this.#entries.delete(key);
      this.#pump();
      this.#checkIdle();
    }
  }

  #checkIdle(): void {
    if (this.#entries.size > 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
