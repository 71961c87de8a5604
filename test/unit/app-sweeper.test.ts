import { describe, expect, it } from 'vitest';
import { Sweeper, every } from '../../src/app/sweeper.js';
import type { RepoRef } from '../../src/app/queue.js';

type Installation = { id: number; suspended_at: string | null; repos: Array<{ name: string; archived?: boolean }> | 'fails' };

/** `app.auth` of a Probot app whose installations and repositories are given. */
function fakeApp(installations: Installation[]) {
  return {
    auth: async (id?: number) => ({
      rest: { apps: { listInstallations: 'installations', listReposAccessibleToInstallation: 'repos' } },
      paginate: async (what: string) => {
        if (what === 'installations') return installations.map(({ id, suspended_at }) => ({ id, suspended_at }));
        const inst = installations.find((i) => i.id === id)!;
        if (inst.repos === 'fails') throw new Error('GitHub 502');
        return inst.repos.map((r) => ({ name: r.name, archived: r.archived ?? false, owner: { login: `org${id}` } }));
      },
    }),
  } as never;
}

describe('Sweeper', () => {
  it('sweeps every repository of every active installation, skipping suspended installations and archived repositories', async () => {
    const swept: RepoRef[] = [];
    const sweeper = new Sweeper({
      app: fakeApp([
        { id: 1, suspended_at: null, repos: [{ name: 'a' }, { name: 'old', archived: true }] },
        { id: 2, suspended_at: '2026-01-01T00:00:00Z', repos: [{ name: 'b' }] },
        { id: 3, suspended_at: null, repos: [{ name: 'c' }] },
      ]),
      sweepRepo: async (repo) => void swept.push(repo),
    });
    const report = await sweeper.sweepAll();
    expect(swept).toEqual([
      { installationId: 1, owner: 'org1', repo: 'a' },
      { installationId: 3, owner: 'org3', repo: 'c' },
    ]);
    expect(report).toEqual({ installations: 3, repositories: 2, failures: 0 });
  });

  it('one failing installation or repository does not stop the others', async () => {
    const swept: string[] = [];
    const results: string[] = [];
    const sweeper = new Sweeper({
      app: fakeApp([
        { id: 1, suspended_at: null, repos: 'fails' },
        { id: 2, suspended_at: null, repos: [{ name: 'x' }, { name: 'y' }] },
      ]),
      sweepRepo: async (repo) => {
        if (repo.repo === 'x') throw new Error('boom');
        swept.push(repo.repo);
      },
      onDone: (result) => void results.push(result),
    });
    const report = await sweeper.sweepAll();
    expect(swept).toEqual(['y']);
    expect(report).toMatchObject({ failures: 2 });
    expect(results).toEqual(['failed']);
  });

  it('does not sweep when another replica holds the lease, and survives a lease it cannot read', async () => {
    const results: string[] = [];
    let swept = 0;
    const make = (lease: () => Promise<boolean>) =>
      new Sweeper({
        app: fakeApp([{ id: 1, suspended_at: null, repos: [{ name: 'a' }] }]),
        sweepRepo: async () => void swept++,
        lease,
        onDone: (r) => void results.push(r),
      });
    await make(async () => false).sweepAll();
    await make(async () => {
      throw new Error('redis down');
    }).sweepAll();
    expect(swept).toBe(0);
    expect(results).toEqual(['skipped', 'failed']);
  });

  it('bounds how many repositories are swept at once', async () => {
    let inFlight = 0;
    let max = 0;
    const sweeper = new Sweeper({
      app: fakeApp([{ id: 1, suspended_at: null, repos: Array.from({ length: 10 }, (_, i) => ({ name: `r${i}` })) }]),
      concurrency: 3,
      sweepRepo: async () => {
        max = Math.max(max, ++inFlight);
        await new Promise((r) => setTimeout(r, 10));
        inFlight--;
      },
    });
    await sweeper.sweepAll();
    expect(max).toBe(3);
  });

  it('a second sweep requested while one runs joins it instead of starting another', async () => {
    let sweeps = 0;
    const sweeper = new Sweeper({
      app: fakeApp([{ id: 1, suspended_at: null, repos: [{ name: 'a' }] }]),
      sweepRepo: async () => {
        sweeps++;
        await new Promise((r) => setTimeout(r, 20));
      },
    });
    await Promise.all([sweeper.sweepAll(), sweeper.sweepAll()]);
    expect(sweeps).toBe(1);
  });
});

describe('every', () => {
  it('keeps ticking after a tick fails', async () => {
    let ticks = 0;
    const stop = every(
      10,
      async () => {
        ticks++;
        throw new Error('boom');
      },
      { firstDelayMs: 0, random: () => 0 },
    );
    await expect.poll(() => ticks).toBeGreaterThanOrEqual(3);
    stop();
  });
});
