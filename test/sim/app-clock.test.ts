// The test-driven clock of the App server process (app-clock.ts): it cannot be switched on by an
// environment variable alone, and once driven, the process's Date and timers jump with the test.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const preload = ['--import', 'tsx', '--import', join(root, 'test', 'sim', 'app-clock.ts')];
const env = (offset: string): NodeJS.ProcessEnv => ({ PATH: process.env.PATH ?? '', HITL_TEST_CLOCK_OFFSET_MS: offset });

function runWithoutParent(offset: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...preload, '-e', 'console.log("started")'], {
      cwd: root,
      env: env(offset),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe("the App server's test clock", () => {
  it('refuses to run when only the variable is set, without a test driving it over IPC', { timeout: 30_000 }, async () => {
    const run = await runWithoutParent('0');
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('test-only clock');
  });

  it("starts at the test's time, and a jump fires a timer set for later, at the later time", { timeout: 30_000 }, async () => {
    const offset = 3 * 24 * 3_600_000;
    // The script sets a 10-minute timer and reports its clock; the jump must fire it at once. A
    // listening socket keeps it alive, as the App's HTTP server does (faked timers hold no handle).
    const script =
      "require('node:net').createServer().listen(0, '127.0.0.1'); process.send({ ready: Date.now() }); setTimeout(() => process.send({ fired: Date.now() }), 600000);";
    const child = spawn(process.execPath, [...preload, '-e', script], {
      cwd: root,
      env: env(String(offset)),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const messages: Record<string, number>[] = [];
    const next = (key: string) =>
      new Promise<number>((resolve) => {
        const found = messages.find((m) => key in m);
        if (found) return resolve(found[key]!);
        const on = (m: Record<string, number>) => {
          if (!(key in m)) return;
          child.off('message', on);
          resolve(m[key]!);
        };
        child.on('message', on);
      });
    child.on('message', (m: Record<string, number>) => messages.push(m));
    try {
      const ready = await next('ready');
      expect(Math.abs(ready - (Date.now() + offset))).toBeLessThan(5_000);
      child.send({ hitlTestClock: 'advance', id: 1, ms: 10 * 60_000 });
      await next('now');
      const fired = await next('fired');
      expect(fired - ready).toBeGreaterThanOrEqual(10 * 60_000);
      expect(fired - ready).toBeLessThan(10 * 60_000 + 5_000);
    } finally {
      child.kill();
    }
  });
});
