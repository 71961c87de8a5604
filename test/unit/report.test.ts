// The report's numbers, from records and a time: no GitHub, no clock, no mocks.
import { describe, expect, it } from 'vitest';
import { buildReport, OUTCOMES, outcomeOf, percentile, weekStart, type GovernedPull } from '../../src/core/report.js';
import {
  busyRepository,
  fyiMerged,
  hardApproved,
  NOW,
  pull,
  REPO,
  RULE_TIERS,
  SINCE,
  softMerged,
  UNTIL,
} from '../fixtures/governed-pulls.js';

const report = (pulls: GovernedPull[], extra: Partial<Parameters<typeof buildReport>[0]> = {}) =>
  buildReport({ repo: REPO, pulls, now: NOW, since: SINCE, until: UNTIL, ruleTiers: RULE_TIERS, ...extra });
const t = (s: string): number => Date.parse(s);

describe('attention report', () => {
  it('counts every governed PR once, by tier and by how it ended, per week and in total', () => {
    const r = report(busyRepository());
    expect(r.weeks.map((w) => w.week)).toEqual(['2026-11-09', '2026-11-16', '2026-11-23']);
    expect(r.total.governed).toBe(14);
    expect(r.total.by_tier.fyi).toMatchObject({ merged_no_human: 3 });
    expect(r.total.by_tier.soft).toMatchObject({ merged_after_window: 3, vetoed: 2 });
    expect(r.total.by_tier.hard).toMatchObject({ merged_with_approval: 3, merged_outside_gate: 1, closed: 1, waiting: 1 });
    expect(r.total.still_open).toBe(2);
    expect(r.total.merged).toBe(10);
    expect(r.total.prs_by_tier).toEqual({ fyi: 3, soft: 5, hard: 6, unknown: 0 });
    expect(r.total.human_decisions).toBe(7);
    // The weeks add up to the total, outcome by outcome.
    for (const o of OUTCOMES)
      expect(
        r.weeks.reduce((n, w) => n + w.outcomes[o], 0),
        o,
      ).toBe(r.total.outcomes[o]);
    expect(r.weeks.map((w) => w.governed)).toEqual([4, 5, 5]);
    expect(r.pulls).toHaveLength(14);
  });

  it.each<[string, Partial<GovernedPull>, string]>([
    ['fyi merged by the gate', { tier: 'fyi', merged: true, merged_by_gate: true, state: 'merged' }, 'merged_no_human'],
    ['soft merged by the gate', { tier: 'soft', merged: true, merged_by_gate: true, state: 'merged' }, 'merged_after_window'],
    [
      'soft merged after a withdrawn veto',
      {
        tier: 'soft',
        merged: true,
        merged_by_gate: true,
        state: 'merged',
        vetoes: [{ by: 'b', at: '2026-11-10T00:00:00Z', reason: null, withdrawn_at: '2026-11-10T00:01:00Z' }],
      },
      'merged_after_window',
    ],
    [
      'hard merged with an approval',
      {
        tier: 'hard',
        merged: true,
        merged_by_gate: true,
        state: 'merged',
        approvals: [{ by: 'a', at: '2026-11-10T00:00:00Z', via: 'review', sha: 'x' }],
      },
      'merged_with_approval',
    ],
    // The bypass a report must never dress up as an approval.
    [
      'hard merged with no approval on record',
      { tier: 'hard', merged: true, merged_by_gate: true, state: 'merged', approvals: [] },
      'merged_no_human',
    ],
    [
      'hard merged by an admin past the gate, even with an approval',
      {
        tier: 'hard',
        merged: true,
        merged_by_gate: false,
        state: 'merged',
        approvals: [{ by: 'a', at: '2026-11-10T00:00:00Z', via: 'comment', sha: 'x' }],
      },
      'merged_outside_gate',
    ],
    [
      'closed with a standing veto',
      { tier: 'soft', state: 'closed', vetoes: [{ by: 'b', at: '2026-11-10T00:00:00Z', reason: null, withdrawn_at: null }] },
      'vetoed',
    ],
    [
      'open and held by a veto',
      { tier: 'soft', state: 'blocked', vetoes: [{ by: 'b', at: '2026-11-10T00:00:00Z', reason: null, withdrawn_at: null }] },
      'vetoed',
    ],
    ['closed unmerged', { tier: 'hard', state: 'closed' }, 'closed'],
    ['open, waiting', { tier: 'hard', state: 'blocked' }, 'waiting'],
  ])('%s: %s', (_name, fields, outcome) => {
    expect(outcomeOf(pull(fields))).toBe(outcome);
  });

  it('measures the wait from "a human is needed" to the first human decision, median and 90th percentile per tier', () => {
    const seen = t('2026-11-10T08:00:00Z');
    const minutes = [5, 10, 20, 30, 40, 50, 60, 70, 80, 600];
    const pulls = minutes.map((m) => hardApproved(seen, m * 60_000));
    // One still waiting: it needed a human and got none.
    pulls.push(pull({ tier: 'hard', state: 'blocked', head_seen_at: '2026-11-20T08:00:00Z' }));
    // A soft PR vetoed 3 minutes into its window.
    pulls.push(
      pull({
        tier: 'soft',
        state: 'blocked',
        window_start: '2026-11-20T08:00:00Z',
        vetoes: [{ by: 'bob', at: '2026-11-20T08:03:00Z', reason: null, withdrawn_at: null }],
      }),
    );
    const r = report(pulls);
    expect(r.total.waits.hard).toEqual({ needed: 11, decided: 10, median_seconds: 40 * 60, p90_seconds: 80 * 60 });
    expect(r.total.waits.soft).toEqual({ needed: 1, decided: 1, median_seconds: 180, p90_seconds: 180 });
    expect(r.total.waits.fyi.needed).toBe(0);
  });

  it('lists the longest waits still open, longest first, with their links', () => {
    const r = report(busyRepository());
    expect(r.open_waits.map((w) => [w.pr, w.outcome, w.wait_seconds])).toEqual([
      [111, 'waiting', (t('2026-11-26T12:00:00Z') - t('2026-11-24T15:00:00Z')) / 1000],
      [112, 'vetoed', (t('2026-11-26T12:00:00Z') - t('2026-11-25T09:00:00Z')) / 1000],
    ]);
    expect(r.open_waits[0]?.url).toBe(`https://github.com/${REPO}/pull/111`);
  });

  it('names the rules that sent PRs to hard, how often they were approved unchanged and how fast', () => {
    const r = report(busyRepository());
    expect(r.hard_rules.map((h) => h.rule)).toEqual(['Database migrations', 'Large change', 'Marked irreversible']);
    expect(r.hard_rules[0]).toEqual({
      rule: 'Database migrations',
      prs: 4,
      approved: 2,
      approved_unchanged: 2,
      vetoed: 0,
      still_open: 1,
      median_seconds_to_approval: 20 * 60,
      p90_seconds_to_approval: 3 * 3600,
    });
    // Approved on an older head: approved, not unchanged.
    expect(r.hard_rules[1]).toMatchObject({ rule: 'Large change', approved: 1, approved_unchanged: 0 });
    // A fyi rule that a hard PR also matched did not send it there.
    expect(r.hard_rules.some((h) => h.rule === 'Documentation')).toBe(false);
  });

  it('without the policy counts every rule of a hard PR, and puts hard PRs no rule explains in their own row', () => {
    const pulls = [
      hardApproved(t('2026-11-10T08:00:00Z'), 60_000, { rules: ['Documentation', 'Database migrations'] }),
      pull({ tier: 'hard', state: 'blocked', rules: [] }),
    ];
    const r = report(pulls, { ruleTiers: undefined });
    expect(r.rule_tiers_known).toBe(false);
    expect(r.hard_rules.map((h) => [h.rule, h.prs])).toEqual([
      ['Database migrations', 1],
      ['Documentation', 1],
      [null, 1],
    ]);
  });

  it('lists vetoes with who and why, and concerns and reverts when the record carries them', () => {
    const merged = softMerged(t('2026-11-17T10:00:00Z'), {
      after_merge: {
        concern: { by: 'carol', at: '2026-11-18T09:00:00Z', reason: 'no test for the refund path' },
        revert: { by: 'alice', at: '2026-11-18T10:00:00Z', reason: 'broke refunds', pr: 300 },
        reviewed_by: 'dave',
        reviewed_at: '2026-11-18T08:00:00Z',
      },
    });
    const r = report([
      ...busyRepository(),
      merged,
      softMerged(t('2026-11-17T11:00:00Z'), { after_merge: 'garbage' }),
      softMerged(t('2026-11-17T12:00:00Z'), { after_merge: { concern: [{ by: 42 }] } }),
    ]);
    expect(r.objections.map((o) => [o.kind, o.pr, o.by, o.reason, o.withdrawn_at])).toEqual([
      ['veto', 109, 'bob', 'a one-day cache shows stale prices', null],
      ['concern', merged.pr, 'carol', 'no test for the refund path', null],
      ['revert', merged.pr, 'alice', 'broke refunds', null],
      ['veto', 105, 'bob', 'check the rounding', '2026-11-23T10:09:00Z'],
      ['veto', 112, 'dave', 'not before the <b>freeze</b> ends', null],
    ]);
    expect(r.total.decisions).toMatchObject({
      approval_comment: 2,
      approval_click: 1,
      veto: 3,
      veto_withdrawn: 1,
      reviewed_after_merge: 1,
      concern: 1,
      revert: 1,
    });
  });

  it('shows what the gate would have done in observe mode, beside how the PRs actually ended', () => {
    const r = report([
      fyiMerged(t('2026-11-10T09:00:00Z'), { mode: 'observe', merged_by_gate: false }),
      pull({
        tier: 'hard',
        state: 'merged',
        merged: true,
        merged_by_gate: false,
        merged_at: '2026-11-11T09:00:00Z',
        closed_at: '2026-11-11T09:00:00Z',
        mode: 'observe',
      }),
      pull({
        tier: 'soft',
        state: 'waiting',
        mode: 'observe',
        vetoes: [{ by: 'bob', at: '2026-11-12T09:00:00Z', reason: null, withdrawn_at: null }],
      }),
      fyiMerged(t('2026-11-10T09:00:00Z'), { mode: 'enforce' }),
    ]);
    expect(r.total.observe).toEqual({
      prs: 3,
      would: {
        would_merge_no_human: 1,
        would_merge_after_window: 0,
        would_merge_with_approval: 0,
        would_block_veto: 1,
        would_wait_for_approval: 1,
      },
    });
    expect(r.total.outcomes.merged_outside_gate).toBe(2);
    expect(r.pulls.filter((p) => p.observe)).toHaveLength(3);
  });

  it('keeps to the period: decisions outside it are not counted, PRs that ended before it count in its first week', () => {
    const early = hardApproved(t('2026-11-01T08:00:00Z'), 60_000);
    const r = report([early]);
    expect(r.weeks[0]).toMatchObject({ week: '2026-11-09', governed: 1 });
    expect(r.total.decisions.approval_comment).toBe(0);
    expect(r.period).toEqual({ since: '2026-11-09T00:00:00.000Z', until: '2026-11-27T00:00:00.000Z' });
  });

  it('without --since starts at the earliest event; with nothing governed it is an empty report, not an error', () => {
    const r = buildReport({ repo: REPO, pulls: [fyiMerged(t('2026-11-18T09:00:00Z'))], now: NOW });
    expect(r.weeks.map((w) => w.week)).toEqual(['2026-11-16', '2026-11-23']);
    const empty = buildReport({ repo: REPO, pulls: [], now: NOW });
    expect(empty.total.governed).toBe(0);
    expect(empty.weeks).toHaveLength(1);
    expect(empty.hard_rules).toEqual([]);
  });

  it('reads records it cannot fully trust without failing: an unknown tier, times that are not times', () => {
    const r = report([
      pull({
        tier: null,
        state: null,
        head_seen_at: 'yesterday',
        approvals: [{ by: 'a', at: 'not a time', via: 'comment', sha: null }],
        vetoes: null,
        rules: null,
      }),
    ]);
    expect(r.total.by_tier.unknown.waiting).toBe(1);
    expect(r.total.decisions.approval_comment).toBe(0);
  });

  it('is a function of its input: the same records and time give the same report, and the records are not changed', () => {
    const pulls = busyRepository();
    const before = JSON.stringify(pulls);
    expect(report([...pulls].reverse())).toEqual(report(pulls));
    expect(JSON.stringify(pulls)).toBe(before);
  });

  it('weeks start on Monday (UTC); percentiles are nearest-rank', () => {
    expect(new Date(weekStart(t('2026-11-29T23:59:59Z'))).toISOString()).toBe('2026-11-23T00:00:00.000Z');
    expect(new Date(weekStart(t('2026-11-30T00:00:00Z'))).toISOString()).toBe('2026-11-30T00:00:00.000Z');
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
    expect(percentile([7], 0.9)).toBe(7);
    expect(percentile([], 0.5)).toBeNull();
  });
});
