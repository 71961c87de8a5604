// A whole run of policy test files, wherever their text came from (the CLI's disk, the Action's PR
// head): parse each, resolve its policy, run its cases. Pure: the caller reads the files.
import { posix } from 'node:path';
import type { PolicyError, PolicyLoad } from '../model/policy.js';
import { parsePolicyTests } from './parse.js';
import { runCase, type CaseResult } from './run.js';

export interface TestFileText {
  path: string;
  text: string;
}

export interface SuiteOutcome {
  /** Per well-formed file, its results. */
  suites: { file: string; results: CaseResult[] }[];
  /** Malformed test files and broken policies, `FILE:LINE:COL`-positioned. */
  errors: PolicyError[];
  malformed: number;
  passed: number;
  failed: number;
}

/** Where a test file's `policy:` points (relative to the file), as a path from the repository root;
 * undefined when it climbs out of the repository. */
export function policyPathOf(testFile: string, policy: string | undefined, fallback: string): string | undefined {
  if (policy === undefined) return fallback;
  const joined = posix.normalize(posix.join(posix.dirname(testFile.replace(/\\/g, '/')), policy));
  return joined.startsWith('../') || joined === '..' ? undefined : joined.replace(/^\.\//, '');
}

/** `policyFor(file, policy)`: the policy a test file names with `policy:` (relative to the file;
 * undefined: the default), loaded by the caller, or why it cannot be had. */
export function runSuite(
  files: TestFileText[],
  policyFor: (file: string, policy: string | undefined) => PolicyLoad | string,
): SuiteOutcome {
  const out: SuiteOutcome = { suites: [], errors: [], malformed: 0, passed: 0, failed: 0 };
  const reported = new Set<string>();
  for (const { path, text } of files) {
    const parsed = parsePolicyTests(text, path);
    if (!parsed.ok) {
      out.errors.push(...parsed.errors);
      out.malformed += 1;
      continue;
    }
    const load = policyFor(path, parsed.file.policy);
    if (typeof load === 'string') {
      out.errors.push({ file: path, line: 1, column: 1, message: load });
      out.malformed += 1;
      continue;
    }
    if (load.kind === 'invalid' && !reported.has(load.path)) {
      reported.add(load.path);
      out.errors.push(...load.errors);
    }
    const results = parsed.file.cases.map((c) => runCase(load, c));
    for (const r of results) out[r.passed ? 'passed' : 'failed'] += 1;
    out.suites.push({ file: path, results });
  }
  return out;
}

export function summaryLine(o: SuiteOutcome, files: number): string {
  return `${o.passed} passed, ${o.failed} failed${o.malformed ? `, ${o.malformed} malformed test file${o.malformed === 1 ? '' : 's'}` : ''} (${files} file${files === 1 ? '' : 's'})`;
}

/** 0 all pass, 1 a case fails, 2 a test file is malformed. */
export const exitCodeOf = (o: SuiteOutcome): 0 | 1 | 2 => (o.malformed > 0 ? 2 : o.failed > 0 ? 1 : 0);
