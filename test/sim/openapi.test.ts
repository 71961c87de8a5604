// The simulator answers like GitHub: every endpoint it implements, driven through the same Probot
// Octokit the App uses (JWT, installation token, GHES base URL), is checked against GitHub's OpenAPI
// description; so are its webhook payloads.
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verify } from '@octokit/webhooks-methods';
import { Probot, ProbotOctokit } from 'probot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestErrors, responseErrors, webhookErrors } from './openapi.js';
import { GitHubSimulator } from './simulator.js';

type Octokit = Awaited<ReturnType<Probot['auth']>>;

const { privateKey, publicKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const SECRET = 'openapi-test-secret';
const REPO = 'acme/widgets';

let sim: GitHubSimulator;
let receiver: Server;
const received: { event: string; body: string; signature: string; delivery: string }[] = [];
let app: Octokit;
let gh: Octokit;
let installationId: number;
let pr: number;
let headSha: string;

/** Asserts the answer is documented and the body matches GitHub's schema for it. */
async function expectDocumented(
  method: string,
  template: string,
  params: Record<string, unknown>,
  expectedStatus: number,
): Promise<{ status: number; data: unknown; headers: Record<string, unknown> }> {
  let status: number;
  let data: unknown;
  let headers: Record<string, unknown>;
  try {
    // No retries: the answer itself is under test (Octokit retries 405 and 409 by default).
    const res = await gh.request(`${method} ${template}`, { ...params, request: { retries: 0 } });
    ({ status, data, headers } = res as { status: number; data: unknown; headers: Record<string, unknown> });
  } catch (err) {
    const e = err as { status?: number; response?: { data: unknown; headers: Record<string, unknown> } };
    if (!e.status || !e.response) throw err;
    status = e.status;
    data = e.response.data;
    headers = e.response.headers;
  }
  expect(status, `${method} ${template}`).toBe(expectedStatus);
  expect(responseErrors(method, template, status, data), `${method} ${template} ${status}`).toEqual([]);
  return { status, data, headers };
}

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        event: String(req.headers['x-github-event']),
        body: Buffer.concat(chunks).toString('utf8'),
        signature: String(req.headers['x-hub-signature-256']),
        delivery: String(req.headers['x-github-delivery']),
      });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  sim = await new GitHubSimulator({
    appPublicKey: publicKey,
    webhookSecret: SECRET,
    webhookUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/github/webhooks`,
  }).start();
  sim.createRepo({
    name: REPO,
    policy: 'version: 1\n',
    files: { 'README.md': '# widgets\n', 'src/a.ts': 'export {}\n' },
    collaborators: { alice: 'write', bob: 'maintain', mallory: 'read' },
  });
  sim.addTeamMember('acme/maintainers', 'alice');
  pr = sim.openPullRequest(REPO, {
    author: 'copilot-swe-agent[bot]',
    head: 'copilot/fix-1',
    title: 'Fix the widget',
    labels: ['ai-generated'],
    files: [
      ...Array.from({ length: 230 }, (_, i) => ({ path: `docs/page-${i}.md`, content: `page ${i}\n` })),
      { path: 'src/a.ts', content: 'export const a = 1;\n' },
      { path: 'src/b.ts', previousPath: 'src/old-b.ts' },
    ],
  });
  headSha = sim.pull(REPO, pr).headSha;
  sim.comment(REPO, pr, 'alice', '/approve');
  sim.review(REPO, pr, 'bob', 'APPROVED', 'looks fine');
  sim.ciCheck(REPO, headSha, 'ci/test', 'success');
  sim.commitStatus(REPO, headSha, 'ci/lint', 'success');
  // The App's own client, as Probot builds it from GHE_HOST / GHE_PROTOCOL.
  // Write pacing (1 s per installation) is the App's business, not under test here.
  const probot = new Probot({
    appId: sim.app.id,
    privateKey,
    secret: SECRET,
    baseUrl: sim.apiUrl,
    logLevel: 'fatal',
    Octokit: ProbotOctokit.defaults({ throttle: { enabled: false } }),
  });
  app = await probot.auth();
  const installs = await app.request('GET /app/installations');
  installationId = (installs.data as { id: number }[])[0]!.id;
  gh = await probot.auth(installationId);
});

afterAll(async () => {
  await sim?.stop();
  await new Promise<void>((r) => receiver?.close(() => r()));
});

describe('REST answers match GitHub OpenAPI description', () => {
  it('app endpoints authenticate with the App JWT', async () => {
    const res = await app.request('GET /app/installations');
    expect(responseErrors('GET', '/app/installations', res.status, res.data)).toEqual([]);
    const one = await app.request('GET /app/installations/{installation_id}', { installation_id: installationId });
    expect(responseErrors('GET', '/app/installations/{installation_id}', 200, one.data)).toEqual([]);
    const tok = await app.request('POST /app/installations/{installation_id}/access_tokens', { installation_id: installationId });
    expect(responseErrors('POST', '/app/installations/{installation_id}/access_tokens', 201, tok.data)).toEqual([]);
    const inst = await app.request('GET /repos/{owner}/{repo}/installation', { owner: 'acme', repo: 'widgets' });
    expect(responseErrors('GET', '/repos/{owner}/{repo}/installation', 200, inst.data)).toEqual([]);
  });

  it('refuses a JWT signed by another key and requests without credentials', async () => {
    const other = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const forger = await new Probot({ appId: sim.app.id, privateKey: other.privateKey, baseUrl: sim.apiUrl, logLevel: 'fatal' }).auth();
    await expect(forger.request('GET /app/installations')).rejects.toMatchObject({ status: 401 });
    const anon = await fetch(`${sim.apiUrl}/repos/acme/widgets/pulls`);
    expect(anon.status).toBe(401);
  });

  it('repository, contents per ref, installation repositories', async () => {
    await expectDocumented('GET', '/repos/{owner}/{repo}', { owner: 'acme', repo: 'widgets' }, 200);
    const file = await expectDocumented(
      'GET',
      '/repos/{owner}/{repo}/contents/{path}',
      { owner: 'acme', repo: 'widgets', path: '.github/hitl.yml', ref: 'main' },
      200,
    );
    expect(Buffer.from((file.data as { content: string }).content, 'base64').toString()).toBe('version: 1\n');
    const atHead = await expectDocumented(
      'GET',
      '/repos/{owner}/{repo}/contents/{path}',
      { owner: 'acme', repo: 'widgets', path: 'src/a.ts', ref: headSha },
      200,
    );
    expect(Buffer.from((atHead.data as { content: string }).content, 'base64').toString()).toBe('export const a = 1;\n');
    await expectDocumented(
      'GET',
      '/repos/{owner}/{repo}/contents/{path}',
      { owner: 'acme', repo: 'widgets', path: 'docs/page-1.md', ref: 'main' },
      404,
    );
    const repos = await expectDocumented('GET', '/installation/repositories', {}, 200);
    expect((repos.data as { repositories: { full_name: string }[] }).repositories.map((r) => r.full_name)).toEqual([REPO]);
  });

  it('pull requests: get, list, files, commits, reviews', async () => {
    const got = await expectDocumented(
      'GET',
      '/repos/{owner}/{repo}/pulls/{pull_number}',
      { owner: 'acme', repo: 'widgets', pull_number: pr },
      200,
    );
    expect(got.data).toMatchObject({
      number: pr,
      head: { sha: headSha, ref: 'copilot/fix-1' },
      changed_files: 232,
      mergeable: true,
      mergeable_state: 'clean',
    });
    await expectDocumented('GET', '/repos/{owner}/{repo}/pulls', { owner: 'acme', repo: 'widgets', state: 'open' }, 200);
    await expectDocumented(
      'GET',
      '/repos/{owner}/{repo}/pulls/{pull_number}/files',
      { owner: 'acme', repo: 'widgets', pull_number: pr, per_page: 100 },
      200,
    );
    await expectDocumented(
      'GET',
      '/repos/{owner}/{repo}/pulls/{pull_number}/commits',
      { owner: 'acme', repo: 'widgets', pull_number: pr },
      200,
    );
    await expectDocumented(
      'GET',
      '/repos/{owner}/{repo}/pulls/{pull_number}/reviews',
      { owner: 'acme', repo: 'widgets', pull_number: pr },
      200,
    );
    await expectDocumented('GET', '/repos/{owner}/{repo}/pulls/{pull_number}', { owner: 'acme', repo: 'widgets', pull_number: 999 }, 404);
    await expectDocumented('GET', '/repos/{owner}/{repo}/issues/{issue_number}', { owner: 'acme', repo: 'widgets', issue_number: pr }, 200);
  });

  it('issue comments, reactions and labels', async () => {
    const created = await expectDocumented(
      'POST',
      '/repos/{owner}/{repo}/issues/{issue_number}/comments',
      { owner: 'acme', repo: 'widgets', issue_number: pr, body: 'status' },
      201,
    );
    const id = (created.data as { id: number; performed_via_github_app: { id: number } | null }).id;
    expect((created.data as { performed_via_github_app: { id: number } }).performed_via_github_app.id).toBe(sim.app.id);
    await expectDocumented(
      'PATCH',
      '/repos/{owner}/{repo}/issues/comments/{comment_id}',
      { owner: 'acme', repo: 'widgets', comment_id: id, body: 'status, edited' },
      200,
    );
    await expectDocumented(
      'GET',
      '/repos/{owner}/{repo}/issues/comments/{comment_id}',
      { owner: 'acme', repo: 'widgets', comment_id: id },
      200,
    );
    const list = await expectDocumented(
      'GET',
      '/repos/{owner}/{repo}/issues/{issue_number}/comments',
      { owner: 'acme', repo: 'widgets', issue_number: pr },
      200,
    );
    const aliceComment = (list.data as { id: number; user: { login: string } }[]).find((c) => c.user.login === 'alice')!;
    await expectDocumented(
      'POST',
      '/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions',
      { owner: 'acme', repo: 'widgets', comment_id: aliceComment.id, content: '+1' },
      201,
    );
    await expectDocumented(
      'POST',
      '/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions',
      { owner: 'acme', repo: 'widgets', comment_id: aliceComment.id, content: '+1' },
      200,
    );
    await expectDocumented(
      'GET',
      '/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions',
      { owner: 'acme', repo: 'widgets', comment_id: aliceComment.id },
      200,
    );
    await expectDocumented(
      'POST',
      '/repos/{owner}/{repo}/issues/{issue_number}/labels',
      { owner: 'acme', repo: 'widgets', issue_number: pr, labels: ['hitl:soft'] },
      200,
    );
    await expectDocumented(
      'GET',
      '/repos/{owner}/{repo}/issues/{issue_number}/labels',
      { owner: 'acme', repo: 'widgets', issue_number: pr },
      200,
    );
    await expectDocumented(
      'DELETE',
      '/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}',
      { owner: 'acme', repo: 'widgets', issue_number: pr, name: 'hitl:soft' },
      200,
    );
  });

  it('check runs, statuses and combined status', async () => {
    const created = await expectDocumented(
      'POST',
      '/repos/{owner}/{repo}/check-runs',
      {
        owner: 'acme',
        repo: 'widgets',
        name: 'hitl',
        head_sha: headSha,
        status: 'in_progress',
        output: { title: 'waiting', summary: 'why' },
      },
      201,
    );
    const id = (created.data as { id: number }).id;
    await expectDocumented(
      'PATCH',
      '/repos/{owner}/{repo}/check-runs/{check_run_id}',
      { owner: 'acme', repo: 'widgets', check_run_id: id, conclusion: 'success', output: { title: 'ready', summary: 'ok' } },
      200,
    );
    await expectDocumented(
      'GET',
      '/repos/{owner}/{repo}/check-runs/{check_run_id}',
      { owner: 'acme', repo: 'widgets', check_run_id: id },
      200,
    );
    const ciRun = sim.checkRuns(REPO, headSha, 'ci/test')[0]!;
    // Another App's check run: GitHub refuses (403, not in its description), so only the status is checked.
    await expect(
      gh.request('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {
        owner: 'acme',
        repo: 'widgets',
        check_run_id: ciRun.id,
        conclusion: 'failure',
        request: { retries: 0 },
      }),
    ).rejects.toMatchObject({ status: 403 });
    const listed = await expectDocumented(
      'GET',
      '/repos/{owner}/{repo}/commits/{ref}/check-runs',
      { owner: 'acme', repo: 'widgets', ref: headSha, check_name: 'hitl', app_id: sim.app.id },
      200,
    );
    expect((listed.data as { total_count: number; check_runs: { id: number; conclusion: string }[] }).check_runs).toMatchObject([
      { id, conclusion: 'success' },
    ]);
    await expectDocumented(
      'POST',
      '/repos/{owner}/{repo}/statuses/{sha}',
      { owner: 'acme', repo: 'widgets', sha: headSha, state: 'pending', context: 'hitl/extra' },
      201,
    );
    const combined = await expectDocumented(
      'GET',
      '/repos/{owner}/{repo}/commits/{ref}/status',
      { owner: 'acme', repo: 'widgets', ref: headSha },
      200,
    );
    expect((combined.data as { state: string }).state).toBe('pending');
    await expectDocumented('GET', '/repos/{owner}/{repo}/commits/{ref}/statuses', { owner: 'acme', repo: 'widgets', ref: headSha }, 200);
  });

  it('collaborator permission and team membership', async () => {
    const perm = await expectDocumented(
      'GET',
      '/repos/{owner}/{repo}/collaborators/{username}/permission',
      { owner: 'acme', repo: 'widgets', username: 'bob' },
      200,
    );
    expect(perm.data).toMatchObject({ permission: 'write', role_name: 'maintain' });
    const none = await expectDocumented(
      'GET',
      '/repos/{owner}/{repo}/collaborators/{username}/permission',
      { owner: 'acme', repo: 'widgets', username: 'copilot-swe-agent[bot]' },
      200,
    );
    expect(none.data).toMatchObject({ permission: 'none' });
    const m = await expectDocumented(
      'GET',
      '/orgs/{org}/teams/{team_slug}/memberships/{username}',
      { org: 'acme', team_slug: 'maintainers', username: 'alice' },
      200,
    );
    expect(m.data).toMatchObject({ state: 'active' });
    await expectDocumented(
      'GET',
      '/orgs/{org}/teams/{team_slug}/memberships/{username}',
      { org: 'acme', team_slug: 'maintainers', username: 'mallory' },
      404,
    );
  });

  it('review requests: 201 with the requested users and teams, 422 for the author or a non-collaborator', async () => {
    sim.addTeamMember('acme/dba', 'alice');
    const n = sim.openPullRequest(REPO, { author: 'copilot-swe-agent[bot]', files: [{ path: 'src/r.ts', content: 'r\n' }] });
    const ok = await expectDocumented(
      'POST',
      '/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers',
      { owner: 'acme', repo: 'widgets', pull_number: n, reviewers: ['bob'], team_reviewers: ['dba'] },
      201,
    );
    expect(ok.data).toMatchObject({ number: n, requested_reviewers: [{ login: 'bob' }], requested_teams: [{ slug: 'dba' }] });
    const pull = await expectDocumented(
      'GET',
      '/repos/{owner}/{repo}/pulls/{pull_number}',
      { owner: 'acme', repo: 'widgets', pull_number: n },
      200,
    );
    expect(pull.data).toMatchObject({ requested_reviewers: [{ login: 'bob' }], requested_teams: [{ slug: 'dba' }] });
    await expectDocumented(
      'POST',
      '/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers',
      { owner: 'acme', repo: 'widgets', pull_number: n, reviewers: ['copilot-swe-agent[bot]'] },
      422,
    );
    await expectDocumented(
      'POST',
      '/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers',
      { owner: 'acme', repo: 'widgets', pull_number: n, reviewers: ['stranger'] },
      422,
    );
    await expectDocumented(
      'POST',
      '/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers',
      { owner: 'acme', repo: 'widgets', pull_number: n, team_reviewers: ['nobody'] },
      422,
    );
    expect(sim.pull(REPO, n).requestedReviewers).toEqual(['bob']);
  });

  it('merge: 409 when the head moved, 405 when not mergeable, 200 once, 405 after', async () => {
    const n = sim.openPullRequest(REPO, { author: 'copilot-swe-agent[bot]', files: [{ path: 'src/c.ts', content: 'c\n' }] });
    const first = sim.pull(REPO, n).headSha;
    sim.push(REPO, n, { files: [{ path: 'src/c.ts', content: 'c2\n' }] });
    await expectDocumented(
      'PUT',
      '/repos/{owner}/{repo}/pulls/{pull_number}/merge',
      { owner: 'acme', repo: 'widgets', pull_number: n, sha: first, merge_method: 'squash' },
      409,
    );
    sim.setMergeable(REPO, n, false);
    await expectDocumented(
      'PUT',
      '/repos/{owner}/{repo}/pulls/{pull_number}/merge',
      { owner: 'acme', repo: 'widgets', pull_number: n, sha: sim.pull(REPO, n).headSha, merge_method: 'squash' },
      405,
    );
    sim.setMergeable(REPO, n, true);
    const merged = await expectDocumented(
      'PUT',
      '/repos/{owner}/{repo}/pulls/{pull_number}/merge',
      { owner: 'acme', repo: 'widgets', pull_number: n, sha: sim.pull(REPO, n).headSha, merge_method: 'squash' },
      200,
    );
    expect(merged.data).toMatchObject({ merged: true });
    await expectDocumented(
      'PUT',
      '/repos/{owner}/{repo}/pulls/{pull_number}/merge',
      { owner: 'acme', repo: 'widgets', pull_number: n, sha: sim.pull(REPO, n).headSha, merge_method: 'squash' },
      405,
    );
    expect(sim.merges(REPO).filter((m) => m.number === n)).toHaveLength(1);
    const after = await gh.request('GET /repos/{owner}/{repo}/contents/{path}', { owner: 'acme', repo: 'widgets', path: 'src/c.ts' });
    expect(Buffer.from((after.data as { content: string }).content, 'base64').toString()).toBe('c2\n');
  });
});

describe('protected branches: rules, rulesets, refused merges, update-branch', () => {
  it("answer as documented, and the gate's request bodies are documented ones", async () => {
    const guarded = sim.createRepo({
      name: 'acme/guarded',
      policy: 'version: 1\n',
      collaborators: { alice: 'write' },
      protection: {
        rulesets: [
          {
            id: 71,
            name: 'main',
            rules: [
              { type: 'pull_request', parameters: { required_approving_review_count: 1, allowed_merge_methods: ['squash', 'rebase'] } },
              {
                type: 'required_status_checks',
                parameters: { strict_required_status_checks_policy: true, required_status_checks: [{ context: 'build' }] },
              },
              { type: 'required_linear_history' },
            ],
          },
          { id: 72, name: 'bypassed', appBypass: true, rules: [{ type: 'deletion' }] },
        ],
        methods: { merge: false, squash: true, rebase: true },
      },
    });
    const params = { owner: 'acme', repo: 'guarded' };
    const rules = await expectDocumented(
      'GET',
      '/repos/{owner}/{repo}/rules/branches/{branch}',
      { ...params, branch: 'main', per_page: 100 },
      200,
    );
    expect((rules.data as { type: string; ruleset_id: number }[]).map((r) => `${r.type}:${r.ruleset_id}`)).toEqual([
      'pull_request:71',
      'required_status_checks:71',
      'required_linear_history:71',
      'deletion:72',
    ]);
    await expectDocumented('GET', '/repos/{owner}/{repo}/rules/branches/{branch}', { ...params, branch: 'other' }, 200);
    const rs = await expectDocumented('GET', '/repos/{owner}/{repo}/rulesets/{ruleset_id}', { ...params, ruleset_id: 71 }, 200);
    expect(rs.data).toMatchObject({ name: 'main', current_user_can_bypass: 'never' });
    const bypass = await expectDocumented('GET', '/repos/{owner}/{repo}/rulesets/{ruleset_id}', { ...params, ruleset_id: 72 }, 200);
    expect(bypass.data).toMatchObject({ current_user_can_bypass: 'pull_requests_only' });
    await expectDocumented('GET', '/repos/{owner}/{repo}/rulesets/{ruleset_id}', { ...params, ruleset_id: 99 }, 404);
    const repo = await expectDocumented('GET', '/repos/{owner}/{repo}', params, 200);
    expect(repo.data).toMatchObject({ allow_merge_commit: false, allow_squash_merge: true, allow_rebase_merge: true });

    const n = sim.openPullRequest(guarded, { author: 'copilot-swe-agent[bot]', files: [{ path: 'src/g.ts', content: 'g\n' }] });
    const head = sim.pull(guarded, n).headSha;
    const pull = await expectDocumented('GET', '/repos/{owner}/{repo}/pulls/{pull_number}', { ...params, pull_number: n }, 200);
    expect(pull.data).toMatchObject({ mergeable_state: 'blocked' });
    const merge = { sha: head, merge_method: 'merge' };
    expect(requestErrors('PUT', '/repos/{owner}/{repo}/pulls/{pull_number}/merge', merge)).toEqual([]);
    const refusedMethod = await expectDocumented(
      'PUT',
      '/repos/{owner}/{repo}/pulls/{pull_number}/merge',
      { ...params, pull_number: n, ...merge },
      405,
    );
    expect((refusedMethod.data as { message: string }).message).toBe('Merge commits are not allowed on this repository.');
    const refusedReview = await expectDocumented(
      'PUT',
      '/repos/{owner}/{repo}/pulls/{pull_number}/merge',
      { ...params, pull_number: n, sha: head, merge_method: 'squash' },
      405,
    );
    expect((refusedReview.data as { message: string }).message).toMatch(
      /At least 1 approving review is required by reviewers with write access/,
    );
    // An App's approving review does not count; a writer's does.
    sim.review(guarded, n, 'helper-app[bot]', 'APPROVED');
    expect(sim.pull(guarded, n).reviews).toHaveLength(1);
    sim.review(guarded, n, 'alice', 'APPROVED');
    const needsCheck = await expectDocumented(
      'PUT',
      '/repos/{owner}/{repo}/pulls/{pull_number}/merge',
      { ...params, pull_number: n, sha: head, merge_method: 'squash' },
      405,
    );
    expect((needsCheck.data as { message: string }).message).toMatch(/Required status check "build" is expected/);
    sim.ciCheck(guarded, head, 'build', 'success');
    sim.advanceBase(guarded);
    const behind = await expectDocumented('GET', '/repos/{owner}/{repo}/pulls/{pull_number}', { ...params, pull_number: n }, 200);
    expect(behind.data).toMatchObject({ mergeable_state: 'behind' });

    const update = { expected_head_sha: 'f'.repeat(40) };
    expect(requestErrors('PUT', '/repos/{owner}/{repo}/pulls/{pull_number}/update-branch', update)).toEqual([]);
    await expectDocumented('PUT', '/repos/{owner}/{repo}/pulls/{pull_number}/update-branch', { ...params, pull_number: n, ...update }, 422);
    await expectDocumented(
      'PUT',
      '/repos/{owner}/{repo}/pulls/{pull_number}/update-branch',
      { ...params, pull_number: n, expected_head_sha: head },
      202,
    );
    const updated = sim.pull(guarded, n);
    expect(updated.headSha).not.toBe(head);
    expect(sim.world.repo(guarded).commits.get(updated.headSha)?.parents).toEqual([head, sim.world.repo(guarded).branches.get('main')]);
  });
});

describe('webhooks', () => {
  it('are signed with the webhook secret and match GitHub payload schemas', async () => {
    await sim.webhooks.settled();
    expect(received.length).toBeGreaterThan(5);
    for (const r of received) expect(await verify(SECRET, r.body, r.signature), r.event).toBe(true);
    const seen = new Set<string>();
    for (const d of sim.deliveries) {
      const key = `${d.event}.${d.action ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      expect(webhookErrors(d.event, d.action, d.payload), key).toEqual([]);
      expect(d.payload).toMatchObject({ installation: { id: installationId } });
    }
    for (const key of [
      'pull_request.opened',
      'pull_request.synchronize',
      'issue_comment.created',
      'issue_comment.edited',
      'pull_request_review.submitted',
      'check_run.created',
      'check_run.completed',
      'check_suite.completed',
      'status.',
      'pull_request.labeled',
      'pull_request.closed',
    ])
      expect(seen, key).toContain(key);
    expect(new Set(received.map((r) => r.delivery)).size).toBe(received.length);
  });
});
