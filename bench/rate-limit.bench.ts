// Rate-limit benchmark: what the gate spends of GitHub's limits.
//
// - idle: requests GitHub would CHARGE per hour for N idle governed PRs (hard, waiting for an
//   approval; plus 50 human PRs) at the default 5-minute sweep. The sweep and the App's Octokit (its
//   conditional reads and traffic plugin) run in this process against the simulator, on a simulated
//   clock: an hour is 12 sweeps, run back to back. A 304 is not charged.
// - burst: a burst of new agent PRs in ONE installation against the production App server: how long
//   until every PR has the gate's check run, and how many secondary-limit answers (403) GitHub gave.
//   GitHub allows 80 content-creating requests a minute and 500 an hour, so 1,000 new PRs (2,000
//   writes: a check run and a status comment each) take hours in real time. The run compresses time
//   by HITL_BENCH_TIME_SCALE (default 60: a minute lasts a second) for the simulator's limits and the
//   App's pacing alike, and prints the real-time equivalent.
// HITL_BENCH_RATE_PHASES=idle,burst; HITL_BENCH_IDLE_SIZES=1,50,200,1000; HITL_BENCH_BURST=1000.
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { GitHubSimulator } from '../test/sim/index.js';
import { registerApp, startApp, type AppProcess } from '../test/sim/app-process.js';
import { examplePolicy } from '../test/fixtures/example-policy.js';

const self = fileURLToPath(import.meta.url);
const AGENT = 'copilot-swe-agent[bot]';
const POLICY = examplePolicy({ window: '15m', authors: [AGENT] });
const MINUTE = 60_000;

async function idleRun(size: number, conditional: boolean): Promise<{ charged: number; total: number; seconds: number }> {
  const { gateOctokit } = await import('../src/app/octokit.js');
  const { SharedCache } = await import('../src/app/shared-cache.js');
  const { sweep } = await import('../src/github/index.js');
  let t = Date.parse('2026-03-02T09:00:00Z');
  // Set-up writes (the first sight of every PR) are not what is measured: no content limits here.
  const sim = await new GitHubSimulator({ seed: 9, clock: () => new Date(t), contentLimits: false }).start();
  try {
    const repo = sim.createRepo({ name: 'idle-org/app', policy: POLICY, collaborators: { alice: 'write' } });
    for (let i = 0; i < size; i++)
      sim.openPullRequest(repo, { author: AGENT, head: `copilot/task-${i}`, files: [{ path: `db/migrations/${i}.sql`, content: 'x\n' }] });
    for (let i = 0; i < 50; i++)
      sim.openPullRequest(repo, { author: `human-${i}`, head: `feature/${i}`, files: [{ path: `src/f${i}.ts`, content: 'x\n' }] });
    const token = 'ghs_idle_bench';
    sim.world.tokens.set(token, { token, installationId: sim.world.repo(repo).installationId, expiresAt: Date.now() + 24 * 3600_000 });
    const Client = gateOctokit({ writeIntervalMs: 0, readCache: conditional ? new SharedCache() : false });
    const client = new Client({ auth: { token }, baseUrl: sim.apiUrl, log: { debug() {}, info() {}, warn() {}, error() {} } });
    const memo = conditional ? new SharedCache() : undefined;
    const identity = { appId: sim.app.id, login: sim.app.botLogin };
    // What the App's Sweeper does per installation and sweep, then the repository's sweep.
    const sweepOnce = async (): Promise<void> => {
      await client.paginate(client.rest.apps.listReposAccessibleToInstallation, { per_page: 100 });
      await sweep(
        client as never,
        { owner: 'idle-org', repo: 'app' },
        { mode: 'full', identity, now: () => new Date(t), ...(memo ? { memo } : {}) },
      );
    };
    await sweepOnce(); // first sight: check runs and status comments
    t += 2 * MINUTE;
    await sweepOnce(); // nothing left to do
    const from = sim.requests.length;
    const started = performance.now();
    for (let i = 0; i < 12; i++) {
      t += 5 * MINUTE;
      await sweepOnce();
    }
    return { charged: sim.chargedRequests(from), total: sim.requests.length - from, seconds: (performance.now() - started) / 1000 };
  } finally {
    await sim.stop();
  }
}

async function idlePhase(): Promise<void> {
  const sizes = (process.env.HITL_BENCH_IDLE_SIZES ?? '1,50,200,1000')
    .split(',')
    .map(Number)
    .filter((n) => n > 0);
  console.log(
    '\n-- idle: requests per hour at the default 5-minute sweep (12 sweeps on a simulated clock; idle hard PRs waiting for approval, plus 50 human PRs; target at 200: at most 100 charged)',
  );
  for (const size of sizes) {
    const r = await idleRun(size, true);
    console.log(
      `  ${String(size).padStart(5)} idle governed PRs: ${r.charged} CHARGED requests/hour (${r.total} in all, the rest 304s); the hour's 12 sweeps took ${r.seconds.toFixed(1)} s here`,
    );
  }
  if (process.env.HITL_BENCH_IDLE_BASELINE !== '0') {
    const r = await idleRun(200, false);
    console.log(`  for comparison, 200 idle PRs with conditional reads and quiet-PR skipping off: ${r.charged} charged requests/hour`);
  }
}

async function burstPhase(): Promise<void> {
  const count = Number(process.env.HITL_BENCH_BURST ?? 1000);
  const scale = Number(process.env.HITL_BENCH_TIME_SCALE ?? 60);
  const limits = { perMinute: 80, perHour: 500, minuteMs: MINUTE / scale, hourMs: (60 * MINUTE) / scale };
  console.log(
    `\n-- burst: ${count} new agent PRs in one installation, production App server; GitHub's content limits (80/min, 500/h) with time compressed ${scale}x in the simulator and the App alike`,
  );
  const sim = await new GitHubSimulator({ seed: 12, contentLimits: limits }).start();
  const credentials = registerApp(sim);
  let app: AppProcess | undefined;
  try {
    app = await startApp(sim, {
      credentials,
      logLevel: 'error',
      sweepInterval: '1h',
      args: ['--import', 'tsx', self],
      env: { HITL_BENCH_ROLE: 'server-burst', HITL_BENCH_TIME_SCALE: String(scale) },
    });
    await new Promise((r) => setTimeout(r, 1500));
    const repo = sim.createRepo({ name: 'burst-org/app', policy: POLICY, collaborators: { alice: 'write' } });
    const from = sim.timeline.length;
    const started = Date.now();
    const heads = new Set<string>();
    for (let i = 0; i < count; i++) {
      const n = sim.openPullRequest(repo, { author: AGENT, head: `copilot/burst-${i}`, files: [{ path: `src/b${i}.ts`, content: 'x\n' }] });
      heads.add(sim.pull(repo, n).headSha);
    }
    const checked = new Map<string, number>();
    let scanned = from;
    const deadline = Date.now() + Number(process.env.HITL_BENCH_BURST_TIMEOUT_S ?? 900) * 1000;
    while (checked.size < heads.size && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      for (; scanned < sim.timeline.length; scanned++) {
        const e = sim.timeline[scanned]!;
        const head = e.data?.headSha;
        if (e.kind === 'check-run' && e.actor === sim.app.botLogin && typeof head === 'string' && heads.has(head) && !checked.has(head))
          checked.set(head, e.at);
      }
    }
    const seconds = (Math.max(...checked.values()) - started) / 1000;
    const writes = sim.requests.filter((r) => r.at >= started && r.installationId !== undefined && r.method !== 'GET');
    const equivalent = (seconds * scale) / 60;
    console.log(
      `  every PR has its check run: ${checked.size}/${heads.size} after ${seconds.toFixed(1)} s here = ${equivalent.toFixed(1)} minutes at GitHub's real limits`,
    );
    console.log(`  secondary-limit answers (403 with retry-after): ${sim.secondaryLimitAnswers}; writes sent so far: ${writes.length}`);
  } finally {
    await app?.stop();
    await sim.stop();
  }
}

/** Child process: the production server, with the App's write pacing compressed like the simulator's limits. */
async function burstServerChild(): Promise<void> {
  const scale = Number(process.env.HITL_BENCH_TIME_SCALE ?? 60);
  const { readServerConfig } = await import('../src/app/config.js');
  const { gateOctokit } = await import('../src/app/octokit.js');
  const { startServer } = await import('../src/app/server.js');
  const config = readServerConfig(process.env);
  if (!config.ok) throw new Error(config.errors.join('; '));
  const running = await startServer(config.value, {
    Octokit: gateOctokit({
      writeIntervalMs: 1000 / scale,
      writeLimits: [
        { count: 80, perMs: MINUTE / scale },
        { count: 500, perMs: (60 * MINUTE) / scale },
      ],
    }),
  });
  process.once('SIGTERM', () => void running.stop().then(() => process.exit(0)));
}

export default async function rateLimitBench(): Promise<void> {
  const cpu = cpus();
  console.log(`machine: ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, Node ${process.version}; shared with other work while measured`);
  const phases = (process.env.HITL_BENCH_RATE_PHASES ?? 'idle,burst').split(',');
  if (phases.includes('idle')) await idlePhase();
  if (phases.includes('burst')) await burstPhase();
}

if (process.env.HITL_BENCH_ROLE === 'server-burst') await burstServerChild();
