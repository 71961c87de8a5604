// End-to-end harness: the simulator plus the real App server process. Every scenario gets its own
// organisation (so its own installation and its own write pacing) and says what a user would see.
import { afterEach } from 'vitest';
import { GitHubSimulator, type TimelineEntry } from '../sim/index.js';
import { registerApp, startApp, type AppCredentials, type AppProcess } from '../sim/app-process.js';
import { SimClock } from '../sim/clock.js';
import { examplePolicy } from '../fixtures/example-policy.js';

export const AGENT = 'copilot-swe-agent[bot]';
/** What marks the gate's status comment (a view; the record is in its check run). */
export const LEDGER = 'hitl-gate:status';

export function policy(windowSeconds: number): string {
  return examplePolicy({ window: `${windowSeconds}s`, authors: [AGENT] });
}

export const FILES = {
  fyi: [{ path: 'docs/guide.md', content: '# Guide\n' }],
  soft: [{ path: 'src/app.ts', content: 'export const x = 1;\n' }],
  hard: [{ path: 'db/migrations/002_add.sql', content: 'alter table t add c int;\n' }],
} as const;

export interface Gate {
  sim: GitHubSimulator;
  app: AppProcess;
  credentials: AppCredentials;
  /** Kill (SIGKILL) or stop the current server and start a new one on the same port. */
  restart(how: 'kill' | 'stop'): Promise<void>;
  /** Let time pass (`'15m'`): the simulator and the server jump together, and the server fires what
   * fell due (veto windows, reminders, sweeps). Only for a gate started with `virtualClock`. */
  advance(by: string | number): Promise<void>;
  close(): Promise<void>;
}

/** `virtualClock`: the simulator and the server run on a test-driven clock (`gate.advance`) instead of
 * only the real one, so the test need not sleep while time passes. */
export async function startGate(
  options: { seed?: number; sweepInterval?: string; env?: Record<string, string>; virtualClock?: boolean } = {},
): Promise<Gate> {
  const clock = options.virtualClock ? new SimClock() : undefined;
  const sim = await new GitHubSimulator({ seed: options.seed ?? 7, ...(clock ? { clock: () => clock.now() } : {}) }).start();
  const credentials = registerApp(sim);
  const launch = (port?: number): Promise<AppProcess> =>
    startApp(sim, {
      credentials,
      logLevel: 'warn',
      sweepInterval: options.sweepInterval ?? '10s',
      ...(options.env ? { env: options.env } : {}),
      ...(port ? { port } : {}),
      ...(clock ? { clock } : {}),
    });
  const gate: Gate = {
    sim,
    app: await launch(),
    credentials,
    async restart(how) {
      const port = gate.app.port;
      await (how === 'kill' ? gate.app.kill() : gate.app.stop());
      gate.app = await launch(port);
    },
    async close() {
      await gate.app.stop();
      await sim.stop();
    },
    async advance(by) {
      if (!clock) throw new Error('this gate runs on the real clock: start it with { virtualClock: true } to advance time');
      await clock.advance(by);
    },
  };
  return gate;
}

/** For a file whose tests each start their own gate: a starter, and the gate it started is closed
 * after each test, whatever happened in it. */
export function gatePerTest(): (options?: Parameters<typeof startGate>[0]) => Promise<Gate> {
  let current: Gate | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return async (options) => (current = await startGate(options));
}

/** A repository in its own organisation, with the test policy and alice / bob (write) / eve (read). */
export function repoFor(sim: GitHubSimulator, org: string, windowSeconds = 4): string {
  return sim.createRepo({
    name: `${org}/app`,
    policy: policy(windowSeconds),
    files: { 'README.md': '# app\n', 'src/app.ts': 'export const x = 0;\n' },
    collaborators: { alice: 'write', bob: 'write', dave: 'write', eve: 'read', 'renovate[bot]': 'write' },
  });
}

export function openAgentPr(sim: GitHubSimulator, repo: string, tier: keyof typeof FILES): number {
  return sim.openPullRequest(repo, { author: AGENT, title: `${tier} change`, files: FILES[tier].map((f) => ({ ...f })) });
}

/** The gate's check run entries for the PR's current head (or a given head), in order. */
export function gateChecks(sim: GitHubSimulator, repo: string, sha: string): TimelineEntry[] {
  return sim.timeline.filter((e) => e.repo === repo && e.kind === 'check-run' && e.actor === sim.app.botLogin && e.data?.headSha === sha);
}

/** Waits for the gate's check on `sha` to reach a state matching `match` (by status/conclusion/title). */
export function gateCheck(
  sim: GitHubSimulator,
  repo: string,
  sha: string,
  match: (c: { status: string; conclusion: string | null; title: string }) => boolean,
  timeoutMs = 30_000,
): Promise<TimelineEntry> {
  return sim.waitFor(
    (e) =>
      e.repo === repo &&
      e.kind === 'check-run' &&
      e.actor === sim.app.botLogin &&
      e.data?.headSha === sha &&
      match({
        status: String(e.data?.status),
        conclusion: (e.data?.conclusion as string | null) ?? null,
        title: String(e.data?.title ?? ''),
      }),
    timeoutMs,
    `gate check on ${repo}@${sha.slice(0, 7)}`,
  );
}

export function merged(sim: GitHubSimulator, repo: string, number: number, timeoutMs = 45_000): Promise<TimelineEntry> {
  return sim.waitFor((e) => e.kind === 'merged' && e.repo === repo && e.number === number, timeoutMs, `merge of ${repo}#${number}`);
}

export function statusComments(sim: GitHubSimulator, repo: string, number: number): string[] {
  return sim
    .appComments(repo, number)
    .filter((c) => c.body.includes(LEDGER))
    .map((c) => c.body);
}

/** Comments of the gate that answer someone (not its status comment). */
export function replies(sim: GitHubSimulator, repo: string, number: number): string[] {
  return sim
    .appComments(repo, number)
    .filter((c) => !c.body.includes(LEDGER))
    .map((c) => c.body);
}

export function mergesOf(sim: GitHubSimulator, repo: string, number: number): TimelineEntry[] {
  return sim.merges(repo).filter((m) => m.number === number);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Until the server has done what it was going to do: no REST request reached the simulator and no
 * webhook was sent for `quietMs` (longer than the pause between two paced writes), about `repo` only
 * when given (other scenarios may be busy on a shared gate). What a test awaits after `gate.advance`
 * before it asserts that something did not happen. Bounded: rejects after `timeoutMs` of activity.
 */
export async function idle(gate: Gate, o: { repo?: string; quietMs?: number; timeoutMs?: number } = {}): Promise<void> {
  const { repo, quietMs = 1_500, timeoutMs = 30_000 } = o;
  const about = repo?.toLowerCase();
  const requests = () =>
    about ? gate.sim.requests.filter((r) => r.path.toLowerCase().startsWith(`/repos/${about}/`)).length : gate.sim.requests.length;
  const deliveries = () =>
    about
      ? gate.sim.deliveries.filter(
          (d) => String((d.payload.repository as { full_name?: string } | undefined)?.full_name ?? '').toLowerCase() === about,
        ).length
      : gate.sim.deliveries.length;
  const deadline = Date.now() + timeoutMs;
  let seen = -1;
  let since = Date.now();
  for (;;) {
    const activity = requests() + deliveries();
    if (activity !== seen) {
      seen = activity;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) {
      return;
    }
    if (Date.now() > deadline) throw new Error(`the server was still busy after ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** What happened, for a failing test's report: the timeline of these repositories and the server's last log lines. */
export function story(gate: Gate, repos: string[]): string {
  const t0 = gate.sim.timeline[0]?.at ?? Date.now();
  const lines = gate.sim.timeline
    .filter((e) => repos.includes(e.repo))
    .map(
      (e) =>
        `+${((e.at - t0) / 1000).toFixed(2)}s ${e.repo}#${e.number ?? ''} ${e.actor} ${e.kind} ${e.detail}${e.data?.commentId ? ` [comment ${String(e.data.commentId)}]` : ''}`,
    );
  const faults = gate.sim.requests
    .filter((r) => r.fault && repos.some((repo) => r.path.startsWith(`/repos/${repo}/`)))
    .map((r) => `+${((r.at - t0) / 1000).toFixed(2)}s fault ${r.fault} ${r.kind}`);
  return (
    [...lines, ...faults].sort((a, b) => parseFloat(a.slice(1)) - parseFloat(b.slice(1))).join('\n') +
    `\n--- App server, last lines ---\n${gate.app.lines.slice(-40).join('\n')}`
  );
}
