// Two App servers on one Redis (REDIS_URL), as replicas behind a load balancer: webhooks of one
// installation land on either, some twice. GitHub must still see one status comment per PR and that
// installation's writes at least a second apart. Needs a Redis server (REDIS_URL; ../support/redis.ts).
import { afterEach, expect, it } from 'vitest';
import { GitHubSimulator, sign, type Delivery } from '../sim/index.js';
import { registerApp, startApp, type AppProcess } from '../sim/app-process.js';
import { gateChecks, openAgentPr, repoFor, sleep, statusComments } from './harness.js';
import { describeWithRedis, redisUrl } from '../support/redis.js';

const url = redisUrl;
const PRS = 6;

let sim: GitHubSimulator | undefined;
const apps: AppProcess[] = [];
afterEach(async () => {
  // A replica that has not finished its in-flight work 20 s after SIGTERM is killed: the test has
  // asserted what it asserts, and a slow drain on a loaded machine must not hang the run.
  await Promise.all(apps.splice(0).map((a) => Promise.race([a.stop(), sleep(20_000).then(() => a.kill())])));
  await sim?.stop();
  sim = undefined;
});

async function deliver(app: AppProcess, secret: string, d: Delivery): Promise<number> {
  const body = JSON.stringify(d.payload);
  const res = await fetch(app.webhookUrl, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'x-github-event': d.event,
      'x-github-delivery': d.id,
      'x-hub-signature-256': sign(secret, body),
    },
  });
  await res.arrayBuffer();
  return res.status;
}

describeWithRedis('two App servers on one Redis', () => {
  it("share one installation's work: one status comment per PR, its writes a second apart", { timeout: 120_000 }, async () => {
    sim = await new GitHubSimulator({ seed: 11 }).start();
    const credentials = registerApp(sim);
    for (let i = 0; i < 2; i++)
      apps.push(await startApp(sim, { credentials, logLevel: 'warn', sweepInterval: '1h', env: { REDIS_URL: url! } }));
    const [a, b] = apps as [AppProcess, AppProcess];

    // The simulator records the deliveries; this test hands them to the replicas itself.
    sim.configureApp({ webhookUrl: '' });
    const repo = repoFor(sim, 'replica-org', 3600);
    const numbers = Array.from({ length: PRS }, () => openAgentPr(sim!, repo, 'soft'));
    const opened = sim.deliveries.filter((d) => d.event === 'pull_request');
    expect(opened).toHaveLength(PRS);
    const requestsFrom = sim.requests.length;

    // Every delivery goes to one replica, and a second time (a redelivery) to the other one.
    const first = await Promise.all(opened.map((d, i) => deliver(i % 2 ? a : b, credentials.webhookSecret, d)));
    await sleep(300);
    const again = await Promise.all(opened.map((d, i) => deliver(i % 2 ? b : a, credentials.webhookSecret, d)));
    expect([...first, ...again].every((s) => s >= 200 && s < 300)).toBe(true);

    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && numbers.some((n) => statusComments(sim!, repo, n).length === 0)) await sleep(200);
    await sleep(3_000); // room for a duplicate, were one coming

    for (const n of numbers) {
      expect(statusComments(sim, repo, n)).toHaveLength(1);
      expect(gateChecks(sim, repo, sim.pull(repo, n).headSha).length).toBeGreaterThan(0);
    }
    // Writes only: a GraphQL query (the search of a PR's earlier heads for the gate's record) is a read.
    const isQuery = (r: { path: string; body: unknown }) =>
      r.path.endsWith('/graphql') && !/^\s*mutation\b/.test(String((r.body as { query?: unknown } | null)?.query ?? ''));
    const writes = sim.requests
      .slice(requestsFrom)
      .filter((r) => r.method !== 'GET' && r.installationId !== undefined && !isQuery(r))
      .map((r) => r.at)
      .sort((x, y) => x - y);
    expect(writes.length).toBeGreaterThanOrEqual(2 * PRS);
    const gaps = writes.slice(1).map((t, i) => t - writes[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1000);
  });
});
