// When each repository's dashboard issue is refreshed: soon after a change (a reconcile of one of its
// PRs, a sweep), never more than once per interval per repository, however many events arrive and
// however many replicas see them. A refresh takes the repository's turn first: a slot that lasts one
// interval, in memory or (with REDIS_URL) in Redis, so only one replica refreshes a repository per
// interval. A replica that finds the turn taken tries again when it ends, so a change it saw is shown
// at the latest one interval later; whoever refreshes reads everything afresh from GitHub.
import { repoKey, type RepoRef } from './queue.js';
import { errorMessage, type Log } from './log.js';

/** 0: the turn is this process's, for `intervalMs`; otherwise milliseconds until it can be taken. */
export type DashboardTurns = (key: string, intervalMs: number) => Promise<number>;

export const DEFAULT_DASHBOARD_INTERVAL_MS = 60_000;

/** One process: the time each repository's turn was last taken. Bounded by the repositories it serves. */
export function memoryTurns(now: () => number = Date.now): DashboardTurns {
  const taken = new Map<string, number>();
  return async (key, intervalMs) => {
    const at = now();
    const last = taken.get(key);
    if (last !== undefined && at - last < intervalMs) return last + intervalMs - at;
    for (const [k, t] of taken) if (at - t >= intervalMs) taken.delete(k);
    taken.set(key, at);
    return 0;
  };
}

/** The subset of an ioredis client the shared turns use. */
export interface RedisTurnClient {
  set(key: string, value: string, px: 'PX', ms: number, nx: 'NX'): Promise<string | null>;
  pttl(key: string): Promise<number>;
}

/** Replicas: the turn is a key set only if absent, expiring after one interval. */
export function redisTurns(redis: RedisTurnClient, prefix: string, replica: string): DashboardTurns {
  return async (key, intervalMs) => {
    const k = `${prefix}:dashboard:${key}`;
    if ((await redis.set(k, replica, 'PX', intervalMs, 'NX')) === 'OK') return 0;
    const left = await redis.pttl(k);
    // -2: expired meanwhile (try again at once); -1: no expiry, which this code never sets.
    return left > 0 ? left : left === -2 ? 1 : intervalMs;
  };
}

export interface DashboardSchedulerOptions {
  refresh: (repo: RepoRef) => Promise<unknown>;
  turns?: DashboardTurns;
  intervalMs?: number;
  /** A change is shown this long after it, so the rest of a burst is shown with it. Default 2 s. */
  settleMs?: number;
  log: Log;
}

export class DashboardScheduler {
  readonly #options: DashboardSchedulerOptions;
  readonly #turns: DashboardTurns;
  readonly #intervalMs: number;
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #running = new Map<string, Promise<void>>();
  /** Changed while its refresh ran: refreshed again at its next turn. */
  readonly #dirty = new Map<string, RepoRef>();
  #closed = false;

  constructor(options: DashboardSchedulerOptions) {
    this.#options = options;
    this.#intervalMs = options.intervalMs ?? DEFAULT_DASHBOARD_INTERVAL_MS;
    this.#turns = options.turns ?? memoryTurns();
  }

  /** Something in this repository may have changed. */
  touch(repo: RepoRef): void {
    if (this.#closed) return;
    const key = repoKey(repo);
    if (this.#running.has(key)) this.#dirty.set(key, repo);
    else if (!this.#timers.has(key)) this.#later(repo, this.#options.settleMs ?? 2_000);
  }

  #later(repo: RepoRef, ms: number): void {
    const key = repoKey(repo);
    const timer = setTimeout(() => void this.#turn(repo), ms);
    timer.unref();
    this.#timers.set(key, timer);
  }

  async #turn(repo: RepoRef): Promise<void> {
    const key = repoKey(repo);
    this.#timers.delete(key);
    if (this.#closed) return;
    let wait: number;
    try {
      wait = await this.#turns(key, this.#intervalMs);
    } catch (error) {
      // Redis away: try again later rather than refresh beside another replica.
      this.#options.log.warn(
        { repo: `${repo.owner}/${repo.repo}`, err: errorMessage(error) },
        "dashboard: could not take the repository's turn",
      );
      wait = this.#intervalMs;
    }
    if (wait > 0) {
      if (!this.#closed && !this.#timers.has(key)) this.#later(repo, wait + 50);
      return;
    }
    const run = this.#options.refresh(repo).then(
      () => undefined,
      (error: unknown) =>
        this.#options.log.warn({ repo: `${repo.owner}/${repo.repo}`, err: errorMessage(error) }, 'dashboard refresh failed'),
    );
    this.#running.set(key, run);
    await run;
    this.#running.delete(key);
    const again = this.#dirty.get(key);
    this.#dirty.delete(key);
    if (again) this.touch(again);
  }

  /** Repositories with a refresh waiting or running (tests). */
  pending(): number {
    return this.#timers.size + this.#running.size;
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
    await Promise.allSettled([...this.#running.values()]);
  }
}
