// A workflow's GITHUB_TOKEN on the simulator, as the Action meets it on GitHub: it writes as
// `github-actions[bot]` (the GitHub Actions app), only in its own repository, only under the scopes
// its workflow granted; and the installed App cannot touch the check runs it wrote, nor it the App's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitHubSimulator } from './simulator.js';

let sim: GitHubSimulator;
const REPO = 'acme/widgets';
let pr: number;
let appToken: string;

async function api(
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${sim.apiUrl}${path}`, {
    method,
    headers: { authorization: `token ${token}`, accept: 'application/vnd.github+json', 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

beforeAll(async () => {
  sim = await new GitHubSimulator({ checkRunWebhooks: false }).start();
  sim.createRepo({ name: REPO, collaborators: { alice: 'write' } });
  sim.createRepo({ name: 'acme/secrets' });
  pr = sim.openPullRequest(REPO, { author: 'copilot-swe-agent[bot]', files: [{ path: 'src/a.ts', content: 'x\n' }] });
  appToken = `ghs_app_${process.pid}`;
  sim.world.tokens.set(appToken, {
    token: appToken,
    installationId: sim.world.repo(REPO).installationId,
    expiresAt: sim.world.nowMs() + 3600_000,
  });
});

afterAll(async () => {
  await sim?.stop();
});

describe('a workflow token', () => {
  it('comments and writes check runs as github-actions[bot], not as the installed App', async () => {
    const token = sim.workflowToken(REPO);
    const comment = await api(token, 'POST', `/repos/${REPO}/issues/${pr}/comments`, { body: 'hello' });
    expect(comment.status).toBe(201);
    expect(comment.json.user).toMatchObject({ login: 'github-actions[bot]', type: 'Bot' });
    expect(comment.json.performed_via_github_app).toBeNull();
    const run = await api(token, 'POST', `/repos/${REPO}/check-runs`, { name: 'hitl', head_sha: sim.pull(REPO, pr).headSha });
    expect(run.status).toBe(201);
    expect(run.json.app).toMatchObject({ id: 15368, slug: 'github-actions' });
    expect(sim.appComments(REPO, pr)).toEqual([]);
  });

  it("cannot change the installed App's check runs, and the App cannot change its", async () => {
    const token = sim.workflowToken(REPO);
    const head = sim.pull(REPO, pr).headSha;
    const ours = await api(appToken, 'POST', `/repos/${REPO}/check-runs`, { name: 'hitl', head_sha: head });
    const theirs = await api(token, 'POST', `/repos/${REPO}/check-runs`, { name: 'hitl', head_sha: head });
    expect((await api(token, 'PATCH', `/repos/${REPO}/check-runs/${String(ours.json.id)}`, { conclusion: 'success' })).status).toBe(403);
    expect((await api(appToken, 'PATCH', `/repos/${REPO}/check-runs/${String(theirs.json.id)}`, { conclusion: 'success' })).status).toBe(
      403,
    );
    expect(sim.checkRuns(REPO, head).every((r) => r.conclusion === null)).toBe(true);
  });

  it('writes only under the scopes its workflow granted: 403 otherwise, and nothing changes', async () => {
    const token = sim.workflowToken(REPO, { writes: ['issues', 'statuses'] });
    const head = sim.pull(REPO, pr).headSha;
    const before = sim.checkRuns(REPO, head).length;
    const refused = await api(token, 'POST', `/repos/${REPO}/check-runs`, { name: 'hitl', head_sha: head });
    expect(refused.status).toBe(403);
    expect(refused.json.message).toBe('Resource not accessible by integration');
    expect(sim.checkRuns(REPO, head)).toHaveLength(before);
    expect((await api(token, 'PUT', `/repos/${REPO}/pulls/${pr}/merge`, {})).status).toBe(403);
    expect(sim.pull(REPO, pr).merged).toBe(false);
    expect((await api(token, 'POST', `/repos/${REPO}/statuses/${head}`, { state: 'pending', context: 'hitl' })).status).toBe(201);
    // Reading needs no scope.
    expect((await api(token, 'GET', `/repos/${REPO}/pulls/${pr}`)).status).toBe(200);
  });

  it('a read-only token (a pull_request run from a fork) writes nothing at all', async () => {
    const token = sim.workflowToken(REPO, { writes: [] });
    expect((await api(token, 'POST', `/repos/${REPO}/issues/${pr}/comments`, { body: 'sneaky' })).status).toBe(403);
    expect(sim.comments(REPO, pr).some((c) => c.body === 'sneaky')).toBe(false);
  });

  it('reaches only its own repository, though the App is installed on both', async () => {
    const token = sim.workflowToken(REPO);
    expect((await api(token, 'GET', '/repos/acme/secrets')).status).toBe(404);
    expect((await api(appToken, 'GET', '/repos/acme/secrets')).status).toBe(200);
  });
});
