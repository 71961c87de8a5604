// `hitl-gate test`: fixture PRs against a policy, as a person runs it and as CI reads it.
import { readFile } from 'node:fs/promises';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { parsePolicyTests } from '../../src/core/policy-tests/parse.js';

async function cli(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    readStdin: async () => '',
    readFile: (p) => readFile(p, 'utf8'),
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

const POLICY = `version: 1
agents: { authors: ["copilot-swe-agent[bot]"] }
reviewers: { users: [alice] }
rules:
  - { name: Documentation, tier: fyi, paths: ["docs/**"] }
  - name: Database migrations
    tier: hard
    paths: ["db/migrations/**"]
    reviewers: { teams: [acme/dba] }
`;

const GOOD = `policy: ../hitl.yml
cases:
  - name: docs only is fyi
    author: copilot-swe-agent[bot]
    files: [docs/a.md]
    expect: { tier: fyi }
  - name: a migration needs the DBA team
    author: copilot-swe-agent[bot]
    files: [{ filename: db/migrations/001.sql, status: added, additions: 12 }]
    labels: []
    expect: { tier: hard, rules: [Database migrations], approvers: [acme/dba] }
  - name: a human's PR is not governed
    author: bob
    files: [src/a.ts]
    expect: { governed: false }
`;

/** A repository-like directory: .github/hitl.yml and .github/hitl-tests/<name>. */
async function repo(tests: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hitl-tests-'));
  await mkdir(join(dir, '.github', 'hitl-tests'), { recursive: true });
  await writeFile(join(dir, '.github', 'hitl.yml'), POLICY);
  for (const [name, text] of Object.entries(tests)) await writeFile(join(dir, '.github', 'hitl-tests', name), text);
  return join(dir, '.github', 'hitl-tests');
}

describe('hitl-gate test', () => {
  it('passes a correct test file: one PASS line per case, a summary, exit 0', async () => {
    const dir = await repo({ 'policy.yml': GOOD });
    const r = await cli(['test', dir]);
    expect(r.stdout).toBe(
      `PASS docs only is fyi\nPASS a migration needs the DBA team\nPASS a human's PR is not governed\n3 passed, 0 failed (1 file)\n`,
    );
    expect(r.code).toBe(0);
  });

  it('fails a wrong expectation naming the case and both tiers, exit 1', async () => {
    const dir = await repo({
      'policy.yml': GOOD.replace(
        'files: [src/a.ts]\n    expect: { governed: false }',
        'files: [src/a.ts]\n    expect: { governed: false }\n  - name: code is hard\n    author: copilot-swe-agent[bot]\n    files: [src/a.ts]\n    expect: { tier: hard }',
      ),
    });
    const r = await cli(['test', dir]);
    expect(r.stdout).toContain('FAIL code is hard: expected tier hard, got soft (rules: none)\n');
    expect(r.stdout).toContain('3 passed, 1 failed (1 file)');
    expect(r.code).toBe(1);
  });

  it('a wrong rule list or approver list fails too, saying what applied', async () => {
    const dir = await repo({ 'policy.yml': GOOD.replace('approvers: [acme/dba]', 'approvers: [alice]') });
    const r = await cli(['test', dir]);
    expect(r.stdout).toContain('FAIL a migration needs the DBA team: expected approvers alice, got acme/dba (rules: Database migrations)');
    expect(r.code).toBe(1);
  });

  it('points at the line of a malformed case, FILE:LINE:COL like validate, exit 2', async () => {
    const dir = await repo({ 'policy.yml': GOOD.replace('    expect: { tier: fyi }', '    expect: { teir: fyi }') });
    const r = await cli(['test', dir]);
    expect(r.stdout).toContain(`${join(dir, 'policy.yml')}:6:15: cases[0].expect: unknown key "teir"\n`);
    expect(r.code).toBe(2);
  });

  it('a case with nothing to expect, or a tier that does not exist, is malformed', () => {
    const parsed = parsePolicyTests('cases:\n  - name: x\n    expect: {}\n  - name: y\n    expect: { tier: medium }\n', 't.yml');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok)
      expect(parsed.errors.map((e) => `${e.line}:${e.message}`)).toEqual([
        '3:cases[0].expect: expect at least one of tier, governed, rules, approvers, risk_above, risk_below',
        '5:cases[1].expect.tier: expected one of fyi, soft, hard',
      ]);
  });

  it('--format junit writes valid JUnit XML with a failure per failing case', async () => {
    const dir = await repo({
      'policy.yml': GOOD.replace('expect: { tier: fyi }', 'expect: { tier: soft }').replace("a human's PR", 'a <human> & "PR"'),
    });
    const r = await cli(['test', dir, '--format', 'junit']);
    expect(r.code).toBe(1);
    expect(XMLValidator.validate(r.stdout)).toBe(true);
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(r.stdout) as {
      testsuites: { tests: string; failures: string; testsuite: { testcase: { name: string; failure?: { message: string } }[] } };
    };
    expect(xml.testsuites).toMatchObject({ tests: '3', failures: '1' });
    const cases = xml.testsuites.testsuite.testcase;
    expect(cases.map((c) => c.name)).toEqual(['docs only is fyi', 'a migration needs the DBA team', 'a <human> & "PR" is not governed']);
    expect(cases[0]?.failure?.message).toBe('expected tier soft, got fyi');
    expect(r.stderr).toContain('2 passed, 1 failed');
  });

  it('the worked example in examples/ passes', async () => {
    const r = await cli(['test', 'examples/hitl-tests/']);
    expect(r.stdout).toMatch(/8 passed, 0 failed/);
    expect(r.code).toBe(0);
  });

  it('schema/hitl-tests.schema.json is the test file schema (run `npm run schema`)', async () => {
    const r = await cli(['schema', '--tests']);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(await readFile('schema/hitl-tests.schema.json', 'utf8')));
  });

  it("explain takes commit messages as the test cases do: a trailer makes a person's PR an agent's", async () => {
    const args = ['explain', '--policy', 'examples/hitl.yml', '--author', 'bob', '--file', 'src/a.ts', '--json'];
    const without = JSON.parse((await cli(args)).stdout) as { governed: boolean };
    const withTrailer = JSON.parse((await cli([...args, '--commit', 'Fix\n\nCo-Authored-By: Claude <noreply@anthropic.com>'])).stdout) as {
      governed: boolean;
      governedBy: { kind: string }[];
    };
    expect(without.governed).toBe(false);
    expect(withTrailer.governed).toBe(true);
    expect(withTrailer.governedBy.map((g) => g.kind)).toEqual(['trailer']);
  });

  it('no test directory is a usage error, exit 2', async () => {
    const r = await cli(['test', join(tmpdir(), 'no-such-hitl-tests')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no such file or directory/);
  });
});
