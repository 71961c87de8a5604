// GitHub does not redeliver failed webhooks: the periodic sweep must make up for every lost one.
import { afterEach, describe, expect, it } from 'vitest';
import { gateCheck, merged, mergesOf, openAgentPr, repoFor, startGate, statusComments, type Gate } from './harness.js';

let gate: Gate | undefined;
afterEach(async () => {
  await gate?.close();
  gate = undefined;
});

describe('lost webhooks', () => {
  it('webhooks that never arrive are made up for by the sweep', { timeout: 90_000 }, async () => {
    gate = await startGate();
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
