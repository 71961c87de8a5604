// The import rules `npm run lint` checks (.dependency-cruiser.cjs) bite: run over a small tree that
// breaks each one (test/fixtures/layers), depcruise names exactly those imports, and passes the one
// import the rules allow across faces (the `mcp` subcommand loading the MCP server).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const fixture = join(root, 'test', 'fixtures', 'layers');
const depcruise = join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const run = promisify(execFile);

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

/** depcruise over the fixture tree with the lint's configuration: its exit code as `npm run lint` sees
 * it (the `err` report), and what it found (the same run, reported as JSON). */
async function cruise(): Promise<{ code: number; violations: string[] }> {
  const args = (output: string) => [depcruise, '--config', join(root, '.dependency-cruiser.cjs'), '--output-type', output, 'src', 'action'];
  const exec = (output: string) =>
    run(process.execPath, args(output), { cwd: fixture, maxBuffer: 16 * 1024 * 1024 }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
    );
  const [lint, json] = await Promise.all([exec('err'), exec('json')]);
  const result = JSON.parse(json.stdout) as { summary: { violations: Violation[] } };
  return { code: lint.code, violations: result.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort() };
}

describe('the layer rules in npm run lint', () => {
  it('fail on a type-only cycle and on every layer crossing, and on nothing else', async () => {
    const { code, violations } = await cruise();
    expect(code).not.toBe(0);
    expect(violations).toEqual([
      'action-not-app: action/main.ts -> src/app/name.ts',
      'cli-loads-mcp-server-only-from-its-subcommand: src/cli/mcp.ts -> src/mcp/tool-error.ts',
      'cli-not-mcp: src/cli/explain.ts -> src/mcp/server.ts',
      'core-is-self-contained: src/core/decide.ts -> src/github/read.ts',
      'core-is-self-contained: src/core/lazy.ts -> src/github/read.ts',
      'mcp-not-cli: src/mcp/server.ts -> src/cli/files.ts',
      'model-is-data: src/core/model/decision.ts -> src/core/verdict.ts',
      'no-circular: src/core/rank.ts -> src/core/tier.ts',
      'shell-serves-faces: src/github/read.ts -> src/app/name.ts',
    ]);
  });
});
