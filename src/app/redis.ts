// Scale-out with REDIS_URL (design.md §6): the queue and the timers live in Redis (BullMQ), so any replica can run
// any reconcile and a veto window is scheduled once however many replicas saw the event. The backend
// owns the connections and the one BullMQ queue and worker, and composes three parts with one
// purpose each: the reconcile queue (./redis-reconcile-queue.ts: coalescing, per-PR locks, sweeps
// of a repository, sharing between installations), the wake-ups (./redis-timers.ts) and the lease
// that elects the replica sweeping all installations (./redis-sweep-lease.ts).
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Queue, Worker, type Job } from 'bullmq';
import type { ReconcileJob, ReconcileQueue, ReconcileWork, RepoRef } from './queue.js';
import { DEFAULT_CONCURRENCY } from './queue.js';
import type { Timers, WakeHandler } from './timers.js';
import type { PullRef } from './pull-ref.js';
import { errorMessage, silentLog, type Log } from './log.js';
import type { GateOptions } from './gate.js';
import type { QueueWidth } from './queue-width.js';
import { SharedCache } from './shared-cache.js';
import type { Hold } from './redis-lock.js';
import { redisKeys, sleep, type JobData } from './redis-jobs.js';
import { RedisReconcileQueue } from './redis-reconcile-queue.js';
import { RedisTimers } from './redis-timers.js';
import { RedisSweepLease } from './redis-sweep-lease.js';
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

export const DEFAULT_LOCK_TTL_MS = 30_000;

export class RedisBackend implements ReconcileQueue, Timers {
  readonly redis: Redis;
  readonly queue: Queue<JobData>;
  readonly #reconciles: RedisReconcileQueue;
  readonly #timers: RedisTimers;
  readonly #lease: RedisSweepLease;
  #worker: Worker<JobData> | undefined;
  #workerConnection: Redis | undefined;
  #closed = false;
  readonly #prefix: string;
  readonly #options: RedisBackendOptions;
  readonly #log: Log;

  constructor(url: string, options: RedisBackendOptions = {}) {
    this.#options = options;
    this.#prefix = options.prefix ?? 'hitl';
    this.#log = options.log ?? silentLog;
    // BullMQ needs maxRetriesPerRequest: null for its blocking connection.
    this.redis = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
    this.redis.on('error', (error) => this.#log.error({ err: errorMessage(error) }, 'redis connection error'));
    this.queue = new Queue<JobData>(`${this.#prefix}-reconcile`, { connection: this.redis, prefix: `{${this.#prefix}}` });
    this.queue.on('error', (error) => this.#log.error({ err: errorMessage(error) }, 'reconcile queue error'));
    const keys = redisKeys(this.#prefix);
    this.#reconciles = new RedisReconcileQueue({
      redis: this.redis,
      queue: this.queue,
      keys,
      log: this.#log,
      lockTtlMs: options.lockTtlMs ?? DEFAULT_LOCK_TTL_MS,
      maxRetries: options.maxRetries,
      retryBaseMs: options.retryBaseMs,
    });
    this.#timers = new RedisTimers(this.queue);
    this.#lease = new RedisSweepLease(this.redis, keys.key('lease', 'sweep'), randomUUID(), options.sweepIntervalMs);
  }

  /** `width`, when given, sets how many jobs this replica's worker runs at once, as it changes (a
   * wider worker fetches more once one of its jobs ends). */
  start(work: ReconcileWork, width?: QueueWidth): void {
    this.#reconciles.start(work);
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
      if (job.data.kind === 'reconcile') this.#reconciles.completed(job.data);
    });
    this.#worker.on('failed', (job, error) => {
      if (job?.data.kind === 'reconcile') this.#reconciles.failed(job, job.data, error);
    });
  }

  /** Each job to the part it belongs to. */
  async #process(job: Job<JobData>, token?: string): Promise<void> {
    const data = job.data;
    if (data.kind === 'wake') return this.#timers.fire(data);
    return this.#reconciles.process(job, data, token);
  }

  // ----- ReconcileQueue

  enqueue(job: ReconcileJob): Promise<void> {
    return this.#reconciles.enqueue(job);
  }

  depth(): Promise<number> {
    return this.#reconciles.depth();
  }

  idle(): Promise<void> {
    return this.#reconciles.idle();
  }

  exclusive<T>(repo: RepoRef, fn: (hold?: Hold) => Promise<T>): Promise<T> {
    return this.#reconciles.exclusive(repo, fn);
  }

  // ----- The sweep lease

  /** One replica per interval runs the sweep of all installations. */
  sweepLease(): Promise<boolean> {
    return this.#lease.take();
  }

  // ----- Timers

  watch(onWake: WakeHandler): void {
    this.#timers.watch(onWake);
  }

  at(ref: PullRef, when: Date): Promise<void> {
    return this.#timers.at(ref, when);
  }

  cancel(ref: PullRef): Promise<void> {
    return this.#timers.cancel(ref);
  }

  pending(): Promise<number> {
    return this.#timers.pending();
  }

  async close(timeoutMs = 25_000): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#reconciles.stop();
    this.#timers.stop();
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
export async function redisBackends(
  url: string,
  options: RedisBackendOptions = {},
): Promise<Pick<GateOptions, 'queue' | 'timers' | 'sweepLease' | 'sweepMemo' | 'dashboardTurns'> & { backend: RedisBackend }> {
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
      return {
        at: (r, w) => backend.at(r, w),
        cancel: (r) => backend.cancel(r),
        pending: () => backend.pending(),
        close: async () => undefined,
      };
    },
    sweepLease: () => backend.sweepLease(),
    // Any replica may sweep next: it should pass over the PRs the last one found quiet.
    sweepMemo: new SharedCache({ redis: backend.redis, prefix: `${options.prefix ?? 'hitl'}:quiet:`, maxBytes: 16 * 2 ** 20 }),
    // One replica refreshes a repository's dashboard per interval.
    dashboardTurns: redisTurns(backend.redis, options.prefix ?? 'hitl', randomUUID()),
  };
}
