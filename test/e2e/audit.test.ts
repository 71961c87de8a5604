// `hitl-gate audit` rebuilds, from the local GitHub alone, who approved which commit of the PRs the
// real App server merged, who vetoed, and how each PR ended.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit, AUDIT_FIELDS } from '../../src/cli/audit.js';
import type { CliIO } from '../../src/cli/io.js';
import type { AuditRecord } from '../../src/github/gather-audit-records.js';
import { AGENT, gateCheck, merged, openAgentPr, policy, repoFor, startGate, type Gate } from './harness.js';

let gate: Gate;
let repo: string;
const numbers: Record<string, number> = {};
const heads: Record<string, string> = {};

function run(args: string[], stderrIsTTY = false): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    readStdin: () => Promise.resolve(''),
    readFile: () => Promise.reject(new Error('unused')),
  };
  const env = { GITHUB_TOKEN: gate.sim.personalToken('auditor'), GITHUB_API_URL: gate.sim.apiUrl, HITL_APP_SLUG: gate.sim.app.slug };
  return audit(args, io, { env, stderrIsTTY }).then((code) => ({ code, stdout, stderr }));
}
const records = (jsonl: string): AuditRecord[] =>
  jsonl
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditRecord);
const byPr = (list: AuditRecord[], n: number): AuditRecord | undefined => list.find((r) => r.pr === n);

beforeAll(async () => {
  gate = await startGate();
  const { sim } = gate;
  repo = repoFor(sim, 'audit-org', 3);

  // hard, approved by alice in a comment after a push: only the new head's approval counts.
  numbers.hard = openAgentPr(sim, repo, 'hard');
  const first = sim.pull(repo, numbers.hard).headSha;
  await gateCheck(sim, repo, first, (c) => c.conclusion === 'failure');
  sim.comment(repo, numbers.hard, 'alice', '/approve');
  await sim.waitFor((e) => e.repo === repo && e.kind === 'reaction', 20_000, 'approval acknowledged');
  heads.hard = sim.push(repo, numbers.hard, { files: [{ path: 'db/migrations/002_add.sql', content: 'alter table t add d int;\n' }] });
  await gateCheck(sim, repo, heads.hard, (c) => c.conclusion === 'failure');
  sim.comment(repo, numbers.hard, 'alice', '/approve');

  // hard, approved in a review by bob.
  numbers.review = openAgentPr(sim, repo, 'hard');
  heads.review = sim.pull(repo, numbers.review).headSha;
  await gateCheck(sim, repo, heads.review, (c) => c.conclusion === 'failure');
  sim.review(repo, numbers.review, 'bob', 'APPROVED');

  // soft, vetoed by alice, who withdraws it: merges after the window.
  numbers.soft = openAgentPr(sim, repo, 'soft');
  heads.soft = sim.pull(repo, numbers.soft).headSha;
  await gateCheck(sim, repo, heads.soft, (c) => c.status === 'in_progress');
  sim.comment(repo, numbers.soft, 'alice', '/veto not yet');
  await gateCheck(sim, repo, heads.soft, (c) => c.conclusion === 'failure');
  sim.comment(repo, numbers.soft, 'alice', '/veto cancel');

  // fyi: merges without anyone.
  numbers.fyi = openAgentPr(sim, repo, 'fyi');
  heads.fyi = sim.pull(repo, numbers.fyi).headSha;

  // A person's PR: not governed, not in the log.
  numbers.human = sim.openPullRequest(repo, { author: 'dave', files: [{ path: 'src/b.ts', content: 'x\n' }] });

  await Promise.all(['hard', 'review', 'soft', 'fyi'].map((k) => merged(sim, repo, numbers[k] as number)));
}, 150_000);

afterAll(async () => {
  await gate?.close();
});

describe('hitl-gate audit', () => {
  it('says who approved which commit of every merged PR, and that the gate merged it', async () => {
    const { code, stdout, stderr } = await run([repo]);
    expect(code).toBe(0);
    expect(stderr).toMatch(/4 governed pull requests/);
    const list = records(stdout);
    expect(list.map((r) => r.pr).sort()).toEqual([numbers.hard, numbers.review, numbers.soft, numbers.fyi].sort());
    expect(byPr(list, numbers.human as number)).toBeUndefined();
    for (const r of list) expect(Object.keys(r)).toEqual(AUDIT_FIELDS);

    const policySha = createHash('sha256').update(policy(3)).digest('hex');
    for (const [kind, n] of Object.entries(numbers).filter(([k]) => k !== 'human')) {
      const r = byPr(list, n) as AuditRecord;
      const m = gate.sim.merges(repo).find((e) => e.number === n);
      expect(r, kind).toMatchObject({
        repo,
        merged: true,
        state: 'merged',
        merged_by: gate.sim.app.botLogin,
        merged_by_gate: true,
        head_sha: heads[kind],
        author: AGENT,
        policy_sha: policySha,
      });
      expect(r.merge_sha).toBe(m?.data?.mergeCommitSha);
      expect(r.head_sha).toBe(m?.data?.sha);
      expect(r.merged_at).not.toBeNull();
    }

    expect(byPr(list, numbers.hard as number)).toMatchObject({
      tier: 'hard',
      rules: ['Database migrations'],
      approvals: [{ by: 'alice', via: 'comment', sha: heads.hard }],
      vetoes: [],
    });
    // The wait for a human starts at the gate's first decision on the head that merged, before the approval of it.
    const hard = byPr(list, numbers.hard as number) as AuditRecord;
    expect(Date.parse(hard.head_seen_at ?? '')).toBeLessThanOrEqual(Date.parse(hard.approvals?.[0]?.at ?? ''));
    expect(Date.parse(hard.head_seen_at ?? '')).toBe(
      Math.min(...gate.sim.checkRuns(repo, heads.hard, 'hitl').map((c) => Date.parse(c.startedAt))),
    );
    expect(hard.closed_at).toBe(hard.merged_at);
    expect(byPr(list, numbers.review as number)).toMatchObject({
      tier: 'hard',
      approvals: [{ by: 'bob', via: 'review', sha: heads.review }],
    });
    const soft = byPr(list, numbers.soft as number) as AuditRecord;
    expect(soft).toMatchObject({ tier: 'soft', approvals: [], vetoes: [{ by: 'alice', reason: 'not yet' }] });
    expect(Date.parse(soft.vetoes?.[0]?.withdrawn_at ?? '')).toBeGreaterThan(Date.parse(soft.vetoes?.[0]?.at ?? ''));
    expect(Date.parse(soft.window_end ?? '') - Date.parse(soft.window_start ?? '')).toBe(3_000);
    expect(byPr(list, numbers.fyi as number)).toMatchObject({
      tier: 'fyi',
      rules: ['Documentation'],
      approvals: [],
      vetoes: [],
      window_start: null,
    });
  });

  it('writes CSV with a header to --out', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'audit-')), 'log.csv');
    const { code, stdout } = await run([repo, '--format', 'csv', '--out', out]);
    expect(code).toBe(0);
    expect(stdout).toBe('');
    const rows = parse(readFileSync(out, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0] ?? {})).toEqual(AUDIT_FIELDS);
    const hard = rows.find((r) => r.pr === String(numbers.hard));
    expect(JSON.parse(hard?.approvals ?? '[]')).toEqual([expect.objectContaining({ by: 'alice', sha: heads.hard })]);
    expect(hard?.merged_by_gate).toBe('true');
  });

  it('keeps to the period', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    expect(records((await run([repo, '--since', today, '--until', today])).stdout)).toHaveLength(4);
    expect(records((await run([repo, '--since', tomorrow])).stdout)).toHaveLength(0);
    expect(records((await run([repo, '--until', yesterday])).stdout)).toHaveLength(0);
  });

  it('waits out a rate limit and says so', async () => {
    gate.sim.setRestFaults({ only: (method, route) => method === 'GET' && route === '/repos/{owner}/{repo}/pulls' });
    gate.sim.rateLimitEpisode({ kind: 'secondary', requests: 1, retryAfterSeconds: 1 });
    try {
      const { code, stdout, stderr } = await run([repo]);
      expect(code).toBe(0);
      expect(stderr).toMatch(/secondary rate limit .*waiting 1 s/);
      expect(records(stdout)).toHaveLength(4);
    } finally {
      gate.sim.clearFaults();
    }
  });

  it('draws a progress line on stderr only when it is a terminal, and names a repository GitHub does not know', async () => {
    expect((await run([repo])).stderr).not.toContain('pull requests read');
    const tty = await run([repo], true);
    expect(tty.stderr).toMatch(/\r\d+ pull requests read, 4 governed/);
    expect(records(tty.stdout)).toHaveLength(4);
    const missing = await run(['nobody/nothing']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/404/);
  });

  it('refuses bad input with a usage error', async () => {
    await expect(run(['not-a-repo'])).rejects.toThrow(/OWNER\/REPO/);
    await expect(run([repo, '--since', '2026-13-01'])).rejects.toThrow(/YYYY-MM-DD/);
    await expect(run([repo, '--format', 'xml'])).rejects.toThrow(/jsonl or csv/);
  });
});
