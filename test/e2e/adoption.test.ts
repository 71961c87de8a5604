// Adopting the gate without fear, against the real App server and a local GitHub: observe mode acts on
// nothing and says what it would do, switching to enforce needs no restart, and agent work opened
// under a person's name (a commit trailer) is governed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FILES,
  gateCheck,
  idle,
  mergesOf,
  merged,
  openAgentPr,
  policy,
  replies,
  sleep,
  startGate,
  statusComments,
  type Gate,
} from './harness.js';

// Nothing here may merge before a person or a policy change lets it, so a jump of the shared clock
// cannot end another scenario's wait early.
let gate: Gate;
beforeAll(async () => {
  gate = await startGate({ virtualClock: true });
});
afterAll(async () => {
  await gate?.close();
});

const WINDOW_S = 3;
const observed = policy(WINDOW_S).replace('version: 1\n', 'version: 1\nmode: observe\n');

function observedRepo(org: string): string {
  return gate.sim.createRepo({
    name: `${org}/app`,
    policy: observed,
    files: { 'README.md': '# app\n', 'src/app.ts': 'export const x = 0;\n' },
    collaborators: { alice: 'write', bob: 'write' },
  });
}

describe.concurrent('adoption', () => {
  it(
    'observe: a soft PR is never merged after its window, its check is neutral and its comment says what the gate would do; switched to enforce, it merges on the next event',
    { timeout: 90_000 },
    async () => {
      const { sim } = gate;
      const repo = observedRepo('observe-soft-org');
      const n = openAgentPr(sim, repo, 'soft');
      const head = sim.pull(repo, n).headSha;
      const check = await gateCheck(sim, repo, head, (c) => c.conclusion === 'neutral');
      expect(check.data?.title).toMatch(/^Observe mode: Would merge at \d\d:\d\d UTC unless someone vetoes \(soft\)$/);
      await gate.advance('10m'); // well past the window, and a sweep
      await idle(gate, { repo });
      expect(sim.pull(repo, n).merged).toBe(false);
      expect(mergesOf(sim, repo, n)).toHaveLength(0);
      expect(statusComments(sim, repo, n)).toHaveLength(1);
      expect(statusComments(sim, repo, n)[0]).toMatch(/Observe mode/);
      expect(statusComments(sim, repo, n)[0]).toMatch(/Would merge/);

      // The base branch's policy now enforces; the next event (a comment) is enough, no restart.
      sim.advanceBase(repo, { files: [{ path: '.github/hitl.yml', content: policy(WINDOW_S) }] });
      sim.comment(repo, n, 'bob', 'Looks fine to me.');
      const m = await merged(sim, repo, n);
      expect(m.data?.sha).toBe(head);
      expect(mergesOf(sim, repo, n)).toHaveLength(1);
      expect(statusComments(sim, repo, n)).toHaveLength(1);
    },
  );

  it(
    "observe: a hard PR's check is neutral, nobody is asked for a review, and a veto is shown as what it would do",
    { timeout: 60_000 },
    async () => {
      const { sim } = gate;
      const repo = observedRepo('observe-hard-org');
      const n = openAgentPr(sim, repo, 'hard');
      const head = sim.pull(repo, n).headSha;
      const check = await gateCheck(sim, repo, head, (c) => c.conclusion === 'neutral');
      expect(check.data?.title).toBe('Observe mode: Would wait for 1 approval from alice (hard)');
      sim.comment(repo, n, 'alice', '/veto not yet');
      await gateCheck(sim, repo, head, (c) => c.title === 'Observe mode: a /veto by alice would block this PR (hard)');
      await idle(gate, { repo });
      expect(sim.timeline.filter((e) => e.repo === repo && e.kind === 'review-requested')).toEqual([]);
      expect(sim.timeline.filter((e) => e.repo === repo && e.kind === 'check-run' && e.data?.conclusion === 'failure')).toEqual([]);
      await waitFor(() => statusComments(sim, repo, n)[0]?.includes('a `/veto` by **alice** would block this PR') === true);
    },
  );

  it(
    "a person's PR whose commit carries Claude Code's trailer is governed, and its author's /approve does not count",
    { timeout: 60_000 },
    async () => {
      const { sim } = gate;
      const repo = sim.createRepo({
        name: 'trailer-org/app',
        policy: policy(WINDOW_S),
        files: { 'README.md': '# app\n' },
        collaborators: { alice: 'write', bob: 'write' },
      });
      const n = sim.openPullRequest(repo, {
        author: 'bob',
        head: 'feature/migration',
        title: 'Add a column',
        message: 'Add a column\n\nGenerated with Claude Code\n\nCo-Authored-By: Claude <noreply@anthropic.com>',
        files: FILES.hard.map((f) => ({ ...f })),
      });
      const head = sim.pull(repo, n).headSha;
      await gateCheck(sim, repo, head, (c) => c.conclusion === 'failure' && /approv/i.test(c.title));
      await waitFor(
        () => statusComments(sim, repo, n)[0]?.includes('carries the trailer `Co-Authored-By: Claude <noreply@anthropic.com>`') === true,
      );

      sim.comment(repo, n, 'bob', '/approve');
      await waitFor(() => replies(sim, repo, n).some((r) => r.includes('opened this pull request')));
      expect(sim.pull(repo, n).merged).toBe(false);

      sim.comment(repo, n, 'alice', '/approve');
      const m = await merged(sim, repo, n);
      expect(m.data?.sha).toBe(head);
    },
  );

  it("a person's PR without an agent trailer is not governed", { timeout: 30_000 }, async () => {
    const { sim } = gate;
    const repo = sim.createRepo({
      name: 'human-org/app',
      policy: policy(WINDOW_S),
      files: { 'README.md': '# app\n' },
      collaborators: { alice: 'write', bob: 'write' },
    });
    const n = sim.openPullRequest(repo, {
      author: 'bob',
      head: 'feature/x',
      message: 'Add a column\n\nSigned-off-by: Bob <bob@example.com>',
      files: FILES.hard.map((f) => ({ ...f })),
    });
    await gateCheck(sim, repo, sim.pull(repo, n).headSha, (c) => c.conclusion === 'success');
    expect(statusComments(sim, repo, n)).toHaveLength(0);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('timed out');
    await sleep(100);
  }
}
