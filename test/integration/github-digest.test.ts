// The daily digest's record, in-process against the local GitHub: claimed in the gate's own
// `hitl-digest` check run before it is sent, found again by a process that forgot it, even after the
// default branch moved on; a run of that name by another App is not the gate's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshDashboard } from '../../src/github/refresh-dashboard.js';
import { reconcile } from '../../src/github/index.js';
import { examplePolicy } from '../fixtures/example-policy.js';
import { GitHubSimulator } from '../sim/index.js';
import { gateIdentity, installationClient } from '../support/sim-client.js';

let sim: GitHubSimulator;
beforeAll(async () => {
  sim = await new GitHubSimulator({ seed: 11 }).start();
});
afterAll(async () => {
  await sim?.stop();
});

const AGENT = 'copilot-swe-agent[bot]';
const NOW = () => new Date('2026-12-07T09:10:00Z'); // a Monday, ten minutes after 09:00 UTC

function repoWithChat(name: string): string {
  const policy = `${examplePolicy({ window: '1h', authors: [AGENT] })}notify:\n  slack: { channel: "#digest", on: [stale] }\nafter_merge:\n  sample: { soft: 0 }\n`;
  return sim.createRepo({ name, policy, collaborators: { alice: 'write' } });
}

describe("the daily digest's record", () => {
  it('is written once, before the digest is handed over, and found again after the default branch moved', async () => {
    const repo = repoWithChat('digest-int/app');
    const hard = sim.openPullRequest(repo, { author: AGENT, files: [{ path: 'db/migrations/1.sql', content: 'x\n' }] });
    const client = installationClient(sim, repo);
    const [owner, name] = repo.split('/') as [string, string];
    await reconcile(client, { owner, repo: name, number: hard }, { mode: 'full', identity: gateIdentity(sim), now: NOW });
    const options = () => ({
      identity: gateIdentity(sim),
      now: NOW,
      digest: { channels: ['slack' as const], sentDays: new Map<string, string>() },
    });
    const first = await refreshDashboard(client, { owner, repo: name }, options());
    expect(first).toMatchObject({
      kind: 'created',
      digest: { channels: ['slack'], slackChannel: '#digest', digest: { day: '2026-12-07', waiting: [{ number: hard }] } },
    });
    const records = () => sim.world.repo(repo).checkRuns.filter((r) => r.name === 'hitl-digest');
    expect(records()).toHaveLength(1);
    expect(records()[0]!.headSha).toBe(sim.world.repo(repo).branches.get('main'));

    // Another process (no memory of it), after the default branch moved on: found, not sent again.
    sim.advanceBase(repo, { files: [{ path: 'docs/a.md', content: 'a\n' }] });
    sim.advanceBase(repo, { files: [{ path: 'docs/b.md', content: 'b\n' }] });
    const again = await refreshDashboard(client, { owner, repo: name }, options());
    expect(again.kind).not.toBe('error');
    expect(again.digest).toBeUndefined();
    expect(records()).toHaveLength(1);
  });

  it("is not found in a run of that name another App wrote: the gate's own record is written and the digest sent", async () => {
    const repo = repoWithChat('digest-forged/app');
    const hard = sim.openPullRequest(repo, { author: AGENT, files: [{ path: 'db/migrations/1.sql', content: 'x\n' }] });
    const client = installationClient(sim, repo);
    const [owner, name] = repo.split('/') as [string, string];
    await reconcile(client, { owner, repo: name, number: hard }, { mode: 'full', identity: gateIdentity(sim), now: NOW });
    // CI (another App) writes a run that looks like the record, to silence today's digest.
    const tip = sim.world.repo(repo).branches.get('main')!;
    const id = sim.ciCheck(repo, tip, 'hitl-digest', 'neutral' as never);
    sim.world.repo(repo).checkRuns.find((r) => r.id === id)!.output.text = '<!-- hitl-gate:digest v1 2026-12-07 -->';
    const outcome = await refreshDashboard(
      client,
      { owner, repo: name },
      { identity: gateIdentity(sim), now: NOW, digest: { channels: ['slack'], sentDays: new Map() } },
    );
    expect(outcome.digest?.digest.day).toBe('2026-12-07');
  });
});
