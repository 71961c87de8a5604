import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Explanation } from '../../src/cli/explain.js';
import type { CliIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

const root = join(import.meta.dirname, '..', '..');
const DESIGN_POLICY = 'examples/hitl.yml';

/** Runs the CLI in-process against the repository's files and an optional stdin. */
async function cli(argv: string[], stdin = '') {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    readStdin: async () => stdin,
    readFile: (p) => readFile(resolve(root, p), 'utf8'),
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

async function explainJson(args: string[], stdin = ''): Promise<Explanation> {
  const r = await cli(['explain', '--policy', DESIGN_POLICY, '--json', ...args], stdin);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as Explanation;
}

/** What `gh api repos/o/r/pulls/1/files` prints (fields the gate reads, plus some it ignores). */
const ghFile = (filename: string, more: Record<string, unknown> = {}) => ({
  sha: 'abc',
  filename,
  status: 'modified',
  additions: 3,
  deletions: 1,
  changes: 4,
  blob_url: 'https://github.com/o/r/blob/abc/x',
  patch: '@@ -1 +1 @@',
  ...more,
});

describe('hitl-gate explain --json: the tiers the design demands', () => {
  it.each<[string, string[], string, 'fyi' | 'soft' | 'hard', string[]]>([
    ['docs only', [], 'docs/guide.md\nREADME.md\n', 'fyi', ['Documentation']],
    ['docs + code', [], 'docs/guide.md\nsrc/app.ts\n', 'soft', ['Documentation']],
    ['a migration', [], 'db/migrations/001_init.sql\n', 'hard', ['Database migrations']],
    ['renamed out of migrations', [], 'db/migrations/001.sql -> archive/001.sql\n', 'hard', ['Database migrations']],
    ['label irreversible', ['--label', 'irreversible', '--label', 'ai-generated'], 'src/a.ts\n', 'hard', ['Marked irreversible']],
    ['the policy file', [], '.github/hitl.yml\n', 'hard', []],
    ['a workflow', [], '.github/workflows/ci.yml\n', 'hard', []],
    ['AGENTS.md', [], 'packages/x/AGENTS.md\n', 'hard', ['Documentation']],
    ['truncated', ['--changed-files', '3500'], 'docs/a.md\n', 'hard', ['Documentation']],
  ])('%s', async (_, args, files, tier, rules) => {
    const out = await explainJson(['--files-from', '-', ...args], files);
    expect(out.tier).toBe(tier);
    expect(out.rules).toEqual(rules);
    expect(out.governed).toBe(true);
    expect(out.assumedAgent).toBe(!args.includes('--label'));
  });

  it('large change, from the files JSON of the GitHub API', async () => {
    const json = JSON.stringify([ghFile('docs/a.md', { additions: 500, deletions: 301 })]);
    const out = await explainJson(['--files-from', '-'], json);
    expect(out.tier).toBe('hard');
    expect(out.rules).toEqual(['Documentation', 'Large change']);
  });

  it('gh api --paginate output (arrays back to back) and renames from previous_filename', async () => {
    const page1 = JSON.stringify([ghFile('docs/a.md')]);
    const page2 = JSON.stringify([ghFile('archive/1.sql', { status: 'renamed', previous_filename: 'db/migrations/1.sql' })]);
    const out = await explainJson(['--files-from', '-'], `${page1}${page2}`);
    expect(out.tier).toBe('hard');
    expect(out.reasons).toContainEqual(
      expect.objectContaining({ kind: 'rule', rule: 'Database migrations', files: ['db/migrations/1.sql -> archive/1.sql'] }),
    );
    const pretty = await explainJson(['--files-from', '-'], `${page1}\n${page2}\n`);
    expect(pretty.tier).toBe('hard');
  });

  it('--file and --files-from FILE', async () => {
    expect((await explainJson(['--file', 'docs/a.md', '--file', 'docs/b.md'])).tier).toBe('fyi');
    const dir = await mkdtemp(join(tmpdir(), 'hitl-cli-'));
    await writeFile(join(dir, 'files.json'), JSON.stringify([ghFile('db/migrations/2.sql')]));
    expect((await explainJson(['--files-from', join(dir, 'files.json')])).tier).toBe('hard');
  });

  it('a non-agent PR is not governed', async () => {
    const out = await explainJson(['--author', 'alice', '--head', 'feature/x', '--file', 'db/migrations/1.sql']);
    expect(out).toMatchObject({ governed: false, assumedAgent: false, governedBy: [], tier: 'hard' });
  });

  it('an agent PR says what made it governed', async () => {
    const out = await explainJson(['--author', 'copilot-swe-agent[bot]', '--file', 'src/a.ts']);
    expect(out).toMatchObject({ governed: true, tier: 'soft', governedBy: [{ kind: 'author', login: 'copilot-swe-agent[bot]' }] });
    const byBranch = await explainJson(['--author', 'alice', '--head', 'claude/fix-1', '--file', 'src/a.ts']);
    expect(byBranch.governedBy).toEqual([{ kind: 'branch', branch: 'claude/fix-1', pattern: 'claude/**' }]);
  });

  it('the JSON has stable keys', async () => {
    const out = await explainJson(['--file', 'docs/a.md']);
    expect(Object.keys(out)).toEqual(['tier', 'governed', 'assumedAgent', 'governedBy', 'rules', 'reasons', 'policy']);
    expect(out.policy).toEqual({ path: DESIGN_POLICY, kind: 'ok' });
  });
});

describe('hitl-gate explain (human output)', () => {
  it('is short: tier, governed and why, one line per reason', async () => {
    const r = await cli(['explain', '--policy', DESIGN_POLICY, '--file', 'docs/a.md', '--file', 'src/b.ts']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'tier: soft',
        "governed: yes (assumed to be an agent's PR: no --author, --label, --head or --commit given)",
        '  rule Documentation → fyi (1 file matches docs/**, **/*.md): docs/a.md',
        '  files no rule covers → default soft: src/b.ts',
        '',
      ].join('\n'),
    );
  });

  it('an invalid policy explains as hard, names the error and exits 1', async () => {
    const r = await cli(['explain', '--policy', 'test/fixtures/policies/bad-tier.yml', '--file', 'a']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('tier: hard');
    expect(r.stdout).toContain('test/fixtures/policies/bad-tier.yml:4:11: rules[0].tier: unknown tier "hardd"');
  });
});

describe('hitl-gate validate', () => {
  it('passes every example', async () => {
    const r = await cli([
      'validate',
      'examples/hitl.yml',
      'examples/minimal.yml',
      'examples/monorepo-strict.yml',
      'examples/teams-and-branches.yml',
      'examples/human-attention.yml',
    ]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout.trim().split('\n')).toHaveLength(5);
  });

  it('explain names who must approve a hard PR, per rule', async () => {
    const r = await cli([
      'explain',
      '--policy',
      'examples/human-attention.yml',
      '--file',
      'db/migrations/1.sql',
      '--file',
      'infra/main.tf',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('approvals: 1 from members of acme/dba (rule "Database migrations")');
    expect(r.stdout).toContain('approvals: 2 from @ivan, @irene or members of acme/platform (rule "Infrastructure")');
    expect(r.stdout).not.toContain('(reviewers)');
    const json = await cli(['explain', '--policy', 'examples/human-attention.yml', '--json', '--file', 'src/a.ts', '--label', 'hitl:hard']);
    expect((JSON.parse(json.stdout) as Explanation).approvers).toEqual([
      { reviewers: { users: [], teams: ['acme/maintainers'], permission: 'write' }, required: 1 },
    ]);
  });

  it.each([
    ['bad-tier.yml', '4:11: rules[0].tier: unknown tier "hardd" (expected fyi, soft or hard)'],
    ['unknown-key.yml', '5:5: rules[0]: unknown key "path" (did you mean "paths"?)'],
    ['bad-duration.yml', '4:13: tiers.soft.window: bad duration "15 minutes"'],
    ['bad-glob.yml', '7:9: rules[0].paths[1]: bad glob "secrets/[abc"'],
    ['syntax-error.yml', '3:11: YAML syntax error'],
    ['duplicate-key.yml', '4:1: duplicate key'],
  ])('%s: FILE:LINE:COL: message, exit 1', async (name, expected) => {
    const file = `test/fixtures/policies/${name}`;
    const r = await cli(['validate', file]);
    expect(r.code).toBe(1);
    expect(r.stdout.startsWith(`${file}:${expected}`), r.stdout).toBe(true);
  });

  it('one invalid file among valid ones fails the run', async () => {
    const r = await cli(['validate', 'examples/minimal.yml', 'test/fixtures/policies/version-2.yml']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      'examples/minimal.yml: valid\ntest/fixtures/policies/version-2.yml:1:10: version: unsupported version 2 (expected 1)\n',
    );
  });

  it('defaults to .github/hitl.yml', async () => {
    const r = await cli(['validate']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('.github/hitl.yml: valid\n');
  });

  it('a missing policy file is a usage error, not a crash', async () => {
    const r = await cli(['validate', '.github/no-such-policy.yml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('hitl-gate: cannot read policy .github/no-such-policy.yml: no such file\n');
  });
});

describe('usage errors: one line on stderr, exit 2, no stack trace', () => {
  it.each<[string, string[], string, string]>([
    ['unknown flag', ['explain', '--policy', DESIGN_POLICY, '--frobnicate'], '', "hitl-gate: Unknown option '--frobnicate'"],
    ['missing policy file', ['explain', '--policy', 'nope.yml'], '', 'hitl-gate: cannot read policy nope.yml: no such file'],
    [
      'missing files list',
      ['explain', '--policy', DESIGN_POLICY, '--files-from', 'nope.json'],
      '',
      'hitl-gate: cannot read file list nope.json: no such file',
    ],
    [
      'bad JSON',
      ['explain', '--policy', DESIGN_POLICY, '--files-from', '-'],
      '[{"filename": ',
      'hitl-gate: stdin: bad JSON: the input ends in the middle of a value',
    ],
    [
      'bad JSON inside a value',
      ['explain', '--policy', DESIGN_POLICY, '--files-from', '-'],
      '[{"filename": x}]',
      'hitl-gate: stdin: bad JSON: ',
    ],
    [
      'an error object instead of files',
      ['explain', '--policy', DESIGN_POLICY, '--files-from', '-'],
      '{"message":"Not Found"}',
      'hitl-gate: stdin: expected a JSON array of files as GET /repos/{owner}/{repo}/pulls/{number}/files returns, found an object (GitHub said: Not Found)',
    ],
    [
      'files without filename',
      ['explain', '--policy', DESIGN_POLICY, '--files-from', '-'],
      '[{"name":"x"}]',
      'hitl-gate: stdin: file 1 has no "filename"',
    ],
    [
      'bad number',
      ['explain', '--policy', DESIGN_POLICY, '--changed-files', 'many'],
      '',
      'hitl-gate: --changed-files expects a whole number, got "many"',
    ],
    [
      'unknown command',
      ['frobnicate'],
      '',
      'hitl-gate: unknown command "frobnicate" (expected validate, explain, test, schema, mcp, audit or report; see --help)',
    ],
    ['schema with arguments', ['schema', 'x'], '', 'hitl-gate: schema takes only --tests, got "x"'],
  ])('%s', async (_, argv, stdin, message) => {
    const r = await cli(argv, stdin);
    expect(r.code).toBe(2);
    expect(r.stderr.startsWith(message), r.stderr).toBe(true);
    expect(r.stderr.split('\n')).toHaveLength(2);
    expect(r.stdout).toBe('');
  });
});

describe('hitl-gate schema, --help, --version', () => {
  it('schema prints the committed JSON Schema', async () => {
    const r = await cli(['schema']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(await readFile(join(root, 'schema/hitl.schema.json'), 'utf8')));
  });

  it('--help and --version', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: hitl-gate <command>');
    const version = await cli(['--version']);
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(version).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });
});

describe('hitl-gate as a process', () => {
  const run = promisify(execFile);
  const entry = ['--import', 'tsx', 'src/cli/main.ts'];

  it('explain --json reads stdin and prints the tier', async () => {
    const child = run(process.execPath, [...entry, 'explain', '--policy', DESIGN_POLICY, '--files-from', '-', '--json'], { cwd: root });
    child.child.stdin?.end('db/migrations/1.sql\n');
    const { stdout } = await child;
    expect((JSON.parse(stdout) as Explanation).tier).toBe('hard');
  });

  it('validate exits 1 with FILE:LINE:COL lines; a bad flag exits 2 without a stack trace', async () => {
    type Failure = { code: number; stdout: string; stderr: string };
    const fail = (argv: string[]): Promise<Failure> =>
      run(process.execPath, [...entry, ...argv], { cwd: root }).then(
        () => ({ code: 0, stdout: '', stderr: '' }),
        (e: unknown) => e as Failure,
      );
    const failed = await fail(['validate', 'test/fixtures/policies/bad-tier.yml']);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toBe(
      'test/fixtures/policies/bad-tier.yml:4:11: rules[0].tier: unknown tier "hardd" (expected fyi, soft or hard)\n',
    );
    const usage = await fail(['explain', '--nope']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toBe("hitl-gate: Unknown option '--nope'\n");
  });
});
