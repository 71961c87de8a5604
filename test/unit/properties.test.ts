// Property tests of the decision: for random policies, file lists and comment histories, the
// invariants people rely on hold (docs/design.md, invariants 2, 3 and 5).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCommands } from '../../src/core/commands.js';
import { decide } from '../../src/core/decide.js';
import { readRecord, withRecord } from '../../src/core/ledger.js';
import { readLedger, renderCheckRun, renderReply, renderStatusComment } from '../../src/core/render.js';
import type { Tier } from '../../src/core/model/tier.js';
import { PERMISSIONS, type Policy } from '../../src/core/model/policy.js';
import type { Actor, Authorization, IssueComment, PullRequestFacts, Review } from '../../src/core/model/pull-request.js';
import type { Decision } from '../../src/core/model/decision.js';
import { AGENT, HEAD, at, comment, file, makeFacts, makePolicy, okLoad, review } from './facts.js';

const PEOPLE = ['alice', 'bob', 'carol', 'dave'];
const COMMITTER = 'mallory';
/** Accounts whose approvals and vetoes must never count: the author, a committer, an agent, bots. */
const EXCLUDED: Actor[] = [
  AGENT,
  { login: COMMITTER, type: 'User' },
  { login: 'devin-7', type: 'User' },
  { login: 'ci[bot]', type: 'User' },
  { login: 'helper', type: 'Bot' },
];
const BODIES = [
  '/approve',
  '/approve cancel',
  '/veto',
  '/veto not now',
  '/veto cancel',
  '/escalate hard',
  '/escalate soft',
  '/escalate fyi',
  '/hitl explain',
  'lgtm',
  '> /approve',
  '```\n/approve\n```',
  '/APPROVE\n/veto cancel',
];
const NON_ESCALATING = BODIES.filter((b) => !b.includes('/escalate'));
const PATHS = ['docs/a.md', 'src/x.ts', 'db/migrations/1.sql', 'README.md', 'lib/y.js'];
const OTHER = 'b'.repeat(40);

const tier = fc.constantFrom<Tier>('fyi', 'soft', 'hard');

const policyArb: fc.Arbitrary<Policy> = fc
  .record({
    users: fc.subarray(PEOPLE),
    permission: fc.constantFrom(...PERMISSIONS),
    default: tier,
    windowMin: fc.integer({ min: 1, max: 90 }),
    approvals: fc.integer({ min: 0, max: 3 }),
    merges: fc.tuple(fc.boolean(), fc.boolean(), fc.boolean()),
    invalidateOnPush: fc.boolean(),
    rules: fc.array(fc.record({ tier, path: fc.constantFrom('docs/**', 'src/**', 'db/**', '**/*.md') }), { maxLength: 4 }),
  })
  .map((p) =>
    makePolicy({
      agents: { authors: ['copilot-swe-agent[bot]', 'devin-*'], labels: [], branches: [] },
      reviewers: { users: p.users, teams: ['acme/maintainers'], permission: p.permission },
      default: p.default,
      tiers: {
        fyi: { merge: p.merges[0] },
        soft: { windowMs: p.windowMin * 60_000, merge: p.merges[1] },
        hard: { approvals: p.approvals, merge: p.merges[2], invalidateOnPush: p.invalidateOnPush },
      },
      rules: p.rules.map((r, i) => ({ name: `rule ${i}`, tier: r.tier, paths: [r.path] })),
    }),
  );

const authorizationArb: fc.Arbitrary<Authorization | undefined> = fc.constantFrom<Authorization | undefined>(
  { permission: 'write', teams: [] },
  { permission: 'read', teams: [] },
  { permission: 'admin', teams: [] },
  { permission: 'error', teams: [] },
  { permission: 'read', teams: ['acme/maintainers'] },
  { permission: 'read', teams: [], teamErrors: ['acme/maintainers'] },
  undefined,
);

interface CommentSpec {
  who: Actor;
  body: string;
  minute: number;
  edited: boolean;
}
interface ReviewSpec {
  who: Actor;
  state: string;
  onHead: boolean;
  minute: number;
}

const personOf = (people: string[]) => fc.constantFrom(...people).map((login): Actor => ({ login, type: 'User' }));
const commentSpec = (who: fc.Arbitrary<Actor>, bodies: string[], edited = fc.boolean()): fc.Arbitrary<CommentSpec> =>
  fc.record({ who, body: fc.constantFrom(...bodies), minute: fc.integer({ min: -30, max: 30 }), edited });
const reviewSpec = (who: fc.Arbitrary<Actor>): fc.Arbitrary<ReviewSpec> =>
  fc.record({
    who,
    state: fc.constantFrom('APPROVED', 'CHANGES_REQUESTED', 'COMMENTED'),
    onHead: fc.boolean(),
    minute: fc.integer({ min: -30, max: 30 }),
  });

const toComment = (c: CommentSpec): IssueComment => comment(c.who, c.body, at(c.minute), c.edited ? { updatedAt: at(c.minute + 1) } : {});
const toReview = (r: ReviewSpec): Review => review(r.who, r.state, r.onHead ? HEAD : OTHER, at(r.minute));

/** A random PR. `people` and `bodies` narrow the world so that rarer histories come up often. */
const scenario = (people = PEOPLE, bodies = BODIES, quiet = false) =>
  fc.record({
    policy: policyArb,
    files: fc.uniqueArray(fc.constantFrom(...PATHS), { maxLength: 5 }),
    labels: fc.subarray(['hitl:hard', 'hitl:soft']),
    comments: fc.array(commentSpec(personOf(people), bodies, quiet ? fc.constant(false) : fc.boolean()), { maxLength: 12 }),
    reviews: fc.array(reviewSpec(personOf(people)), { maxLength: 4 }),
    authorizations: fc.tuple(...PEOPLE.map(() => authorizationArb)),
    headSeen: quiet ? fc.constant(0) : fc.option(fc.integer({ min: -40, max: 20 }), { nil: undefined }),
    nowMinute: fc.integer({ min: 0, max: 120 }),
    draft: quiet ? fc.constant(false) : fc.boolean(),
  });
const scenarioArb = scenario();
/** Two reviewers trading approvals, cancels and vetoes around the time the head was seen, nothing edited yet and no
 * draft: where an edit could do harm. */
const busyArb = scenario(
  ['alice', 'bob'],
  ['/approve', '/approve', '/approve cancel', '/veto', '/veto cancel', '/escalate hard', 'lgtm'],
  true,
);
type Scenario = typeof scenarioArb extends fc.Arbitrary<infer S> ? S : never;

function factsOf(s: Scenario): PullRequestFacts {
  const authorizations: Record<string, Authorization> = {};
  PEOPLE.forEach((login, i) => {
    const a = s.authorizations[i];
    if (a) authorizations[login] = a;
  });
  for (const ex of EXCLUDED) authorizations[ex.login.toLowerCase()] = { permission: 'admin', teams: ['acme/maintainers'] };
  return makeFacts({
    files: s.files.map((f) => file(f)),
    labels: s.labels,
    draft: s.draft,
    commits: [{ sha: HEAD, authorLogin: AGENT.login, committerLogin: COMMITTER }],
    comments: s.comments.map(toComment),
    reviews: s.reviews.map(toReview),
    authorizations,
    headSeenAt: s.headSeen === undefined ? undefined : at(s.headSeen),
  });
}

const outcome = (d: Decision) => ({ state: d.state, approvals: d.approvals, vetoes: d.vetoes, merge: d.merge });

describe('decision properties', () => {
  it('commands from the author, committers, agents and bots change nothing but the tier they may raise', () => {
    fc.assert(
      fc.property(
        scenarioArb,
        fc.array(commentSpec(fc.constantFrom(...EXCLUDED), NON_ESCALATING), { minLength: 1, maxLength: 6 }),
        fc.array(reviewSpec(fc.constantFrom(...EXCLUDED)), { maxLength: 3 }),
        (s, extraComments, extraReviews) => {
          const facts = factsOf(s);
          const now = new Date(at(s.nowMinute));
          const before = decide(okLoad(s.policy), facts, now);
          const more = {
            ...facts,
            comments: [...facts.comments, ...extraComments.map(toComment)],
            reviews: [...facts.reviews, ...extraReviews.map(toReview)],
          };
          const after = decide(okLoad(s.policy), more, now);
          expect(outcome(after)).toEqual(outcome(before));
          for (const v of after.commands.filter((c) => EXCLUDED.some((e) => e.login === c.by) && c.command.kind !== 'explain')) {
            expect(v.accepted).toBe(false);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('an edit never turns a decision that was not ready into a ready one', () => {
    fc.assert(
      fc.property(fc.oneof(scenarioArb, busyArb), fc.nat(), fc.constantFrom(...BODIES, 'edited away'), (s, pick, newBody) => {
        fc.pre(s.comments.length > 0);
        const facts = factsOf(s);
        const now = new Date(at(s.nowMinute));
        // The gate has reconciled once and recorded its ledger before the edit happens.
        const first = decide(okLoad(s.policy), facts, now);
        const recorded = { ...facts, ledger: first.ledger };
        const before = decide(okLoad(s.policy), recorded, now);
        fc.pre(before.state !== 'ready');
        const index = pick % facts.comments.length;
        const target = facts.comments[index]!;
        const edited = {
          ...target,
          body: newBody,
          updatedAt: new Date(Math.max(Date.parse(target.createdAt), now.getTime()) + 1000).toISOString(),
        };
        const comments = facts.comments.map((c, i) => (i === index ? edited : c));
        const after = decide(okLoad(s.policy), { ...recorded, comments }, now);
        expect(after.state).not.toBe('ready');
        expect(after.merge).toBe(false);
      }),
      { numRuns: 600 },
    );
  });

  it('deleting comments or dismissing reviews never turns a decision that was not ready into a ready one', () => {
    fc.assert(
      fc.property(fc.oneof(scenarioArb, busyArb), fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), (s, picks) => {
        fc.pre(s.comments.length + s.reviews.length > 0);
        const facts = factsOf(s);
        const now = new Date(at(s.nowMinute));
        const first = decide(okLoad(s.policy), facts, now);
        const recorded = { ...facts, ledger: first.ledger };
        fc.pre(decide(okLoad(s.policy), recorded, now).state !== 'ready');
        const targets = new Set(picks.map((p) => p % (facts.comments.length + facts.reviews.length)));
        const comments = facts.comments.filter((_, i) => !targets.has(i));
        const reviews = facts.reviews.map((r, i) => (targets.has(facts.comments.length + i) ? { ...r, state: 'DISMISSED' } : r));
        const after = decide(okLoad(s.policy), { ...recorded, comments, reviews }, now);
        expect(after.state).not.toBe('ready');
      }),
      { numRuns: 500 },
    );
  });

  it('raising the tier never turns a decision that was not ready into a ready one', () => {
    fc.assert(
      fc.property(
        fc.oneof(scenarioArb, busyArb),
        tier,
        fc.constantFrom(...PEOPLE.map((l): Actor => ({ login: l, type: 'User' })), ...EXCLUDED),
        fc.integer({ min: -30, max: 30 }),
        (s, raise, who, minute) => {
          const facts = factsOf(s);
          const now = new Date(at(s.nowMinute));
          const before = decide(okLoad(s.policy), facts, now);
          fc.pre(before.state !== 'ready');
          const raised = { ...facts, comments: [...facts.comments, comment(who, `/escalate ${raise}`, at(minute))] };
          expect(decide(okLoad(s.policy), raised, now).state).not.toBe('ready');
        },
      ),
      { numRuns: 400 },
    );
  });

  it('a push never keeps a hard PR ready on approvals given before it', () => {
    fc.assert(
      fc.property(scenarioArb, fc.integer({ min: 1, max: 3 }), (s, approvals) => {
        const policy: Policy = {
          ...s.policy,
          tiers: { ...s.policy.tiers, hard: { ...s.policy.tiers.hard, approvals, invalidateOnPush: true } },
        };
        const facts = { ...factsOf(s), labels: ['hitl:hard'] };
        // Pushed after every comment and review; the gate sees the new head a minute later.
        const seen = at(40);
        const pushed: PullRequestFacts = {
          ...facts,
          headSha: 'c'.repeat(40),
          headSeenAt: seen,
          commits: [...facts.commits, { sha: 'c'.repeat(40), authorLogin: AGENT.login }],
        };
        const d = decide(okLoad(policy), pushed, new Date(at(45)));
        expect(d.tier).toBe('hard');
        expect(d.state).not.toBe('ready');
        expect(d.approvals).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('the same facts always give the same decision, and recording its ledger changes nothing', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const facts = factsOf(s);
        const now = new Date(at(s.nowMinute));
        const d = decide(okLoad(s.policy), facts, now);
        const again = decide(okLoad(s.policy), { ...facts, ledger: d.ledger }, now);
        expect(outcome(again)).toEqual(outcome(d));
        expect(again.tier).toBe(d.tier);
      }),
      { numRuns: 200 },
    );
  });
});

describe('rendering properties', () => {
  const text = fc.string({ unit: 'grapheme', maxLength: 60 }).map((s) => s.replace(/^$/, 'x'));
  const lines = fc
    .array(fc.oneof(text, fc.constantFrom('/approve', '/veto cancel', '```', '> ', '<!--', '-->', '    ')), { minLength: 1, maxLength: 5 })
    .map((parts) => parts.join('\n'));

  it('nothing the gate writes parses as a command, whatever files, reasons and rules are called', () => {
    fc.assert(
      fc.property(scenarioArb, lines, lines, lines, (s, fileName, reason, ruleName) => {
        const facts = factsOf(s);
        const now = new Date(at(s.nowMinute));
        const withHostile: PullRequestFacts = {
          ...facts,
          files: [...facts.files, file(fileName)],
          changedFiles: facts.files.length + 1,
          comments: [
            ...facts.comments,
            comment('alice', `/veto ${reason.split('\n').join(' ')}`, at(1)),
            comment('zed', '/approve\n/hitl explain', at(2)),
          ],
        };
        const policy = { ...s.policy, rules: [...s.policy.rules, { name: ruleName, tier: 'soft' as const, paths: ['**'] }] };
        const decision = decide(okLoad(policy), withHostile, now);
        const check = renderCheckRun(decision, withHostile, now);
        // The check run's text as the shell writes it: with the record in front.
        const checkText = withRecord(check.text, decision.ledger, withHostile.number);
        const written = [
          renderStatusComment(decision, withHostile, now, { reviewers: policy.reviewers }),
          checkText,
          ...Object.values(check),
          ...decision.commands.map((v) => renderReply([v], decision, withHostile, now)),
        ];
        for (const w of written) expect(parseCommands(w)).toEqual([]);
        // The record reads back whole from the check run; the status comment (a view) carries none.
        expect(readRecord(checkText, withHostile.number)).toEqual(decision.ledger);
        expect(readLedger(written[0]!)).toBeUndefined();
      }),
      { numRuns: 150 },
    );
  });

  it('reading a ledger never throws, whatever the comment says', () => {
    const payload = fc.oneof(
      fc.base64String({ maxLength: 200 }),
      fc.json().map((j) => Buffer.from(j, 'utf8').toString('base64')),
    );
    fc.assert(
      fc.property(fc.string(), payload, fc.string(), (before, data, after) => {
        const body = `${before}<!-- hitl-gate:ledger v1 ${data} -->${after}`;
        const read = readLedger(body);
        if (read) {
          expect(Array.isArray(read.vetoes) && Array.isArray(read.answered)).toBe(true);
        }
        expect(readLedger(before)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it("reading a record never throws, whatever the check run's text says, and never reads another PR's", () => {
    const payload = fc.oneof(
      fc.base64String({ maxLength: 200 }),
      fc.json().map((j) => Buffer.from(j, 'utf8').toString('base64')),
    );
    fc.assert(
      fc.property(fc.string(), payload, fc.string(), fc.integer({ min: 1, max: 1_000 }), (before, data, after, pr) => {
        const text = `${before}<!-- hitl-gate:record v1 ${data} -->${after}`;
        const read = readRecord(text, pr);
        if (read) {
          expect(Array.isArray(read.vetoes) && Array.isArray(read.answered)).toBe(true);
          expect(readRecord(text, pr + 1)).toBeUndefined();
        }
        expect(readRecord(before, pr)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });
});
