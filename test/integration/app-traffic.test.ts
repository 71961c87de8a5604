// The App's traffic plugin against a nocked GitHub: what is repeated, what is waited out, what is
// paced, and what is never delayed.
import { createServer, type Server } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import nock from 'nock';
import { Octokit } from '@octokit/core';
import { rateLimitWait, trafficPlugin, type TrafficOptions } from '../../src/app/octokit-traffic.js';

const API = 'https://api.github.com';
/** Waits shrunk a thousandfold: a `retry-after: 2` is 2 ms here. */
const FAST: TrafficOptions = { backoffMs: 1, retryAfterBaseMs: 1, writeIntervalMs: 0 };

/** Sends requests as they are; the plugin only reads `auth.installationId`, as Probot's clients carry it. */
const passThrough = () => ({ hook: (request: (o: unknown) => unknown, options: unknown) => request(options) });
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

function client(options: TrafficOptions = FAST, installationId = 1, baseUrl = API, Traffic = Octokit.plugin(trafficPlugin(options))) {
  return new Traffic({ baseUrl, auth: { installationId }, authStrategy: passThrough as never, log: quiet });
}

const status = (error: unknown) => (error as { status?: number }).status;

beforeEach(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1/);
});
afterEach(() => {
  nock.cleanAll();
});

describe('repeating', () => {
  it('retries a 5xx of a read until it succeeds', async () => {
    const scope = nock(API)
      .get('/repos/acme/widgets')
      .times(2)
      .reply(502, { message: 'Bad Gateway' })
      .get('/repos/acme/widgets')
      .reply(200, { name: 'widgets' });
    const { data } = await client().request('GET /repos/{owner}/{repo}', { owner: 'acme', repo: 'widgets' });
    expect(data).toEqual({ name: 'widgets' });
    expect(scope.isDone()).toBe(true);
  });

  it("gives up after the configured retries and reports GitHub's answer", async () => {
    nock(API).get('/repos/acme/widgets').times(3).reply(503, { message: 'Unavailable' });
    const error = await client({ ...FAST, retries: 2 })
      .request('GET /repos/{owner}/{repo}', { owner: 'acme', repo: 'widgets' })
      .catch((e: unknown) => e);
    expect(status(error)).toBe(503);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('never repeats a POST answered 5xx (GitHub may have applied it), but repeats a token request', async () => {
    const comment = nock(API).post('/repos/acme/widgets/issues/7/comments').reply(502, { message: 'Bad Gateway' });
    const error = await client()
      .request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { owner: 'acme', repo: 'widgets', issue_number: 7, body: 'hi' })
      .catch((e: unknown) => e);
    expect(status(error)).toBe(502);
    expect(comment.isDone()).toBe(true);
    nock(API)
      .post('/app/installations/1/access_tokens')
      .reply(502, {})
      .post('/app/installations/1/access_tokens')
      .reply(201, { token: 't' });
    const { data } = await client().request('POST /app/installations/{installation_id}/access_tokens', { installation_id: 1 });
    expect(data).toEqual({ token: 't' });
  });

  it('does not repeat a 4xx answer: a plain 403 is a permission answer, not a rate limit', async () => {
    nock(API).put('/repos/acme/widgets/pulls/7/merge').reply(403, { message: 'Resource not accessible by integration' });
    const error = await client()
      .request('PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge', { owner: 'acme', repo: 'widgets', pull_number: 7 })
      .catch((e: unknown) => e);
    expect(status(error)).toBe(403);
    expect(nock.pendingMocks()).toEqual([]);
  });
});

describe('rate limits', () => {
  it('waits out a secondary rate limit for as long as retry-after says, then repeats, a POST too', async () => {
    const scope = nock(API)
      .post('/repos/acme/widgets/issues/7/comments')
      .reply(429, { message: 'You have exceeded a secondary rate limit' }, { 'retry-after': '40' })
      .post('/repos/acme/widgets/issues/7/comments')
      .reply(201, { id: 1 });
    const started = performance.now();
    const { data } = await client().request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      owner: 'acme',
      repo: 'widgets',
      issue_number: 7,
      body: 'hi',
    });
    expect(data).toEqual({ id: 1 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(39);
    expect(scope.isDone()).toBe(true);
  });

  it("waits for the primary limit's reset when the quota is spent", async () => {
    const reset = Math.floor(Date.now() / 1000) + 30;
    nock(API)
      .get('/repos/acme/widgets')
      .reply(403, { message: 'API rate limit exceeded' }, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) })
      .get('/repos/acme/widgets')
      .reply(200, { name: 'widgets' });
    const started = performance.now();
    await client().request('GET /repos/{owner}/{repo}', { owner: 'acme', repo: 'widgets' });
    // About 30 seconds of GitHub's time, in test milliseconds.
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });

  it('fails at once when GitHub asks for a longer wait than a reconcile should hold', async () => {
    nock(API).get('/repos/acme/widgets').reply(429, { message: 'slow down' }, { 'retry-after': '3600' });
    const started = performance.now();
    const error = await client({ ...FAST, retryAfterBaseMs: 1000, maxRetryAfterSeconds: 120 })
      .request('GET /repos/{owner}/{repo}', { owner: 'acme', repo: 'widgets' })
      .catch((e: unknown) => e);
    expect(status(error)).toBe(429);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('waits out at most two rate limits per request, then reports the third', async () => {
    nock(API)
      .get('/repos/acme/widgets')
      .times(3)
      .reply(429, { message: 'You have exceeded a secondary rate limit' }, { 'retry-after': '1' });
    const error = await client()
      .request('GET /repos/{owner}/{repo}', { owner: 'acme', repo: 'widgets' })
      .catch((e: unknown) => e);
    expect(status(error)).toBe(429);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("reads how long to wait from GitHub's headers", () => {
    const now = Date.UTC(2026, 10, 22, 12, 0, 0);
    const failure = (s: number, message: string, headers: Record<string, string>) => ({ status: s, message, response: { headers } });
    expect(rateLimitWait(failure(429, 'x', { 'retry-after': '7' }), now)).toBe(7);
    expect(rateLimitWait(failure(403, 'You have exceeded a secondary rate limit', {}), now)).toBe(60);
    expect(
      rateLimitWait(
        failure(403, 'API rate limit exceeded', { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 10) }),
        now,
      ),
    ).toBe(11);
    expect(rateLimitWait(failure(403, 'Resource not accessible by integration', { 'x-ratelimit-remaining': '4999' }), now)).toBeUndefined();
    expect(rateLimitWait(failure(502, 'Bad Gateway', { 'retry-after': '7' }), now)).toBeUndefined();
  });
});

describe('pacing and concurrency, per installation', () => {
  let server: Server;
  let baseUrl: string;
  const inFlightByRepo = new Map<string, number>();
  const maxByRepo = new Map<string, number>();
  const arrivals: { method: string; url: string; at: number }[] = [];
  beforeEach(async () => {
    inFlightByRepo.clear();
    maxByRepo.clear();
    arrivals.length = 0;
    server = createServer((req, res) => {
      arrivals.push({ method: req.method!, url: req.url!, at: performance.now() });
      const repo = req.url!.split('/')[3] ?? '';
      const now = (inFlightByRepo.get(repo) ?? 0) + 1;
      inFlightByRepo.set(repo, now);
      maxByRepo.set(repo, Math.max(maxByRepo.get(repo) ?? 0, now));
      setTimeout(() => {
        inFlightByRepo.set(repo, (inFlightByRepo.get(repo) ?? 1) - 1);
        res.setHeader('content-type', 'application/json');
        res.end('{}');
      }, 30);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('keeps writes of one installation apart, while its reads go out at once', async () => {
    const plugin = { ...FAST, writeIntervalMs: 300 };
    const octokit = client(plugin, 1, baseUrl);
    const writes = [1, 2].map((n) =>
      octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/labels', {
        owner: 'acme',
        repo: 'widgets',
        issue_number: n,
        labels: ['x'],
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    await octokit.request('GET /repos/{owner}/{repo}', { owner: 'acme', repo: 'widgets' });
    await Promise.all(writes);
    const posts = arrivals.filter((a) => a.method === 'POST');
    // The second write starts a full interval after the first was answered, so GitHub sees at least that.
    expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(300);
    // The read did not queue behind the second write's pacing.
    expect(arrivals.map((a) => a.method)).toEqual(['POST', 'GET', 'POST']);
  });

  it('paces a GraphQL mutation like any write, but a GraphQL query is a read that goes out at once', async () => {
    const plugin = { ...FAST, writeIntervalMs: 300 };
    const octokit = client(plugin, 1, baseUrl);
    const mutations = [1, 2].map(() =>
      octokit.request('POST /graphql', {
        query: 'mutation hitlDequeue($id: ID!) { dequeuePullRequest(input: { id: $id }) { clientMutationId } }',
        id: 'PR_1',
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    await octokit.request('POST /graphql', { query: 'query hitlPullRequestQueue { viewer { login } }' });
    await Promise.all(mutations);
    // Mutation, query, mutation: the query did not wait out the second mutation's interval.
    expect(arrivals).toHaveLength(3);
    expect(arrivals[2]!.at - arrivals[0]!.at).toBeGreaterThanOrEqual(300);
    expect(arrivals[1]!.at - arrivals[0]!.at).toBeLessThan(300);
  });

  it('has at most ten requests of one installation in flight; another installation is not held up', async () => {
    const Traffic = Octokit.plugin(trafficPlugin(FAST));
    const one = client(FAST, 1, baseUrl, Traffic);
    const two = client(FAST, 2, baseUrl, Traffic);
    const reads = Array.from({ length: 25 }, (_, i) =>
      one.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', { owner: 'acme', repo: 'widgets', pull_number: i }),
    );
    await new Promise((resolve) => setTimeout(resolve, 5));
    await two.request('GET /repos/{owner}/{repo}', { owner: 'acme', repo: 'gadgets' });
    await Promise.all(reads);
    expect(maxByRepo.get('widgets')).toBe(10);
    // The other installation's request reached GitHub before the first one's queue drained (its last
    // five requests can only start once earlier ones were answered).
    const other = arrivals.findIndex((a) => a.url.includes('/gadgets'));
    expect(other).toBeGreaterThanOrEqual(0);
    expect(other).toBeLessThan(arrivals.length - 5);
  });
});
