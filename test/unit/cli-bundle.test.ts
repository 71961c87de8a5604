// `hitl-gate` as the package runs it: bin/hitl-gate.js loading the bundle scripts/bundle-cli.mjs builds
// (dist/cli/). The bundle must answer exactly as the sources do, find the package's version from where
// it lies, load the lazy commands' chunks, and keep every policy check to files of its own.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

const root = join(import.meta.dirname, '..', '..');
const outdir = join(root, 'dist', 'cli');
const run = promisify(execFile);

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** The bundled CLI as a process, the way `npx hitl-gate` starts it. */
function bundled(argv: string[]): Promise<Result> {
  return run(process.execPath, [join(root, 'bin', 'hitl-gate.js'), ...argv], { cwd: root }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

/** The sources, in this process. */
async function sources(argv: string[]): Promise<Result> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    readStdin: async () => '',
    readFile: (p) => readFile(resolve(root, p), 'utf8'),
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** Modules a file imports statically (what loads before the first line of the command runs). */
async function staticImports(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  return [...text.matchAll(/^(?:import|export)\s[^;]*?from\s*"([^"]+)"|^import\s*"([^"]+)"/gm)].map((m) => (m[1] ?? m[2]) as string);
}

describe('the bundled CLI (bin/hitl-gate.js)', () => {
  beforeAll(async () => {
    const { bundleCli } = (await import(join(root, 'scripts', 'bundle-cli.mjs'))) as { bundleCli: () => Promise<unknown> };
    await bundleCli();
  });

  it('answers explain and validate exactly as the sources do', async () => {
    const cases = [
      ['explain', '--policy', 'examples/hitl.yml', '--file', 'db/migrations/001.sql', '--file', 'docs/a.md', '--json'],
      ['explain', '--policy', 'examples/monorepo-strict.yml', '--file', 'services/api/src/x.ts', '--author', 'octocat'],
      ['validate', 'test/fixtures/policies/bad-tier.yml', 'test/fixtures/policies/tag.yml', 'examples/hitl.yml'],
      ['explain', '--nope'],
    ];
    for (const argv of cases) {
      expect(await bundled(argv), argv.join(' ')).toEqual(await sources(argv));
    }
    const bad = await bundled(['validate', 'test/fixtures/policies/bad-tier.yml']);
    expect(bad).toEqual({
      code: 1,
      stdout: 'test/fixtures/policies/bad-tier.yml:4:11: rules[0].tier: unknown tier "hardd" (expected fyi, soft or hard)\n',
      stderr: '',
    });
  });

  it("prints the package's version and loads the lazy commands' chunks", async () => {
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(await bundled(['--version'])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
    // `audit` is loaded only when asked for: its chunk must be found beside the bundle.
    expect(await bundled(['audit'])).toEqual({ code: 2, stdout: '', stderr: 'hitl-gate: audit takes one OWNER/REPO, got none\n' });
    expect(await bundled(['report'])).toEqual({ code: 2, stdout: '', stderr: 'hitl-gate: report takes one OWNER/REPO, got none\n' });
  });

  it('loads the charting library only to draw the report page, from node_modules (not redistributed in the bundle)', async () => {
    const { readdir } = await import('node:fs/promises');
    const files = (await readdir(outdir)).filter((f) => f.endsWith('.js'));
    const importers: string[] = [];
    for (const f of files) if ((await staticImports(join(outdir, f))).includes('echarts')) importers.push(f);
    expect(importers).toHaveLength(1);
    expect(importers[0]).toMatch(/^report-page-/);
    expect(await readFile(join(outdir, 'licenses.txt'), 'utf8')).not.toContain('echarts');
  });

  it('loads nothing from node_modules before a policy is checked', async () => {
    const seen = new Set<string>();
    const outside: string[] = [];
    const walk = async (file: string): Promise<void> => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const spec of await staticImports(file)) {
        if (spec.startsWith('./')) await walk(join(outdir, spec.slice(2)));
        else if (!spec.startsWith('node:')) outside.push(spec);
      }
    };
    await walk(join(outdir, 'main.js'));
    expect(seen.size).toBeGreaterThan(1);
    expect(outside).toEqual([]);
  });
});
