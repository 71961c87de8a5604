// How many reconciles may run at once, narrowed while the process is saturated.
//
// A reconcile spends most of its time waiting (on GitHub, and a second on its installation's write
// pacing), so the queue is wide (HITL_CONCURRENCY, 256). But the waiting ones wake up to spend CPU on
// the same thread that answers webhooks, and under a stream of events that thread saturates: the
// wide queue then runs a reconcile for nearly every event while GitHub's deliveries wait, and each
// reconcile's writes come back as more deliveries. Measured (`npm run bench -- load`, stream of 1,000
// pushes/s to 500 PRs): 256 wide answered 780–1,020 deliveries/s with ~3,000 reconciles; 96 wide
// answered everything as it came, with 1,311 reconciles, every PR on its last head 5 s after.
// A fixed narrow queue costs the paced bursts, where waiting is what reconciles do; so the width
// follows the event loop's utilization: cut by a quarter while it is saturated, grown back in steps
// while it has room (additive increase, multiplicative decrease). Events for a PR that waits are
// coalesced into its one pending reconcile, so a narrower queue means fewer reconciles, not lost ones.
import { performance } from 'node:perf_hooks';

export interface QueueWidthOptions {
  /** The widest (HITL_CONCURRENCY). */
  max: number;
  /** The narrowest it gets (default 16, or `max` if smaller). */
  min?: number;
  /** How often utilization is sampled (default 500 ms). */
  intervalMs?: number;
  /** Utilization at or above which the width is cut (default 0.9). */
  busy?: number;
  /** Utilization below which the width grows (default 0.7). */
  idle?: number;
  /** Share of the last interval the event loop was busy, 0–1. Default: Node's event-loop utilization. */
  utilization?: () => number;
}

export class QueueWidth {
  readonly max: number;
  readonly min: number;
  #current: number;
  readonly #busy: number;
  readonly #idle: number;
  readonly #step: number;
  readonly #intervalMs: number;
  readonly #utilization: () => number;
  readonly #listeners: Array<(width: number) => void> = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(options: QueueWidthOptions) {
    this.max = Math.max(1, Math.floor(options.max));
    this.min = Math.min(this.max, Math.max(1, Math.floor(options.min ?? 16)));
    this.#current = this.max;
    this.#busy = options.busy ?? 0.9;
    this.#idle = options.idle ?? 0.7;
    this.#step = Math.max(1, Math.ceil(this.max / 16));
    this.#intervalMs = options.intervalMs ?? 500;
    this.#utilization = options.utilization ?? eventLoopUtilization();
  }

  get current(): number {
    return this.#current;
  }

  /** Called with the new width whenever it changes. */
  onChange(listener: (width: number) => void): void {
    this.#listeners.push(listener);
  }

  /** Samples utilization once and adjusts the width (the timer calls this; tests call it directly). */
  sample(): number {
    const used = this.#utilization();
    let next = this.#current;
    if (used >= this.#busy) next = Math.max(this.min, Math.floor(this.#current * 0.75));
    else if (used < this.#idle) next = Math.min(this.max, this.#current + this.#step);
    if (next !== this.#current) {
      this.#current = next;
      for (const listener of this.#listeners) listener(next);
    }
    return next;
  }

  start(): void {
    if (this.#timer || this.min === this.max) return;
    this.#timer = setInterval(() => this.sample(), this.#intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

/** Utilization of the event loop since the previous call. */
function eventLoopUtilization(): () => number {
  let last = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const used = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    return used;
  };
}
