// `mode: test`: the PR head's policy tests against the PR head's policy, read through the API, and
// nothing else of the head.
import { describe, expect, it } from 'vitest';
import type { GitHubClient } from '../../src/github/index.js';
import type { ActionEnvironment, ActionInputs } from '../../action/inputs.js';
import { main, type Engine } from '../../action/main.js';

const HEAD = 'c0ffee'.padEnd(40, '0');
const POLICY =
  'version: 1\nagents: { authors: ["copilot-swe-agent[bot]"] }\nrules:\n  - { name: Migrations, tier: hard, paths: ["db/**"] }\n';
const TESTS =
  'cases:\n  - name: a migration is hard\n    author: copilot-swe-agent[bot]\n    files: [db/1.sql]\n    expect: { tier: hard }\n';

/** A head holding `files`; every path the step reads is recorded. */
function head(files: Record<string, string>, read: string[]): GitHubClient {
  const getContent = async ({ path, ref }: { path: string; ref: string }) => {
    read.push(path);
    if (ref !== HEAD) throw Object.assign(new Error('wrong ref'), { status: 422 });
    const inDir = Object.keys(files).filter((f) => f.startsWith(`${path}/`));
    if (inDir.length) return { data: inDir.map((f) => ({ name: f.slice(path.length + 1), path: f, type: 'file' })) };
    if (files[path] !== undefined) return { data: files[path] };
    throw Object.assign(new Error('Not Found'), { status: 404 });
  };
  return { rest: { pulls: { get: async () => ({ data: { head: { sha: HEAD } } }) }, repos: { getContent } } } as unknown as GitHubClient;
}

const inputs: ActionInputs = {
  token: 't',
  mode: 'test',
  policyPath: '.github/hitl.yml',
  testsPath: '.github/hitl-tests',
  appSlug: 'github-actions',
};
const env: ActionEnvironment = {
  event: { name: 'pull_request', payload: { pull_request: { number: 12 } } },
  owner: 'acme',
  repo: 'widgets',
  apiUrl: 'https://api.github.com',
};
const never: Engine = {
  reconcile: async () => {
    throw new Error('no reconcile in test mode');
  },
  sweep: async () => [],
};
const run = (client: GitHubClient) =>
  main(inputs, env, { client, engine: never, now: () => new Date('2026-11-22T01:00:00Z'), log: { info() {}, warn() {}, error() {} } });

describe('mode: test', () => {
  it("passes when the head's tests pass against the head's policy, reading only those files", async () => {
    const read: string[] = [];
    const report = await run(head({ '.github/hitl.yml': POLICY, '.github/hitl-tests/a.yml': TESTS, 'src/app.ts': 'x' }, read));
    expect(report.failure).toBeUndefined();
    expect(report.summary).toContain('1 passed, 0 failed (1 file)');
    expect(read.sort()).toEqual(['.github/hitl-tests', '.github/hitl-tests/a.yml', '.github/hitl.yml']);
  });

  it("fails the step on a failing case, with an annotation on the case's line", async () => {
    const report = await run(
      head({ '.github/hitl.yml': POLICY.replace('tier: hard', 'tier: soft'), '.github/hitl-tests/a.yml': TESTS }, []),
    );
    expect(report.failure).toBe('Policy tests: 0 passed, 1 failed (1 file)');
    expect(report.annotations).toEqual([
      expect.objectContaining({
        file: '.github/hitl-tests/a.yml',
        startLine: 2,
        message: 'FAIL a migration is hard: expected tier hard, got soft (rules: Migrations)',
      }),
    ]);
  });

  it('a test file cannot make the step read another file of the head', async () => {
    const read: string[] = [];
    const report = await run(
      head(
        { '.github/hitl.yml': POLICY, '.github/hitl-tests/a.yml': `policy: ../../src/app.ts\n${TESTS}`, 'src/app.ts': 'version: 1\n' },
        read,
      ),
    );
    expect(report.failure).toMatch(/malformed/);
    expect(read).not.toContain('src/app.ts');
  });
});
