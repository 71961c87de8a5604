// A server killed mid-window (SIGKILL: no drain, no goodbye) must not lose or double a merge.
import { describe, expect, it } from 'vitest';
import { gateCheck, gatePerTest, idle, merged, mergesOf, openAgentPr, repoFor, statusComments } from './harness.js';

const start = gatePerTest();

describe('restart', () => {
  it('a server killed mid-window is restarted and the PR still merges exactly once, after the window', { timeout: 90_000 }, async () => {
    const gate = await start();
    const { sim } = gate;
    const repo = repoFor(sim, 'restart-org', 8);
    const opened = Date.now();
    const n = openAgentPr(sim, repo, 'soft');
    const head = sim.pull(repo, n).headSha;
    await gateCheck(sim, repo, head, (c) => c.status === 'in_progress');
    await sim.until(() => statusComments(sim, repo, n).length === 1, 20_000, 'the status comment');
    expect(sim.pull(repo, n).merged).toBe(false);
    const killedAt = Date.now();
    await gate.restart('kill');
    // While it was down nothing changed on GitHub; the new process must find the window by itself
    // (its start-up sweep), since no webhook will tell it.
    const m = await merged(sim, repo, n, 60_000);
    expect(m.at - opened).toBeGreaterThanOrEqual(8_000);
    expect(m.at).toBeGreaterThan(killedAt);
    expect(m.data?.sha).toBe(head);
    await idle(gate, { repo });
    expect(mergesOf(sim, repo, n)).toHaveLength(1);
    expect(statusComments(sim, repo, n)).toHaveLength(1);
  });

  it('a merge that GitHub performed but answered with a 502 is not repeated', { timeout: 90_000 }, async () => {
    const gate = await start({ virtualClock: true });
    const { sim } = gate;
    const repo = repoFor(sim, 'merge-502-org', 3);
    // Every merge takes effect and is then answered 502, as GitHub does now and then.
    sim.setRestFaults({ errorAfterWriteRate: 1, only: (method, route) => method === 'PUT' && route.endsWith('/merge') });
    const n = openAgentPr(sim, repo, 'soft');
    const head = sim.pull(repo, n).headSha;
    const m = await merged(sim, repo, n, 60_000);
    expect(m.data?.sha).toBe(head);
    await gate.advance('10s'); // past a sweep: nothing may try again
    await idle(gate);
    expect(mergesOf(sim, repo, n)).toHaveLength(1);
    expect(sim.requests.filter((r) => r.fault === 'error-after-write')).not.toHaveLength(0);
    expect(statusComments(sim, repo, n)).toHaveLength(1);
  });
});
