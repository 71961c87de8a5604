// classify: a PR of 3000 changed files against a policy of 1000 rules. The compiled, cached policy
// (globs compiled once, indexed by first segment, basename and extension) against the same
// classification done by calling minimatch(file, glob) afresh for every (file, glob) pair.
import { minimatch } from 'minimatch';
import { stringify } from 'yaml';
import { classify } from '../src/core/classify.js';
import { loadPolicy, PolicyLoads } from '../src/core/policy.js';
import { maxTier, type Tier } from '../src/core/model/tier.js';
import type { Policy } from '../src/core/model/policy.js';
import type { ChangedFile, ClassifyInput } from '../src/core/model/pull-request.js';
import { seededRandom } from '../test/sim/random.js';

const FILES = 3000;
const RULES = 1000;
const RUNS = 50;
const WARMUP = 5;

const EXTS = [
  'ts',
  'tsx',
  'js',
  'md',
  'json',
  'yml',
  'sql',
  'go',
  'py',
  'rs',
  'css',
  'html',
  'tf',
  'sh',
  'proto',
  'graphql',
  'txt',
  'lock',
  'toml',
  'java',
];

function glob(r: () => number): string {
  const n = Math.floor(r() * 400);
  const ext = EXTS[Math.floor(r() * EXTS.length)] as string;
  const forms = [
    `services/svc-${n}/**`,
    `packages/pkg-${n}/src/**/*.{ts,tsx}`,
    `apps/app-${n}/{src,test}/**`,
    `docs/section-${n}/**/*.md`,
    `**/*.${ext}`,
    `libs/lib-${n}/*.${ext}`,
    `infra/${['prod', 'staging', 'dev'][n % 3]}/**`,
    `**/module-${n}/**`,
    `**/Dockerfile`,
    `services/svc-${n}/migrations/**`,
  ];
  // Mostly directory globs, some extension globs, a few that must be tried against every path.
  const weights = [25, 15, 12, 10, 8, 10, 5, 3, 2, 10];
  let pick = r() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < forms.length; i++) {
    pick -= weights[i] as number;
    if (pick < 0) return forms[i] as string;
  }
  return forms[0] as string;
}

export function policyText(r: () => number): string {
  const tiers: Tier[] = ['fyi', 'soft', 'hard'];
  const rules = Array.from({ length: RULES }, (_, i) => ({
    name: `Rule ${i}`,
    tier: tiers[Math.floor(r() * 3)],
    paths: Array.from({ length: 1 + Math.floor(r() * 3) }, () => glob(r)),
  }));
  return stringify({ version: 1, default: 'soft', rules });
}

export function files(r: () => number, count = FILES): ChangedFile[] {
  return Array.from({ length: count }, (_, i) => {
    const n = Math.floor(r() * 400);
    const ext = EXTS[Math.floor(r() * EXTS.length)] as string;
    const dirs = [
      `services/svc-${n}/src`,
      `packages/pkg-${n}/src/components`,
      `apps/app-${n}/src/pages`,
      `docs/section-${n}/guides`,
      `libs/lib-${n}`,
      `tools/scripts`,
      `services/svc-${n}/migrations`,
    ];
    const dir = dirs[Math.floor(r() * dirs.length)] as string;
    return { filename: `${dir}/file-${i}.${ext}`, status: 'modified', additions: 3, deletions: 1 };
  });
}

/** The same semantics without compilation or indexing: minimatch(file, glob) for every pair. */
function naiveTier(policy: Policy, input: ClassifyInput): Tier {
  let tier: Tier = 'fyi';
  const covered = new Set<string>();
  for (const rule of policy.rules) {
    let hit = false;
    for (const f of input.files) {
      for (const g of rule.paths ?? []) {
        if (minimatch(f.filename, g, { dot: true })) {
          hit = true;
          covered.add(f.filename);
        }
      }
    }
    if (hit) tier = maxTier(tier, rule.tier);
  }
  if (input.files.some((f) => !covered.has(f.filename))) tier = maxTier(tier, policy.default);
  return tier;
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
const ms = (n: number): string => `${n.toFixed(2)} ms`;

export default async function (): Promise<void> {
  // Deterministic, so that every run measures the same work.
  const r = seededRandom(42);
  const text = policyText(r);
  const changed = files(r);
  const input: ClassifyInput = {
    author: { login: 'copilot-swe-agent[bot]', type: 'Bot' },
    labels: [],
    headRef: 'copilot/bench',
    baseRef: 'main',
    files: changed,
    changedFiles: changed.length,
    additions: 3 * changed.length,
    deletions: changed.length,
  };

  // The App keeps its loads like this, for as long as its process lives.
  const loads = new PolicyLoads();
  const t0 = performance.now();
  const load = loadPolicy({ kind: 'text', path: '.github/hitl.yml', text }, loads);
  const firstLoad = performance.now() - t0;
  if (load.kind !== 'ok') throw new Error(`benchmark policy is invalid: ${JSON.stringify(load)}`);
  const globs = load.policy.rules.reduce((n, rule) => n + (rule.paths?.length ?? 0), 0);

  const t1 = performance.now();
  loadPolicy({ kind: 'text', path: '.github/hitl.yml', text }, loads);
  const cachedLoad = performance.now() - t1;

  // Wall time, and CPU time of this process (on a shared machine the wall clock also counts the
  // time other processes had the CPU).
  const times: number[] = [];
  const cpu: number[] = [];
  let tier: Tier = 'fyi';
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const cpu0 = process.cpuUsage();
    const start = performance.now();
    tier = classify(load, input).tier;
    const wall = performance.now() - start;
    const used = process.cpuUsage(cpu0);
    if (i >= WARMUP) {
      times.push(wall);
      cpu.push((used.user + used.system) / 1000);
    }
  }
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  const median = percentile(times, 50);

  // Every pair through minimatch() is slow (millions of calls): one run is the measurement.
  const n0 = performance.now();
  const naive = naiveTier(load.policy, input);
  const naiveMs = performance.now() - n0;

  console.log(`policy: ${RULES} rules, ${globs} globs (${(text.length / 1024).toFixed(0)} KiB); PR: ${FILES} files`);
  console.log(`load (parse + validate + compile), first time: ${ms(firstLoad)}; again (cache hit): ${ms(cachedLoad)}`);
  console.log(
    `classify, compiled + cached policy: median ${ms(median)}, p95 ${ms(percentile(times, 95))}, min ${ms(times[0] as number)} over ${RUNS} runs after ${WARMUP} warm-up (target < 20 ms)`,
  );
  console.log(`  CPU time of the same runs: median ${ms(percentile(cpu, 50))}, p95 ${ms(percentile(cpu, 95))}`);
  console.log(`same classification, minimatch(file, glob) per pair (${((FILES * globs) / 1e6).toFixed(1)}M calls, 1 run): ${ms(naiveMs)}`);
  console.log(
    `ratio: ${(naiveMs / median).toFixed(0)}x faster compiled; tiers agree: ${tier === naive ? 'yes' : `NO (${tier} vs ${naive})`}`,
  );
}
