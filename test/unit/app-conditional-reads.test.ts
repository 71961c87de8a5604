// Conditional reads: the App keeps each answer with its ETag and asks again with If-None-Match; a 304
// (not charged by GitHub) is answered with the kept body. Kept per installation, bounded, and shared
// through Redis when there is one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Bottleneck from 'bottleneck';
import { Redis } from 'ioredis';
import { Octokit } from '@octokit/core';
import { gateOctokit } from '../../src/app/octokit.js';
import { conditionalReadsPlugin } from '../../src/app/conditional-reads.js';
import { SharedCache, type RedisText } from '../../src/app/shared-cache.js';
import { GitHubSimulator } from '../sim/index.js';
import { describeWithRedis } from '../support/redis.js';

let sim: GitHubSimulator;
const REPO = 'etag-org/app';
let token: string;
let other: string;

beforeAll(async () => {
  sim = await new GitHubSimulator({ seed: 2 }).start();
  sim.createRepo({ name: REPO, policy: 'version: 1\n' });
  sim.createRepo({ name: 'etag-other/app' });
  const mint = (repo: string, id: string): string => {
    sim.world.tokens.set(id, { token: id, installationId: sim.world.repo(repo).installationId, expiresAt: Date.now() + 3600_000 });
    return id;
  };
  token = mint(REPO, 'ghs_etag_1');
  other = mint('etag-other/app', 'ghs_etag_2');
});
afterAll(() => sim.stop());

/** A client as Probot builds one per installation (the plugin reads `auth.installationId`). */
function client(cache: SharedCache, credential = token, installationId = 1) {
  const Client = Octokit.plugin(conditionalReadsPlugin(cache));
  const passThrough = () => ({
    hook: (request: (o: unknown) => unknown, options: { headers: Record<string, string> }) =>
      request({ ...options, headers: { ...options.headers, authorization: `token ${credential}` } }),
  });
  return new Client({ baseUrl: sim.apiUrl, auth: { installationId }, authStrategy: passThrough as never });
}

/** A stand-in for the few ioredis commands the cache uses. */
function fakeRedis(): RedisText & { keys: Map<string, string> } {
  const keys = new Map<string, string>();
  return { keys, get: async (k) => keys.get(k) ?? null, set: async (k, v) => keys.set(k, v), del: async (k) => keys.delete(k) };
}

describe('conditional reads', () => {
  it('asks again with the ETag and answers a 304 with the body GitHub sent before, charging nothing', async () => {
    const gh = client(new SharedCache());
    const from = sim.requests.length;
    const first = await gh.request('GET /repos/{owner}/{repo}/pulls', { owner: 'etag-org', repo: 'app', state: 'open' });
    const second = await gh.request('GET /repos/{owner}/{repo}/pulls', { owner: 'etag-org', repo: 'app', state: 'open' });
    expect(second.data).toEqual(first.data);
    expect(sim.requests.slice(from).map((r) => r.status)).toEqual([200, 304]);
    expect(sim.chargedRequests(from)).toBe(1);
  });

  it('reads the new answer as soon as GitHub has one', async () => {
    const gh = client(new SharedCache());
    const list = () => gh.request('GET /repos/{owner}/{repo}/pulls', { owner: 'etag-org', repo: 'app', state: 'open' });
    expect((await list()).data).toHaveLength(0);
    const n = sim.openPullRequest(REPO, { author: 'someone', files: [{ path: 'a.ts' }] });
    expect((await list()).data.map((p) => p.number)).toEqual([n]);
  });

  it("keeps installations apart: another installation's 404 is not answered from this one's answer", async () => {
    const cache = new SharedCache();
    await client(cache).request('GET /repos/{owner}/{repo}', { owner: 'etag-org', repo: 'app' });
    await expect(client(cache, other, 2).request('GET /repos/{owner}/{repo}', { owner: 'etag-org', repo: 'app' })).rejects.toMatchObject({
      status: 404,
    });
  });

  it('with Redis, a replica that never read the resource asks conditionally too', async () => {
    const redis = fakeRedis();
    await client(new SharedCache({ redis })).request('GET /repos/{owner}/{repo}', { owner: 'etag-org', repo: 'app' });
    const from = sim.requests.length;
    const { data } = await client(new SharedCache({ redis })).request('GET /repos/{owner}/{repo}', { owner: 'etag-org', repo: 'app' });
    expect(data.full_name).toBe(REPO);
    expect(sim.requests.slice(from).map((r) => r.status)).toEqual([304]);
  });

  it('stays within its memory bound, dropping the least recently used answers', async () => {
    const cache = new SharedCache({ maxBytes: 20_000 });
    const gh = client(cache);
    for (let i = 0; i < 20; i++) await gh.request('GET /repos/{owner}/{repo}', { owner: 'etag-org', repo: 'app', page: i });
    expect(cache.size.bytes).toBeLessThanOrEqual(20_000);
    expect(cache.size.entries).toBeGreaterThan(0);
    expect(cache.size.entries).toBeLessThan(20);
  });
});

describeWithRedis('conditional reads across replicas on a real Redis', () => {
  it('a second replica (its own process cache) asks with the ETag the first one kept in Redis', async () => {
    // What Probot builds from REDIS_URL and hands every client in `throttle.connection`; one per replica.
    const connections = [0, 1].map(() => new Bottleneck.IORedisConnection({ client: new Redis(process.env.REDIS_URL!) }));
    try {
      const [one, two] = connections.map(
        (connection) =>
          new (gateOctokit({ fetch: globalThis.fetch, writeIntervalMs: 0 }))({
            baseUrl: sim.apiUrl,
            auth: { token },
            throttle: { connection },
          } as never),
      );
      const path = { owner: 'etag-org', repo: 'app', per_page: 7 + (Date.now() % 1000) }; // a resource no earlier run kept
      await one!.request('GET /repos/{owner}/{repo}/pulls', path);
      await new Promise((r) => setTimeout(r, 100)); // the cache writes to Redis in the background
      const from = sim.requests.length;
      await two!.request('GET /repos/{owner}/{repo}/pulls', path);
      expect(sim.requests.slice(from).map((r) => r.status)).toEqual([304]);
    } finally {
      await Promise.all(connections.map((c) => c.disconnect(true)));
    }
  });
});
