// The CLI as a user runs it: `hitl-gate explain` on a PR of 3000 files (and of 100) against a policy of
// 1000 rules, a fresh process each time, against the floor: a process that only reads and parses the
// same two inputs (the YAML policy with positions, as the CLI must, and the JSON file list). What is
// above the floor is module loading, validation, compiling the globs and classifying. The bundle is
// rebuilt from the sources first, so the figures are of the code as it stands.
import { spawnSync } from 'node:child_process';
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
const [policy, list] = process.argv.slice(1);
const doc = parseDocument(readFileSync(policy, 'utf8'), { lineCounter: new LineCounter() });
doc.toJS();
JSON.parse(readFileSync(list, 'utf8'));
`;

/** GNU time gives a child's CPU time (user + system), which a busy machine disturbs far less than
 * wall time; without it, wall time. */
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

function run(args: string[]): { wall: number; cpu: number } {
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

export default async function cliBench(): Promise<void> {
  await ((await import(join(ROOT, 'scripts', 'bundle-cli.mjs'))) as BundleCli).bundleCli();
  const dir = mkdtempSync(join(tmpdir(), 'hitl-cli-bench-'));
  try {
    const r = seededRandom(42);
    const policy = join(dir, 'hitl.yml');
    writeFileSync(policy, policyText(r));
    const all = files(r);
    console.log(`hitl-gate explain (bin/hitl-gate.js running the bundled CLI, a new process each run, median of ${RUNS}, runs alternating) against a process that only parses the same inputs:`);
    for (const size of [3000, 100]) {
      const list = join(dir, `files-${size}.json`);
      writeFileSync(list, JSON.stringify(all.slice(0, size).map((f) => ({ filename: f.filename, status: f.status, additions: f.additions, deletions: f.deletions, changes: 4 }))));
      const cli = ['bin/hitl-gate.js', 'explain', '--policy', policy, '--files-from', list, '--json'];
      const floor = ['--input-type=module', '-e', FLOOR, policy, list];
      run(cli);
      run(floor); // warm the file cache
      const cliRuns: { wall: number; cpu: number }[] = [];
      const floorRuns: { wall: number; cpu: number }[] = [];
      for (let i = 0; i < RUNS; i++) {
        cliRuns.push(run(cli));
        floorRuns.push(run(floor));
      }
      const c = { wall: median(cliRuns.map((x) => x.wall)), cpu: median(cliRuns.map((x) => x.cpu)) };
      const f = { wall: median(floorRuns.map((x) => x.wall)), cpu: median(floorRuns.map((x) => x.cpu)) };
      const cpu = Number.isNaN(c.cpu) ? '' : `CPU ${c.cpu.toFixed(0)} ms against ${f.cpu.toFixed(0)} ms = ${(c.cpu / f.cpu).toFixed(2)}x the floor; `;
      console.log(`  ${String(size).padStart(4)} files x 1000 rules: ${cpu}wall ${c.wall.toFixed(0)} ms against ${f.wall.toFixed(0)} ms = ${(c.wall / f.wall).toFixed(2)}x (target <= 1.5x)`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
