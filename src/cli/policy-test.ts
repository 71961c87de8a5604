// `hitl-gate test [FILE|DIR...]`: run fixture pull requests against the policy they name.
// Exit 0 when every case passes, 1 when one fails, 2 when a test file is malformed or unreadable.
import { readdir, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { loadPolicy, POLICY_PATH } from '../core/policy.js';
import { parsePolicyTests } from '../core/policy-tests/parse.js';
import { resultLine, runCase } from '../core/policy-tests/run.js';
import type { PolicyLoad } from '../core/types.js';
import { junitXml, type SuiteResult } from './junit.js';
import { readUserFile, UsageError, type CliIO } from './io.js';

export const TESTS_DIR = '.github/hitl-tests';

/** The test files an argument names: the file, or a directory's *.yml and *.yaml in name order. */
async function filesOf(arg: string): Promise<string[]> {
  let info;
  try {
    info = await stat(arg);
  } catch {
    throw new UsageError(`cannot read tests ${arg}: no such file or directory`);
  }
  if (!info.isDirectory()) return [arg];
  const names = (await readdir(arg)).filter((n) => /\.ya?ml$/i.test(n)).sort();
  return names.map((n) => join(arg, n));
}

export async function policyTest(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: { format: { type: 'string', default: 'text' } } });
  const format = values.format;
  if (format !== 'text' && format !== 'junit') throw new UsageError(`--format expects text or junit, got "${format}"`);
  const files = (await Promise.all((positionals.length ? positionals : [TESTS_DIR]).map(filesOf))).flat();
  if (files.length === 0) throw new UsageError(`no test files (*.yml) in ${positionals.join(', ') || TESTS_DIR}`);

  const out = (line: string) => (format === 'text' ? io.stdout(`${line}\n`) : io.stderr(`${line}\n`));
  const policies = new Map<string, PolicyLoad>();
  const suites: SuiteResult[] = [];
  let malformed = 0;
  for (const file of files) {
    const parsed = parsePolicyTests(await readUserFile(io, file, 'tests'), file);
    if (!parsed.ok) {
      for (const e of parsed.errors) out(`${e.file}:${e.line}:${e.column}: ${e.message}`);
      malformed += 1;
      continue;
    }
    // `policy:` is relative to the test file; without it, the repository's policy where the run is.
    const policyPath = parsed.file.policy !== undefined ? relative('.', join(dirname(file), parsed.file.policy)) || '.' : POLICY_PATH;
    let load = policies.get(policyPath);
    if (!load) {
      load = loadPolicy({ kind: 'text', path: policyPath, text: await readUserFile(io, policyPath, 'policy') });
      policies.set(policyPath, load);
      if (load.kind === 'invalid') for (const e of load.errors) out(`${e.file}:${e.line}:${e.column}: ${e.message}`);
    }
    const results = parsed.file.cases.map((c) => runCase(load, c));
    for (const r of results) out(resultLine(r));
    suites.push({ file, results });
  }

  const all = suites.flatMap((s) => s.results);
  const failed = all.filter((r) => !r.passed).length;
  const summary = `${all.length - failed} passed, ${failed} failed${malformed ? `, ${malformed} malformed test file${malformed === 1 ? '' : 's'}` : ''} (${files.length} file${files.length === 1 ? '' : 's'})`;
  if (format === 'junit') {
    io.stdout(junitXml(suites));
    io.stderr(`${summary}\n`);
  } else io.stdout(`${summary}\n`);
  return malformed > 0 ? 2 : failed > 0 ? 1 : 0;
}
