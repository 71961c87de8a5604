// Runs the real App server (`src/app/server.ts`, the code `npm start` runs) as a child process
// pointed at the simulator, with Probot's standard environment and a key generated at run time.
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SimClock } from './clock.js';
import type { GitHubSimulator } from './simulator.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface AppCredentials {
  privateKey: string;
  publicKey: string;
  webhookSecret: string;
}

/** A fresh App key pair and webhook secret, registered with the simulator. Never written to disk. */
export function registerApp(sim: GitHubSimulator, webhookSecret = `whsec-${process.pid}-${Date.now()}`): AppCredentials {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  sim.configureApp({ publicKey, webhookSecret });
  return { privateKey, publicKey, webhookSecret };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface AppProcessOptions {
  credentials: AppCredentials;
  port?: number;
  /** HITL_SWEEP_INTERVAL (the server refuses less than 10s). */
  sweepInterval?: string;
  logLevel?: string;
  env?: Record<string, string>;
  /** `source` runs src/app/server.ts through tsx; `dist` runs the build (`npm start`). Default: dist when
   * it is newer than every source file, else source. */
  from?: 'source' | 'dist';
  /** Node arguments that start the server instead of the standard entry (benchmarks use their own). */
  args?: string[];
  /** Called with every line the server prints (JSON log lines). */
  onLine?: (line: string) => void;
  /** The test's clock (the one its simulator reads): the server's Date and timers follow it, jumps
   * included (test/sim/app-clock.ts). Without it the server runs on the real clock. */
  clock?: SimClock;
}

export interface AppProcess {
  port: number;
  baseUrl: string;
  webhookUrl: string;
  child: ChildProcess;
  /** Everything the server printed, line by line. */
  lines: string[];
  exited: Promise<number | null>;
  /** SIGTERM and wait (graceful drain). */
  stop(): Promise<void>;
  /** SIGKILL: the process dies mid-work, as in a crash or an OOM kill. */
  kill(): Promise<void>;
}

const appClock = join(root, 'test', 'sim', 'app-clock.ts');

/** Jumps the server's clock with the test's and resolves when it has fired the timers that fell due. */
function followClock(child: ChildProcess, clock: SimClock, exited: Promise<unknown>): () => void {
  let nextId = 0;
  return clock.follow(async (ms) => {
    if (child.exitCode !== null || child.signalCode !== null || !child.connected) return;
    const id = ++nextId;
    const done = new Promise<void>((resolve) => {
      const onMessage = (m: unknown): void => {
        const reply = m as { hitlTestClock?: string; id?: number } | null;
        if (reply?.hitlTestClock !== 'advanced' || reply.id !== id) return;
        child.off('message', onMessage);
        resolve();
      };
      child.on('message', onMessage);
      void exited.then(() => {
        child.off('message', onMessage);
        resolve();
      });
    });
    child.send({ hitlTestClock: 'advance', id, ms });
    await done;
  });
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** Whether `npm run build` output is at least as new as the source it is built from. */
export function distIsFresh(): boolean {
  const entry = join(root, 'dist', 'src', 'app', 'server.js');
  if (!existsSync(entry)) return false;
  return statSync(entry).mtimeMs >= newestMtime(join(root, 'src'));
}

export async function startApp(sim: GitHubSimulator, options: AppProcessOptions): Promise<AppProcess> {
  const port = options.port ?? (await freePort());
  const baseUrl = `http://127.0.0.1:${port}`;
  const webhookUrl = `${baseUrl}/api/github/webhooks`;
  const from = options.from ?? (distIsFresh() ? 'dist' : 'source');
  const entry =
    options.args ??
    (from === 'dist' ? [join(root, 'dist', 'src', 'app', 'server.js')] : ['--import', 'tsx', join(root, 'src', 'app', 'server.ts')]);
  const args = options.clock ? ['--import', 'tsx', '--import', appClock, ...entry] : entry;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    NODE_ENV: 'production',
    APP_ID: String(sim.app.id),
    PRIVATE_KEY: options.credentials.privateKey,
    WEBHOOK_SECRET: options.credentials.webhookSecret,
    PORT: String(port),
    HOST: '127.0.0.1',
    GHE_HOST: sim.gheHost,
    GHE_PROTOCOL: 'http',
    HITL_SWEEP_INTERVAL: options.sweepInterval ?? '10s',
    LOG_LEVEL: options.logLevel ?? 'info',
    LOG_FORMAT: 'json',
    ...options.env,
    ...(options.clock ? { HITL_TEST_CLOCK_OFFSET_MS: String(options.clock.offsetMs) } : {}),
  };
  // Probot's typings narrow LOG_LEVEL in ProcessEnv; this env is plain strings by construction.
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: env as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe', ...(options.clock ? (['ipc'] as const) : [])],
  });
  const lines: string[] = [];
  let tail = '';
  const onData = (chunk: Buffer): void => {
    const text = tail + chunk.toString('utf8');
    const parts = text.split('\n');
    tail = parts.pop() ?? '';
    for (const l of parts) {
      lines.push(l);
      options.onLine?.(l);
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  if (options.clock) void exited.then(followClock(child, options.clock, exited));
  sim.configureApp({ webhookUrl });

  const deadline = Date.now() + 30_000;
  let exitCode: number | null | undefined;
  void exited.then((c) => (exitCode = c));
  for (;;) {
    if (exitCode !== undefined) throw new Error(`the App server exited (${exitCode}) before it was ready:\n${lines.slice(-20).join('\n')}`);
    try {
      const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the App server did not become ready within 30 s:\n${lines.slice(-20).join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  const end = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return { port, baseUrl, webhookUrl, child, lines, exited, stop: () => end('SIGTERM'), kill: () => end('SIGKILL') };
}
