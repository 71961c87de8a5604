// Each tier's lifecycle and the people around it, against the real App server and a local GitHub.
// The scenarios run concurrently, each in its own organisation (installation), on one server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AGENT,
  gateCheck,
  idle,
  merged,
  mergesOf,
  openAgentPr,
  replies,
  repoFor,
  sleep,
  startGate,
  statusComments,
  type Gate,
} from './harness.js';

/** A gate of its own on a test-driven clock, for a test that lets time pass: jumping the shared gate's
 * clock would end the other scenarios' windows early. Closed whatever happens. */
async function onOwnClock(test: (gate: Gate) => Promise<void>): Promise<void> {
  const own = await startGate({ virtualClock: true });
  try {
    await test(own);
  } finally {
    await own.close();
  }
}

let gate: Gate;
beforeAll(async () => {
  gate = await startGate();
});
afterAll(async () => {
  await gate?.close();
});

describe.concurrent('tier lifecycles', () => {
  it('fyi: a docs-only agent PR gets a green check, one status comment, and merges', { timeout: 60_000 }, async () => {
    const { sim } = gate;
    const repo = repoFor(sim, 'fyi-org');
    const n = openAgentPr(sim, repo, 'fyi');
    const head = sim.pull(repo, n).headSha;
    await gateCheck(sim, repo, head, (c) => c.conclusion === 'success');
    const m = await merged(sim, repo, n);
    expect(m.data?.sha).toBe(head);
    expect(statusComments(sim, repo, n)).toHaveLength(1);
    expect(statusComments(sim, repo, n)[0]).toMatch(/fyi/);
  });

  it('soft: merges only after the veto window, on the head that was decided', { timeout: 60_000 }, async () => {
    const { sim } = gate;
    const repo = repoFor(sim, 'soft-org', 4);
    const opened = Date.now();
    const n = openAgentPr(sim, repo, 'soft');
    const head = sim.pull(repo, n).headSha;
    const waiting = await gateCheck(sim, repo, head, (c) => c.status === 'in_progress');
    expect(waiting.data?.title).toMatch(/veto/i);
    const m = await merged(sim, repo, n);
    expect(m.at - opened).toBeGreaterThanOrEqual(4_000);
    expect(m.data?.sha).toBe(head);
    expect(mergesOf(sim, repo, n)).toHaveLength(1);
    expect(statusComments(sim, repo, n)).toHaveLength(1);
  });

  it('hard: blocked until an authorized reviewer approves, then merges', { timeout: 60_000 }, () =>
    onOwnClock(async (gate) => {
      const { sim } = gate;
      const repo = repoFor(sim, 'hard-org');
      const n = openAgentPr(sim, repo, 'hard');
      const head = sim.pull(repo, n).headSha;
      const blocked = await gateCheck(sim, repo, head, (c) => c.conclusion === 'failure');
      expect(blocked.data?.title).toMatch(/approv/i);
      await gate.advance('30m');
      await idle(gate);
      expect(sim.pull(repo, n).merged).toBe(false);
      const approvedAt = sim.world.nowMs();
      sim.comment(repo, n, 'alice', '/approve');
      const m = await merged(sim, repo, n);
      expect(m.at).toBeGreaterThan(approvedAt);
      expect(mergesOf(sim, repo, n)).toHaveLength(1);
      expect(statusComments(sim, repo, n)).toHaveLength(1);
    }),
  );

  it('a push during the window restarts it and the old head never merges', { timeout: 60_000 }, async () => {
    const { sim } = gate;
    const repo = repoFor(sim, 'push-org', 5);
    const n = openAgentPr(sim, repo, 'soft');
    const first = sim.pull(repo, n).headSha;
    await gateCheck(sim, repo, first, (c) => c.status === 'in_progress');
    await sleep(3_000);
    const pushedAt = Date.now();
    const second = sim.push(repo, n, { files: [{ path: 'src/app.ts', content: 'export const x = 2;\n' }] });
    // As on GitHub, mergeability is recomputed after a push: the next reads say null.
    sim.setMergeableComputing(repo, n, 2);
    await gateCheck(sim, repo, second, (c) => c.status === 'in_progress');
    const m = await merged(sim, repo, n);
    expect(m.data?.sha).toBe(second);
    // The window restarted at the push: 5 s after it, not 5 s after the PR was opened.
    expect(m.at - pushedAt).toBeGreaterThanOrEqual(5_000);
    expect(sim.timeline.some((e) => e.kind === 'merged' && e.data?.sha === first)).toBe(false);
    expect(statusComments(sim, repo, n)).toHaveLength(1);
  });

  it("a veto holds past the window; the vetoer's /veto cancel lets it merge", { timeout: 60_000 }, () =>
    onOwnClock(async (gate) => {
      const { sim } = gate;
      const repo = repoFor(sim, 'veto-org', 4);
      const n = openAgentPr(sim, repo, 'soft');
      const head = sim.pull(repo, n).headSha;
      await gateCheck(sim, repo, head, (c) => c.status === 'in_progress');
      sim.comment(repo, n, 'bob', '/veto this needs a migration first');
      const vetoed = await gateCheck(sim, repo, head, (c) => c.conclusion === 'failure' && /veto/i.test(c.title));
      expect(vetoed.data?.title).toMatch(/bob/);
      // alice cannot lift bob's veto for him.
      sim.comment(repo, n, 'alice', '/veto cancel');
      await idle(gate); // her comment handled
      await gate.advance('10m'); // well past the 4 s window, and a sweep
      await idle(gate);
      expect(sim.pull(repo, n).merged).toBe(false);
      expect(statusComments(sim, repo, n)[0]).toMatch(/veto/i);
      const cancelledAt = sim.world.nowMs();
      sim.comment(repo, n, 'bob', '/veto cancel');
      const m = await merged(sim, repo, n);
      expect(m.at).toBeGreaterThan(cancelledAt);
      expect(mergesOf(sim, repo, n)).toHaveLength(1);
    }),
  );

  it('approvals from the author, a reader, the agent and a bot do not count; people are told why', { timeout: 60_000 }, async () => {
    const { sim } = gate;
    const repo = repoFor(sim, 'authz-org');
    // dave (write access) opens the PR himself and labels it as agent work: governed by the label.
    const n = sim.openPullRequest(repo, {
      author: 'dave',
      title: 'migration',
      labels: ['ai-generated'],
      files: [{ path: 'db/migrations/003.sql', content: 'drop table t;\n' }],
      committer: AGENT,
    });
    const head = sim.pull(repo, n).headSha;
    await gateCheck(sim, repo, head, (c) => c.conclusion === 'failure');
    sim.comment(repo, n, 'dave', '/approve');
    sim.comment(repo, n, 'eve', '/approve');
    sim.comment(repo, n, AGENT, '/approve');
    sim.comment(repo, n, 'renovate[bot]', '/approve');
    sim.comment(repo, n, 'alice', 'Someone wrote:\n> /approve\nbut I have not looked yet.');
    await sim.until(
      () => replies(sim, repo, n).some((r) => r.includes('@eve')) && replies(sim, repo, n).some((r) => r.includes('@dave')),
      30_000,
      'answers to eve and dave',
    );
    await idle(gate, { repo });
    expect(sim.pull(repo, n).merged).toBe(false);
    const answers = replies(sim, repo, n);
    expect(answers.find((r) => r.includes('@eve'))).toMatch(/not[\s\S]*(authorized|reviewer|permission)/i);
    expect(answers.find((r) => r.includes('@dave'))).toMatch(/author/i);
    // Bots are never answered (two bots answering each other never stop), and a quote is no command.
    expect(answers.filter((r) => /copilot|renovate|@alice/.test(r))).toEqual([]);
    expect(statusComments(sim, repo, n)).toHaveLength(1);
    expect(statusComments(sim, repo, n)[0]).toMatch(/Blocked/);
    const approvedAt = Date.now();
    sim.comment(repo, n, 'alice', '/approve');
    const m = await merged(sim, repo, n);
    expect(m.at).toBeGreaterThan(approvedAt);
    expect(mergesOf(sim, repo, n)).toHaveLength(1);
  });
});
