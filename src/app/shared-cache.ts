// A bounded cache of text, in memory (an LRU bounded by size) and, with REDIS_URL, shared by the
// replicas through Redis with a time-to-live. It only ever holds what GitHub already said (answers
// with their ETags, which PRs were quiet at the last sweep): losing any of it costs requests, never
// a decision.
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';

/** The few commands of an ioredis client this cache uses. */
export interface RedisText {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, mode: 'PX', ttlMs: number): Promise<unknown>;
  del(key: string): Promise<unknown>;
}

export interface SharedCacheOptions {
  /** Bytes of text kept in memory (about: string length). Default 64 MB. */
  maxBytes?: number;
  /** How long an entry lives in Redis. Default one hour. */
  ttlMs?: number;
  redis?: RedisText;
  /** Redis key prefix. */
  prefix?: string;
}

export class SharedCache {
  readonly #memory: LRUCache<string, string>;
  readonly #ttlMs: number;
  readonly #prefix: string;
  #redis: RedisText | undefined;

  constructor(options: SharedCacheOptions = {}) {
    this.#memory = new LRUCache<string, string>({
      maxSize: options.maxBytes ?? 64 * 2 ** 20,
      sizeCalculation: (value, key) => value.length + key.length + 64,
    });
    this.#ttlMs = options.ttlMs ?? 3600_000;
    this.#prefix = options.prefix ?? 'hitl:cache:';
    this.#redis = options.redis;
  }

  /** Share through this Redis from now on (the first one given is kept). */
  share(redis: RedisText): void {
    this.#redis ??= redis;
  }

  get shared(): boolean {
    return this.#redis !== undefined;
  }

  /** Entries and bytes held in this process. */
  get size(): { entries: number; bytes: number } {
    return { entries: this.#memory.size, bytes: this.#memory.calculatedSize };
  }

  #redisKey(key: string): string {
    return this.#prefix + createHash('sha1').update(key).digest('base64url');
  }

  async get(key: string): Promise<string | undefined> {
    const here = this.#memory.get(key);
    if (here !== undefined || !this.#redis) return here;
    // Redis down or slow: a miss, which only costs a full read from GitHub.
    const there = await this.#redis.get(this.#redisKey(key)).catch(() => null);
    if (there === null) return undefined;
    this.#memory.set(key, there);
    return there;
  }

  set(key: string, value: string): void {
    this.#memory.set(key, value);
    void this.#redis?.set(this.#redisKey(key), value, 'PX', this.#ttlMs).catch(() => undefined);
  }

  delete(key: string): void {
    this.#memory.delete(key);
    void this.#redis?.del(this.#redisKey(key)).catch(() => undefined);
  }
}

/** The ioredis client inside Probot's Bottleneck connection (REDIS_URL), when there is one. */
export function redisOf(connection: unknown): RedisText | undefined {
  const client = (connection as { client?: Partial<RedisText> } | undefined)?.client;
  return client && typeof client.get === 'function' && typeof client.set === 'function' && typeof client.del === 'function'
    ? (client as RedisText)
    : undefined;
}
