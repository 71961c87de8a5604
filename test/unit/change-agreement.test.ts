// "What if this change were a PR" is answered in one place (src/core/change.ts): `hitl-gate explain`,
// the MCP tool `classify_change` and `hitl-gate test` give the same answer for the same change, and
// above all agree on when its author is assumed to be an agent (nothing says who made it).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Explanation } from '../../src/cli/explain.js';
import type { CliIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import type { ChangeSpec } from '../../src/core/change.js';
import { loadPolicy } from '../../src/core/policy.js';
import { actualOf } from '../../src/core/policy-tests/run.js';
import { classifyChange } from '../../src/mcp/classify-change.js';

const root = join(import.meta.dirname, '..', '..');
const POLICY = 'examples/hitl.yml';
const NOW = new Date('2026-11-22T14:00:00Z');

async function explain(args: string[]): Promise<Explanation> {
  let stdout = '';
  const io: CliIO = {
    stdout: (t) => void (stdout += t),
    stderr: () => {},
    readStdin: async () => '',
    readFile: (p) => readFile(join(root, p), 'utf8'),
  };
  expect(await main(['explain', '--policy', POLICY, '--json', ...args], io)).toBe(0);
  return JSON.parse(stdout) as Explanation;
}

type Said = { author?: string; labels?: string[]; head?: string; commits?: string[] };

const cases: [string, Said, { governed: boolean; assumedAgent: boolean }][] = [
  ['nothing said of who made it', {}, { governed: true, assumedAgent: true }],
  ['a person as author', { author: 'alice' }, { governed: false, assumedAgent: false }],
  ['an agent as author', { author: 'copilot-swe-agent[bot]' }, { governed: true, assumedAgent: false }],
  ['only a label the policy does not name', { labels: ['bug'] }, { governed: false, assumedAgent: false }],
  ['only the label that marks agent PRs', { labels: ['ai-generated'] }, { governed: true, assumedAgent: false }],
  ['only an agent head branch', { head: 'claude/fix-1' }, { governed: true, assumedAgent: false }],
  ["only a person's head branch", { head: 'feature/x' }, { governed: false, assumedAgent: false }],
  ['only a commit message', { commits: ['Fix the migration'] }, { governed: false, assumedAgent: false }],
];

describe('explain, classify_change and hitl-gate test agree on a described change', () => {
  it.each(cases)('%s', async (_, said, expected) => {
    const files = ['db/migrations/001.sql', 'docs/a.md -> docs/b.md', 'src/app.ts'];
    const cli = await explain([
      ...files.flatMap((f) => ['--file', f]),
      ...(said.author !== undefined ? ['--author', said.author] : []),
      ...(said.labels ?? []).flatMap((l) => ['--label', l]),
      ...(said.head !== undefined ? ['--head', said.head] : []),
      ...(said.commits ?? []).flatMap((m) => ['--commit', m]),
    ]);
    const policy = await readFile(join(root, POLICY), 'utf8');
    const mcp = await classifyChange(undefined, { policy, files, ...said, ...(said.commits ? { commitMessages: said.commits } : {}) }, NOW);
    const spec: ChangeSpec = {
      files: files.map((f) => ({
        filename: f.split(' -> ').pop() as string,
        ...(f.includes(' -> ')
          ? { previousFilename: f.split(' -> ')[0] as string, status: 'renamed' as const }
          : { status: 'modified' as const }),
        additions: 0,
        deletions: 0,
      })),
      ...(said.author !== undefined ? { author: said.author } : {}),
      ...(said.labels ? { labels: said.labels } : {}),
      ...(said.head !== undefined ? { head: said.head } : {}),
      ...(said.commits ? { commitMessages: said.commits } : {}),
    };
    const test = actualOf(loadPolicy({ kind: 'text', path: POLICY, text: policy }), { name: 'case', line: 1, change: spec, expect: {} });

    expect({ governed: cli.governed, assumedAgent: cli.assumedAgent }).toEqual(expected);
    expect({ governed: mcp.governed, assumedAgent: mcp.assumedAgent }).toEqual(expected);
    expect(test.governed).toBe(expected.governed);
    expect(mcp.tier).toBe(cli.tier);
    expect(mcp.rules).toEqual(cli.rules);
    expect(test.rules).toEqual(cli.rules);
    expect(mcp.details).toEqual(cli.reasons);
    expect(test.tier).toBe(expected.governed ? cli.tier : 'none');
  });
});
