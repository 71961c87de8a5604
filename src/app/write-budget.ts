// GitHub's secondary limits on content-creating requests: per installation at most 80 a minute and
// 500 an hour (docs.github.com, "Rate limits for the REST API"). The App keeps a sliding log of its
// writes per installation and holds the next one until every window has room; with REDIS_URL the log
// lives in Redis, so replicas share one budget. A write is logged when GitHub has answered it, which
// is never earlier than GitHub counted it: the App's windows end no sooner than GitHub's.

import { hasLedgerMarker } from '../core/ledger.js';
import { DASHBOARD_MARKER } from '../core/dashboard.js';

export interface WriteLimit {
  count: number;
  perMs: number;
}

export const GITHUB_WRITE_LIMITS: readonly WriteLimit[] = [
  { count: 80, perMs: 60_000 },
  { count: 500, perMs: 3_600_000 },
];

/** Parses `80/1m,500/1h` (HITL_WRITE_LIMITS: GitHub Enterprise Server admins may set other limits). */
export function parseWriteLimits(text: string): WriteLimit[] | undefined {
  const units: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000 };
  const limits: WriteLimit[] = [];
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^(\d+)\s*\/\s*(\d*(?:\.\d+)?)\s*(s|m|h)$/.exec(part);
    if (!m) return undefined;
    const count = Number(m[1]);
    const perMs = (m[2] ? Number(m[2]) : 1) * units[m[3]!]!;
    if (!(count > 0) || !(perMs > 0)) return undefined;
    limits.push({ count, perMs });
  }
  return limits.length > 0 ? limits : undefined;
}

export interface WriteBudget {
  /** Milliseconds until one more write of `key` fits every window (0: now). */
  waitMs(key: string, now: number): Promise<number>;
  /** A write of `key` was answered at `at`. */
  record(key: string, at: number): Promise<void>;
}

/** Milliseconds until a write fits, from the write times of one key (oldest first). */
export function waitFor(times: readonly number[], limits: readonly WriteLimit[], now: number): number {
  let wait = 0;
  for (const { count, perMs } of limits) {
    const inWindow = times.filter((t) => t > now - perMs);
    if (inWindow.length < count) continue;
    // The write that must leave the window first: the count-th newest.
    const leaving = inWindow[inWindow.length - count]!;
    wait = Math.max(wait, leaving + perMs - now + 1);
  }
  return wait;
}

export class LocalWriteBudget implements WriteBudget {
  readonly #times = new Map<string, number[]>();
  readonly #limits: readonly WriteLimit[];
  readonly #longest: number;

  constructor(limits: readonly WriteLimit[] = GITHUB_WRITE_LIMITS) {
    this.#limits = limits;
    this.#longest = Math.max(...limits.map((l) => l.perMs));
  }

  async waitMs(key: string, now: number): Promise<number> {
    const times = this.#times.get(key);
    return times ? waitFor(times, this.#limits, now) : 0;
  }

  async record(key: string, at: number): Promise<void> {
    const times = (this.#times.get(key) ?? []).filter((t) => t > at - this.#longest);
    times.push(at);
    this.#times.set(key, times);
  }
}

/** The same log in a Redis sorted set per installation (score = answer time), trimmed to the
 * longest window. */
/** The sorted-set commands of an ioredis client the Redis budget uses. */
export interface RedisSortedSets {
  zremrangebyscore(key: string, min: string | number, max: string | number): Promise<unknown>;
  zrange(key: string, start: number, stop: number, withScores: 'WITHSCORES'): Promise<string[]>;
  zadd(key: string, score: number, member: string): Promise<unknown>;
  pexpire(key: string, ms: number): Promise<unknown>;
}

export class RedisWriteBudget implements WriteBudget {
  readonly #redis: RedisSortedSets;
  readonly #limits: readonly WriteLimit[];
  readonly #longest: number;
  readonly #prefix: string;

  constructor(redis: RedisSortedSets, limits: readonly WriteLimit[] = GITHUB_WRITE_LIMITS, prefix = 'hitl:writes:') {
    this.#redis = redis;
    this.#limits = limits;
    this.#longest = Math.max(...limits.map((l) => l.perMs));
    this.#prefix = prefix;
  }

  async waitMs(key: string, now: number): Promise<number> {
    const k = this.#prefix + key;
    await this.#redis.zremrangebyscore(k, '-inf', now - this.#longest);
    const flat = await this.#redis.zrange(k, 0, -1, 'WITHSCORES');
    const times: number[] = [];
    for (let i = 1; i < flat.length; i += 2) times.push(Number(flat[i]));
    return waitFor(
      times.sort((a, b) => a - b),
      this.#limits,
      now,
    );
  }

  async record(key: string, at: number): Promise<void> {
    const k = this.#prefix + key;
    await this.#redis.zadd(k, at, `${at}:${Math.random().toString(36).slice(2)}`);
    await this.#redis.pexpire(k, this.#longest);
  }
}

/**
 * Which writes go first when an installation's budget is short (lower first): a merge, then the
 * answer to a human (a reaction acknowledging a command, a reply), then the gate's verdict (check
 * runs, labels, review requests), then a new PR's first status comment, then edits of the status
 * comment, which only restate what the check run already says, and last the dashboard issue, which
 * only gathers what the PRs already say.
 */
export function writePriority(method: string, url: string, body: unknown): number {
  if (isDashboardWrite(method, url, body)) return 5;
  if (method === 'PUT' && /\/pulls\/[^/]+\/merge$/.test(url)) return 0;
  if (method === 'POST' && url.endsWith('/graphql')) return 0; // merge queue mutations: enqueue or dequeue
  if (/\/reactions(\/|$)/.test(url)) return 1;
  if (method === 'POST' && /\/issues\/[^/]+\/comments$/.test(url)) {
    const text = typeof body === 'object' && body !== null ? String((body as { body?: unknown }).body ?? '') : '';
    return hasLedgerMarker(text) ? 3 : 1;
  }
  if (method === 'PATCH' && /\/issues\/comments\/[^/]+$/.test(url)) return 4;
  return 2;
}

/** Opening or editing the dashboard issue (its body carries the dashboard's marker). */
function isDashboardWrite(method: string, url: string, body: unknown): boolean {
  if (!(method === 'POST' && /\/issues$/.test(url)) && !(method === 'PATCH' && /\/issues\/[^/]+$/.test(url))) return false;
  const text = typeof body === 'object' && body !== null ? (body as { body?: unknown }).body : undefined;
  return typeof text === 'string' && text.includes(DASHBOARD_MARKER);
}
