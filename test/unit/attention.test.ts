// Review requests and the reminder ladder: who is asked, once per head; one comment per step, never
// repeated (the ledger says which steps were done), none once the PR no longer waits for approvals.
import { describe, expect, it } from 'vitest';
import { decide } from '../../src/core/decide.js';
import { ledgerMarker, readLedger, readRecord, recordMarker } from '../../src/core/ledger.js';
import { plan } from '../../src/core/plan.js';
import type { Policy, Rule } from '../../src/core/model/policy.js';
import type { PullRequestFacts } from '../../src/core/model/pull-request.js';
import type { Effect, GitHubView } from '../../src/core/model/effects.js';
import { appliedView, at, comment, file, makeFacts, makePolicy, okLoad, writer } from './facts.js';

const VIEW: GitHubView = { mergeable: true, mergeableState: 'blocked', otherChecks: 'success' };
const HOUR = 60;
const DBA: Rule = {
  name: 'Database migrations',
  tier: 'hard',
  paths: ['db/migrations/**'],
  reviewers: { users: ['dana', 'copilot-swe-agent[bot]', 'mallory', 'ci[bot]'], teams: ['acme/dba'] },
};
const base = makePolicy({ reviewers: { users: ['alice', 'bob'], teams: ['acme/maintainers'], permission: 'write' } });
const withLadder = (p: Policy): Policy => ({
  ...p,
  tiers: {
    ...p.tiers,
    hard: { ...p.tiers.hard, remindMs: [4 * 3_600_000, 24 * 3_600_000], escalateTo: { users: ['carol'], teams: ['acme/leads'] } },
  },
});
const hardFacts = makeFacts({
  files: [file('db/migrations/1.sql')],
  commits: [{ sha: 'a'.repeat(40), authorLogin: 'copilot-swe-agent[bot]', committerLogin: 'mallory' }],
});

/** One reconcile: decide, plan, and what the next reconcile would read back (the record, the comment). */
function step(
  policy: Policy,
  facts: PullRequestFacts,
  view: GitHubView,
  minutes: number,
): { effects: Effect[]; facts: PullRequestFacts; view: GitHubView; wakeAt?: string } {
  const now = new Date(at(minutes));
  const decision = decide(okLoad(policy), facts, now);
  const effects = plan(decision, facts, view, now, { mode: 'full' });
  // The record is read back from the check run the plan writes it into, never from the status comment.
  const next = appliedView(facts, view, effects, { comment: 9 });
  return { effects, ...next, ...(decision.wakeAt ? { wakeAt: decision.wakeAt } : {}) };
}

const of = <K extends Effect['kind']>(effects: Effect[], kind: K) =>
  effects.filter((e): e is Extract<Effect, { kind: K }> => e.kind === kind);

describe('review requests', () => {
  it('a hard PR asks the top-level reviewers once per head', () => {
    const first = step(base, hardFacts, VIEW, 1);
    expect(of(first.effects, 'request-reviews')).toEqual([
      { kind: 'request-reviews', users: ['alice', 'bob'], teams: ['acme/maintainers'], reason: 'approvers' },
    ]);
    // Recorded before it is made: the check run that carries the record comes first.
    const kinds = first.effects.map((e) => e.kind);
    expect(kinds.indexOf('check-run')).toBeLessThan(kinds.indexOf('request-reviews'));
    expect(first.facts.ledger?.requested).toMatchObject({ users: ['alice', 'bob'], teams: ['acme/maintainers'] });
    const again = step(base, first.facts, first.view, 30);
    expect(of(again.effects, 'request-reviews')).toEqual([]);
    // A push: a new head is asked again.
    const pushed = step(base, { ...again.facts, headSha: 'b'.repeat(40), headSeenAt: at(40) }, again.view, 41);
    expect(of(pushed.effects, 'request-reviews')).toHaveLength(1);
  });

  it('asks exactly the approvers of the matching rule, never the author, a committer, an agent or a bot', () => {
    const p = makePolicy({ rules: [DBA] });
    const effects = step(p, hardFacts, VIEW, 1).effects;
    expect(of(effects, 'request-reviews')).toEqual([
      { kind: 'request-reviews', users: ['dana'], teams: ['acme/dba'], reason: 'approvers' },
    ]);
  });

  it('asks nobody who already approved, and nobody once the PR is approved', () => {
    const oneOfTwo: Policy = { ...base, tiers: { ...base.tiers, hard: { ...base.tiers.hard, approvals: 2 } } };
    const facts = { ...hardFacts, comments: [comment('alice', '/approve', at(1))], authorizations: { alice: writer() } };
    expect(of(step(oneOfTwo, facts, VIEW, 2).effects, 'request-reviews')).toEqual([
      { kind: 'request-reviews', users: ['bob'], teams: ['acme/maintainers'], reason: 'approvers' },
    ]);
    expect(of(step(base, facts, VIEW, 2).effects, 'request-reviews')).toEqual([]);
  });

  it('a permission-only policy, request_review: false, a soft, vetoed or draft PR ask nobody', () => {
    const permissionOnly = makePolicy({ reviewers: { users: [], teams: [], permission: 'write' } });
    expect(of(step(permissionOnly, hardFacts, VIEW, 1).effects, 'request-reviews')).toEqual([]);
    const off: Policy = { ...base, tiers: { ...base.tiers, hard: { ...base.tiers.hard, requestReview: false } } };
    expect(of(step(off, hardFacts, VIEW, 1).effects, 'request-reviews')).toEqual([]);
    expect(of(step(base, makeFacts({ files: [file('src/a.ts')] }), VIEW, 1).effects, 'request-reviews')).toEqual([]);
    const vetoed = { ...hardFacts, comments: [comment('bob', '/veto', at(1))], authorizations: { bob: writer() } };
    expect(of(step(base, vetoed, VIEW, 2).effects, 'request-reviews')).toEqual([]);
    expect(of(step(base, { ...hardFacts, draft: true }, VIEW, 1).effects, 'request-reviews')).toEqual([]);
  });
});

describe('reminders and escalation', () => {
  const p = withLadder(makePolicy({ rules: [DBA] }));

  it('one new comment per step, mentioning only who can still act; after the last, the escalation too', () => {
    const start = step(p, hardFacts, VIEW, 1);
    expect(of(start.effects, 'reminder')).toEqual([]);
    expect(start.wakeAt).toBe(at(4 * HOUR)); // the first reminder wakes the gate
    const early = step(p, start.facts, start.view, 3 * HOUR);
    expect(of(early.effects, 'reminder')).toEqual([]);

    const first = step(p, early.facts, early.view, 4 * HOUR);
    const [r1] = of(first.effects, 'reminder');
    expect(r1).toMatchObject({ step: 1, steps: 2 });
    expect(r1?.requestReviewers).toBeUndefined();
    expect(r1?.body).toContain('@dana @acme/dba');
    expect(r1?.body).not.toMatch(/@mallory|@copilot|@ci\[bot\]|@alice|@carol/);
    // Recorded before it is posted: the check run that carries the record comes first.
    expect(first.effects.map((e) => e.kind).indexOf('check-run')).toBeLessThan(first.effects.map((e) => e.kind).indexOf('reminder'));
    expect(first.facts.ledger?.reminded?.steps).toBe(1);
    expect(first.wakeAt).toBe(at(24 * HOUR));

    // Replaying (a restart, a second replica, a timer firing twice) posts nothing more.
    expect(of(step(p, first.facts, first.view, 4 * HOUR + 1).effects, 'reminder')).toEqual([]);
    expect(of(step(p, first.facts, first.view, 20 * HOUR).effects, 'reminder')).toEqual([]);

    const last = step(p, first.facts, first.view, 24 * HOUR);
    const [r2] = of(last.effects, 'reminder');
    expect(r2).toMatchObject({ step: 2, steps: 2, requestReviewers: { users: ['carol'], teams: ['acme/leads'] } });
    expect(r2?.body).toContain('@carol @acme/leads');
    expect(last.wakeAt).toBeUndefined();
    expect(of(step(p, last.facts, last.view, 48 * HOUR).effects, 'reminder')).toEqual([]);
  });

  it('a rule name cannot mention anyone or carry Markdown into a reminder', () => {
    const sneaky = withLadder(makePolicy({ rules: [{ ...DBA, name: 'Ping @everyone **now**' }] }));
    const start = step(sneaky, hardFacts, VIEW, 1);
    const [r] = of(step(sneaky, start.facts, start.view, 4 * HOUR).effects, 'reminder');
    expect(r?.body).not.toContain('@everyone');
    expect(r?.body).not.toContain('**now**');
    expect(r?.body).toContain('@dana @acme/dba');
  });

  it('steps missed while the gate was down come as one comment for the latest step', () => {
    const start = step(p, hardFacts, VIEW, 1);
    const late = step(p, start.facts, start.view, 30 * HOUR);
    expect(of(late.effects, 'reminder').map((r) => r.step)).toEqual([2]);
  });

  it('no reminder once approved or vetoed; a push restarts the ladder', () => {
    const start = step(p, hardFacts, VIEW, 1);
    const first = step(p, start.facts, start.view, 4 * HOUR);
    const approved = { ...first.facts, comments: [comment('dana', '/approve', at(5 * HOUR))], authorizations: { dana: writer() } };
    expect(of(step(p, approved, first.view, 24 * HOUR).effects, 'reminder')).toEqual([]);
    const vetoed = { ...first.facts, comments: [comment('dana', '/veto', at(5 * HOUR))], authorizations: { dana: writer() } };
    expect(of(step(p, vetoed, first.view, 24 * HOUR).effects, 'reminder')).toEqual([]);
    const pushed = { ...first.facts, headSha: 'c'.repeat(40), headSeenAt: at(10 * HOUR) };
    const afterPush = step(p, pushed, first.view, 13 * HOUR);
    expect(of(afterPush.effects, 'reminder')).toEqual([]);
    expect(afterPush.wakeAt).toBe(at(14 * HOUR));
    expect(of(step(p, afterPush.facts, afterPush.view, 14 * HOUR).effects, 'reminder').map((r) => r.step)).toEqual([1]);
  });

  it('reminder delays count working time when the policy has working hours', () => {
    const berlin: Policy = {
      ...p,
      workingHours: {
        timezone: 'Europe/Berlin',
        days: ['mon', 'tue', 'wed', 'thu', 'fri'],
        fromMinutes: 9 * 60,
        toMinutes: 18 * 60,
        holidays: [],
      },
    };
    // Waiting since Friday 16:00 Berlin (15:00 UTC): 4h of working time end Monday 11:00 Berlin.
    const facts = { ...hardFacts, headSeenAt: '2026-12-04T15:00:00Z' };
    const d = decide(okLoad(berlin), facts, new Date('2026-12-05T12:00:00Z'));
    expect(d.wakeAt).toBe('2026-12-07T10:00:00.000Z');
  });

  it('the ledger keeps what was asked and reminded across a round trip', () => {
    const ledger = {
      vetoes: [],
      answered: [],
      requested: { head: 'h', users: ['dana'], teams: ['acme/dba'] },
      reminded: { head: 'h', steps: 1 },
    };
    expect(readLedger(ledgerMarker(ledger))).toEqual(ledger);
    expect(readLedger(ledgerMarker({ vetoes: [], answered: [], reminded: { head: 'h', steps: -1 } } as never))).toEqual({
      vetoes: [],
      answered: [],
    });
    // The same in the record the gate now writes into its check run.
    expect(readRecord(recordMarker(ledger, 7), 7)).toEqual(ledger);
    expect(readRecord(recordMarker({ vetoes: [], answered: [], reminded: { head: 'h', steps: -1 } } as never, 7), 7)).toEqual({
      vetoes: [],
      answered: [],
    });
  });
});
