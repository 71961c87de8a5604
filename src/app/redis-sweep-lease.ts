// Which replica sweeps all installations this interval: the one that takes the lease. It lasts a
// little less than an interval and is never released early, so one replica sweeps per interval
// however many run, and a replica that crashed mid-sweep hands over at the next interval.
import type { Redis } from 'ioredis';

export class RedisSweepLease {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #holder: string;
  readonly #ttlMs: number;

  /** `holder` names this replica in the lease (for whoever looks at Redis). */
  constructor(redis: Redis, key: string, holder: string, sweepIntervalMs = 300_000) {
    this.#redis = redis;
    this.#key = key;
    this.#holder = holder;
    this.#ttlMs = Math.max(5_000, Math.round(sweepIntervalMs * 0.9));
  }

  /** True when this replica runs the sweep now. */
  async take(): Promise<boolean> {
    return (await this.#redis.set(this.#key, this.#holder, 'PX', this.#ttlMs, 'NX')) === 'OK';
  }
}
