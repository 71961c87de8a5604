// Existing installations: a PR governed by an earlier version kept its ledger in the gate's status
// comment. After the upgrade its vetoes still hold, read once from that comment, but only where GitHub
// shows nobody but the gate ever edited it; otherwise the PR is held as hard and the gate says why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerMarker } from '../../src/core/ledger.js';
import { reconcile, type GitHubClient } from '../../src/github/index.js';
import { GitHubSimulator } from '../sim/index.js';
import { examplePolicy } from '../fixtures/example-policy.js';
import { gateIdentity, installationClient } from '../support/sim-client.js';

const AGENT = 'copilot-swe-agent[bot]';
let sim: GitHubSimulator;
let seq = 0;

beforeAll(async () => {
  sim = await new GitHubSimulator({ seed: 9 }).start();
});
afterAll(async () => {
  await sim?.stop();
});

/** A repository with a soft agent PR that alice vetoed under an earlier version: the veto is only in
 * the old ledger now (its comment was deleted), and no check run of the gate's carries a record. */
async function earlierVersionsPr(): Promise<{ repo: string; n: number; client: GitHubClient; statusId: number }> {
  const repo = sim.createRepo({
    name: `upgrade-${(seq += 1)}/app`,
    policy: examplePolicy({ window: '1h', authors: [AGENT] }),
    files: { 'src/app.ts': 'export const x = 0;\n' },
    collaborators: { alice: 'write', [AGENT]: 'write' },
  });
  const client = installationClient(sim, repo);
  const n = sim.openPullRequest(repo, { author: AGENT, files: [{ path: 'src/app.ts', content: 'export const x = 1;\n' }] });
  const veto = sim.comment(repo, n, 'alice', '/veto not like this');
  const [owner, name] = repo.split('/') as [string, string];
  // What an earlier version wrote: its status comment with the ledger, posted as the App.
  const ledger = { vetoes: [{ by: 'alice', at: new Date().toISOString(), commentId: veto, reason: 'not like this' }], answered: [veto] };
  const { data } = await client.rest.issues.createComment({
    owner,
    repo: name,
    issue_number: n,
    body: `### 🔴 Blocked: vetoed by @alice (soft)\n\n${ledgerMarker(ledger)}`,
  });
  sim.deleteComment(repo, veto, AGENT);
  return { repo, n, client, statusId: data.id };
}

const look = (client: GitHubClient, repo: string, n: number) => {
  const [owner, name] = repo.split('/') as [string, string];
  return reconcile(client, { owner, repo: name, number: n }, { mode: 'full', identity: gateIdentity(sim) });
};

describe('upgrading from a ledger in the status comment', () => {
  it('keeps a veto that only the old ledger remembers, reading the comment once, and then holds it from the record', async () => {
    const { repo, n, client, statusId } = await earlierVersionsPr();
    const first = await look(client, repo, n);
    expect(first.decision.state).toBe('blocked');
    expect(first.decision.vetoes.map((v) => v.by)).toEqual(['alice']);
    // The veto is now in the gate's record; the comment is a view with no ledger in it.
    const status = sim.world.repo(repo).comments.get(statusId)!;
    expect(status.body).not.toContain('hitl-gate:ledger');
    const run = sim.checkRuns(repo, sim.pull(repo, n).headSha, 'hitl').at(-1)!;
    expect(run.output.text).toContain('hitl-gate:record v1');
    // Editing the comment now (back to an empty ledger) changes nothing.
    sim.editComment(repo, statusId, ledgerMarker({ vetoes: [], answered: [] }), AGENT);
    const again = await look(client, repo, n);
    expect(again.decision.state).toBe('blocked');
    expect(again.decision.vetoes.map((v) => v.by)).toEqual(['alice']);
  });

  it('does not trust an old ledger someone else edited: the PR is held as hard and the gate says why', async () => {
    const { repo, n, client, statusId } = await earlierVersionsPr();
    // The agent scrubs the veto from the old ledger before the upgraded gate first looks.
    sim.editComment(repo, statusId, `### 🟡 Merges soon\n\n${ledgerMarker({ vetoes: [], answered: [] })}`, AGENT);
    const first = await look(client, repo, n);
    expect(first.decision.tier).toBe('hard');
    expect(first.decision.state).not.toBe('ready');
    expect(first.notice).toBeUndefined();
    const body = sim.world.repo(repo).comments.get(statusId)!.body;
    expect(body).toMatch(/earlier version of hitl-gate kept in this comment was edited by \*\*copilot/);
    // It stays hard on later looks (the record keeps the escalation), whatever the comment says.
    const again = await look(client, repo, n);
    expect(again.decision.tier).toBe('hard');
    expect(again.decision.state).not.toBe('ready');
  });
});
