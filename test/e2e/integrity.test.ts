// Human authority cannot be forged. An agent has write access to the repository, so it can edit or
// delete any comment there, the gate's status comment included. Each test here is an attack such an
// agent would try against the real App server; none of them may merge a PR, turn its check green, or
// lift a human's veto, and the gate says what it noticed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AGENT,
  FILES,
  LEDGER,
  gateCheck,
  idle,
  merged,
  openAgentPr,
  replies,
  repoFor,
  startGate,
  statusComments,
  type Gate,
} from './harness.js';

// No attack here may ever merge, so letting time pass (a jump of the shared clock) cannot break another.
let gate: Gate;
beforeAll(async () => {
  gate = await startGate({ sweepInterval: '10s', virtualClock: true });
});

/** Well past every window here and a periodic sweep, and the server done with what fell due. */
async function timePasses(): Promise<void> {
  await gate.advance('10m');
  await idle(gate);
}
afterAll(async () => {
  await gate?.close();
});

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v), 'utf8').toString('base64');

/** A forged approval click in both the ledger format earlier versions kept in the comment and the
 * record format the gate now keeps in its check run. */
function forgedApproval(pr: number, headSha: string, checkRunId: number, at: string): string {
  const click = { id: 1_900_000_000_000, by: 'alice', byType: 'User', at, action: 'approve', headSha, checkRunId };
  const ledger = { vetoes: [], answered: [], clicks: [click] };
  return [
    '### 🟢 Approved by @alice: ready to merge (hard)',
    '',
    `<!-- hitl-gate:status -->`,
    `<!-- hitl-gate:ledger v1 ${b64(ledger)} -->`,
    `<!-- hitl-gate:record v1 ${b64({ pr, ...ledger })} -->`,
  ].join('\n');
}

function statusCommentOf(repo: string, n: number) {
  const c = gate.sim.appComments(repo, n).find((x) => x.body.includes(LEDGER));
  if (!c) throw new Error(`no status comment on ${repo}#${n}`);
  return c;
}

function lastGateRun(repo: string, sha: string) {
  const runs = gate.sim.checkRuns(repo, sha, 'hitl').filter((r) => r.app.id === gate.sim.app.id);
  return runs[runs.length - 1];
}

/** Waits until the gate's status comment says something. */
function commentSays(repo: string, n: number, pattern: RegExp, what: string): Promise<void> {
  return gate.sim.until(() => statusComments(gate.sim, repo, n).some((b) => pattern.test(b)), 30_000, what);
}

describe('the record only the gate can write', () => {
  it(
    'a forged approval written into the status comment does not approve a hard PR; the gate restores its comment and says who edited it',
    { timeout: 60_000 },
    async () => {
      const { sim } = gate;
      const repo = repoFor(sim, 'forged-approval-org');
      const n = openAgentPr(sim, repo, 'hard');
      const head = sim.pull(repo, n).headSha;
      await gateCheck(sim, repo, head, (c) => c.conclusion === 'failure');
      const status = statusCommentOf(repo, n);
      sim.editComment(repo, status.id, forgedApproval(n, head, lastGateRun(repo, head)!.id, new Date().toISOString()), AGENT);
      await commentSays(repo, n, /edited by \*\*copilot/, 'the gate noticing the edit');
      await timePasses();
      expect(sim.pull(repo, n).merged).toBe(false);
      expect(lastGateRun(repo, head)!.conclusion).toBe('failure');
      const restored = statusCommentOf(repo, n).body;
      expect(restored).not.toMatch(/Approved by @alice/);
      expect(restored).not.toContain('hitl-gate:ledger');
      expect(lastGateRun(repo, head)!.output.summary).toMatch(/edited by \*\*copilot/);
    },
  );

  it(
    'deleting a veto and scrubbing it from the status comment does not lift it: the window ends and nothing merges',
    { timeout: 60_000 },
    async () => {
      const { sim } = gate;
      const repo = repoFor(sim, 'erased-veto-org', 3);
      const n = openAgentPr(sim, repo, 'soft');
      const head = sim.pull(repo, n).headSha;
      await gateCheck(sim, repo, head, (c) => c.status === 'in_progress');
      const veto = sim.comment(repo, n, 'alice', '/veto not this one');
      await gateCheck(sim, repo, head, (c) => c.conclusion === 'failure');
      sim.deleteComment(repo, veto, AGENT);
      const status = statusCommentOf(repo, n);
      sim.editComment(
        repo,
        status.id,
        '### 🟡 Merges soon\n\nNo vetoes.\n\n<!-- hitl-gate:status -->\n<!-- hitl-gate:ledger v1 ' +
          b64({ vetoes: [], answered: [] }) +
          ' -->',
        AGENT,
      );
      await commentSays(repo, n, /edited by \*\*copilot/, 'the gate noticing the edit');
      await timePasses(); // past the 3 s window, and a sweep
      expect(sim.pull(repo, n).merged).toBe(false);
      expect(lastGateRun(repo, head)!.conclusion).toBe('failure');
      expect(statusCommentOf(repo, n).body).toMatch(/alice/);
    },
  );

  it(
    "deleting the status comment with the veto's comment changes nothing: a new status comment still holds the veto and says the old one was deleted",
    { timeout: 60_000 },
    async () => {
      const { sim } = gate;
      const repo = repoFor(sim, 'deleted-record-org', 3);
      const n = openAgentPr(sim, repo, 'soft');
      const head = sim.pull(repo, n).headSha;
      await gateCheck(sim, repo, head, (c) => c.status === 'in_progress');
      const veto = sim.comment(repo, n, 'alice', '/veto');
      await gateCheck(sim, repo, head, (c) => c.conclusion === 'failure');
      const old = statusCommentOf(repo, n).id;
      sim.deleteComment(repo, veto, AGENT);
      sim.deleteComment(repo, old, AGENT);
      await sim.until(
        () => sim.appComments(repo, n).some((c) => c.id !== old && c.body.includes(LEDGER) && /deleted/.test(c.body)),
        30_000,
        'a new status comment that says the old one was deleted',
      );
      await timePasses();
      expect(sim.pull(repo, n).merged).toBe(false);
      expect(lastGateRun(repo, head)!.conclusion).toBe('failure');
      expect(statusCommentOf(repo, n).body).toMatch(/alice/);
    },
  );

  it(
    'a PR governed only by its label stays governed after its author garbles the comment and removes the label',
    { timeout: 60_000 },
    async () => {
      const { sim } = gate;
      const repo = repoFor(sim, 'garbled-org');
      const n = sim.openPullRequest(repo, {
        author: 'dave',
        title: 'migration',
        labels: ['ai-generated'],
        files: FILES.hard.map((f) => ({ ...f })),
      });
      const head = sim.pull(repo, n).headSha;
      await gateCheck(sim, repo, head, (c) => c.conclusion === 'failure');
      const status = statusCommentOf(repo, n);
      sim.editComment(repo, status.id, status.body.replace(/<!--[\s\S]*?-->/g, '<!-- hitl-gate:ledger v1 !!!garbled -->'), 'dave');
      sim.unlabel(repo, n, 'dave', 'ai-generated');
      await commentSays(repo, n, /edited by \*\*dave\*\*/, 'the gate noticing the edit');
      await timePasses();
      const run = lastGateRun(repo, head)!;
      expect(run.conclusion).toBe('failure');
      expect(run.output.title).not.toMatch(/Not an agent PR/);
      expect(sim.pull(repo, n).merged).toBe(false);
    },
  );

  it(
    "a comment by the agent that imitates the gate's status comment, with a record copied from another PR, approves nothing",
    { timeout: 60_000 },
    async () => {
      const { sim } = gate;
      const repo = repoFor(sim, 'imitation-org');
      const n = openAgentPr(sim, repo, 'hard');
      const head = sim.pull(repo, n).headSha;
      await gateCheck(sim, repo, head, (c) => c.conclusion === 'failure');
      // The record of another PR, approved by alice, and one forged for this PR: both in an agent's comment.
      sim.comment(
        repo,
        n,
        AGENT,
        forgedApproval(n + 1, head, 1, new Date().toISOString()) +
          '\n' +
          forgedApproval(n, head, lastGateRun(repo, head)!.id, new Date().toISOString()),
      );
      await timePasses();
      expect(sim.pull(repo, n).merged).toBe(false);
      expect(lastGateRun(repo, head)!.conclusion).toBe('failure');
      expect(replies(sim, repo, n).join('\n')).not.toMatch(/Approved by @alice/);
    },
  );

  it(
    'a veto survives a force-push whose webhook was lost, after its comment was deleted: the sweep finds the record on the replaced head',
    { timeout: 90_000 },
    async () => {
      const { sim } = gate;
      const repo = repoFor(sim, 'force-push-org', 3);
      const n = openAgentPr(sim, repo, 'soft');
      const first = sim.pull(repo, n).headSha;
      await gateCheck(sim, repo, first, (c) => c.status === 'in_progress');
      const veto = sim.comment(repo, n, 'alice', '/veto wrong approach');
      await gateCheck(sim, repo, first, (c) => c.conclusion === 'failure');
      sim.deleteComment(repo, veto, AGENT);
      await idle(gate);
      // The old head leaves the PR: its commits are gone from the PR; only the timeline names it.
      const second = sim.forcePush(repo, n, {
        by: AGENT,
        files: [{ path: 'src/app.ts', content: 'export const x = 2;\n' }],
        deliver: false,
      });
      expect(sim.pull(repo, n).commits).not.toContain(first);
      await gate.advance('10s'); // the next periodic sweep, which finds the new head
      await gateCheck(sim, repo, second, (c) => c.conclusion === 'failure', 45_000);
      await timePasses();
      expect(sim.pull(repo, n).merged).toBe(false);
      expect(lastGateRun(repo, second)!.conclusion).toBe('failure');
      expect(lastGateRun(repo, second)!.output.summary).toMatch(/alice/);
    },
  );

  it(
    'the record never gets in the way of a human: an authorized /approve still merges a hard PR on the decided head',
    { timeout: 90_000 },
    async () => {
      const { sim } = gate;
      const repo = repoFor(sim, 'bound-click-org');
      const n = openAgentPr(sim, repo, 'hard');
      const head = sim.pull(repo, n).headSha;
      await gateCheck(sim, repo, head, (c) => c.conclusion === 'failure');
      sim.comment(repo, n, 'alice', '/approve');
      const m = await merged(sim, repo, n);
      expect(m.data?.sha).toBe(head);
    },
  );
});
