// One-click Approve / Veto on the gate's check run, through the real App server and a local GitHub:
// a click counts like the command from who clicked, only on the head it was made on, and is told
// once when it does not count.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GitHubSimulator } from '../sim/index.js';
import { gateCheck, idle, merged, mergesOf, openAgentPr, replies, repoFor, startGate, statusComments, type Gate } from './harness.js';

let gate: Gate;
beforeAll(async () => {
  gate = await startGate();
});
afterAll(async () => {
  await gate?.close();
});

/** The gate's check run on `sha`, once it shows the button `identifier`. */
async function buttonOn(sim: GitHubSimulator, repo: string, sha: string, identifier: string): Promise<number> {
  await sim.until(
    () =>
      sim.checkRuns(repo, sha, 'hitl').some((r) => r.app.id === sim.app.id && (r.actions ?? []).some((a) => a.identifier === identifier)),
    30_000,
    `button ${identifier} on ${sha.slice(0, 7)}`,
  );
  return sim
    .checkRuns(repo, sha, 'hitl')
    .filter((r) => r.app.id === sim.app.id && (r.actions ?? []).some((a) => a.identifier === identifier))
    .at(-1)!.id;
}

describe.concurrent('one-click decisions', () => {
  it(
    'an authorized click on Approve approves a hard PR, which then merges; the status comment says who clicked and when',
    { timeout: 60_000 },
    async () => {
      const { sim } = gate;
      const repo = repoFor(sim, 'click-ok-org');
      const n = openAgentPr(sim, repo, 'hard');
      const head = sim.pull(repo, n).headSha;
      await gateCheck(sim, repo, head, (c) => c.conclusion === 'failure');
      const run = await buttonOn(sim, repo, head, 'approve');
      const clickedAt = Date.now();
      sim.clickCheckRunAction(repo, run, 'bob', 'approve');
      const m = await merged(sim, repo, n);
      expect(m.at).toBeGreaterThan(clickedAt);
      expect(m.data?.sha).toBe(head);
      expect(mergesOf(sim, repo, n)).toHaveLength(1);
      const [status] = statusComments(sim, repo, n);
      expect(status).toMatch(/\*\*bob\*\* clicked \*\*Approve\*\* on the check \(\d\d:\d\d UTC\)/);
      expect(replies(sim, repo, n)).toEqual([]);
    },
  );

  it('a click by someone who may not approve is refused with one reply, and the PR stays blocked', { timeout: 60_000 }, async () => {
    const { sim } = gate;
    const repo = repoFor(sim, 'click-refused-org');
    const n = openAgentPr(sim, repo, 'hard');
    const head = sim.pull(repo, n).headSha;
    await gateCheck(sim, repo, head, (c) => c.conclusion === 'failure');
    const run = await buttonOn(sim, repo, head, 'approve');
    sim.clickCheckRunAction(repo, run, 'eve', 'approve');
    sim.clickCheckRunAction(repo, run, 'eve', 'approve');
    await sim.until(() => replies(sim, repo, n).some((r) => r.includes('@eve')), 30_000, 'the answer to eve');
    await idle(gate, { repo }); // both clicks handled
    expect(replies(sim, repo, n)).toHaveLength(1);
    expect(replies(sim, repo, n)[0]).toMatch(/click on \*\*Approve\*\*[\s\S]*not an authorized reviewer/);
    expect(sim.pull(repo, n).merged).toBe(false);
    expect(statusComments(sim, repo, n)[0]).toMatch(/Blocked/);
  });

  it('a click on the check of an older head counts for nothing, and the clicker is told', { timeout: 60_000 }, async () => {
    const { sim } = gate;
    const repo = repoFor(sim, 'click-old-org');
    const n = openAgentPr(sim, repo, 'hard');
    const first = sim.pull(repo, n).headSha;
    await gateCheck(sim, repo, first, (c) => c.conclusion === 'failure');
    const oldRun = await buttonOn(sim, repo, first, 'approve');
    const second = sim.push(repo, n, { files: [{ path: 'db/migrations/002_add.sql', content: 'alter table t add d int;\n' }] });
    await gateCheck(sim, repo, second, (c) => c.conclusion === 'failure');
    sim.clickCheckRunAction(repo, oldRun, 'bob', 'approve');
    await sim.until(() => replies(sim, repo, n).some((r) => r.includes('@bob')), 30_000, 'the answer to bob');
    expect(replies(sim, repo, n)[0]).toMatch(
      new RegExp(`older commit[\\s\\S]*${first.slice(0, 7)}|${first.slice(0, 7)}[\\s\\S]*older commit`),
    );
    await idle(gate, { repo });
    expect(sim.pull(repo, n).merged).toBe(false);
    // The button on the current head still works.
    const run = await buttonOn(sim, repo, second, 'approve');
    sim.clickCheckRunAction(repo, run, 'bob', 'approve');
    const m = await merged(sim, repo, n);
    expect(m.data?.sha).toBe(second);
  });
});
