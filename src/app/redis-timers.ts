// Veto-window wake-ups shared by replicas through Redis: one delayed BullMQ job per PR with jobId
// `wake-<pr>`, so a window is scheduled once however many replicas saw the event, fires on whichever
// replica is free, and survives a restart. `at` moves the PR's job instead of adding a second.
import type { Job, Queue } from 'bullmq';
import type { Timers, WakeHandler } from './timers.js';
import { parsePullKey, pullKey, type PullRef } from './pull-ref.js';
import type { JobData, WakeData } from './redis-jobs.js';

/** The timers' side of the backend (./redis.ts owns the worker that fires them, and the connections). */
export class RedisTimers implements Omit<Timers, 'close'> {
  readonly #queue: Queue<JobData>;
  #onWake: WakeHandler | undefined;
  #closed = false;

  constructor(queue: Queue<JobData>) {
    this.#queue = queue;
  }

  /** Who is told when a wake-up is due. */
  watch(onWake: WakeHandler): void {
    this.#onWake = onWake;
  }

  /** The worker took a wake-up job: it is due now. */
  fire(data: WakeData): void {
    const ref = parsePullKey(data.key);
    if (ref) this.#onWake?.(ref, Date.now() - data.when);
  }

  async at(ref: PullRef, when: Date): Promise<void> {
    if (this.#closed || !Number.isFinite(when.getTime())) return;
    const key = pullKey(ref);
    const id = `wake-${key}`;
    const delay = Math.max(0, when.getTime() - Date.now());
    const existing = await this.#queue.getJob(id);
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
    await this.#queue.add(
      'wake',
      { kind: 'wake', key, when: when.getTime() },
      { jobId: id, delay, removeOnComplete: true, removeOnFail: true },
    );
  }

  async cancel(ref: PullRef): Promise<void> {
    const job = await this.#queue.getJob(`wake-${pullKey(ref)}`);
    if (job && (await job.getState()) === 'delayed') await job.remove().catch(() => undefined);
  }

  /** Delayed jobs: the wake-ups, plus the few reconciles backing off before a retry. A count, not a
   * listing, because Prometheus asks on every scrape and there may be 100k windows open. */
  async pending(): Promise<number> {
    return this.#queue.getDelayedCount();
  }

  /** Schedules nothing more; the backend closes the worker and the connections. */
  stop(): void {
    this.#closed = true;
  }
}
