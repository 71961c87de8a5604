// Scale-out with REDIS_URL: the queue and the timers live in Redis (BullMQ), so any replica can run
// any reconcile and a veto window is scheduled once however many replicas saw the event.
//
// - Coalescing: a short-lived `pending` key per PR; while one is set, more events for that PR add no
//   job. The worker deletes it when it starts, so events during a run add exactly one more job.
// - Serialization: a per-PR lock (./redis-lock.ts: a token, renewed while the reconcile runs however
//   long it waits for its write budget, released when it ends); a job that finds the lock taken is
//   delayed, never run beside the other. A reconcile that loses its lock is told, and its requests to
//   GitHub are refused from then on (./held-client.ts): it cannot write over the next holder.
// - Sweeps: one repository at a time holds a repository lock (renewed the same way) and waits for its
//   PRs' locks; workers that see the repository lock step back. The sweep of all installations is
//   elected by a lease.
// - Timers: one delayed job per PR with jobId `wake-<pr>`; `at` moves it instead of adding a second.
// - Sharing between installations: a job's BullMQ priority is how many jobs its installation already
//   has waiting or running (a counter per installation), so the next event of a quiet installation
//   goes ahead of the tail of another's burst instead of behind all of it.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { DelayedError, Queue, Worker, type Job } from 'bullmq';
import type { ReconcileJob, ReconcileQueue, ReconcileWork, RepoRef } from './queue.js';
import { DEFAULT_CONCURRENCY, repoKey } from './queue.js';
import type { Timers, WakeHandler } from './timers.js';
import { parsePullKey, pullKey, describePull, type PullRef } from './pull-ref.js';
import { errorMessage, silentLog, type Log } from './log.js';
import type { GateOptions } from './gate.js';
import type { QueueWidth } from './queue-width.js';
import { SharedCache } from './shared-cache.js';
import { RedisLock, type Hold } from './redis-lock.js';
import { redisTurns } from './dashboard-scheduler.js';

export interface RedisBackendOptions {
  /** Key and queue prefix: replicas that share it share the work. */
  prefix?: string;
  concurrency?: number;
  maxRetries?: number;
  retryBaseMs?: number;
  /** The sweep lease lasts a little less than an interval, so one replica sweeps per interval. */
  sweepIntervalMs?: number;
  /** How long a PR's or a repository sweep's lock survives a holder that stopped renewing it (it
   * crashed, or lost Redis); renewed every third of it while the work runs. Default 30 s. */
  lockTtlMs?: number;
  log?: Log;
}

type JobData = { kind: 'reconcile'; job: ReconcileJob } | { kind: 'wake'; key: string; when: number };

/** Reconciles of a repository that still run: entries (run token -> its PR lock's key) whose lock is
 * gone (ended, or a crashed holder's that expired) are dropped as they are counted. */
const STILL_RUNNING = `local n = 0
local entries = redis.call('hgetall', KEYS[1])
for i = 1, #entries, 2 do
  if redis.call('exists', entries[i + 1]) == 1 then n = n + 1 else redis.call('hdel', KEYS[1], entries[i]) end
end
return n`;
export const DEFAULT_LOCK_TTL_MS = 30_000;
/** One job of the installation ended; never below zero (a counter that expired meanwhile). */
const UNLOAD = `local v = redis.call('decr', KEYS[1]) if v <= 0 then redis.call('del', KEYS[1]) end return v`;
/** BullMQ's lowest priority. */
const MAX_PRIORITY = 2_097_152;
/** A counter left by a crashed replica stops weighing on its installation after this long idle. */
const LOAD_TTL_MS = 600_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class RedisBackend implements ReconcileQueue, Timers {
  readonly redis: Redis;
  readonly queue: Queue<JobData>;
  #worker: Worker<JobData> | undefined;
  #workerConnection: Redis | undefined;
  #work: ReconcileWork | undefined;
  #onWake: WakeHandler | undefined;
  #closed = false;
  readonly #prefix: string;
  readonly #options: RedisBackendOptions;
  readonly #log: Log;
  readonly #replica = randomUUID();

  constructor(url: string, options: RedisBackendOptions = {}) {
    this.#options = options;
    this.#prefix = options.prefix ?? 'hitl';
    this.#log = options.log ?? silentLog;
    // BullMQ needs maxRetriesPerRequest: null for its blocking connection.
    this.redis = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
    this.redis.on('error', (error) => this.#log.error({ err: errorMessage(error) }, 'redis connection error'));
    this.queue = new Queue<JobData>(`${this.#prefix}-reconcile`, { connection: this.redis, prefix: `{${this.#prefix}}` });
    this.queue.on('error', (error) => this.#log.error({ err: errorMessage(error) }, 'reconcile queue error'));
  }

  #key(kind: string, id: string): string {
    return `${this.#prefix}:${kind}:${id}`;
  }

  // ----- ReconcileQueue

  /** `width`, when given, sets how many jobs this replica's worker runs at once, as it changes (a
   * wider worker fetches more once one of its jobs ends). */
  start(work: ReconcileWork, width?: QueueWidth): void {
    this.#work = work;
    if (this.#worker) return;
    // The worker's own connection: BullMQ treats a passed instance as shared and never closes it.
    this.#workerConnection = this.redis.duplicate();
    this.#workerConnection.on('error', (error) => this.#log.error({ err: errorMessage(error) }, 'redis connection error'));
    this.#worker = new Worker<JobData>(`${this.#prefix}-reconcile`, (job, token) => this.#process(job, token), {
      connection: this.#workerConnection,
      prefix: `{${this.#prefix}}`,
      concurrency: width?.current ?? this.#options.concurrency ?? DEFAULT_CONCURRENCY,
    });
    width?.onChange((n) => {
      if (this.#worker && !this.#closed) this.#worker.concurrency = n;
    });
    this.#worker.on('error', (error) => this.#log.error({ err: errorMessage(error) }, 'reconcile worker error'));
    this.#worker.on('completed', (job) => {
      if (job.data.kind === 'reconcile') void this.#unload(job.data.job.installationId);
    });
    this.#worker.on('failed', (job, error) => {
      if (!job || job.data.kind !== 'reconcile') return;
      const exhausted = job.attemptsMade >= (job.opts.attempts ?? 1);
      if (exhausted) void this.#unload(job.data.job.installationId);
      this.#log[exhausted ? 'error' : 'warn']({ pull: describePull(job.data.job), attempt: job.attemptsMade, err: errorMessage(error) }, exhausted ? 'reconcile failed; giving up until the next sweep' : 'reconcile failed; retrying');
    });
  }

  async enqueue(job: ReconcileJob): Promise<void> {
    if (this.#closed) return;
    const key = pullKey(job);
    // An event coalesced into a pending job still says "look at the merge queue" (see ReconcileJob).
    if (job.mergeQueueHint) await this.redis.set(this.#key('queue-hint', key), '1', 'PX', 600_000);
    // Ten minutes: if this process dies between SET and add, the PR is deaf to events for at most
    // that long, and the sweep covers it meanwhile.
    const first = await this.redis.set(this.#key('pending', key), '1', 'PX', 600_000, 'NX');
    if (first !== 'OK') return;
    // The job carries no webhook payload: later events of a burst are coalesced into this job, so
    // its first payload could be older than GitHub's state when it runs. The reconcile reads afresh.
    const { pullRequest: _payload, headIsNew: _new, ...ref } = job;
    const ahead = await this.#load(job.installationId);
    await this.queue.add('reconcile', { kind: 'reconcile', job: ref }, {
      jobId: `r-${key}-${randomUUID()}`,
      priority: Math.min(Math.max(1, ahead), MAX_PRIORITY),
      attempts: (this.#options.maxRetries ?? 4) + 1,
      backoff: { type: 'exponential', delay: this.#options.retryBaseMs ?? 2_000 },
      removeOnComplete: true,
      removeOnFail: 1000,
    });
  }

  async #process(job: Job<JobData>, token?: string): Promise<void> {
    const data = job.data;
    if (data.kind === 'wake') {
      const ref = parsePullKey(data.key);
      if (ref) this.#onWake?.(ref, Date.now() - data.when);
      return;
    }
    const ref = data.job;
    const key = pullKey(ref);
    // From here on, a new event must add a new job: this one may already have read GitHub.
    if (job.attemptsMade === 0) await this.redis.del(this.#key('pending', key));
    const lockKey = this.#key('lock', key);
    const lock = await RedisLock.take(this.redis, lockKey, { ttlMs: this.#lockTtl, log: this.#log, what: `reconcile of ${describePull(ref)}` });
    const runs = this.#key('runs', repoKey(ref));
    try {
      // Announce the run to a sweep of this repository before looking for one (the sweep does the
      // reverse), so at least one of the two sees the other. The entry counts while the PR's lock
      // exists: as long as the run, and no longer than a crashed holder's lock.
      if (lock) await this.redis.hset(runs, lock.token, lockKey);
      const swept = lock !== undefined && (await this.redis.exists(this.#key('sweeping', repoKey(ref)))) === 1;
      if (!lock || swept) {
        // Another replica (or a sweep) has this PR: come back shortly instead of running beside it.
        await job.moveToDelayed(Date.now() + 250 + Math.round(Math.random() * 500), token);
        throw new DelayedError();
      }
      if (!this.#work) throw new Error('no reconcile function');
      // A retry reads everything fresh from GitHub.
      // Taken only by the run that reconciles, so a job moved aside for another replica does not eat it.
      const hint = (await this.redis.del(this.#key('queue-hint', key))) === 1 || ref.mergeQueueHint ? { mergeQueueHint: true } : {};
      await this.#work(job.attemptsMade > 0 ? { ...ref, ...hint, reason: 'retry' } : { ...ref, ...hint }, lock);
    } finally {
      await this.#endRun(runs, lock);
    }
  }

  get #lockTtl(): number {
    return this.#options.lockTtlMs ?? DEFAULT_LOCK_TTL_MS;
  }

  /** Takes the run off its repository's list, then lets the PR's lock go. Never throws: what could
   * not be deleted ends with the lock's lifetime. */
  async #endRun(runs: string, lock: RedisLock | undefined): Promise<void> {
    if (!lock) return;
    try {
      await this.redis.hdel(runs, lock.token);
    } catch (error) {
      // The entry is dropped by the next sweep that counts it, once the lock is gone.
      this.#log.warn({ err: errorMessage(error) }, 'could not take a finished reconcile off its repository\'s list');
    } finally {
      await lock.release();
    }
  }

  /** Counts one more job of the installation; its place among the installation's jobs (1 = first). */
  async #load(installationId: number): Promise<number> {
    const key = this.#key('load', String(installationId));
    try {
      const results = await this.redis.multi().incr(key).pexpire(key, LOAD_TTL_MS).exec();
      return Number(results?.[0]?.[1]) || 1;
    } catch (error) {
      // Sharing is a courtesy; the job itself must not be lost to it.
      this.#log.warn({ installationId, err: errorMessage(error) }, 'could not count the installation\'s jobs');
      return 1;
    }
  }

  async #unload(installationId: number): Promise<void> {
    try {
      await this.redis.eval(UNLOAD, 1, this.#key('load', String(installationId)));
    } catch (error) {
      // The counter expires on its own; until then the installation's next jobs wait a little longer.
      this.#log.warn({ installationId, err: errorMessage(error) }, 'could not count down the installation\'s jobs');
    }
  }

  async depth(): Promise<number> {
    const counts = await this.queue.getJobCounts('waiting', 'active', 'prioritized');
    return (counts.waiting ?? 0) + (counts.active ?? 0) + (counts.prioritized ?? 0);
  }

  /** Resolves once no reconcile job waits, runs or backs off (tests, shutdown). A job moves between
   * states between two reads, so "idle" must be seen twice in a row. */
  async idle(): Promise<void> {
    let quiet = 0;
    while (quiet < 2) {
      const counts = await this.queue.getJobCounts('waiting', 'active', 'prioritized');
      const delayed = await this.queue.getDelayed();
      const retrying = delayed.filter((j) => j.data.kind === 'reconcile').length;
      const busy = (counts.waiting ?? 0) + (counts.active ?? 0) + (counts.prioritized ?? 0) + retrying > 0;
      quiet = busy ? 0 : quiet + 1;
      await sleep(25);
    }
  }

  async exclusive<T>(repo: RepoRef, fn: (hold?: Hold) => Promise<T>): Promise<T> {
    const rk = repoKey(repo);
    const key = this.#key('sweeping', rk);
    const what = `sweep of ${repo.owner}/${repo.repo}`;
    let lock: RedisLock | undefined;
    while (!(lock = await RedisLock.take(this.redis, key, { ttlMs: this.#lockTtl, log: this.#log, what }))) await sleep(200);
    try {
      // Wait for reconciles of this repository that started before the lock to end; a crashed
      // holder's entry ends with its lock.
      const runs = this.#key('runs', rk);
      while (Number(await this.redis.eval(STILL_RUNNING, 1, runs)) > 0) await sleep(100);
      return await fn(lock);
    } finally {
      await lock.release();
    }
  }

  /** One replica per interval runs the sweep of all installations. */
  async sweepLease(): Promise<boolean> {
    const ttl = Math.max(5_000, Math.round((this.#options.sweepIntervalMs ?? 300_000) * 0.9));
    return (await this.redis.set(this.#key('lease', 'sweep'), this.#replica, 'PX', ttl, 'NX')) === 'OK';
  }

  // ----- Timers

  watch(onWake: WakeHandler): void {
    this.#onWake = onWake;
  }

  async at(ref: PullRef, when: Date): Promise<void> {
    if (this.#closed || !Number.isFinite(when.getTime())) return;
    const key = pullKey(ref);
    const id = `wake-${key}`;
    const delay = Math.max(0, when.getTime() - Date.now());
    const existing = await this.queue.getJob(id);
    if (existing) {
      if (existing.data.kind === 'wake' && existing.data.when === when.getTime()) return; // already scheduled
      const state = await existing.getState();
      if (state === 'delayed') {
        const data: JobData = { kind: 'wake', key, when: when.getTime() };
        await (existing as Job<JobData>).updateData(data);
        await existing.changeDelay(delay);
        return;
      }
      // Firing right now (active): it removes itself when done; the reconcile it starts sets the next wake.
      if (state === 'active') return;
      await existing.remove().catch(() => undefined);
    }
    await this.queue.add('wake', { kind: 'wake', key, when: when.getTime() }, { jobId: id, delay, removeOnComplete: true, removeOnFail: true });
  }

  async cancel(ref: PullRef): Promise<void> {
    const job = await this.queue.getJob(`wake-${pullKey(ref)}`);
    if (job && (await job.getState()) === 'delayed') await job.remove().catch(() => undefined);
  }

  /** Delayed jobs: the wake-ups, plus the few reconciles backing off before a retry. A count, not a
   * listing, because Prometheus asks on every scrape and there may be 100k windows open. */
  async pending(): Promise<number> {
    return this.queue.getDelayedCount();
  }

  async close(timeoutMs = 25_000): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // BullMQ does not wait for its start-up commands on a shared connection; quitting under them
    // would reject them with nobody listening.
    await Promise.allSettled([this.queue.waitUntilReady(), this.#worker?.waitUntilReady()]);
    if (this.#worker) {
      const worker = this.#worker;
      const graceful = worker.close();
      const timedOut = await Promise.race([graceful.then(() => false), sleep(timeoutMs).then(() => true)]);
      if (timedOut) await worker.close(true);
    }
    await this.queue.close();
    await this.#workerConnection?.quit().catch(() => undefined);
    await this.redis.quit().catch(() => undefined);
  }
}

/** The gate's queue, timers and sweep lease backed by one Redis. */
export async function redisBackends(url: string, options: RedisBackendOptions = {}): Promise<Pick<GateOptions, 'queue' | 'timers' | 'sweepLease' | 'sweepMemo' | 'dashboardTurns'> & { backend: RedisBackend }> {
  const backend = new RedisBackend(url, options);
  await backend.redis.ping();
  return {
    backend,
    queue: (work, _log, width) => {
      backend.start(work, width);
      return backend;
    },
    timers: (onWake) => {
      backend.watch(onWake);
      // The queue's close already closes the shared connection.
      return { at: (r, w) => backend.at(r, w), cancel: (r) => backend.cancel(r), pending: () => backend.pending(), close: async () => undefined };
    },
    sweepLease: () => backend.sweepLease(),
    // Any replica may sweep next: it should pass over the PRs the last one found quiet.
    sweepMemo: new SharedCache({ redis: backend.redis, prefix: `${options.prefix ?? 'hitl'}:quiet:`, maxBytes: 16 * 2 ** 20 }),
    // One replica refreshes a repository's dashboard per interval.
    dashboardTurns: redisTurns(backend.redis, options.prefix ?? 'hitl', randomUUID()),
  };
}
