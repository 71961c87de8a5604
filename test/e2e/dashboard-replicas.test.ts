// Two App servers on one Redis, each seeing every event: the repository still gets one dashboard
// issue, refreshed by one replica per interval between them. Needs a Redis server (REDIS_URL).
import { afterEach, expect, it } from 'vitest';
import { DASHBOARD_LABEL } from '../../src/core/model/after-merge.js';
import { examplePolicy } from '../fixtures/example-policy.js';
import { GitHubSimulator, sign, type Delivery } from '../sim/index.js';
import { registerApp, startApp, type AppProcess } from '../sim/app-process.js';
import { AGENT, FILES, sleep } from './harness.js';
import { describeWithRedis, redisUrl } from '../support/redis.js';

let sim: GitHubSimulator | undefined;
const apps: AppProcess[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => Promise.race([a.stop(), sleep(20_000).then(() => a.kill())])));
  await sim?.stop();
  sim = undefined;
});

async function deliver(app: AppProcess, secret: string, d: Delivery): Promise<void> {
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
}

describeWithRedis('the dashboard with two replicas', () => {
  it('is opened once and written at most once per interval, though both replicas see every event', { timeout: 150_000 }, async () => {
    sim = await new GitHubSimulator({ seed: 13 }).start();
    const credentials = registerApp(sim);
    for (let i = 0; i < 2; i++)
      apps.push(
        await startApp(sim, {
          credentials,
          logLevel: 'warn',
          sweepInterval: '1h',
          env: { REDIS_URL: redisUrl!, HITL_DASHBOARD_INTERVAL: '20s' },
        }),
      );
    const [a, b] = apps as [AppProcess, AppProcess];
    sim.configureApp({ webhookUrl: '' });
    const policy = `${examplePolicy({ window: '1h', authors: [AGENT] })}after_merge:\n  sample: { soft: 0 }\n`;
    const repo = sim.createRepo({ name: 'dash-replicas/app', policy, collaborators: { alice: 'write' } });
    const numbers = Array.from({ length: 4 }, (_, i) =>
      sim!.openPullRequest(repo, { author: AGENT, title: `soft ${i}`, files: FILES.soft.map((f) => ({ ...f, path: `src/r${i}.ts` })) }),
    );
    const opened = sim.deliveries.filter((d) => d.event === 'pull_request');
    // Every event reaches both replicas.
    await Promise.all(opened.flatMap((d) => [deliver(a, credentials.webhookSecret, d), deliver(b, credentials.webhookSecret, d)]));

    const mine = () => sim!.issues(repo).filter((i) => i.user.login === sim!.app.botLogin && i.labels.includes(DASHBOARD_LABEL));
    await sim.until(() => numbers.every((n) => (mine()[0]?.body ?? '').includes(`[#${n}](`)), 90_000, 'every PR on the dashboard');
    await sleep(3_000); // room for a second issue, were one coming
    expect(mine()).toHaveLength(1);
    const writes = sim.requests.filter(
      (r) =>
        r.status < 300 &&
        (r.kind === 'POST /repos/{owner}/{repo}/issues' || r.kind === 'PATCH /repos/{owner}/{repo}/issues/{issue_number}'),
    );
    // Each refresh starts by looking for the dashboard: by its label, or by the number it remembers.
    const refreshes = sim.requests.filter(
      (r) =>
        r.method === 'GET' &&
        ((r.path === `/repos/${repo}/issues` && r.query.includes('hitl-dashboard')) ||
          r.path === `/repos/${repo}/issues/${mine()[0]!.number}`),
    );
    const seconds = (refreshes.at(-1)!.at - refreshes[0]!.at) / 1000;
    // One turn per 20 s between both replicas (each would take its own without Redis; a little slack
    // for the time between taking the turn and the first read).
    expect(refreshes.length).toBeLessThanOrEqual(Math.floor(seconds / 18) + 1);
    expect(writes.length).toBeLessThanOrEqual(refreshes.length);
  });
});
