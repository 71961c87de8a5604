// Load benchmark: the real App server against the local GitHub simulator, on this machine.
// Prints: webhooks/s accepted (signature verified), reconciles/s end to end, delivery-to-effect
// latency, REST requests per event by kind, write pacing per installation, memory of pending veto
// windows and timer lateness. Production paces writes (>= 1 s apart per installation); a second run
// with pacing switched off measures CPU headroom only, and is labelled so.
import { spawn } from 'node:child_process';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

import { fileURLToPath } from 'node:url';
import { GitHubSimulator, sign } from '../test/sim/index.js';
import { registerApp, startApp, type AppProcess } from '../test/sim/app-process.js';

const self = fileURLToPath(import.meta.url);

/** Installations (one repository and one agent PR each). The paced server reconciles ~7/s whatever the
 * number, so its run uses 200 unless told otherwise, to keep `npm run bench` within minutes. */
const installationsFor = (paced: boolean): number => Number(process.env.HITL_BENCH_INSTALLATIONS ?? (paced ? 200 : 500));
/** Steady-state pushes per second: what each server can sustain (the paced one reconciles ~8 at a time). */
const steadyRate = (paced: boolean): number => Number(process.env.HITL_BENCH_RATE ?? (paced ? 5 : 100));
const STEADY_SECONDS = 5;
/** HITL_BENCH_CPU_PROF=DIR: the App server writes a V8 CPU profile into DIR when it stops. */
const profileArgs = (): string[] =>
  process.env.HITL_BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.HITL_BENCH_CPU_PROF}`] : [];
const serverEntry = fileURLToPath(new URL('../src/app/server.ts', import.meta.url));

const POLICY = `version: 1
reviewers:
  permission: write
default: soft
tiers:
  soft: { window: 1h, merge: true }
rules:
  - name: Documentation
    tier: fyi
    paths: ["docs/**"]
`;

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
const ms = (n: number): string => `${n.toFixed(1)} ms`;
const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MB`;

/** User + system CPU seconds a process has used so far (Linux /proc). */
function cpuSecondsOf(pid: number | undefined): number {
  if (!pid) return NaN;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function rssOf(pid: number | undefined): number {
  if (!pid) return NaN;
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

async function quiet(sim: GitHubSimulator, idleMs: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = sim.requests.length;
  let since = Date.now();
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    if (sim.requests.length !== last) {
      last = sim.requests.length;
      since = Date.now();
    } else if (Date.now() - since >= idleMs) return;
  }
}

/** POSTs signed deliveries with bounded concurrency; returns per-delivery send times and statuses. */
async function blast(
  url: string,
  secret: string,
  deliveries: { id: string; event: string; payload: unknown }[],
  concurrency: number,
): Promise<{ seconds: number; statuses: Map<number, number>; sentAt: number[] }> {
  const bodies = deliveries.map((d) => JSON.stringify(d.payload));
  const signatures = bodies.map((b) => sign(secret, b));
  const statuses = new Map<number, number>();
  const sentAt: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < deliveries.length) {
      const i = next++;
      const d = deliveries[i]!;
      sentAt[i] = Date.now();
      try {
        const res = await fetch(url, {
          method: 'POST',
          body: bodies[i],
          headers: {
            'content-type': 'application/json',
            'x-github-event': d.event,
            'x-github-delivery': d.id,
            'x-hub-signature-256': signatures[i]!,
          },
        });
        await res.arrayBuffer();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      } catch {
        statuses.set(0, (statuses.get(0) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { seconds: (performance.now() - started) / 1000, statuses, sentAt };
}

interface BurstResult {
  acceptedPerSecond: number;
  reconcilesPerSecond: number;
  latencies: number[];
}

/** Sends pre-signed deliveries (64 in flight), then waits until the gate's check run is on every head. */
async function burst(
  sim: GitHubSimulator,
  app: AppProcess,
  secret: string,
  name: string,
  deliveries: { id: string; event: string; payload: unknown }[],
  heads: string[],
): Promise<BurstResult> {
  const requestsBefore = sim.requests.length;
  const timelineBefore = sim.timeline.length;
  const cpuBefore = { sim: process.cpuUsage(), app: cpuSecondsOf(app.child.pid) };
  const sent = await blast(app.webhookUrl, secret, deliveries, 64);
  const accepted = [...sent.statuses].filter(([st]) => st >= 200 && st < 300).reduce((n, [, c]) => n + c, 0);
  const index = new Map(heads.map((h, i) => [h, i]));
  const effect = await checksOn(sim, new Set(heads), timelineBefore, 300_000);
  const t0 = Math.min(...sent.sentAt);
  const wall = (Math.max(...effect.values()) - t0) / 1000;
  const simCpu = process.cpuUsage(cpuBefore.sim);
  const appCpu = cpuSecondsOf(app.child.pid) - cpuBefore.app;
  const latencies = [...effect].map(([h, at]) => at - sent.sentAt[index.get(h)!]!).sort((a, b) => a - b);
  console.log(`${name}: ${deliveries.length} webhooks, one per PR`);
  console.log(
    `  accepted (signature verified, 2xx): ${accepted}/${deliveries.length} in ${sent.seconds.toFixed(2)} s = ${(accepted / sent.seconds).toFixed(0)} webhooks/s`,
  );
  console.log(
    `  end to end (delivery -> gate check run on the head): ${effect.size}/${heads.length} in ${wall.toFixed(2)} s = ${(effect.size / wall).toFixed(0)} reconciles/s; latency p50 ${ms(quantile(latencies, 0.5))}, p99 ${ms(quantile(latencies, 0.99))} (queueing included)`,
  );
  console.log(
    `  CPU: App server ${appCpu.toFixed(1)} s, simulator ${((simCpu.user + simCpu.system) / 1e6).toFixed(1)} s, in ${wall.toFixed(1)} s of wall time`,
  );
  await quiet(sim, 1500, 120_000);
  const counts = sim.requestCounts(requestsBefore);
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  console.log(`  REST requests per event: ${(total / deliveries.length).toFixed(2)}`);
  for (const [kind, n] of [...counts].sort((a, b) => b[1] - a[1]))
    console.log(`    ${(n / deliveries.length).toFixed(2).padStart(6)}  ${kind}`);
  return { acceptedPerSecond: accepted / sent.seconds, reconcilesPerSecond: effect.size / wall, latencies };
}

async function serverRun(paced: boolean): Promise<void> {
  const label = paced
    ? 'PACED: the production server (`npm start` code and default settings: >= 1 s between writes of one installation)'
    : `HEADROOM: write pacing OFF and at most ${process.env.HITL_BENCH_CONCURRENCY ?? 256} reconciles at a time (CPU headroom only, not how production runs)`;
  const INSTALLATIONS = installationsFor(paced);
  console.log(`\n-- server run: ${label}; ${INSTALLATIONS} installations, one repository and one agent PR each`);
  const sim = await new GitHubSimulator({ seed: 3 }).start();
  const credentials = registerApp(sim);
  const pulls: { repo: string; number: number }[] = [];
  let app: AppProcess | undefined;
  try {
    app = await startApp(sim, {
      credentials,
      logLevel: 'error',
      sweepInterval: '1h',
      ...(paced
        ? process.env.HITL_BENCH_CPU_PROF
          ? { args: [...profileArgs(), '--import', 'tsx', serverEntry] }
          : {}
        : { args: [...profileArgs(), '--import', 'tsx', self], env: { HITL_BENCH_ROLE: 'server-headroom' } }),
    });
    await new Promise((r) => setTimeout(r, 1500)); // the start-up sweep runs over an empty GitHub
    const requestsBefore = sim.requests.length;
    // Set-up is recorded but not delivered: the benchmark sends the deliveries itself, pre-signed.
    const capture = (act: () => void): { id: string; event: string; payload: unknown }[] => {
      sim.configureApp({ webhookUrl: '' });
      const first = sim.deliveries.length;
      act();
      sim.configureApp({ webhookUrl: app!.webhookUrl });
      return sim.deliveries.slice(first);
    };
    const opened = capture(() => {
      for (let i = 0; i < INSTALLATIONS; i++) {
        const repo = sim.createRepo({ name: `org-${i}/service`, policy: POLICY, collaborators: { alice: 'write' } });
        pulls.push({
          repo,
          number: sim.openPullRequest(repo, {
            author: 'copilot-swe-agent[bot]',
            head: `copilot/task-${i}`,
            files: [{ path: `src/mod-${i}.ts`, content: 'export {};\n' }],
          }),
        });
      }
    });
    await sim.webhooks.settled();
    // Cold: first event of each installation (the App must first get an installation token).
    await burst(
      sim,
      app,
      credentials.webhookSecret,
      'cold burst: pull_request.opened on new installations',
      opened,
      pulls.map((p) => sim.pull(p.repo, p.number).headSha),
    );
    // Warm: a push to every PR; tokens cached, the status comment exists and is edited in place.
    const pushed = capture(() => {
      for (const p of pulls) sim.push(p.repo, p.number, { files: [{ path: `src/mod-${p.number}.ts`, content: 'export const v = 2;\n' }] });
    });
    await burst(
      sim,
      app,
      credentials.webhookSecret,
      'warm burst: pull_request.synchronize (a push to every PR)',
      pushed,
      pulls.map((p) => sim.pull(p.repo, p.number).headSha),
    );

    // Steady rate: pushes on idle installations, delivered by the simulator as GitHub would.
    const steadyFrom = sim.timeline.length;
    const sent = new Map<string, number>();
    const rate = steadyRate(paced);
    const n = rate * STEADY_SECONDS;
    const start = Date.now();
    for (let i = 0; i < n; i++) {
      const due = start + (i * 1000) / rate;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const p = pulls[i % pulls.length]!;
      sent.set(sim.push(p.repo, p.number, { files: [{ path: `src/steady-${i}.ts`, content: 'export {};\n' }] }), Date.now());
    }
    const effect = await checksOn(sim, new Set(sent.keys()), steadyFrom, 90_000);
    const lat = [...effect].map(([h, at]) => at - sent.get(h)!).sort((a, b) => a - b);
    console.log(
      `steady: ${rate} pushes/s for ${STEADY_SECONDS} s spread over the installations: delivery -> first effect p50 ${ms(quantile(lat, 0.5))}, p99 ${ms(quantile(lat, 0.99))}, max ${ms(lat.at(-1) ?? NaN)} (${effect.size}/${sent.size} heads got the gate's check)`,
    );
    await quiet(sim, 1500, 90_000);

    // Pacing: gaps between consecutive writes of one installation, over the whole run.
    const writes = new Map<number, number[]>();
    for (const r of sim.requests.slice(requestsBefore)) {
      if (r.method === 'GET' || r.installationId === undefined) continue;
      const list = writes.get(r.installationId) ?? [];
      list.push(r.at);
      writes.set(r.installationId, list);
    }
    const gaps: number[] = [];
    for (const list of writes.values()) for (let i = 1; i < list.length; i++) gaps.push(list[i]! - list[i - 1]!);
    gaps.sort((a, b) => a - b);
    const tooClose = gaps.filter((g) => g < 950).length;
    console.log(
      `write pacing, as GitHub sees it (arrival times): ${gaps.length} gaps between writes of one installation; shortest ${ms(gaps[0] ?? NaN)}, p50 ${ms(quantile(gaps, 0.5))}; ${tooClose} under 950 ms${paced ? '' : ' (pacing is off in this run)'}`,
    );
    console.log(
      `App server RSS at the end: ${mb(rssOf(app.child.pid))} (${INSTALLATIONS} installations, ${INSTALLATIONS} open PRs with pending windows)`,
    );
  } finally {
    await app?.stop();
    await sim.stop();
  }
}

/** Waits until the gate's check run is on every head of `heads` (scanning the timeline from `from`);
 * returns when each got it. */
async function checksOn(sim: GitHubSimulator, heads: Set<string>, from: number, timeoutMs: number): Promise<Map<string, number>> {
  const effect = new Map<string, number>();
  let scanned = from;
  const deadline = Date.now() + timeoutMs;
  while (effect.size < heads.size && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    for (; scanned < sim.timeline.length; scanned++) {
      const e = sim.timeline[scanned]!;
      const head = e.data?.headSha;
      if (e.kind === 'check-run' && e.actor === sim.app.botLogin && typeof head === 'string' && heads.has(head) && !effect.has(head))
        effect.set(head, e.at);
    }
  }
  return effect;
}

/** Events well above what the App can reconcile one by one: pushes to agent PRs at
 * HITL_BENCH_STREAM_RATE (default 1,000/s) for 10 s against the production server. Each push is made
 * live in the simulator and delivered as GitHub would, and each changes the PR's head, so no event is
 * "already seen": the App has to absorb them all and coalesce. What counts is that every event is
 * accepted and every PR ends up with the gate's check run on its last head; how many reconciles that
 * took shows the coalescing. */
async function streamRun(): Promise<void> {
  const INSTALLATIONS = Number(process.env.HITL_BENCH_INSTALLATIONS ?? 500);
  const RATE = Number(process.env.HITL_BENCH_STREAM_RATE ?? 1000);
  const SECONDS = Number(process.env.HITL_BENCH_STREAM_SECONDS ?? 10);
  // HITL_BENCH_REPLICAS=2 with REDIS_URL: that many servers on one Redis behind a round-robin balancer.
  const REPLICAS = Math.max(1, Number(process.env.HITL_BENCH_REPLICAS ?? 1));
  const redisUrl = process.env.REDIS_URL;
  if (REPLICAS > 1 && !redisUrl) throw new Error('HITL_BENCH_REPLICAS > 1 needs REDIS_URL');
  console.log(
    `\n-- stream run: the production server (default settings, paced writes)${redisUrl ? `, ${REPLICAS} replica${REPLICAS > 1 ? 's' : ''} on one Redis` : ''}; ${INSTALLATIONS} installations, one agent PR each; ${RATE} pushes/s for ${SECONDS} s`,
  );
  const sim = await new GitHubSimulator({ seed: 5 }).start();
  const credentials = registerApp(sim);
  let app: AppProcess | undefined;
  const others: AppProcess[] = [];
  let balancer: Server | undefined;
  try {
    const nodeFlags = (process.env.HITL_BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
    const env = {
      ...(process.env.HITL_CONCURRENCY ? { HITL_CONCURRENCY: process.env.HITL_CONCURRENCY } : {}),
      ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
    };
    const launch = () =>
      startApp(sim, {
        credentials,
        logLevel: 'error',
        sweepInterval: '1h',
        env,
        ...(process.env.HITL_BENCH_CPU_PROF || nodeFlags.length
          ? { args: [...nodeFlags, ...profileArgs(), '--import', 'tsx', serverEntry] }
          : {}),
      });
    app = await launch();
    for (let i = 1; i < REPLICAS; i++) others.push(await launch());
    if (others.length > 0) {
      const targets = [app, ...others].map((a) => new URL(a.webhookUrl));
      let next = 0;
      balancer = createServer((req, res) => {
        const target = targets[next++ % targets.length]!;
        const forward = httpRequest(
          { host: target.hostname, port: target.port, path: target.pathname, method: req.method, headers: req.headers },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        forward.on('error', () => res.writeHead(502).end());
        req.pipe(forward);
      });
      await new Promise<void>((resolve) => balancer!.listen(0, '127.0.0.1', resolve));
      sim.configureApp({ webhookUrl: `http://127.0.0.1:${(balancer.address() as { port: number }).port}/api/github/webhooks` });
    }
    const appCpuSeconds = (): number => [app!, ...others].reduce((n, a) => n + cpuSecondsOf(a.child.pid), 0);
    await new Promise((r) => setTimeout(r, 1500));
    const pulls: { repo: string; number: number }[] = [];
    const openedFrom = sim.timeline.length;
    for (let i = 0; i < INSTALLATIONS; i++) {
      const repo = sim.createRepo({ name: `org-${i}/service`, policy: POLICY, collaborators: { alice: 'write' } });
      pulls.push({
        repo,
        number: sim.openPullRequest(repo, {
          author: 'copilot-swe-agent[bot]',
          head: `copilot/task-${i}`,
          files: [{ path: `src/mod-${i}.ts`, content: 'export {};\n' }],
        }),
      });
    }
    await checksOn(sim, new Set(pulls.map((p) => sim.pull(p.repo, p.number).headSha)), openedFrom, 120_000);
    await quiet(sim, 1500, 60_000);

    const deliveriesFrom = sim.deliveries.length;
    const requestsFrom = sim.requests.length;
    const timelineFrom = sim.timeline.length;
    const cpuBefore = { sim: process.cpuUsage(), app: appCpuSeconds() };
    const last = new Map<number, { head: string; at: number }>();
    const total = RATE * SECONDS;
    const start = Date.now();
    for (let i = 0; i < total; i++) {
      const wait = start + (i * 1000) / RATE - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const k = i % pulls.length;
      const p = pulls[k]!;
      last.set(k, {
        head: sim.push(p.repo, p.number, { files: [{ path: `src/stream-${i}.ts`, content: 'export {};\n' }] }),
        at: Date.now(),
      });
    }
    const offeredSeconds = (Date.now() - start) / 1000;
    await sim.webhooks.settled();
    const deliveries = sim.deliveries.slice(deliveriesFrom);
    const accepted = deliveries.filter((d) => d.responses.some((st) => st >= 200 && st < 300)).length;
    const deliveredSeconds = (Math.max(...deliveries.map((d) => d.queuedAt + (d.durations.at(-1) ?? 0))) - start) / 1000;
    const outcomes = new Map<string, number>();
    for (const d of deliveries) {
      const k = d.responses.length ? d.responses.join('+') : d.error ? `error: ${d.error}` : d.dropped ? 'dropped' : 'unsent';
      outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
    }
    console.log(
      `delivery outcomes: ${[...outcomes].map(([k, n]) => `${k} x${n}`).join(', ')}; events: ${[...new Set(deliveries.map((d) => `${d.event}.${d.action}`))].join(', ')}`,
    );
    const finals = new Map([...last.values()].map((l) => [l.head, l.at]));
    const effect = await checksOn(sim, new Set(finals.keys()), timelineFrom, 180_000);
    const wall = (Math.max(...effect.values()) - start) / 1000;
    const appCpu = appCpuSeconds() - cpuBefore.app;
    const simCpu = process.cpuUsage(cpuBefore.sim);
    const lat = [...effect].map(([h, at]) => at - finals.get(h)!).sort((a, b) => a - b);
    await quiet(sim, 1500, 120_000);
    const counts = sim.requestCounts(requestsFrom);
    const requests = [...counts.values()].reduce((a, b) => a + b, 0);
    const reconciles = counts.get('GET /repos/{owner}/{repo}/pulls/{pull_number}/files') ?? 0;
    const headsChecked = new Set(
      sim.timeline
        .slice(timelineFrom)
        .filter((e) => e.kind === 'check-run' && e.actor === sim.app.botLogin)
        .map((e) => e.data?.headSha),
    ).size;
    console.log(
      `offered: ${total} pushes in ${offeredSeconds.toFixed(1)} s = ${(total / offeredSeconds).toFixed(0)} events/s (each a new head of a governed PR, delivered by the simulator as it happens)`,
    );
    console.log(
      `accepted (signature verified, 2xx): ${accepted}/${deliveries.length}, all answered within ${deliveredSeconds.toFixed(1)} s of the first = ${(accepted / deliveredSeconds).toFixed(0)} events/s`,
    );
    console.log(
      `reconciles: ${reconciles} (one per ${(total / Math.max(1, reconciles)).toFixed(1)} events: the rest coalesced into a reconcile that was already queued or ran after them); ${headsChecked} heads got a check run on the way`,
    );
    console.log(
      `every PR reflects its last push: ${effect.size}/${finals.size} final heads carry the gate's check run, ${wall.toFixed(1)} s after the stream began; last push -> its check run p50 ${ms(quantile(lat, 0.5))}, p99 ${ms(quantile(lat, 0.99))}, max ${ms(lat.at(-1) ?? NaN)}`,
    );
    console.log(
      `REST requests: ${requests} = ${(requests / total).toFixed(2)} per event; CPU: App server${others.length ? 's' : ''} ${appCpu.toFixed(1)} s, simulator ${((simCpu.user + simCpu.system) / 1e6).toFixed(1)} s, over ${wall.toFixed(1)} s of wall time; App RSS ${mb(rssOf(app.child.pid))}${others.length ? ' (first replica)' : ''}`,
    );
  } finally {
    balancer?.close();
    await Promise.all(others.map((o) => o.stop()));
    await app?.stop();
    await sim.stop();
  }
}

/** Webhook intake alone: the production server (`startServer`, default settings) with the reconcile
 * queue replaced by a counter, so no reconcile competes for the CPU. Signed deliveries are sent once
 * from this process (which also runs the simulator, as in the bursts above) and then from a separate
 * sender process. The simulator counts GitHub requests: accepting a webhook makes none. */
async function intakeRun(): Promise<void> {
  const INSTALLATIONS = installationsFor(false);
  const ROUNDS = 3;
  console.log(
    `\n-- intake run: the production server, reconcile queue replaced by a counter; ${INSTALLATIONS} installations, an opened and a synchronize delivery each`,
  );
  const sim = await new GitHubSimulator({ seed: 3 }).start();
  const credentials = registerApp(sim);
  let app: AppProcess | undefined;
  try {
    app = await startApp(sim, {
      credentials,
      logLevel: 'error',
      args: [...profileArgs(), '--import', 'tsx', self],
      env: { HITL_BENCH_ROLE: 'server-intake' },
    });
    for (let i = 0; i < INSTALLATIONS; i++) {
      const repo = sim.createRepo({ name: `org-${i}/service`, policy: POLICY, collaborators: { alice: 'write' } });
      const number = sim.openPullRequest(repo, {
        author: 'copilot-swe-agent[bot]',
        head: `copilot/task-${i}`,
        files: [{ path: `src/mod-${i}.ts`, content: 'export {};\n' }],
      });
      sim.push(repo, number, { files: [{ path: `src/mod-${i}.ts`, content: 'export const v = 2;\n' }] });
    }
    const deliveries = sim.deliveries
      .filter((d) => d.event === 'pull_request')
      .map((d) => ({ id: d.id, event: d.event, payload: d.payload }));
    const requestsBefore = sim.requests.length;
    const report = (who: string, round: number, seconds: number, statuses: Map<number, number>, cpu: number): void => {
      const accepted = [...statuses].filter(([st]) => st >= 200 && st < 300).reduce((n, [, c]) => n + c, 0);
      const perWebhook = Number.isNaN(cpu) ? '' : `; App CPU ${((cpu * 1000) / deliveries.length).toFixed(2)} ms per webhook`;
      console.log(
        `  ${who}, round ${round}: ${accepted}/${deliveries.length} accepted in ${seconds.toFixed(2)} s = ${(accepted / seconds).toFixed(0)} webhooks/s${perWebhook}`,
      );
    };
    for (let round = 1; round <= ROUNDS; round++) {
      const cpu = cpuSecondsOf(app.child.pid);
      const sent = await blast(app.webhookUrl, credentials.webhookSecret, deliveries, 64);
      report('sender in the simulator process', round, sent.seconds, sent.statuses, cpuSecondsOf(app.child.pid) - cpu);
    }
    // One sender process for all rounds, so that its own warm-up (JIT, connections) is round 1 only.
    const cpu = cpuSecondsOf(app.child.pid);
    const child = spawn(process.execPath, ['--import', 'tsx', self], {
      env: { ...process.env, HITL_BENCH_ROLE: 'sender' },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let text = '';
    child.stdout.on('data', (c: Buffer) => (text += c.toString()));
    child.stdin.end(JSON.stringify({ url: app.webhookUrl, secret: credentials.webhookSecret, deliveries, rounds: ROUNDS }));
    await new Promise((r) => child.once('exit', r));
    const rounds = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { seconds: number; statuses: [number, number][] });
    const appCpu = cpuSecondsOf(app.child.pid) - cpu;
    rounds.forEach((r, i) => report('separate sender process', i + 1, r.seconds, new Map(r.statuses), NaN));
    console.log(
      `  separate sender process: App CPU ${((appCpu * 1000) / (deliveries.length * rounds.length)).toFixed(2)} ms per webhook over the ${rounds.length} rounds`,
    );
    console.log(`  GitHub requests made while accepting: ${sim.requests.length - requestsBefore}`);
  } finally {
    await app?.stop();
    await sim.stop();
  }
}

/** Child process: the production server with the reconcile queue replaced by a counter (intake run). */
async function intakeServerChild(): Promise<void> {
  const { readServerConfig } = await import('../src/app/config.js');
  const { startServer } = await import('../src/app/server.js');
  const config = readServerConfig(process.env);
  if (!config.ok) throw new Error(config.errors.join('; '));
  let enqueued = 0;
  const running = await startServer(config.value, {
    gate: {
      sweepIntervalMs: 0,
      identity: { appId: config.value.appId, login: 'hitl-gate[bot]' },
      queue: () => ({
        enqueue: async () => {
          enqueued++;
        },
        depth: () => 0,
        idle: async () => undefined,
        exclusive: (_repo, fn) => fn(),
        close: async () => undefined,
      }),
    },
  });
  process.once('SIGTERM', () => {
    console.error(`intake server: ${enqueued} reconciles enqueued`);
    void running.stop().then(() => process.exit(0));
  });
}

/** Child process: sends the deliveries it reads on stdin, `rounds` times (intake run); prints a line per round. */
async function senderChild(): Promise<void> {
  let text = '';
  for await (const chunk of process.stdin) text += (chunk as Buffer).toString();
  const { url, secret, deliveries, rounds } = JSON.parse(text) as {
    url: string;
    secret: string;
    deliveries: { id: string; event: string; payload: unknown }[];
    rounds: number;
  };
  for (let i = 0; i < rounds; i++) {
    const sent = await blast(url, secret, deliveries, 64);
    console.log(JSON.stringify({ seconds: sent.seconds, statuses: [...sent.statuses] }));
  }
}

/** Child process: memory of pending windows in the App's in-memory timers, and how late they fire. */
async function timersChild(): Promise<void> {
  const { MemoryTimers } = await import('../src/app/timers.js');
  const gc = (globalThis as { gc?: () => void }).gc;
  const settle = (): void => {
    gc?.();
    gc?.();
  };
  const out: Record<string, number> = {};
  settle();
  const base = process.memoryUsage();
  out.baseRss = base.rss;
  let timers = new MemoryTimers({ onWake: () => undefined });
  const far = Date.now() + 3600_000;
  for (const count of [10_000, 100_000]) {
    for (let i = timers.pending(); i < count; i++)
      await timers.at({ installationId: 1 + (i % 5000), owner: `org-${i % 5000}`, repo: 'service', number: i }, new Date(far + i));
    settle();
    const m = process.memoryUsage();
    out[`rss${count}`] = m.rss;
    out[`heap${count}`] = m.heapUsed - base.heapUsed;
  }
  await timers.close();
  // Lateness: 100k pending, 10k of them due over the next 2 s.
  const late: number[] = [];
  timers = new MemoryTimers({ onWake: (_ref, lateMs) => late.push(lateMs) });
  const now = Date.now();
  for (let i = 0; i < 100_000; i++) {
    const when = i < 10_000 ? now + 200 + (i % 2000) : far + i;
    await timers.at({ installationId: 1, owner: 'org', repo: 'service', number: i }, new Date(when));
  }
  await new Promise((r) => setTimeout(r, 3000));
  late.sort((a, b) => a - b);
  out.fired = late.length;
  out.lateP50 = quantile(late, 0.5);
  out.lateP99 = quantile(late, 0.99);
  out.lateMax = late.at(-1) ?? NaN;
  await timers.close();
  console.log(JSON.stringify(out));
}

async function timersRun(): Promise<void> {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', self], {
    env: { ...process.env, HITL_BENCH_ROLE: 'timers' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let text = '';
  child.stdout.on('data', (c: Buffer) => (text += c.toString()));
  await new Promise((r) => child.once('exit', r));
  const r = JSON.parse(text.trim().split('\n').at(-1) ?? '{}') as Record<string, number>;
  console.log(`\n-- pending veto windows (the App's in-memory Timers, fresh process)`);
  console.log(
    `RSS: ${mb(r.baseRss!)} empty, ${mb(r.rss10000!)} with 10k pending windows, ${mb(r.rss100000!)} with 100k (heap for the windows: ${mb(r.heap10000!)} / ${mb(r.heap100000!)})`,
  );
  console.log(
    `timer lateness with 100k pending, 10k firing within 2 s: p50 ${ms(r.lateP50!)}, p99 ${ms(r.lateP99!)}, max ${ms(r.lateMax!)} (${r.fired} fired)`,
  );
}

/** Child process: the App with write pacing off and a wide reconcile queue (CPU headroom run only).
 * Built like `startServer`, which offers no way to widen the queue. */
async function headroomServerChild(): Promise<void> {
  const { readServerConfig } = await import('../src/app/config.js');
  const { gateOctokit } = await import('../src/app/octokit.js');
  const { default: hitlGateApp } = await import('../src/app/index.js');
  const { Probot, Server } = await import('probot');
  const { pino } = await import('pino');
  const config = readServerConfig(process.env);
  if (!config.ok) throw new Error(config.errors.join('; '));
  const c = config.value;
  const log = pino({ level: c.logLevel });
  const server = new Server({
    Probot: Probot.defaults({
      appId: c.appId,
      privateKey: c.privateKey,
      secret: c.webhookSecret,
      log,
      Octokit: gateOctokit({ writeIntervalMs: 0 }),
      ...(c.baseUrl ? { baseUrl: c.baseUrl } : {}),
    }),
    port: c.port,
    ...(c.host ? { host: c.host } : {}),
    log,
  });
  await server.load(async (app, options) => {
    await hitlGateApp(app, { ...options, env: process.env, hitl: { queueConcurrency: Number(process.env.HITL_BENCH_CONCURRENCY ?? 256) } });
  });
  await server.start();
  process.once('SIGTERM', () => void server.stop().then(() => process.exit(0)));
}

export default async function loadBench(): Promise<void> {
  const cpu = cpus();
  console.log(
    `machine: ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GB RAM, Node ${process.version}; simulator and App server share these cores`,
  );
  // HITL_BENCH_PHASES picks phases (default all): timers, intake, paced, stream, headroom.
  const phases = (process.env.HITL_BENCH_PHASES ?? 'timers,intake,paced,stream,headroom').split(',');
  if (phases.includes('timers')) await timersRun();
  if (phases.includes('intake')) await intakeRun();
  if (phases.includes('paced')) await serverRun(true);
  if (phases.includes('stream')) await streamRun();
  if (phases.includes('headroom')) await serverRun(false);
}

const role = process.env.HITL_BENCH_ROLE;
if (role === 'timers') await timersChild();
else if (role === 'server-headroom') await headroomServerChild();
else if (role === 'server-intake') await intakeServerChild();
else if (role === 'sender') await senderChild();
