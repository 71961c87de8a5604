// A lock in Redis that lasts exactly as long as the work holding it. Taken with a random token (SET
// NX PX), renewed by compare-and-set every third of its lifetime while the work runs, released by
// compare-and-delete when it ends. The lifetime only bounds how long a crashed holder blocks others.
//
// Losing it must stop the work from writing: two replicas reconciling one PR would overwrite each
// other's record. Loss is decided locally, without asking Redis on every write: the holder counts the
// lock as held until a tenth of its lifetime before Redis could let it go (from the moment the last
// renewal was sent), so a renewal that hangs while Redis is unreachable, or a process paused past
// its deadline, reads as lost before anyone else can take it. A renewal that finds another token
// loses it at once.
//
// Why not a library: the Redlock implementations on npm renew a lock whose renewal failed again and
// again until its local expiry, and cannot tell "another holder has it" from "Redis did not answer".
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { errorMessage, silentLog, type Log } from './log.js';

/** What the work holding a lock is told. */
export interface Hold {
  /** Aborted once the lock is lost; its reason says why. */
  readonly signal: AbortSignal;
  /** False once the lock is lost, may be lost, or was released: write nothing then. */
  stillHeld(): boolean;
}

export interface RedisLockOptions {
  /** How long the lock outlives a holder that stopped renewing it. */
  ttlMs: number;
  /** Says who lost which lock. */
  log?: Log;
  /** For logs: what the lock protects. */
  what?: string;
}

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/** Below this a lifetime leaves no room to renew before it ends. */
export const MIN_LOCK_TTL_MS = 300;

export class RedisLock implements Hold {
  readonly token = randomUUID();
  readonly #redis: Redis;
  readonly #key: string;
  readonly #ttl: number;
  readonly #log: Log;
  readonly #what: string;
  readonly #abort = new AbortController();
  #validUntil = 0;
  #ended = false;
  #renewTimer: NodeJS.Timeout | undefined;
  #deadline: NodeJS.Timeout | undefined;

  private constructor(redis: Redis, key: string, options: RedisLockOptions) {
    this.#redis = redis;
    this.#key = key;
    this.#ttl = Math.max(MIN_LOCK_TTL_MS, Math.round(options.ttlMs));
    this.#log = options.log ?? silentLog;
    this.#what = options.what ?? key;
  }

  /** The lock, renewing itself until `release`; undefined when someone else holds it. */
  static async take(redis: Redis, key: string, options: RedisLockOptions): Promise<RedisLock | undefined> {
    const lock = new RedisLock(redis, key, options);
    const sent = Date.now();
    if ((await redis.set(key, lock.token, 'PX', lock.#ttl, 'NX')) !== 'OK') return undefined;
    lock.#held(sent);
    lock.#scheduleRenewal();
    return lock;
  }

  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  stillHeld(): boolean {
    return !this.#ended && !this.#abort.signal.aborted && Date.now() < this.#validUntil;
  }

  /** Stops renewing and lets the lock go; a lock that passed to another holder stays theirs (the
   * delete compares tokens). Never throws: a lock that could not be deleted expires on its own. */
  async release(): Promise<void> {
    if (this.#ended) return;
    const lost = this.#abort.signal.aborted;
    this.#stop();
    const deleted = this.#redis.eval(RELEASE, 1, this.#key, this.token).catch((error: unknown) => {
      this.#log.warn({ lock: this.#what, err: errorMessage(error) }, 'could not release a lock; it expires on its own');
    });
    // A lock lost because Redis stopped answering is not waited for: the work is over either way.
    // It is still deleted, should a renewal that was under way have reached Redis after all.
    if (!lost) await deleted;
  }

  /** Held until a tenth of a lifetime before Redis may expire it, counted from when the command was sent. */
  #held(sentAt: number): void {
    this.#validUntil = sentAt + this.#ttl - Math.ceil(this.#ttl / 10);
    clearTimeout(this.#deadline);
    this.#deadline = setTimeout(() => this.#lose('not renewed in time'), Math.max(0, this.#validUntil - Date.now()));
    this.#deadline.unref();
  }

  #scheduleRenewal(): void {
    if (this.#ended || this.#abort.signal.aborted) return;
    this.#renewTimer = setTimeout(() => void this.#renew(), Math.round(this.#ttl / 3));
    this.#renewTimer.unref();
  }

  async #renew(): Promise<void> {
    if (this.#ended) return;
    const sent = Date.now();
    try {
      const renewed = await this.#redis.eval(RENEW, 1, this.#key, this.token, String(this.#ttl));
      if (this.#ended) return;
      if (renewed !== 1) return this.#lose('another holder has it, or it expired');
      this.#held(sent);
    } catch (error) {
      if (this.#ended) return;
      // Tried again at the next tick; the deadline decides when waiting for Redis becomes a loss.
      this.#log.warn({ lock: this.#what, err: errorMessage(error) }, 'could not renew a lock');
    }
    this.#scheduleRenewal();
  }

  #lose(why: string): void {
    if (this.#ended || this.#abort.signal.aborted) return;
    this.#log.warn({ lock: this.#what, why }, 'lost a lock while its work ran; that work writes nothing more');
    this.#abort.abort(new LockLostError(`${this.#what}: lock lost (${why})`));
    clearTimeout(this.#renewTimer);
    clearTimeout(this.#deadline);
  }

  #stop(): void {
    this.#ended = true;
    clearTimeout(this.#renewTimer);
    clearTimeout(this.#deadline);
  }
}

export class LockLostError extends Error {
  override name = 'LockLostError';
}
