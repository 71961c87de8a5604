// GitHub does not redeliver failed webhooks: the periodic sweep must make up for every lost one.
import { describe, expect, it } from 'vitest';
import { gateCheck, gatePerTest, merged, mergesOf, openAgentPr, repoFor, statusComments } from './harness.js';

const start = gatePerTest();

describe('lost webhooks', () => {
  it('webhooks that never arrive are made up for by the sweep', { timeout: 90_000 }, async () => {
    const gate = await start();
    const { sim } = gate;
    const repo = repoFor(sim, 'lost-org', 3);
    sim.setWebhookFaults({ dropRate: 1 });
    const soft = openAgentPr(sim, repo, 'soft');
    const hard = openAgentPr(sim, repo, 'hard');
    // The gate never heard of these PRs; its periodic sweep (10 s) finds them.
    await gateCheck(sim, repo, sim.pull(repo, hard).headSha, (c) => c.conclusion === 'failure', 30_000);
    sim.comment(repo, hard, 'alice', '/approve');
    await Promise.all([merged(sim, repo, soft, 60_000), merged(sim, repo, hard, 60_000)]);
    expect(sim.deliveries.every((d) => d.dropped)).toBe(true);
    expect(mergesOf(sim, repo, soft)).toHaveLength(1);
    expect(mergesOf(sim, repo, hard)).toHaveLength(1);
    expect(statusComments(sim, repo, hard)).toHaveLength(1);
  });
});
