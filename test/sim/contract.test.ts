// The local GitHub cannot drift from GitHub's published contracts unnoticed: an answer or a webhook
// that breaks its schema is recorded, naming the route (or event) and the field, and the suite's setup
// (contract-setup.ts) fails the test during which it happened. Here each kind of break is made on
// purpose and taken out of the record, so that this file's own tests still pass.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractChecksEnabled, takeContractViolations } from './contract.js';
import { pullNodeId } from './merge-queue.js';
import { GitHubSimulator } from './simulator.js';

let sim: GitHubSimulator;
let token: string;
const REPO = 'acme/contract';

beforeAll(async () => {
  sim = await new GitHubSimulator({ seed: 3 }).start();
  sim.createRepo({ name: REPO, policy: 'version: 1\n', collaborators: { alice: 'write' }, mergeQueue: { method: 'SQUASH' } });
  token = `ghs_contract`;
  sim.world.tokens.set(token, { token, installationId: sim.world.repo(REPO).installationId, expiresAt: Date.now() + 3600_000 });
});

afterAll(async () => {
  await sim?.stop();
});

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${sim.apiUrl}${path}`, {
    ...init,
    headers: { authorization: `token ${token}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
  });

describe("the simulator held to GitHub's contracts", () => {
  it('is on in the test suite', () => {
    expect(contractChecksEnabled()).toBe(true);
  });

  it('a REST answer that breaks its documented schema is a violation naming the route, status and field', async () => {
    const n = sim.openPullRequest(REPO, { author: 'copilot-swe-agent[bot]', files: [{ path: 'src/a.ts', content: 'a\n' }] });
    takeContractViolations();
    expect((await api(`/repos/${REPO}/pulls/${n}`)).status).toBe(200);
    expect(takeContractViolations()).toEqual([]);
    // A state GitHub never reports.
    (sim.world.pull(REPO, n) as { state: string }).state = 'half-open';
    await api(`/repos/${REPO}/pulls/${n}`);
    (sim.world.pull(REPO, n) as { state: string }).state = 'open';
    const [v, ...more] = takeContractViolations();
    expect(more).toEqual([]);
    expect(v!.source).toBe('REST GET /repos/{owner}/{repo}/pulls/{pull_number} 200');
    expect(v!.errors.join('\n')).toMatch(/^\/state must be equal to one of the allowed values/m);
  });

  it('a webhook that breaks its schema is a violation naming the event and the field', () => {
    const n = sim.openPullRequest(REPO, { author: 'copilot-swe-agent[bot]', files: [{ path: 'src/b.ts', content: 'b\n' }] });
    takeContractViolations();
    sim.comment(REPO, n, 'alice', '/approve');
    expect(takeContractViolations()).toEqual([]);
    const pull = sim.world.pull(REPO, n) as { title: unknown };
    const title = pull.title;
    pull.title = 42;
    sim.comment(REPO, n, 'alice', 'again');
    pull.title = title;
    const found = takeContractViolations();
    expect(found.map((v) => v.source)).toEqual([
      'webhook issue_comment.created (@octokit/webhooks-schemas)',
      'webhook issue_comment.created (OpenAPI x-webhooks)',
    ]);
    expect(found[0]!.errors.join('\n')).toMatch(/^\/issue\/title must be string/m);
  });

  it("a GraphQL answer with a value GitHub's schema cannot carry is a violation naming the operation and the field", async () => {
    const n = sim.openPullRequest(REPO, { author: 'copilot-swe-agent[bot]', files: [{ path: 'src/c.ts', content: 'c\n' }] });
    const pr = sim.world.pull(REPO, n) as { headSha: string };
    const query =
      'query hitlHead($owner: String!, $repo: String!, $number: Int!) { repository(owner: $owner, name: $repo) { pullRequest(number: $number) { id headRefOid } } }';
    const ask = () =>
      api('/graphql', { method: 'POST', body: JSON.stringify({ query, variables: { owner: 'acme', repo: 'contract', number: n } }) }).then(
        (r) => r.json() as Promise<{ data: unknown; errors?: unknown[] }>,
      );
    takeContractViolations();
    expect((await ask()).data).toEqual({
      repository: { pullRequest: { id: pullNodeId(sim.world.pull(REPO, n)), headRefOid: pr.headSha } },
    });
    expect(takeContractViolations()).toEqual([]);
    const head = pr.headSha;
    pr.headSha = 'not-a-sha';
    const answer = await ask();
    pr.headSha = head;
    expect(answer.errors).toHaveLength(1);
    expect(takeContractViolations()).toEqual([
      { source: 'GraphQL hitlHead', errors: ['/repository/pullRequest/headRefOid GitObjectID cannot represent "not-a-sha"'] },
    ]);
    // GitHub's own refusals (an unknown PR) are answers, not violations.
    await api('/graphql', { method: 'POST', body: JSON.stringify({ query, variables: { owner: 'acme', repo: 'contract', number: 999 } }) });
    expect(takeContractViolations()).toEqual([]);
  });
});
