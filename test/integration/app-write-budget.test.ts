// GitHub's secondary limits on content-creating requests (80 a minute, 500 an hour per installation):
// the simulator refuses past them as GitHub does, and the App's traffic plugin keeps each
// installation's writes within them, merges and answers to people first. Windows are shortened here
// (a "minute" of 300 ms) so the test runs in a second; the production values are GitHub's.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import nock from 'nock';
import { Octokit } from '@octokit/core';
import { trafficPlugin } from '../../src/app/octokit-traffic.js';
import { Redis } from 'ioredis';
import { parseWriteLimits, RedisWriteBudget, waitFor, writePriority } from '../../src/app/write-budget.js';
import { GitHubSimulator } from '../sim/index.js';
import { describeWithRedis } from '../support/redis.js';

const passThrough = (token?: string) => () => ({
  hook: (request: (o: unknown) => unknown, options: { headers: Record<string, string> }) =>
    request(token ? { ...options, headers: { ...options.headers, authorization: `token ${token}` } } : options),
});
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe('the simulator enforces the secondary limits', () => {
  let sim: GitHubSimulator;
  beforeEach(async () => {
    sim = await new GitHubSimulator({ seed: 4, contentLimits: { perMinute: 3, perHour: 5, minuteMs: 400, hourMs: 2000 } }).start();
  });
  afterEach(() => sim.stop());

  it('answers the write past the per-minute limit 403 with retry-after, and counts it', async () => {
    const repo = sim.createRepo({ name: 'limit-org/app' });
    const n = sim.openPullRequest(repo, { author: 'someone', files: [{ path: 'a.ts' }] });
    const token = 'ghs_limits';
    sim.world.tokens.set(token, { token, installationId: sim.world.repo(repo).installationId, expiresAt: Date.now() + 3600_000 });
    const post = () =>
      fetch(`${sim.apiUrl}/repos/${repo}/issues/${n}/comments`, {
        method: 'POST',
        headers: { authorization: `token ${token}` },
        body: JSON.stringify({ body: 'hi' }),
      });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await post()).status);
    expect(statuses).toEqual([201, 201, 201, 403]);
    const refused = await post();
    expect(refused.status).toBe(403);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await refused.json()) as { message: string }).message).toMatch(/secondary rate limit/);
    expect(sim.secondaryLimitAnswers).toBe(2);
    expect(sim.comments(repo, n)).toHaveLength(3);
    // Reads are not content-creating.
    expect((await fetch(`${sim.apiUrl}/repos/${repo}`, { headers: { authorization: `token ${token}` } })).status).toBe(200);
  });

  it('keeps writing within both limits when the App paces by them: no 403, every write made', async () => {
    const repo = sim.createRepo({ name: 'limit-org/paced' });
    const n = sim.openPullRequest(repo, { author: 'someone', files: [{ path: 'a.ts' }] });
    const token = 'ghs_paced';
    sim.world.tokens.set(token, { token, installationId: sim.world.repo(repo).installationId, expiresAt: Date.now() + 3600_000 });
    const Client = Octokit.plugin(
      trafficPlugin({ writeIntervalMs: 1, writeLimits: parseWriteLimits('3/0.4s,5/2s')!, retryAfterBaseMs: 1000 }),
    );
    const gh = new Client({ baseUrl: sim.apiUrl, auth: { installationId: 77 }, authStrategy: passThrough(token) as never, log: quiet });
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        gh.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
          owner: 'limit-org',
          repo: 'paced',
          issue_number: n,
          body: `c${i}`,
        }),
      ),
    );
    expect(sim.secondaryLimitAnswers).toBe(0);
    expect(sim.comments(repo, n)).toHaveLength(8);
    // 8 writes at 5 per 2 s: the last three had to wait for the first ones to leave the window.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
  });
});

describe('priority when the budget is short', () => {
  const API = 'https://api.github.com';
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());

  it('a merge and a reply to a person go before status comment edits that were waiting longer', async () => {
    const order: string[] = [];
    nock(API)
      .patch(/\/issues\/comments\/\d+$/)
      .times(4)
      .reply(200, function (uri) {
        order.push(`edit ${uri.split('/').pop()}`);
        return {};
      });
    nock(API)
      .put('/repos/acme/app/pulls/9/merge')
      .reply(200, () => {
        order.push('merge');
        return { merged: true };
      });
    nock(API)
      .post('/repos/acme/app/issues/5/comments')
      .reply(201, () => {
        order.push('reply');
        return {};
      });
    const Client = Octokit.plugin(trafficPlugin({ writeIntervalMs: 1, writeLimits: parseWriteLimits('1/0.15s')! }));
    const gh = new Client({ baseUrl: API, auth: { installationId: 5 }, authStrategy: passThrough() as never, log: quiet });
    const edits = [1, 2, 3, 4].map((id) =>
      gh.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', {
        owner: 'acme',
        repo: 'app',
        comment_id: id,
        body: 'status',
      }),
    );
    await new Promise((r) => setTimeout(r, 20)); // the first edit is out; the others wait for budget
    const merge = gh.request('PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge', {
      owner: 'acme',
      repo: 'app',
      pull_number: 9,
      sha: 'abc',
    });
    const reply = gh.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      owner: 'acme',
      repo: 'app',
      issue_number: 5,
      body: 'Your /veto was not counted: ...',
    });
    await Promise.all([...edits, merge, reply]);
    expect(order).toEqual(['edit 1', 'merge', 'reply', 'edit 2', 'edit 3', 'edit 4']);
  });
});

describe('write budget', () => {
  it('orders writes: merges, answers to people, verdicts, first status comments, then status edits', () => {
    expect(writePriority('PUT', '/repos/{owner}/{repo}/pulls/{pull_number}/merge', {})).toBe(0);
    expect(writePriority('POST', '/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions', {})).toBe(1);
    expect(writePriority('POST', '/repos/{owner}/{repo}/issues/{issue_number}/comments', { body: 'Only alice may /approve' })).toBe(1);
    expect(writePriority('POST', '/repos/{owner}/{repo}/check-runs', {})).toBe(2);
    // A first status comment: the view's marker (or an earlier version's ledger).
    expect(writePriority('POST', '/repos/{owner}/{repo}/issues/{issue_number}/comments', { body: '... <!-- hitl-gate:status -->' })).toBe(
      3,
    );
    expect(
      writePriority('POST', '/repos/{owner}/{repo}/issues/{issue_number}/comments', { body: '... <!-- hitl-gate:ledger v1 e30= -->' }),
    ).toBe(3);
    expect(writePriority('PATCH', '/repos/{owner}/{repo}/issues/comments/{comment_id}', {})).toBe(4);
    // The dashboard issue gathers what the PRs already say: it goes last.
    expect(writePriority('PATCH', '/repos/{owner}/{repo}/issues/{issue_number}', { body: 'x\n<!-- hitl-gate:dashboard -->' })).toBe(5);
    expect(writePriority('POST', '/repos/{owner}/{repo}/issues', { body: 'x\n<!-- hitl-gate:dashboard -->' })).toBe(5);
    expect(writePriority('PATCH', '/repos/{owner}/{repo}/issues/{issue_number}', { state: 'closed' })).toBe(2);
  });

  it('waits until the oldest write that fills a window leaves it', () => {
    const limits = [
      { count: 2, perMs: 1000 },
      { count: 3, perMs: 10_000 },
    ];
    expect(waitFor([], limits, 0)).toBe(0);
    expect(waitFor([100], limits, 200)).toBe(0);
    expect(waitFor([100, 200], limits, 300)).toBe(801);
    expect(waitFor([100, 1500, 2000], limits, 2100)).toBe(100 + 10_000 - 2100 + 1);
  });

  it('reads HITL_WRITE_LIMITS and refuses what it cannot read', () => {
    expect(parseWriteLimits('80/1m,500/1h')).toEqual([
      { count: 80, perMs: 60_000 },
      { count: 500, perMs: 3_600_000 },
    ]);
    expect(parseWriteLimits('80 per minute')).toBeUndefined();
    expect(parseWriteLimits('0/1m')).toBeUndefined();
  });
});

describeWithRedis('write budget shared through Redis', () => {
  it('a replica sees the writes another replica made for the same installation', async () => {
    const a = new Redis(process.env.REDIS_URL!);
    const b = new Redis(process.env.REDIS_URL!);
    try {
      const limits = [{ count: 2, perMs: 5000 }];
      const prefix = `hitl-test:writes:${Date.now()}:`;
      const one = new RedisWriteBudget(a, limits, prefix);
      const two = new RedisWriteBudget(b, limits, prefix);
      const now = Date.now();
      await one.record('installation-1', now - 100);
      expect(await two.waitMs('installation-1', now)).toBe(0);
      await one.record('installation-1', now - 50);
      expect(await two.waitMs('installation-1', now)).toBe(5000 - 100 + 1);
      expect(await two.waitMs('installation-2', now)).toBe(0);
    } finally {
      a.disconnect();
      b.disconnect();
    }
  });
});
