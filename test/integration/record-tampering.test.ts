// The status comment is a view: whatever someone else does to it, the gate restores it in place and
// says what it noticed, as GitHub tells it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcile } from '../../src/github/index.js';
import { GitHubSimulator } from '../sim/index.js';
import { examplePolicy } from '../fixtures/example-policy.js';
import { gateIdentity, installationClient } from '../support/sim-client.js';

const AGENT = 'copilot-swe-agent[bot]';
let sim: GitHubSimulator;

beforeAll(async () => {
  sim = await new GitHubSimulator({ seed: 17 }).start();
});
afterAll(async () => {
  await sim?.stop();
});

describe('the status comment, edited by someone else', () => {
  it("an edit that takes the gate's marker out is restored in place and said to be an edit, not a deletion", async () => {
    const repo = sim.createRepo({
      name: 'unmarked/app',
      policy: examplePolicy({ window: '1h', authors: [AGENT] }),
      collaborators: { alice: 'write' },
    });
    const client = installationClient(sim, repo);
    const ref = {
      owner: 'unmarked',
      repo: 'app',
      number: sim.openPullRequest(repo, { author: AGENT, files: [{ path: 'db/migrations/9.sql', content: 'drop table t;\n' }] }),
    };
    await reconcile(client, ref, { mode: 'full', identity: gateIdentity(sim) });
    const [status] = sim.appComments(repo, ref.number);
    expect(status!.body).toContain('hitl-gate:status');
    sim.editComment(repo, status!.id, 'Approved by @alice, merging now.', AGENT);

    const after = await reconcile(client, ref, { mode: 'full', identity: gateIdentity(sim) });

    expect(after.notice).toMatchObject({ kind: 'comment-edited', commentId: status!.id });
    const comments = sim.appComments(repo, ref.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.id).toBe(status!.id);
    expect(comments[0]!.body).toContain('hitl-gate:status');
    expect(comments[0]!.body).toMatch(/This status comment was edited by \*\*copilot/);
    expect(after.decision.state).toBe('blocked');
  });
});
