// When the dashboard is refreshed: a burst of changes is one refresh, then at most one per interval
// per repository; a change during a refresh is shown at the next turn; two schedulers sharing turns
// (two replicas) refresh a repository once per interval between them.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DashboardScheduler, memoryTurns, redisTurns, type RedisTurnClient } from '../../src/app/dashboard-scheduler.js';
import { silentLog } from '../../src/app/log.js';

const repo = { installationId: 1, owner: 'acme', repo: 'app' };
const other = { installationId: 1, owner: 'acme', repo: 'other' };

/** A Redis stand-in with SET NX PX and PTTL on the fake clock. */
function fakeRedis(): RedisTurnClient {
  const keys = new Map<string, number>();
  return {
    async set(key, _value, _px, ms) {
      const until = keys.get(key);
      if (until !== undefined && until > Date.now()) return null;
      keys.set(key, Date.now() + ms);
      return 'OK';
    },
    async pttl(key) {
      const until = keys.get(key);
      return until === undefined || until <= Date.now() ? -2 : until - Date.now();
    },
  };
}

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-12-07T09:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('dashboard refreshes', () => {
  it('a burst of changes is one refresh, and later changes wait for the next interval', async () => {
    const refreshed: number[] = [];
    const s = new DashboardScheduler({
      intervalMs: 60_000,
      settleMs: 2_000,
      turns: memoryTurns(),
      log: silentLog,
      refresh: async () => {
        refreshed.push(Date.now());
      },
    });
    for (let i = 0; i < 50; i += 1) s.touch(repo);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(refreshed).toHaveLength(1);
    for (let i = 0; i < 50; i += 1) {
      s.touch(repo);
      await vi.advanceTimersByTimeAsync(1_000);
    }
    // 50 more changes over 50 seconds: shown once the minute since the last refresh is up.
    await vi.advanceTimersByTimeAsync(20_000);
    expect(refreshed).toHaveLength(2);
    expect(refreshed[1]! - refreshed[0]!).toBeGreaterThanOrEqual(60_000);
    await s.close();
  });

  it('each repository has its own turn', async () => {
    const refreshed: string[] = [];
    const s = new DashboardScheduler({
      intervalMs: 60_000,
      log: silentLog,
      refresh: async (r) => {
        refreshed.push(r.repo);
      },
    });
    s.touch(repo);
    s.touch(other);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(refreshed.sort()).toEqual(['app', 'other']);
    await s.close();
  });

  it('a change while a refresh runs is shown by one more refresh, at the next turn', async () => {
    const refreshed: number[] = [];
    let release!: () => void;
    const s = new DashboardScheduler({
      intervalMs: 60_000,
      settleMs: 1_000,
      log: silentLog,
      refresh: async () => {
        refreshed.push(Date.now());
        if (refreshed.length === 1) await new Promise<void>((r) => (release = r));
      },
    });
    s.touch(repo);
    await vi.advanceTimersByTimeAsync(1_000);
    s.touch(repo);
    s.touch(repo);
    release();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(refreshed).toHaveLength(2);
    expect(refreshed[1]! - refreshed[0]!).toBeGreaterThanOrEqual(60_000);
    await s.close();
  });

  it('two replicas sharing the turn in Redis refresh a repository once per interval between them', async () => {
    const redis = fakeRedis();
    const refreshed: string[] = [];
    const replica = (name: string) =>
      new DashboardScheduler({
        intervalMs: 60_000,
        settleMs: 500,
        turns: redisTurns(redis, 'hitl', name),
        log: silentLog,
        refresh: async () => {
          refreshed.push(name);
        },
      });
    const a = replica('a');
    const b = replica('b');
    for (let second = 0; second < 170; second += 1) {
      (second % 2 ? a : b).touch(repo);
      await vi.advanceTimersByTimeAsync(1_000);
    }
    await vi.advanceTimersByTimeAsync(60_000);
    // 170 seconds of changes seen by both: refreshes at 0, 60, 120 and one for the last changes.
    expect(refreshed.length).toBeGreaterThanOrEqual(3);
    expect(refreshed.length).toBeLessThanOrEqual(4);
    await a.close();
    await b.close();
  });

  it('a refresh that fails is logged and the next change is refreshed again', async () => {
    let calls = 0;
    const s = new DashboardScheduler({
      intervalMs: 10_000,
      settleMs: 100,
      log: silentLog,
      refresh: async () => {
        calls += 1;
        if (calls === 1) throw new Error('GitHub down');
      },
    });
    s.touch(repo);
    await vi.advanceTimersByTimeAsync(200);
    s.touch(repo);
    await vi.advanceTimersByTimeAsync(11_000);
    expect(calls).toBe(2);
    await s.close();
  });
});
