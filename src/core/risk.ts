// The risk score: how much a change asks of a human, from signals anyone can check in the diff, in
// [0, 1]. Each signal saturates (more of it never lowers the score, and no single one runs away), its
// contribution is its weight times that saturation, and the score is their sum, capped at 1: so the
// explanation is simply the list of contributions. Pure and deterministic.
//
// The score only raises the tier (a policy's `risk: { soft, hard }` thresholds); it never lowers one.
import type { ChangedFile } from './model/pull-request.js';
import type { RiskFactor } from './model/decision.js';

export interface RiskInput {
  files: ChangedFile[];
  /** GitHub's count of changed files (may exceed files.length when the list was truncated). */
  changedFiles: number;
  additions: number;
  deletions: number;
  /** Sum of the `risk` weights of the matching rules. */
  ruleWeight: number;
}

export interface RiskScore {
  score: number;
  factors: RiskFactor[];
}

/** Each signal: its weight (the most it can add) and the value at which it adds half of that. */
export const RISK_SIGNALS = {
  size: { weight: 0.35, half: 600, about: 'changed lines (added + deleted)' },
  breadth: { weight: 0.2, half: 5, about: 'directories touched beyond the first' },
  files: { weight: 0.15, half: 30, about: 'changed files beyond the first' },
  deletions: { weight: 0.25, half: 300, about: 'deleted lines' },
  dependencies: { weight: 0.25, half: 0.5, about: 'dependency manifests and lock files changed' },
  untested: { weight: 0.1, half: 3, about: 'source files changed while no test file is' },
  binary: { weight: 0.1, half: 2, about: 'binary files changed' },
  rules: { weight: 1, half: 0, about: "sum of the matching rules' `risk` weights" },
} as const;

export type RiskSignal = keyof typeof RISK_SIGNALS;

const MANIFESTS = new Set([
  'package.json',
  'npm-shrinkwrap.json',
  'package-lock.json',
  'yarn.lock',
  'pnpm-lock.yaml',
  'bun.lockb',
  'bun.lock',
  'go.mod',
  'go.sum',
  'cargo.toml',
  'cargo.lock',
  'requirements.txt',
  'pipfile',
  'pipfile.lock',
  'pyproject.toml',
  'poetry.lock',
  'uv.lock',
  'setup.py',
  'setup.cfg',
  'gemfile',
  'gemfile.lock',
  'composer.json',
  'composer.lock',
  'pom.xml',
  'build.gradle',
  'build.gradle.kts',
  'gradle.lockfile',
  'packages.lock.json',
  'directory.packages.props',
  'mix.exs',
  'mix.lock',
  'pubspec.yaml',
  'pubspec.lock',
  'podfile',
  'podfile.lock',
  'package.swift',
  'package.resolved',
  'flake.lock',
  'deno.json',
  'deno.lock',
]);
const MANIFEST_PATTERNS = [/^requirements[-.\w]*\.txt$/, /\.csproj$/, /\.gemspec$/];

const SOURCE =
  /\.(ts|tsx|js|jsx|mjs|cjs|py|go|rs|java|kt|kts|scala|rb|php|cs|fs|c|cc|cpp|cxx|h|hpp|m|mm|swift|dart|ex|exs|erl|clj|lua|pl|sh|bash|sql|vue|svelte)$/i;
const TEST = /(^|\/)(tests?|__tests__|spec|specs|e2e)\/|[._-](test|spec)\.[^/]+$|_test\.go$|(^|\/)test_[^/]+\.py$/i;
const BINARY =
  /\.(png|jpe?g|gif|bmp|ico|webp|tiff?|psd|pdf|zip|gz|tgz|bz2|xz|7z|rar|jar|war|ear|class|exe|dll|so|dylib|a|o|obj|lib|bin|wasm|woff2?|ttf|otf|eot|mp3|mp4|mov|avi|webm|ogg|wav|flac|sqlite|db|pyc|pkl|onnx|pt|h5|parquet)$/i;

const base = (path: string): string => (path.split('/').pop() ?? path).toLowerCase();
const dir = (path: string): string => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '');

export const isManifest = (path: string): boolean => MANIFESTS.has(base(path)) || MANIFEST_PATTERNS.some((p) => p.test(base(path)));
export const isTest = (path: string): boolean => TEST.test(path);
export const isSource = (path: string): boolean => SOURCE.test(path) && !isTest(path);
export const isBinary = (path: string): boolean => BINARY.test(path);

/** Every path of the change: both sides of a rename. */
function paths(files: ChangedFile[]): string[] {
  return files.flatMap((f) =>
    f.previousFilename !== undefined && f.previousFilename !== f.filename ? [f.filename, f.previousFilename] : [f.filename],
  );
}

/** The raw value of every signal. */
export function riskSignals(input: RiskInput): Record<RiskSignal, number> {
  const all = paths(input.files);
  const tested = all.some(isTest);
  return {
    size: Math.max(0, input.additions) + Math.max(0, input.deletions),
    breadth: Math.max(0, new Set(all.map(dir)).size - 1),
    files: Math.max(0, Math.max(input.changedFiles, input.files.length) - 1),
    deletions: Math.max(0, input.deletions),
    dependencies: input.files.filter((f) => isManifest(f.filename) || (f.previousFilename !== undefined && isManifest(f.previousFilename)))
      .length,
    untested: tested ? 0 : input.files.filter((f) => isSource(f.filename)).length,
    binary: input.files.filter((f) => isBinary(f.filename)).length,
    rules: Math.max(0, input.ruleWeight),
  };
}

const round = (n: number): number => Math.round(n * 1000) / 1000;

/** Contribution of one signal: weight * value / (value + half); the rules' weights count as they are. */
export function contribution(signal: RiskSignal, value: number): number {
  const { weight, half } = RISK_SIGNALS[signal];
  if (!(value > 0)) return 0;
  if (signal === 'rules') return Math.min(1, value);
  return (weight * value) / (value + half);
}

export function riskScore(input: RiskInput): RiskScore {
  const values = riskSignals(input);
  const factors: RiskFactor[] = (Object.keys(RISK_SIGNALS) as RiskSignal[]).map((name) => ({
    name,
    value: values[name],
    contribution: round(contribution(name, values[name])),
  }));
  const sum = (Object.keys(RISK_SIGNALS) as RiskSignal[]).reduce((s, name) => s + contribution(name, values[name]), 0);
  return { score: round(Math.min(1, sum)), factors };
}

/** One line that explains a score: the thresholds it reached and each signal that added something. */
export function describeRisk(r: { tier: string; score: number; factors: RiskFactor[]; soft?: number; hard?: number }): string {
  const reached = r.tier === 'hard' ? ` ≥ hard ${r.hard}` : r.tier === 'soft' ? ` ≥ soft ${r.soft}` : '';
  const limits = [r.soft !== undefined ? `soft at ${r.soft}` : '', r.hard !== undefined ? `hard at ${r.hard}` : '']
    .filter(Boolean)
    .join(', ');
  const shown = r.factors.filter((f) => f.contribution > 0).map((f) => `${f.name} ${f.value} +${f.contribution}`);
  return `risk score ${r.score}${reached} (${limits || 'no thresholds'})${shown.length ? `: ${shown.join(', ')}` : ': no risk signal'}`;
}
