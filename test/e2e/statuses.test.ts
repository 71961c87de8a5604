// Other CI that reports commit statuses (Jenkins, older integrations) rather than check runs: a PR the
// gate has decided to merge waits for them, and merges once they pass, without waiting for a sweep.
import { describe, expect, it } from 'vitest';
import { gateCheck, gatePerTest, merged, mergesOf, openAgentPr, repoFor, sleep } from './harness.js';

const start = gatePerTest();

describe('commit statuses of other CI', () => {
  it('an fyi PR waits for a pending Jenkins status and merges moments after it passes', { timeout: 60_000 }, async () => {
    // The sweep is an hour away, and the gate's own look-again after first sight is 30 s away.
    const gate = await start({ sweepInterval: '1h' });
    const { sim } = gate;
    const repo = repoFor(sim, 'status-org');
    const n = openAgentPr(sim, repo, 'fyi');
    const head = sim.pull(repo, n).headSha;
    sim.commitStatus(repo, head, 'jenkins', 'pending');
    await gateCheck(sim, repo, head, (c) => c.conclusion === 'success');
    await sleep(2_000);
    expect(mergesOf(sim, repo, n)).toHaveLength(0);
    const passed = Date.now();
    sim.commitStatus(repo, head, 'jenkins', 'success');
    const m = await merged(sim, repo, n, 20_000);
    expect(m.at - passed).toBeLessThan(10_000);
    expect(m.data?.sha).toBe(head);
  });
});
