// The CLI as a user runs it: `hitl-gate explain` on a PR of 3000 files (and of 100) against a policy of
// 1000 rules, a fresh process each time, against the floor: a process that only reads and parses the
// same two inputs (the YAML policy with positions, as the CLI must, and the JSON file list). What is
// above the floor is module loading, validation, compiling the globs and classifying. The bundle is
// rebuilt from the sources first, so the figures are of the code as it stands.
//
// The CLI loads yaml from its bundle, one file, where the floor loads yaml's seventy modules. For
// reference the bench also times a second floor, bundled the same way, so that what the bundle saves
// on yaml is not mistaken for the CLI's own work being cheap.
import { spawnSync } from 'node:child_process';
import { build } from 'esbuild';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../test/sim/random.js';
import { files, policyText } from './classify.bench.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
type BundleCli = { bundleCli: () => Promise<unknown> };
const RUNS = Number(process.env.HITL_BENCH_CLI_RUNS ?? 15);

const FLOOR = `
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
const [policy, list] = process.argv.slice(-2);
const doc = parseDocument(readFileSync(policy, 'utf8'), { lineCounter: new LineCounter() });
doc.toJS();
JSON.parse(readFileSync(list, 'utf8'));
`;

/** GNU time gives a child's CPU time (user + system), which a busy machine disturbs far less than
 * wall time; without it, wall time. */
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

interface Timing {
  wall: number;
  cpu: number;
}

function run(args: string[]): Timing {
  const started = performance.now();
  const r = TIME
    ? spawnSync(TIME, ['-f', 'hitl-cpu %U %S', process.execPath, ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] })
    : spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  const wall = performance.now() - started;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr.toString()}`);
  const m = /hitl-cpu ([\d.]+) ([\d.]+)/.exec(r.stderr.toString());
  return { wall, cpu: m ? (Number(m[1]) + Number(m[2])) * 1000 : NaN };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const medians = (runs: Timing[]): Timing => ({ wall: median(runs.map((x) => x.wall)), cpu: median(runs.map((x) => x.cpu)) });

export default async function cliBench(): Promise<void> {
  await ((await import(join(ROOT, 'scripts', 'bundle-cli.mjs'))) as BundleCli).bundleCli();
  const dir = mkdtempSync(join(tmpdir(), 'hitl-cli-bench-'));
  try {
    const bundledFloor = join(dir, 'floor.mjs');
    await build({
      stdin: { contents: FLOOR, resolveDir: ROOT, loader: 'js' },
      outfile: bundledFloor,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      minifySyntax: true,
      logLevel: 'warning',
      banner: { js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);" },
    });
    const r = seededRandom(42);
    const policy = join(dir, 'hitl.yml');
    writeFileSync(policy, policyText(r));
    const all = files(r);
    console.log(
      `hitl-gate explain (bin/hitl-gate.js running the bundled CLI, a new process each run, median of ${RUNS}, runs alternating) against a process that only parses the same inputs:`,
    );
    for (const size of [3000, 100]) {
      const list = join(dir, `files-${size}.json`);
      writeFileSync(
        list,
        JSON.stringify(
          all
            .slice(0, size)
            .map((f) => ({ filename: f.filename, status: f.status, additions: f.additions, deletions: f.deletions, changes: 4 })),
        ),
      );
      const cli = ['bin/hitl-gate.js', 'explain', '--policy', policy, '--files-from', list, '--json'];
      const floor = ['--input-type=module', '-e', FLOOR, policy, list];
      const floorBundled = [bundledFloor, policy, list];
      const runs = { cli: [] as Timing[], floor: [] as Timing[], bundled: [] as Timing[] };
      run(cli);
      run(floor);
      run(floorBundled); // warm the file cache
      for (let i = 0; i < RUNS; i++) {
        runs.cli.push(run(cli));
        runs.floor.push(run(floor));
        runs.bundled.push(run(floorBundled));
      }
      const c = medians(runs.cli);
      const f = medians(runs.floor);
      const b = medians(runs.bundled);
      const cpu = Number.isNaN(c.cpu)
        ? ''
        : `CPU ${c.cpu.toFixed(0)} ms against ${f.cpu.toFixed(0)} ms = ${(c.cpu / f.cpu).toFixed(2)}x the floor; `;
      console.log(
        `  ${String(size).padStart(4)} files x 1000 rules: ${cpu}wall ${c.wall.toFixed(0)} ms against ${f.wall.toFixed(0)} ms = ${(c.wall / f.wall).toFixed(2)}x (target <= 1.5x)`,
      );
      const key = Number.isNaN(c.cpu) ? 'wall' : 'cpu';
      console.log(
        `        for reference, against a floor that bundles yaml as the CLI does: ${(c[key] / b[key]).toFixed(2)}x (${key} ${b[key].toFixed(0)} ms)`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
