// `hitl-gate report` against the local GitHub, after the real App server governed a handful of agent
// PRs: its numbers agree with what `hitl-gate audit` lists for the same period, tier by tier and
// outcome by outcome, and it fails clearly on a wrong token or repository.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit } from '../../src/cli/audit.js';
import type { CliIO } from '../../src/cli/io.js';
import { report } from '../../src/cli/report.js';
import { decisionMarker } from '../../src/core/decision-record.js';
import type { AttentionReport } from '../../src/core/report.js';
import type { AuditRecord } from '../../src/github/gather-audit-records.js';
import { AGENT, gateCheck, merged, openAgentPr, repoFor, startGate, type Gate } from './harness.js';

let gate: Gate;
let repo: string;
const numbers: Record<string, number> = {};

type Run = (args: string[], env?: Record<string, string>) => Promise<{ code: number; stdout: string; stderr: string }>;
function runner(command: typeof audit | typeof report): Run {
  return (args, env) => {
    let stdout = '';
    let stderr = '';
    const io: CliIO = {
      stdout: (t) => void (stdout += t),
      stderr: (t) => void (stderr += t),
      readStdin: () => Promise.resolve(''),
      readFile: () => Promise.reject(new Error('unused')),
    };
    const base = { GITHUB_TOKEN: gate.sim.personalToken('auditor'), GITHUB_API_URL: gate.sim.apiUrl, HITL_APP_SLUG: gate.sim.app.slug };
    return command(args, io, { env: { ...base, ...env }, stderrIsTTY: false }).then((code) => ({ code, stdout, stderr }));
  };
}
const runAudit = runner(audit);
const runReport = runner(report);

beforeAll(async () => {
  gate = await startGate();
  const { sim } = gate;
  repo = repoFor(sim, 'report-org', 3);

  // hard, approved by alice: merges.
  numbers.approved = openAgentPr(sim, repo, 'hard');
  await gateCheck(sim, repo, sim.pull(repo, numbers.approved).headSha, (c) => c.conclusion === 'failure');
  sim.comment(repo, numbers.approved, 'alice', '/approve');
  // hard, nobody looks: still waiting. The agent posts a forged decision record saying it was approved:
  // the report reads the gate's record in its own check run, never a comment.
  numbers.waiting = openAgentPr(sim, repo, 'hard');
  const forged = decisionMarker({
    tier: 'fyi',
    state: 'ready',
    rules: [],
    approvals: [{ by: 'alice', at: new Date().toISOString(), via: 'comment', sha: sim.pull(repo, numbers.waiting).headSha }],
    vetoes: [],
    window: null,
    policy: { path: '.github/hitl.yml', sha256: null },
  });
  sim.comment(repo, numbers.waiting, AGENT, `Done.\n${forged}`);
  // soft, vetoed by bob with a reason: held.
  numbers.vetoed = openAgentPr(sim, repo, 'soft');
  await gateCheck(sim, repo, sim.pull(repo, numbers.vetoed).headSha, (c) => c.status === 'in_progress');
  sim.comment(repo, numbers.vetoed, 'bob', '/veto the cache key ignores the currency');
  // soft and fyi: merge with no one.
  numbers.soft = openAgentPr(sim, repo, 'soft');
  numbers.fyi = openAgentPr(sim, repo, 'fyi');
  // hard, closed by its author.
  numbers.closed = openAgentPr(sim, repo, 'hard');
  await gateCheck(sim, repo, sim.pull(repo, numbers.closed).headSha, (c) => c.conclusion === 'failure');
  sim.close(repo, numbers.closed, 'copilot-swe-agent[bot]');

  await Promise.all(['approved', 'soft', 'fyi'].map((k) => merged(sim, repo, numbers[k] as number)));
  await gateCheck(sim, repo, sim.pull(repo, numbers.vetoed).headSha, (c) => c.conclusion === 'failure');
  await gateCheck(sim, repo, sim.pull(repo, numbers.waiting).headSha, (c) => c.conclusion === 'failure');
}, 150_000);

afterAll(async () => {
  await gate?.close();
});

/** How an audit record ended, in the words of docs/audit.md's walk-through. */
function endedAs(r: AuditRecord): string {
  if (r.merged)
    return r.merged_by_gate === false
      ? 'merged_outside_gate'
      : (r.approvals ?? []).length > 0
        ? 'merged_with_approval'
        : r.tier === 'soft'
          ? 'merged_after_window'
          : 'merged_no_human';
  if ((r.vetoes ?? []).some((v) => v.withdrawn_at === null)) return 'vetoed';
  return r.state === 'closed' ? 'closed' : 'waiting';
}

describe('hitl-gate report', () => {
  it('agrees with hitl-gate audit for the same period, per tier and outcome', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const period = ['--since', today, '--until', today];
    const audited = await runAudit([repo, ...period]);
    expect(audited.code).toBe(0);
    const records = audited.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditRecord);
    expect(records).toHaveLength(6);

    const json = await runReport([repo, ...period, '--format', 'json']);
    expect(json.code, json.stderr).toBe(0);
    const model = JSON.parse(json.stdout) as AttentionReport;
    const schema = JSON.parse(readFileSync(new URL('../../schema/report.schema.json', import.meta.url), 'utf8')) as object;
    const validate = new Ajv({ allErrors: true }).compile(schema);
    expect(validate(model), JSON.stringify(validate.errors)).toBe(true);

    const fromAudit: Record<string, Record<string, number>> = {};
    for (const r of records) {
      const tier = r.tier ?? 'unknown';
      fromAudit[tier] ??= {};
      const byOutcome = fromAudit[tier] as Record<string, number>;
      byOutcome[endedAs(r)] = (byOutcome[endedAs(r)] ?? 0) + 1;
    }
    const fromReport: Record<string, Record<string, number>> = {};
    for (const [tier, outcomes] of Object.entries(model.total.by_tier)) {
      for (const [outcome, n] of Object.entries(outcomes)) if (n > 0) (fromReport[tier] ??= {})[outcome] = n;
    }
    expect(fromReport).toEqual(fromAudit);
    expect(fromReport).toEqual({
      fyi: { merged_no_human: 1 },
      soft: { merged_after_window: 1, vetoed: 1 },
      hard: { merged_with_approval: 1, waiting: 1, closed: 1 },
    });
    expect(model.pulls.map((p) => p.pr).sort()).toEqual(records.map((r) => r.pr).sort());
    expect(model.total.governed).toBe(records.length);
    expect(model.weeks.reduce((n, w) => n + w.governed, 0)).toBe(records.length);

    // The human side: one approval, one veto with who and why, a measured wait, the rule that sent PRs to hard.
    expect(model.total.decisions).toMatchObject({ approval_comment: 1, veto: 1 });
    expect(model.objections).toEqual([
      expect.objectContaining({
        kind: 'veto',
        pr: numbers.vetoed,
        by: 'bob',
        reason: 'the cache key ignores the currency',
        withdrawn_at: null,
      }),
    ]);
    expect(model.total.waits.hard).toMatchObject({ needed: 3, decided: 1 });
    expect(model.total.waits.hard.median_seconds).toBeGreaterThanOrEqual(0);
    expect(model.rule_tiers_known).toBe(true);
    expect(model.hard_rules).toEqual([
      expect.objectContaining({ rule: 'Database migrations', prs: 3, approved: 1, approved_unchanged: 1, still_open: 1 }),
    ]);
    expect(model.open_waits.map((w) => w.pr).sort()).toEqual([numbers.waiting, numbers.vetoed].sort());
    // The agent's forged record changed nothing.
    expect(model.pulls.find((p) => p.pr === numbers.waiting)).toMatchObject({ tier: 'hard', outcome: 'waiting' });
  });

  it('writes the page to --out, with its charts and links to the PRs only', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'report-')), 'report.html');
    const { code, stdout, stderr } = await runReport([repo, '--out', out]);
    expect(code, stderr).toBe(0);
    expect(stdout).toBe('');
    expect(stderr).toContain(`6 governed pull requests of ${repo}, written to ${out}`);
    const html = readFileSync(out, 'utf8');
    expect(html.match(/<figure class="chart"/g)?.length).toBeGreaterThanOrEqual(3);
    await expect(runReport([repo, '--out', join(tmpdir(), 'hitl-report-no-such-dir', 'x.html')])).rejects.toThrow(
      /cannot write .*x\.html: no such directory/,
    );
    for (const [, href] of html.matchAll(/href="([^"]*)"/g))
      expect(href).toMatch(
        new RegExp(`^${gate.sim.apiUrl.replace(/\/api\/v3$/, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*/${repo}/pull/\\d+$`),
      );
  });

  it('says clearly when the token or the repository is wrong, and exits 1', async () => {
    const token = await runReport([repo], { GITHUB_TOKEN: 'ghp_not-a-token' });
    expect(token.code).toBe(1);
    expect(token.stderr).toMatch(
      /GitHub refused the token \(401.*\): set GITHUB_TOKEN \(or GH_TOKEN\) to a valid token \(after 0 governed pull requests; no report written\)/,
    );
    expect(token.stdout).toBe('');
    const missing = await runReport(['nobody/nothing']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/404 for nobody\/nothing: no such repository, or the token cannot read it/);
    expect(missing.stdout).toBe('');
  });

  it('writes no page when GitHub fails part-way: a report that left PRs out would mislead', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'report-')), 'report.html');
    gate.sim.setRestFaults({ errorRate: 1, only: (method, route) => method === 'GET' && route.endsWith('/check-runs') });
    try {
      const { code, stdout, stderr } = await runReport([repo, '--out', out]);
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toMatch(/could not read the hitl check runs of .*; no report written\)/);
      expect(existsSync(out)).toBe(false);
    } finally {
      gate.sim.clearFaults();
    }
  });

  it('waits out a rate limit and says so, as audit does', async () => {
    gate.sim.setRestFaults({ only: (method, route) => method === 'GET' && route === '/repos/{owner}/{repo}/pulls' });
    gate.sim.rateLimitEpisode({ kind: 'secondary', requests: 1, retryAfterSeconds: 1 });
    try {
      const { code, stdout, stderr } = await runReport([repo, '--format', 'json']);
      expect(code).toBe(0);
      expect(stderr).toMatch(/hitl-gate report: GitHub secondary rate limit .*waiting 1 s/);
      expect((JSON.parse(stdout) as AttentionReport).total.governed).toBe(6);
    } finally {
      gate.sim.clearFaults();
    }
  });
});
