// A flaky, rate-limited GitHub and duplicated, reordered webhooks must change no outcome: one
// status comment, at most one merge, nothing merged that nobody saw.
import { describe, expect, it, onTestFailed } from 'vitest';
import { gateCheck, gatePerTest, merged, mergesOf, openAgentPr, repoFor, sleep, statusComments, story } from './harness.js';

const start = gatePerTest();

describe('chaos', () => {
  it('20% server errors, a rate-limit episode and duplicated, reordered webhooks change no outcome', { timeout: 120_000 }, async () => {
    const gate = await start({ seed: 20 });
    const { sim } = gate;
    sim.setRestFaults({ errorRate: 0.2, latencyMs: { min: 5, max: 40 } });
    sim.setWebhookFaults({ duplicateRate: 0.3, reorderRate: 0.3, reorderDelayMs: 400 });
    const repos = { fyi: repoFor(sim, 'chaos-fyi', 4), soft: repoFor(sim, 'chaos-soft', 4), hard: repoFor(sim, 'chaos-hard', 4) };
    const current = gate;
    onTestFailed(() => console.log(story(current, Object.values(repos))));
    const prs = {
      fyi: openAgentPr(sim, repos.fyi, 'fyi'),
      soft: openAgentPr(sim, repos.soft, 'soft'),
      hard: openAgentPr(sim, repos.hard, 'hard'),
    };
    await sleep(1_500);
    sim.rateLimitEpisode({ kind: 'secondary', requests: 6, retryAfterSeconds: 2 });
    await gateCheck(sim, repos.hard, sim.pull(repos.hard, prs.hard).headSha, (c) => c.conclusion === 'failure', 60_000);
    sim.comment(repos.hard, prs.hard, 'eve', '/approve');
    await sleep(2_000);
    sim.comment(repos.hard, prs.hard, 'alice', '/approve');
    await Promise.all([
      merged(sim, repos.fyi, prs.fyi, 90_000),
      merged(sim, repos.soft, prs.soft, 90_000),
      merged(sim, repos.hard, prs.hard, 90_000),
    ]);
    await sleep(3_000);
    await sim.webhooks.settled();
    const faults = sim.requests.filter((r) => r.fault);
    expect(faults.filter((r) => r.fault === 'error').length).toBeGreaterThan(5);
    expect(faults.filter((r) => r.fault === 'rate-limit')).toHaveLength(6);
    for (const [tier, repo] of Object.entries(repos)) {
      const n = prs[tier as keyof typeof prs];
      expect(mergesOf(sim, repo, n), tier).toHaveLength(1);
      expect(mergesOf(sim, repo, n)[0]!.data?.sha, tier).toBe(sim.pull(repo, n).headSha);
      expect(statusComments(sim, repo, n), tier).toHaveLength(1);
    }
    // eve's approval was refused; alice's made the merge.
    expect(sim.appComments(repos.hard, prs.hard).some((c) => c.body.includes('@eve'))).toBe(true);
  });
});
