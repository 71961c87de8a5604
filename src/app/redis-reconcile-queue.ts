// The reconcile queue shared by replicas through Redis (BullMQ): any replica runs any PR's reconcile,
// never two at once, and a burst of events for one PR costs one or two reconciles.
//
// - Coalescing: a short-lived `pending` key per PR; while one is set, more events for that PR add no
//   job. The worker deletes it when it starts, so events during a run add exactly one more job.
// - Serialization: a per-PR lock (./redis-lock.ts: a token, renewed while the reconcile runs however
//   long it waits for its write budget, released when it ends); a job that finds the lock taken is
//   delayed, never run beside the other. A reconcile that loses its lock is told, and its requests to
//   GitHub are refused from then on (./held-client.ts): it cannot write over the next holder.
// - Sweeps: one repository at a time holds a repository lock (renewed the same way) and waits for its
//   PRs' locks; workers that see the repository lock step back.
// - Sharing between installations: a job's BullMQ priority is how many jobs its installation already
//   has waiting or running (a counter per installation), so the next event of a quiet installation
//   goes ahead of the tail of another's burst instead of behind all of it.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { DelayedError, type Job, type Queue } from 'bullmq';
import type { ReconcileJob, ReconcileWork, RepoRef } from './queue.js';
import { repoKey } from './queue.js';
import { pullKey, describePull } from './pull-ref.js';
import { errorMessage, type Log } from './log.js';
import { RedisLock, type Hold } from './redis-lock.js';
import { sleep, type JobData, type ReconcileData, type RedisKeys } from './redis-jobs.js';

/** Reconciles of a repository that still run: entries (run token -> its PR lock's key) whose lock is
 * gone (ended, or a crashed holder's that expired) are dropped as they are counted. */
const STILL_RUNNING = `local n = 0
local entries = redis.call('hgetall', KEYS[1])
for i = 1, #entries, 2 do
  if redis.call('exists', entries[i + 1]) == 1 then n = n + 1 else redis.call('hdel', KEYS[1], entries[i]) end
end
return n`;
/** One job of the installation ended; never below zero (a counter that expired meanwhile). */
const UNLOAD = `local v = redis.call('decr', KEYS[1]) if v <= 0 then redis.call('del', KEYS[1]) end return v`;
/** BullMQ's lowest priority. */
const MAX_PRIORITY = 2_097_152;
/** A counter left by a crashed replica stops weighing on its installation after this long idle. */
const LOAD_TTL_MS = 600_000;

export interface RedisReconcileQueueOptions {
  redis: Redis;
  /** The BullMQ queue the reconciles go in (shared with the wake-ups). */
  queue: Queue<JobData>;
  keys: RedisKeys;
  /** How long a PR's or a repository sweep's lock survives a holder that stopped renewing it. */
  lockTtlMs: number;
  maxRetries?: number;
  retryBaseMs?: number;
  log: Log;
}

/** The queue's side of the backend (./redis.ts owns the worker and the connections). */
export class RedisReconcileQueue {
  #work: ReconcileWork | undefined;
  #closed = false;
  readonly #redis: Redis;
  readonly #queue: Queue<JobData>;
  readonly #keys: RedisKeys;
  readonly #options: RedisReconcileQueueOptions;
  readonly #log: Log;

  constructor(options: RedisReconcileQueueOptions) {
    this.#options = options;
    this.#redis = options.redis;
    this.#queue = options.queue;
    this.#keys = options.keys;
    this.#log = options.log;
  }

  /** What runs a reconcile (the worker calls `process` with each reconcile job). */
  start(work: ReconcileWork): void {
    this.#work = work;
  }

  async enqueue(job: ReconcileJob): Promise<void> {
    if (this.#closed) return;
    const key = pullKey(job);
    // An event coalesced into a pending job still says "look at the merge queue" (see ReconcileJob).
    if (job.mergeQueueHint) await this.#redis.set(this.#keys.key('queue-hint', key), '1', 'PX', 600_000);
    // Ten minutes: if this process dies between SET and add, the PR is deaf to events for at most
    // that long, and the sweep covers it meanwhile.
    const first = await this.#redis.set(this.#keys.key('pending', key), '1', 'PX', 600_000, 'NX');
    if (first !== 'OK') return;
    // The job carries no webhook payload: later events of a burst are coalesced into this job, so
    // its first payload could be older than GitHub's state when it runs. The reconcile reads afresh.
    const { pullRequest: _payload, headIsNew: _new, ...ref } = job;
    const ahead = await this.#load(job.installationId);
    await this.#queue.add(
      'reconcile',
      { kind: 'reconcile', job: ref },
      {
        jobId: `r-${key}-${randomUUID()}`,
        priority: Math.min(Math.max(1, ahead), MAX_PRIORITY),
        attempts: (this.#options.maxRetries ?? 4) + 1,
        backoff: { type: 'exponential', delay: this.#options.retryBaseMs ?? 2_000 },
        removeOnComplete: true,
        removeOnFail: 1000,
      },
    );
  }

  /** Runs one reconcile job under its PR's lock; sets it aside while another replica or a sweep has the PR. */
  async process(job: Job<JobData>, data: ReconcileData, token?: string): Promise<void> {
    const ref = data.job;
    const key = pullKey(ref);
    // From here on, a new event must add a new job: this one may already have read GitHub.
    if (job.attemptsMade === 0) await this.#redis.del(this.#keys.key('pending', key));
    const lockKey = this.#keys.key('lock', key);
    const lock = await RedisLock.take(this.#redis, lockKey, {
      ttlMs: this.#options.lockTtlMs,
      log: this.#log,
      what: `reconcile of ${describePull(ref)}`,
    });
    const runs = this.#keys.key('runs', repoKey(ref));
    try {
      // Announce the run to a sweep of this repository before looking for one (the sweep does the
      // reverse), so at least one of the two sees the other. The entry counts while the PR's lock
      // exists: as long as the run, and no longer than a crashed holder's lock.
      if (lock) await this.#redis.hset(runs, lock.token, lockKey);
      const swept = lock !== undefined && (await this.#redis.exists(this.#keys.key('sweeping', repoKey(ref)))) === 1;
      if (!lock || swept) {
        // Another replica (or a sweep) has this PR: come back shortly instead of running beside it.
        await job.moveToDelayed(Date.now() + 250 + Math.round(Math.random() * 500), token);
        throw new DelayedError();
      }
      if (!this.#work) throw new Error('no reconcile function');
      // A retry reads everything fresh from GitHub.
      // Taken only by the run that reconciles, so a job moved aside for another replica does not eat it.
      const hint = (await this.#redis.del(this.#keys.key('queue-hint', key))) === 1 || ref.mergeQueueHint ? { mergeQueueHint: true } : {};
      await this.#work(job.attemptsMade > 0 ? { ...ref, ...hint, reason: 'retry' } : { ...ref, ...hint }, lock);
    } finally {
      await this.#endRun(runs, lock);
    }
  }

  /** A reconcile job ended well: its installation has one job fewer. */
  completed(data: ReconcileData): void {
    void this.#unload(data.job.installationId);
  }

  /** A reconcile job failed: retried by BullMQ until its attempts are spent, then left to the sweep. */
  failed(job: Job<JobData>, data: ReconcileData, error: Error): void {
    const exhausted = job.attemptsMade >= (job.opts.attempts ?? 1);
    if (exhausted) void this.#unload(data.job.installationId);
    this.#log[exhausted ? 'error' : 'warn'](
      { pull: describePull(data.job), attempt: job.attemptsMade, err: errorMessage(error) },
      exhausted ? 'reconcile failed; giving up until the next sweep' : 'reconcile failed; retrying',
    );
  }

  /** Takes the run off its repository's list, then lets the PR's lock go. Never throws: what could
   * not be deleted ends with the lock's lifetime. */
  async #endRun(runs: string, lock: RedisLock | undefined): Promise<void> {
    if (!lock) return;
    try {
      await this.#redis.hdel(runs, lock.token);
    } catch (error) {
      // The entry is dropped by the next sweep that counts it, once the lock is gone.
      this.#log.warn({ err: errorMessage(error) }, "could not take a finished reconcile off its repository's list");
    } finally {
      await lock.release();
    }
  }

  /** Counts one more job of the installation; its place among the installation's jobs (1 = first). */
  async #load(installationId: number): Promise<number> {
    const key = this.#keys.key('load', String(installationId));
    try {
      const results = await this.#redis.multi().incr(key).pexpire(key, LOAD_TTL_MS).exec();
      return Number(results?.[0]?.[1]) || 1;
    } catch (error) {
      // Sharing is a courtesy; the job itself must not be lost to it.
      this.#log.warn({ installationId, err: errorMessage(error) }, "could not count the installation's jobs");
      return 1;
    }
  }

  async #unload(installationId: number): Promise<void> {
    try {
      await this.#redis.eval(UNLOAD, 1, this.#keys.key('load', String(installationId)));
    } catch (error) {
      // The counter expires on its own; until then the installation's next jobs wait a little longer.
      this.#log.warn({ installationId, err: errorMessage(error) }, "could not count down the installation's jobs");
    }
  }

  async depth(): Promise<number> {
    const counts = await this.#queue.getJobCounts('waiting', 'active', 'prioritized');
    return (counts.waiting ?? 0) + (counts.active ?? 0) + (counts.prioritized ?? 0);
  }

  /** Resolves once no reconcile job waits, runs or backs off (tests, shutdown). A job moves between
   * states between two reads, so "idle" must be seen twice in a row. */
  async idle(): Promise<void> {
    let quiet = 0;
    while (quiet < 2) {
      const counts = await this.#queue.getJobCounts('waiting', 'active', 'prioritized');
      const delayed = await this.#queue.getDelayed();
      const retrying = delayed.filter((j) => j.data.kind === 'reconcile').length;
      const busy = (counts.waiting ?? 0) + (counts.active ?? 0) + (counts.prioritized ?? 0) + retrying > 0;
      quiet = busy ? 0 : quiet + 1;
      await sleep(25);
    }
  }

  async exclusive<T>(repo: RepoRef, fn: (hold?: Hold) => Promise<T>): Promise<T> {
    const rk = repoKey(repo);
    const key = this.#keys.key('sweeping', rk);
    const what = `sweep of ${repo.owner}/${repo.repo}`;
    let lock: RedisLock | undefined;
    while (!(lock = await RedisLock.take(this.#redis, key, { ttlMs: this.#options.lockTtlMs, log: this.#log, what }))) await sleep(200);
    try {
      // Wait for reconciles of this repository that started before the lock to end; a crashed
      // holder's entry ends with its lock.
      const runs = this.#keys.key('runs', rk);
      while (Number(await this.#redis.eval(STILL_RUNNING, 1, runs)) > 0) await sleep(100);
      return await fn(lock);
    } finally {
      await lock.release();
    }
  }

  /** Takes no more events; the backend closes the worker and the connections. */
  stop(): void {
    this.#closed = true;
  }
}
