// The app end to end against a stateful, nocked GitHub (no network): the real reconcile and sweep,
// Probot's webhook verification and octokit plugins, the real HTTP server. What a user would notice:
// one check run and one status comment, a soft PR merged once after its window, also across a
// restart, GitHub's 5xx and 429 absorbed, and no GitHub call for a forged webhook.
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import nock from 'nock';
import { pino } from 'pino';
import { Probot } from 'probot';
import { sign } from '@octokit/webhooks-methods';
import type { WebhookDefinition } from '@octokit/webhooks-examples';
import { createGate, type Gate, type GateOptions } from '../../src/app/gate.js';
import { gateOctokit } from '../../src/app/octokit.js';
import { startServer, type RunningServer } from '../../src/app/server.js';
import type { ServerConfig } from '../../src/app/config.js';

const definitions = createRequire(import.meta.url)('@octokit/webhooks-examples') as WebhookDefinition[];
const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const APP_ID = 4242;
const INSTALLATION = 31;
const HEAD = 'a1'.repeat(20);
const AGENT = 'copilot-swe-agent[bot]';
const SECRET = 'webhook-secret';
// The project's example policy with a one-second veto window, so the test waits for a real window.
const POLICY = readFileSync(new URL('../fixtures/github/hitl.yml', import.meta.url), 'utf8').replace('window: 15m', 'window: 1s');
const R = '/repos/acme/widgets';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Fault {
  method: string;
  path: RegExp;
  times: number;
  status: number;
  headers?: Record<string, string>;
  message?: string;
  /** GitHub did the work but the answer was lost (a proxy's 502 after the write). */
  applied?: boolean;
}

/** GitHub as far as the gate sees it, for one repository with one PR; every REST call recorded. */
function fakeGitHub(options: { author?: string; headRef?: string } = {}) {
  const pr: Json = pullRequest(options.author ?? AGENT, options.headRef ?? 'copilot/fix-widget');
  const state = {
    pr,
    checkRuns: [] as Json[],
    comments: [] as Json[],
    merges: [] as Json[],
    requests: [] as string[],
    faults: [] as Fault[],
    nextId: 1000,
  };
  const now = () => new Date().toISOString();
  const bot = { login: 'hitl-gate[bot]', id: 1, type: 'Bot' };

  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
  const api = nock('https://api.github.com').persist();
  const route = (
    method: 'get' | 'post' | 'patch' | 'put',
    path: RegExp,
    reply: (uri: string, body: Json) => [number, unknown, Record<string, string>?],
  ) => {
    api[method](path)
      .query(true)
      .reply((uri, body) => {
        const line = `${method.toUpperCase()} ${uri}`;
        state.requests.push(line);
        const fault = state.faults.find((f) => f.method === method.toUpperCase() && f.path.test(uri) && f.times > 0);
        if (fault) {
          fault.times--;
          if (fault.applied) reply(uri, (typeof body === 'string' && body ? JSON.parse(body) : body) as Json);
          return [fault.status, { message: fault.message ?? 'Server Error' }, fault.headers ?? {}];
        }
        return reply(uri, (typeof body === 'string' && body ? JSON.parse(body) : body) as Json);
      });
  };
  route('post', /^\/app\/installations\/\d+\/access_tokens$/, () => [
    201,
    { token: 'ghs_test', expires_at: new Date(Date.now() + 3600_000).toISOString(), permissions: {} },
  ]);
  route('get', /^\/app$/, () => [200, { id: APP_ID, slug: 'hitl-gate', name: 'hitl-gate' }]);
  route('get', /^\/app\/installations(\?|$)/, () => [200, [{ id: INSTALLATION, account: { login: 'acme' }, suspended_at: null }]]);
  route('get', /^\/installation\/repositories/, () => [
    200,
    { total_count: 1, repositories: [{ name: 'widgets', full_name: 'acme/widgets', owner: { login: 'acme' }, archived: false }] },
  ]);
  route('get', new RegExp(`^${R}/pulls$`), () => [200, pr.state === 'open' ? [pr] : []]);
  route('get', new RegExp(`^${R}/pulls/7$`), () => [200, { ...pr, comments: state.comments.length }]);
  route('get', new RegExp(`^${R}/contents/`), () => [200, POLICY, { 'content-type': 'application/vnd.github.raw; charset=utf-8' }]);
  route('get', new RegExp(`^${R}/commits/\\w+/check-runs`), (uri) => {
    const sha = /commits\/(\w+)\//.exec(uri)![1];
    const ours = state.checkRuns.filter((r) => r.head_sha === sha);
    const runs = uri.includes('check_name=hitl')
      ? ours
      : [
          ...ours,
          { id: 1, name: 'build', head_sha: sha, status: 'completed', conclusion: 'success', app: { id: 15368, slug: 'github-actions' } },
        ];
    return [200, { total_count: runs.length, check_runs: runs }];
  });
  route('get', new RegExp(`^${R}/commits/\\w+/status`), (uri) => [
    200,
    { state: 'pending', sha: /commits\/(\w+)\//.exec(uri)![1], total_count: 0, statuses: [] },
  ]);
  route('get', new RegExp(`^${R}/pulls/7/files`), () => [
    200,
    [{ sha: 'f'.repeat(40), filename: 'src/widget.ts', status: 'modified', additions: 3, deletions: 1, changes: 4 }],
  ]);
  route('get', new RegExp(`^${R}/issues/7/comments`), () => [200, state.comments]);
  route('get', new RegExp(`^${R}/pulls/7/reviews`), () => [200, []]);
  route('get', new RegExp(`^${R}/pulls/7/commits`), () => [
    200,
    [{ sha: HEAD, commit: { message: 'fix' }, author: { login: AGENT, type: 'Bot' }, committer: { login: AGENT, type: 'Bot' } }],
  ]);
  route('post', new RegExp(`^${R}/check-runs$`), (_u, body) => {
    const run = { id: state.nextId++, ...body, started_at: body.started_at ?? now(), app: { id: APP_ID, slug: 'hitl-gate' } };
    state.checkRuns.push(run);
    return [201, run];
  });
  route('get', new RegExp(`^${R}/check-runs/\\d+$`), (uri) => {
    const run = state.checkRuns.find((r) => uri.endsWith(`/${r.id}`));
    return run ? [200, run] : [404, { message: 'Not Found' }];
  });
  // GraphQL: the search of the PR's earlier heads for the gate's record (its commits: the head), and who
  // last edited a comment (nobody here edits the gate's comments).
  route('post', /^\/graphql$/, (_u, body) => {
    const query = String(body.query ?? '');
    if (query.includes('lastEditedAt')) return [200, { data: { node: { lastEditedAt: null, editor: null } } }];
    const commit = (oid: string) => ({
      oid,
      checkSuites: {
        nodes: [
          {
            app: { databaseId: APP_ID },
            checkRuns: {
              nodes: state.checkRuns
                .filter((r) => r.head_sha === oid)
                .map((r) => ({ databaseId: r.id, externalId: r.external_id ?? null, text: r.output?.text ?? null })),
            },
          },
        ],
      },
    });
    return [
      200,
      { data: { repository: { pullRequest: { commits: { nodes: [{ commit: commit(pr.head.sha) }] }, timelineItems: { nodes: [] } } } } },
    ];
  });
  route('patch', new RegExp(`^${R}/check-runs/\\d+$`), (uri, body) => {
    const run = state.checkRuns.find((r) => uri.endsWith(`/${r.id}`));
    if (!run) return [404, { message: 'Not Found' }];
    Object.assign(run, body, { output: { ...run.output, ...body.output } });
    return [200, run];
  });
  route('post', new RegExp(`^${R}/issues/7/comments$`), (_u, body) => {
    const id = state.nextId++;
    const comment = {
      id,
      node_id: `IC_${id}`,
      body: body.body,
      user: bot,
      performed_via_github_app: { id: APP_ID },
      created_at: now(),
      updated_at: now(),
      author_association: 'NONE',
    };
    state.comments.push(comment);
    return [201, comment];
  });
  route('patch', new RegExp(`^${R}/issues/comments/\\d+$`), (uri, body) => {
    const comment = state.comments.find((c) => uri.endsWith(`/${c.id}`));
    if (!comment) return [404, { message: 'Not Found' }];
    Object.assign(comment, { body: body.body, updated_at: now() });
    return [200, comment];
  });
  route('get', new RegExp(`^${R}/rules/branches/main`), () => [200, []]);
  route('put', new RegExp(`^${R}/pulls/7/merge$`), (_u, body) => {
    if (pr.merged) return [405, { message: 'Pull Request is not mergeable' }];
    if (body.sha !== pr.head.sha) return [409, { message: 'Head branch was modified. Review and try the merge again.' }];
    state.merges.push(body);
    Object.assign(pr, { merged: true, state: 'closed', merged_at: now() });
    return [200, { sha: 'c'.repeat(40), merged: true, message: 'Pull Request successfully merged' }];
  });
  return {
    state,
    /** REST calls on the repository (what a reconcile costs), not token or app calls. */
    repoRequests: () => state.requests.filter((r) => r.includes(R)),
    writes: () => state.requests.filter((r) => !r.startsWith('GET') && r.includes(R)),
  };
}

function pullRequest(author: string, headRef: string): Json {
  const def = definitions.find((d) => d.name === 'pull_request')!;
  const example = structuredClone(def.examples.find((e) => (e as Json).action === 'opened')) as Json;
  const pr = example.pull_request;
  return {
    ...pr,
    number: 7,
    state: 'open',
    merged: false,
    draft: false,
    user: { login: author, id: 9, type: author.endsWith('[bot]') ? 'Bot' : 'User' },
    labels: [],
    head: { ...pr.head, ref: headRef, sha: HEAD, repo: { ...pr.head.repo, name: 'widgets', full_name: 'acme/widgets' } },
    base: { ...pr.base, ref: 'main', repo: { ...pr.base.repo, name: 'widgets', full_name: 'acme/widgets' } },
    comments: 0,
    changed_files: 1,
    additions: 3,
    deletions: 1,
    mergeable: true,
    mergeable_state: 'clean',
    updated_at: '2026-11-22T14:00:00Z',
  };
}

function openedEvent(github: ReturnType<typeof fakeGitHub>): Json {
  const def = definitions.find((d) => d.name === 'pull_request')!;
  const payload = structuredClone(def.examples.find((e) => (e as Json).action === 'opened')) as Json;
  payload.installation = { id: INSTALLATION, node_id: 'x' };
  Object.assign(payload.repository, { name: 'widgets', full_name: 'acme/widgets' });
  payload.repository.owner.login = 'acme';
  payload.number = 7;
  payload.pull_request = structuredClone(github.state.pr);
  return payload;
}

/** Probot's octokit as the server configures it, with waits shrunk so tests stay fast. Requests go
 * through Node's fetch, which nock sees (it cannot see undici's own dispatcher, which the App uses;
 * the end-to-end tests cover that client against the simulator). */
const fastOctokit = () => gateOctokit({ retryAfterBaseMs: 1, writeIntervalMs: 5, fetch: globalThis.fetch });

const gates: Gate[] = [];
function startApp(options: GateOptions = {}) {
  const probot = new Probot({ appId: APP_ID, privateKey, secret: SECRET, log: pino({ level: 'silent' }), Octokit: fastOctokit() });
  const gate = createGate(probot, {
    sweepIntervalMs: 0,
    retryBaseMs: 5,
    log: pino({ level: process.env.HITL_TEST_LOG ?? 'silent' }),
    ...options,
  });
  gates.push(gate);
  return { probot, gate };
}

beforeEach(() => nock.cleanAll());
afterEach(async () => {
  await Promise.all(gates.splice(0).map((g) => g.close(2000)));
  nock.cleanAll();
  nock.enableNetConnect();
});

describe('an agent PR is opened', () => {
  it('governed: one check run and one status comment, in at most 6 requests', async () => {
    const github = fakeGitHub();
    const { probot, gate } = startApp();
    await probot.receive({ id: 'd1', name: 'pull_request', payload: openedEvent(github) } as never);
    await gate.idle();
    expect(github.repoRequests().length, github.repoRequests().join('\n')).toBeLessThanOrEqual(6);
    expect(github.state.checkRuns).toHaveLength(1);
    expect(github.state.checkRuns[0]).toMatchObject({ name: 'hitl', head_sha: HEAD, status: 'in_progress' });
    expect(github.state.comments).toHaveLength(1);
    expect(github.state.merges).toHaveLength(0);
  });

  it("not governed (a person's PR): a passing check and nothing else, in at most 3 requests (the policy, the new head's commits for agent trailers, the check)", async () => {
    const github = fakeGitHub({ author: 'bob', headRef: 'feature/x' });
    const { probot, gate } = startApp();
    await probot.receive({ id: 'd1', name: 'pull_request', payload: openedEvent(github) } as never);
    await gate.idle();
    expect(github.repoRequests().length, github.repoRequests().join('\n')).toBeLessThanOrEqual(3);
    expect(github.state.checkRuns).toEqual([expect.objectContaining({ status: 'completed', conclusion: 'success' })]);
    expect(github.state.comments).toHaveLength(0);
  });

  it('replaying the delivery writes nothing new: still one check run, one comment', async () => {
    const github = fakeGitHub();
    const { probot, gate } = startApp();
    const payload = openedEvent(github);
    await probot.receive({ id: 'same', name: 'pull_request', payload } as never);
    await gate.idle();
    const writes = github.writes().length;
    await probot.receive({ id: 'same', name: 'pull_request', payload } as never);
    await gate.idle();
    expect(github.state.checkRuns).toHaveLength(1);
    expect(github.state.comments).toHaveLength(1);
    expect(github.writes().length).toBe(writes);
  });
});

describe('the soft veto window', () => {
  it('merges the decided head once the window is over, through the timer, exactly once', async () => {
    const github = fakeGitHub();
    const { probot, gate } = startApp();
    await probot.receive({ id: 'd1', name: 'pull_request', payload: openedEvent(github) } as never);
    await gate.idle();
    expect(github.state.merges).toHaveLength(0);
    expect(await gate.timers.pending()).toBe(1);
    await expect.poll(() => github.state.merges.length, { timeout: 5000, interval: 50 }).toBe(1);
    expect(github.state.merges[0]).toEqual({ sha: HEAD, merge_method: 'squash' });
    await gate.idle();
    await gate.sweepAll(); // the periodic sweep finds nothing left to do
    expect(github.state.merges).toHaveLength(1);
  });

  it('after a restart that lost the timer, the start-up sweep merges it exactly once', async () => {
    const github = fakeGitHub();
    const first = startApp();
    await first.probot.receive({ id: 'd1', name: 'pull_request', payload: openedEvent(github) } as never);
    await first.gate.idle();
    await first.gate.close(1000); // the process dies; its timer with it
    await new Promise((r) => setTimeout(r, 1100)); // the window ends while nobody runs
    expect(github.state.merges).toHaveLength(0);

    const second = startApp({ sweepIntervalMs: 60_000, firstSweepDelayMs: 0 });
    await expect.poll(() => github.state.merges.length, { timeout: 5000, interval: 50 }).toBe(1);
    await second.gate.idle();
    await second.gate.sweepAll();
    expect(github.state.merges).toHaveLength(1);
    expect(github.state.comments).toHaveLength(1); // edited in place, never a second comment
  });
});

describe('GitHub failing', () => {
  it('5xx answers are retried by the client and the outcome is unchanged', async () => {
    const github = fakeGitHub();
    github.state.faults.push({ method: 'GET', path: /contents\//, times: 2, status: 502 });
    github.state.faults.push({ method: 'PATCH', path: /check-runs\/\d+$/, times: 1, status: 503 });
    const { probot, gate } = startApp();
    await probot.receive({ id: 'd1', name: 'pull_request', payload: openedEvent(github) } as never);
    await gate.idle();
    expect(github.state.requests.filter((r) => r.includes('/contents/'))).toHaveLength(3);
    expect(github.state.checkRuns).toHaveLength(1);
    expect(github.state.comments).toHaveLength(1);
  });

  it('a POST answered 5xx after GitHub applied it is not repeated blindly: still one status comment', async () => {
    const github = fakeGitHub();
    github.state.faults.push({ method: 'POST', path: /issues\/7\/comments$/, times: 1, status: 502, applied: true });
    github.state.faults.push({ method: 'POST', path: /check-runs$/, times: 1, status: 500 });
    const { probot, gate } = startApp();
    await probot.receive({ id: 'd1', name: 'pull_request', payload: openedEvent(github) } as never);
    await gate.idle();
    expect(github.state.comments).toHaveLength(1);
    expect(github.state.checkRuns).toHaveLength(1);
  });

  it('429 with retry-after (secondary rate limit) is waited out and retried; the outcome is unchanged', async () => {
    const github = fakeGitHub();
    github.state.faults.push({
      method: 'GET',
      path: /pulls\/7\/files/,
      times: 1,
      status: 429,
      headers: { 'retry-after': '1' },
      message: 'You have exceeded a secondary rate limit',
    });
    github.state.faults.push({
      method: 'POST',
      path: /issues\/7\/comments$/,
      times: 1,
      status: 429,
      headers: { 'retry-after': '2' },
      message: 'You have exceeded a secondary rate limit',
    });
    const { probot, gate } = startApp();
    await probot.receive({ id: 'd1', name: 'pull_request', payload: openedEvent(github) } as never);
    await gate.idle();
    expect(github.state.requests.filter((r) => r.includes('/pulls/7/files'))).toHaveLength(2);
    expect(github.state.requests.filter((r) => r.startsWith('POST') && r.includes('/issues/7/comments'))).toHaveLength(2);
    expect(await gate.metrics.registry.getSingleMetricAsString('hitl_reconciles_total')).not.toMatch(/outcome="error"/);
    expect(github.state.checkRuns).toHaveLength(1);
    expect(github.state.comments).toHaveLength(1);
  });

  it('a reconcile GitHub keeps failing is retried by the queue, then left to the sweep, without crashing', async () => {
    const github = fakeGitHub();
    github.state.faults.push({ method: 'GET', path: /pulls\/7\/files/, times: 100, status: 502 });
    const { probot, gate } = startApp({ maxRetries: 1 });
    await probot.receive({ id: 'd1', name: 'pull_request', payload: openedEvent(github) } as never);
    await gate.idle();
    expect(github.state.merges).toHaveLength(0);
    github.state.faults.length = 0;
    await gate.sweepAll();
    await gate.idle();
    expect(github.state.checkRuns).toHaveLength(1);
    expect(github.state.comments).toHaveLength(1);
  });
});

describe('writes are paced per installation', () => {
  it('keeps a second between writes of one installation (one limiter per installation)', async () => {
    const github = fakeGitHub();
    const times: number[] = [];
    const probot = new Probot({
      appId: APP_ID,
      privateKey,
      secret: SECRET,
      log: pino({ level: 'silent' }),
      Octokit: gateOctokit({ retryAfterBaseMs: 1, fetch: globalThis.fetch }),
    });
    const client = await probot.auth(INSTALLATION);
    const other = await probot.auth(INSTALLATION + 1);
    nock('https://api.github.com')
      .post(/\/repos\/acme\/(widgets|gadgets)\/issues\/\d+\/labels/)
      .times(3)
      .reply(200, () => {
        times.push(Date.now());
        return [];
      });
    const started = Date.now();
    await Promise.all([
      client.rest.issues.addLabels({ owner: 'acme', repo: 'widgets', issue_number: 1, labels: ['a'] }),
      client.rest.issues.addLabels({ owner: 'acme', repo: 'widgets', issue_number: 2, labels: ['a'] }),
      other.rest.issues.addLabels({ owner: 'acme', repo: 'gadgets', issue_number: 1, labels: ['a'] }),
    ]);
    void github;
    times.sort((a, b) => a - b);
    // The other installation's write does not wait behind the first installation's pacing.
    expect(times[1]! - started).toBeLessThan(900);
    expect(times[2]! - times[0]!).toBeGreaterThanOrEqual(1000);
  });
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe('the HTTP server', () => {
  let running: RunningServer | undefined;
  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });

  async function serve() {
    const port = await freePort();
    const config: ServerConfig = {
      appId: APP_ID,
      privateKey,
      webhookSecret: SECRET,
      port,
      host: '127.0.0.1',
      logLevel: 'silent',
      logFormat: 'json',
      sweepIntervalMs: 3_600_000,
      concurrency: 256,
    };
    // No sweep here: these tests look at what one webhook causes.
    running = await startServer(config, { env: { HITL_SWEEP_INTERVAL: '1h' }, Octokit: fastOctokit(), gate: { sweepIntervalMs: 0 } });
    return `http://127.0.0.1:${port}`;
  }

  const post = async (base: string, body: string, signature: string, event = 'pull_request') =>
    fetch(`${base}/api/github/webhooks`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': event,
        'x-github-delivery': `d-http-${Math.random()}`,
        'x-hub-signature-256': signature,
      },
      body,
    });

  it('accepts a signed webhook at /api/github/webhooks and reconciles the PR', async () => {
    const github = fakeGitHub();
    const base = await serve();
    const body = JSON.stringify(openedEvent(github));
    const res = await post(base, body, await sign(SECRET, body));
    expect(res.status).toBeLessThan(300);
    await running!.gate.idle();
    await expect.poll(() => github.state.comments.length).toBe(1);
    expect(github.state.checkRuns).toHaveLength(1);
  });

  it('rejects a bad signature with a 400-class answer before any GitHub call', async () => {
    const github = fakeGitHub();
    const base = await serve();
    const body = JSON.stringify(openedEvent(github));
    const res = await post(base, body, await sign('not-the-secret', body));
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    await new Promise((r) => setTimeout(r, 50));
    await running!.gate.idle();
    expect(github.repoRequests()).toEqual([]);
  });

  it('answers a signed webhook that lacks what its event promises with an error, touches nothing, and keeps serving', async () => {
    const github = fakeGitHub();
    const base = await serve();
    const installation = { id: INSTALLATION };
    const repository = { name: 'widgets', owner: { login: 'acme' } };
    const broken: [string, unknown][] = [
      ['pull_request', { action: 'opened', installation, repository }],
      ['status', { state: 'success', installation, repository }],
      ['issue_comment', { action: 'created', installation }],
      ['check_suite', { action: 'completed', installation, repository, check_suite: {} }],
    ];
    for (const [event, payload] of broken) {
      const body = JSON.stringify(payload);
      const res = await post(base, body, await sign(SECRET, body), event);
      expect(res.status, event).toBeGreaterThanOrEqual(400);
    }
    await running!.gate.idle();
    expect(github.repoRequests()).toEqual([]);
    // Still serving: a good webhook after them is reconciled.
    const body = JSON.stringify(openedEvent(github));
    expect((await post(base, body, await sign(SECRET, body))).status).toBeLessThan(300);
    await running!.gate.idle();
    await expect.poll(() => github.state.checkRuns.length).toBe(1);
  });

  it('serves /healthz and Prometheus /metrics', async () => {
    const github = fakeGitHub();
    const base = await serve();
    const body = JSON.stringify(openedEvent(github));
    await post(base, body, await sign(SECRET, body));
    await running!.gate.idle();
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/hitl_reconciles_total\{outcome="waiting"\} 1/);
    expect(metrics).toMatch(/hitl_pending_timers 1/);
    expect(metrics).toMatch(/hitl_queue_depth 0/);
    // At most HITL_CONCURRENCY (256 by default), at least 16: it narrows while the process is saturated.
    const width = Number(/hitl_queue_width (\d+)/.exec(metrics)?.[1]);
    expect(width).toBeGreaterThanOrEqual(16);
    expect(width).toBeLessThanOrEqual(256);
    expect(metrics).toMatch(/hitl_github_requests_total \d+/);
  });
});
