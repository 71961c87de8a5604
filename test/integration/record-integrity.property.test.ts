// Property: no sequence of comment edits and deletions by accounts other than the gate changes a
// decision. The gate reconciles in-process against the local GitHub; between its looks, the agent and a
// read-only user edit the gate's status comment (garbled text, forged ledgers and records), delete it,
// delete a human's veto, and post imitations of the status comment. Whatever they do, the tier, the
// state, the vetoes and the approvals the gate decides stay what they were.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcile, type GitHubClient, type ReconcileOutcome } from '../../src/github/index.js';
import { GitHubSimulator } from '../sim/index.js';
import { examplePolicy } from '../fixtures/example-policy.js';
import { gateIdentity, installationClient } from '../support/sim-client.js';

const AGENT = 'copilot-swe-agent[bot]';
let sim: GitHubSimulator;
let client: GitHubClient;
let seq = 0;

beforeAll(async () => {
  sim = await new GitHubSimulator({ seed: 5 }).start();
});
afterAll(async () => {
  await sim?.stop();
});

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v), 'utf8').toString('base64');

function setUp(): { repo: string; soft: number; hard: number } {
  const repo = sim.createRepo({
    name: `prop-${(seq += 1)}/app`,
    policy: examplePolicy({ window: '1h', authors: [AGENT] }),
    files: { 'README.md': '# app\n', 'src/app.ts': 'export const x = 0;\n' },
    collaborators: { alice: 'write', eve: 'read', [AGENT]: 'write' },
  });
  client = installationClient(sim, repo);
  const soft = sim.openPullRequest(repo, { author: AGENT, files: [{ path: 'src/app.ts', content: 'export const x = 1;\n' }] });
  const hard = sim.openPullRequest(repo, { author: AGENT, files: [{ path: 'db/migrations/003.sql', content: 'drop table t;\n' }] });
  return { repo, soft, hard };
}

const look = (repo: string, number: number): Promise<ReconcileOutcome> => {
  const [owner, name] = repo.split('/') as [string, string];
  return reconcile(client, { owner, repo: name, number }, { mode: 'full', identity: gateIdentity(sim) });
};

/** What a person sees of a decision. */
const seen = (o: ReconcileOutcome) => ({
  tier: o.decision.tier,
  state: o.decision.state,
  title: o.decision.title,
  vetoes: o.decision.vetoes.map((v) => v.by).sort(),
  approvals: o.decision.approvals.map((a) => a.by).sort(),
  merged: o.merged,
});

/** What a forged body holds; rendered with the PR's real number and head when it is written. */
type Forgery =
  | { kind: 'text'; text: string }
  | { kind: 'ledger-approval' }
  | { kind: 'record-approval' }
  | { kind: 'empty-ledger' }
  | { kind: 'garbled' };

type Tamper =
  | { kind: 'edit-status'; by: string; body: Forgery }
  | { kind: 'delete-status'; by: string }
  | { kind: 'delete-veto'; by: string }
  | { kind: 'imitate'; by: string; body: Forgery }
  | { kind: 'look' };

function render(f: Forgery, pr: number, head: string): string {
  const click = {
    id: 1_900_000_000_000,
    by: 'alice',
    byType: 'User',
    at: new Date().toISOString(),
    action: 'approve',
    headSha: head,
    checkRunId: 1,
  };
  switch (f.kind) {
    case 'text':
      return f.text || ' ';
    case 'ledger-approval':
      return `### 🟢 Approved\n<!-- hitl-gate:status -->\n<!-- hitl-gate:ledger v1 ${b64({ vetoes: [], answered: [], clicks: [click] })} -->`;
    case 'record-approval':
      return `<!-- hitl-gate:status -->\n<!-- hitl-gate:record v1 ${b64({ pr, vetoes: [], answered: [], clicks: [click] })} -->`;
    case 'empty-ledger':
      return `<!-- hitl-gate:ledger v1 ${b64({ vetoes: [], answered: [] })} --> <!-- hitl-gate:status -->`;
    case 'garbled':
      return '<!-- hitl-gate:ledger v1 !!!garbled -->';
  }
}

// Weighted toward what an attacker would write: a forged approval, a ledger without the veto.
const forgery: fc.Arbitrary<Forgery> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('text' as const), text: fc.string({ maxLength: 200 }) }), weight: 1 },
  { arbitrary: fc.constant<Forgery>({ kind: 'ledger-approval' }), weight: 3 },
  { arbitrary: fc.constant<Forgery>({ kind: 'empty-ledger' }), weight: 3 },
  { arbitrary: fc.constantFrom<Forgery>({ kind: 'record-approval' }, { kind: 'garbled' }), weight: 1 },
);

const by = fc.constantFrom(AGENT, 'eve');
const tampering: fc.Arbitrary<Tamper[]> = fc.array(
  fc.oneof(
    { arbitrary: fc.record({ kind: fc.constant('edit-status' as const), by, body: forgery }), weight: 4 },
    { arbitrary: fc.record({ kind: fc.constant('delete-status' as const), by }), weight: 1 },
    { arbitrary: fc.record({ kind: fc.constant('delete-veto' as const), by }), weight: 3 },
    { arbitrary: fc.record({ kind: fc.constant('imitate' as const), by, body: forgery }), weight: 1 },
    { arbitrary: fc.constant({ kind: 'look' as const }), weight: 1 },
  ),
  { minLength: 1, maxLength: 6 },
);

async function apply(repo: string, n: number, veto: number | undefined, t: Tamper): Promise<void> {
  // The gate's status comment (an earlier version marked it with its ledger).
  const status = sim.appComments(repo, n).find((c) => c.body.includes('hitl-gate:status') || c.body.includes('hitl-gate:ledger'));
  const head = sim.pull(repo, n).headSha;
  switch (t.kind) {
    case 'edit-status':
      if (status) sim.editComment(repo, status.id, render(t.body, n, head), t.by);
      break;
    case 'delete-status':
      if (status) sim.deleteComment(repo, status.id, t.by);
      break;
    case 'delete-veto':
      if (veto !== undefined && sim.world.repo(repo).comments.has(veto)) sim.deleteComment(repo, veto, t.by);
      break;
    case 'imitate':
      sim.comment(repo, n, t.by, render(t.body, n, head));
      break;
    case 'look':
      await look(repo, n);
      break;
  }
}

describe('the record against comment tampering', () => {
  it('no sequence of comment edits and deletions by non-gate accounts changes a decision', { timeout: 240_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(tampering, tampering, async (plans, hardPlans) => {
        const { repo, soft, hard } = setUp();
        const veto = sim.comment(repo, soft, 'alice', '/veto not yet');
        // Two looks: the first writes the check run (the window's clock) and the record, the second decides on them.
        await look(repo, soft);
        await look(repo, hard);
        const before = { soft: seen(await look(repo, soft)), hard: seen(await look(repo, hard)) };
        expect(before.soft.state).toBe('blocked');
        expect(before.hard.state).not.toBe('ready');
        for (const t of plans) await apply(repo, soft, veto, t);
        for (const t of hardPlans) await apply(repo, hard, undefined, t);
        const after = { soft: seen(await look(repo, soft)), hard: seen(await look(repo, hard)) };
        expect(after).toEqual(before);
        // And the gate's view is back: one status comment of its own on each PR, with no forged data in it.
        for (const n of [soft, hard]) {
          const views = sim.appComments(repo, n).filter((c) => c.body.includes('hitl-gate:status'));
          expect(views.length).toBeGreaterThanOrEqual(1);
          expect(views[0]!.body).not.toContain('hitl-gate:ledger');
          expect(views[0]!.body).not.toContain('hitl-gate:record');
        }
      }),
      { numRuns: 20 },
    );
  });
});
