// `hitl-gate test [FILE|DIR...]`: run fixture pull requests against the policy they name.
// Exit 0 when every case passes, 1 when one fails, 2 when a test file is malformed or unreadable.
import { readdir, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { loadPolicy, POLICY_PATH } from '../core/policy.js';
import { parsePolicyTests } from '../core/policy-tests/parse.js';
import { resultLine } from '../core/policy-tests/run.js';
import { exitCodeOf, runSuite, summaryLine, type TestFileText } from '../core/policy-tests/suite.js';
import type { PolicyLoad } from '../core/model/policy.js';
import { junitXml } from './junit.js';
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

/** `policy:` is relative to the test file; without it, the repository's policy where the run is. */
const policyPath = (file: string, policy: string | undefined): string =>
  policy === undefined ? POLICY_PATH : relative('.', join(dirname(file), policy)) || '.';

export async function policyTest(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: { format: { type: 'string', default: 'text' } },
  });
  const format = values.format;
  if (format !== 'text' && format !== 'junit') throw new UsageError(`--format expects text or junit, got "${format}"`);
  const paths = (await Promise.all((positionals.length ? positionals : [TESTS_DIR]).map(filesOf))).flat();
  if (paths.length === 0) throw new UsageError(`no test files (*.yml) in ${positionals.join(', ') || TESTS_DIR}`);

  const files: TestFileText[] = [];
  for (const path of paths) files.push({ path, text: await readUserFile(io, path, 'tests') });
  // Every policy the files name, read once (an unreadable one is a usage error, as for explain).
  const policies = new Map<string, PolicyLoad>();
  for (const f of files) {
    const parsed = parsePolicyTests(f.text, f.path);
    const path = policyPath(f.path, parsed.ok ? parsed.file.policy : undefined);
    if (parsed.ok && !policies.has(path))
      policies.set(path, loadPolicy({ kind: 'text', path, text: await readUserFile(io, path, 'policy') }));
  }
  const outcome = runSuite(
    files,
    (file, policy) => policies.get(policyPath(file, policy)) ?? `cannot read policy ${policyPath(file, policy)}`,
  );

  const lines = [
    ...outcome.errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.message}`),
    ...outcome.suites.flatMap((s) => s.results.map(resultLine)),
    summaryLine(outcome, files.length),
  ];
  if (format === 'junit') {
    io.stdout(junitXml(outcome.suites));
    io.stderr(`${lines.join('\n')}\n`);
  } else io.stdout(`${lines.join('\n')}\n`);
  return exitCodeOf(outcome);
}
