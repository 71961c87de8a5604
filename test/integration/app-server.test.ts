// `npm start` as an operator meets it: the real entry point in a child process.
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('../../src/app/server.ts', import.meta.url));
const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

function run(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    // Only what we give: no APP_ID or secrets leak in from the test runner's environment.
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += String(d)));
  child.stderr.on('data', (d) => (stderr += String(d)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe('npm start', () => {
  it('with configuration missing, prints one line naming what to set and exits 1', async () => {
    const p = run({ HITL_SWEEP_INTERVAL: 'soon' });
    expect(await p.exited).toBe(1);
    const lines = p.err().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^hitl-gate: cannot start: /);
    for (const name of ['APP_ID', 'PRIVATE_KEY', 'WEBHOOK_SECRET', 'HITL_SWEEP_INTERVAL']) expect(lines[0]).toContain(name);
  });

  it('serves /healthz, and on SIGTERM stops and exits 0', async () => {
    const port = await freePort();
    // GitHub is a closed local port: the start-up sweep fails fast and offline, and the server stays up.
    const p = run({
      APP_ID: '4242',
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET: 'x',
      PORT: String(port),
      HOST: '127.0.0.1',
      GHE_HOST: '127.0.0.1:9',
      GHE_PROTOCOL: 'http',
      LOG_LEVEL: 'warn',
    });
    let health: Response | undefined;
    for (let i = 0; i < 100 && !health; i++) {
      health = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
      if (!health) await new Promise((r) => setTimeout(r, 100));
    }
    expect(health?.status).toBe(200);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });
});

describe('behind a proxy', () => {
  it("sends GitHub requests through HTTPS_PROXY (Node's fetch alone would ignore it)", async () => {
    const seen: string[] = [];
    const proxy = createServer((socket: Socket) => {
      // The App retries and is then killed: a connection it resets is expected, not a test failure.
      socket.on('error', () => undefined);
      socket.once('data', (chunk) => {
        seen.push(String(chunk).split('\r\n')[0]!);
        socket.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n');
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxyPort = (proxy.address() as { port: number }).port;
    const port = await freePort();
    // The start-up sweep is the first GitHub request; GitHub itself is never reached.
    const p = run({
      APP_ID: '4242',
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET: 'x',
      PORT: String(port),
      HOST: '127.0.0.1',
      GHE_HOST: 'github.example.com',
      HTTPS_PROXY: `http://127.0.0.1:${proxyPort}`,
      LOG_LEVEL: 'warn',
    });
    await expect.poll(() => seen.length, { timeout: 10_000 }).toBeGreaterThan(0);
    expect(seen[0]).toBe('CONNECT github.example.com:443 HTTP/1.1');
    expect(p.err()).toContain(`through the proxy http://127.0.0.1:${proxyPort}`);
    p.child.kill('SIGTERM');
    await p.exited;
    proxy.close();
  });
});
