// The simulator behaves like GitHub where the gate's correctness depends on it: pagination and the
// 3000-file cap, conditional requests, rate-limit headers and episodes, injected faults, webhook
// drops and duplicates, and installation boundaries.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitHubSimulator } from './simulator.js';

let sim: GitHubSimulator;
let receiver: Server;
const received: { delivery: string; event: string }[] = [];
let token: string;
let otherToken: string;
const REPO = 'acme/big';

async function api(path: string, init: RequestInit & { token?: string } = {}): Promise<Response> {
  return fetch(`${sim.apiUrl}${path}`, {
    ...init,
    headers: { authorization: `token ${init.token ?? token}`, accept: 'application/vnd.github+json', ...(init.headers ?? {}) },
  });
}

beforeAll(async () => {
  receiver = createServer((req, res) => {
    received.push({ delivery: String(req.headers['x-github-delivery']), event: String(req.headers['x-github-event']) });
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  sim = await new GitHubSimulator({ seed: 11, webhookUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/` }).start();
  sim.createRepo({ name: REPO, policy: 'version: 1\n' });
  sim.createRepo({ name: 'other/repo' });
  // Tokens as POST /app/installations/{id}/access_tokens would mint them.
  const mint = (repo: string): string => {
    const t = `ghs_test_${repo.replace('/', '_')}`;
    sim.world.tokens.set(t, { token: t, installationId: sim.world.repo(repo).installationId, expiresAt: Date.now() + 3600_000 });
    return t;
  };
  token = mint(REPO);
  otherToken = mint('other/repo');
});

afterAll(async () => {
  await sim?.stop();
  await new Promise<void>((r) => receiver?.close(() => r()));
});

describe('simulator behaviour', () => {
  it('lists at most 3000 files of a pull request, 100 per page, with Link headers, while changed_files tells the truth', async () => {
    const n = sim.openPullRequest(REPO, {
      author: 'copilot-swe-agent[bot]',
      files: Array.from({ length: 3105 }, (_, i) => ({ path: `gen/f${i}.ts` })),
    });
    const pr = (await (await api(`/repos/${REPO}/pulls/${n}`)).json()) as { changed_files: number };
    expect(pr.changed_files).toBe(3105);
    let url: string | undefined = `${sim.apiUrl}/repos/${REPO}/pulls/${n}/files?per_page=100`;
    let listed = 0;
    let pages = 0;
    while (url) {
      const res = await fetch(url, { headers: { authorization: `token ${token}` } });
      listed += ((await res.json()) as unknown[]).length;
      pages += 1;
      url = /<([^>]+)>; rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
    }
    expect(listed).toBe(3000);
    expect(pages).toBe(30);
  });

  it('answers If-None-Match with 304, which costs no rate limit', async () => {
    const first = await api(`/repos/${REPO}`);
    const etag = first.headers.get('etag')!;
    const used = Number(first.headers.get('x-ratelimit-used'));
    const second = await api(`/repos/${REPO}`, { headers: { 'if-none-match': etag } });
    expect(second.status).toBe(304);
    expect(Number(second.headers.get('x-ratelimit-used'))).toBe(used);
    const third = await api(`/repos/${REPO}`);
    expect(Number(third.headers.get('x-ratelimit-used'))).toBe(used + 1);
  });

  it('keeps installations apart: another installation token sees 404', async () => {
    expect((await api(`/repos/${REPO}`, { token: otherToken })).status).toBe(404);
    expect((await api(`/repos/${REPO}`, { token: 'ghs_nonsense' })).status).toBe(401);
  });

  it('refuses requests during a rate-limit episode the way GitHub does, then recovers', async () => {
    sim.rateLimitEpisode({ kind: 'secondary', requests: 2, retryAfterSeconds: 3 });
    const a = await api(`/repos/${REPO}`);
    expect(a.status).toBe(403);
    expect(a.headers.get('retry-after')).toBe('3');
    expect(((await a.json()) as { message: string }).message).toMatch(/secondary rate limit/);
    expect((await api(`/repos/${REPO}`)).status).toBe(403);
    expect((await api(`/repos/${REPO}`)).status).toBe(200);
    sim.rateLimitEpisode({ kind: 'primary', requests: 1, retryAfterSeconds: 60 });
    const b = await api(`/repos/${REPO}`);
    expect(b.status).toBe(403);
    expect(b.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(b.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
    expect((await api(`/repos/${REPO}`)).status).toBe(200);
  });

  it('injects 5xx at the configured rate, before any effect, and records which requests failed', async () => {
    sim.setRestFaults({ errorRate: 0.5 });
    // 200 writes at once: far past GitHub's 80 a minute, which this test is not about.
    sim.setContentLimits(false);
    const before = sim.requests.length;
    const n = sim.openPullRequest(REPO, { author: 'copilot-swe-agent[bot]', files: [{ path: 'a.ts' }] });
    const statuses: number[] = [];
    for (let i = 0; i < 200; i++)
      statuses.push(
        (await api(`/repos/${REPO}/issues/${n}/comments`, { method: 'POST', body: JSON.stringify({ body: `try ${i}` }) })).status,
      );
    sim.clearFaults();
    sim.setContentLimits({ perMinute: 80, perHour: 500 });
    const failed = statuses.filter((s) => s >= 500).length;
    expect(failed).toBeGreaterThan(70);
    expect(failed).toBeLessThan(130);
    // A refused write left nothing behind.
    expect(sim.appComments(REPO, n)).toHaveLength(200 - failed);
    expect(sim.requests.slice(before).filter((r) => r.fault === 'error')).toHaveLength(failed);
    expect(sim.requestCounts(before).get('POST /repos/{owner}/{repo}/issues/{issue_number}/comments')).toBe(200);
  });

  it('drops and duplicates webhook deliveries as configured; duplicates keep their delivery id', async () => {
    await sim.webhooks.settled();
    received.length = 0;
    sim.setWebhookFaults({ dropRate: 0.3, duplicateRate: 0.3 });
    const n = sim.openPullRequest(REPO, { author: 'copilot-swe-agent[bot]', files: [{ path: 'b.ts' }] });
    const from = sim.deliveries.length;
    for (let i = 0; i < 100; i++) sim.comment(REPO, n, 'alice', `note ${i}`);
    await sim.webhooks.settled();
    sim.clearFaults();
    const ours = sim.deliveries.slice(from);
    const dropped = ours.filter((d) => d.dropped).length;
    const duplicated = ours.filter((d) => d.duplicated).length;
    expect(dropped).toBeGreaterThan(10);
    expect(duplicated).toBeGreaterThan(10);
    const got = received.filter((r) => ours.some((d) => d.id === r.delivery));
    expect(got).toHaveLength(100 - dropped + duplicated);
    expect(new Set(got.map((r) => r.delivery)).size).toBe(100 - dropped);
  });

  it('reports mergeable null while it computes after a push, then the truth', async () => {
    const n = sim.openPullRequest(REPO, { author: 'copilot-swe-agent[bot]', files: [{ path: 'c.ts' }] });
    sim.setMergeableComputing(REPO, n, 1);
    const a = (await (await api(`/repos/${REPO}/pulls/${n}`)).json()) as { mergeable: boolean | null; mergeable_state: string };
    const b = (await (await api(`/repos/${REPO}/pulls/${n}`)).json()) as { mergeable: boolean | null; mergeable_state: string };
    expect([a.mergeable, a.mergeable_state]).toEqual([null, 'unknown']);
    expect([b.mergeable, b.mergeable_state]).toEqual([true, 'clean']);
    sim.ciCheck(REPO, sim.pull(REPO, n).headSha, 'ci', null);
    const c = (await (await api(`/repos/${REPO}/pulls/${n}`)).json()) as { mergeable_state: string };
    expect(c.mergeable_state).toBe('unstable');
  });
});
