// Per-rule approvers: a rule may name who must approve the PRs it matches (migrations need the DBA
// team), and adding a rule never makes fewer approvals necessary.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { approverGroups } from '../../src/core/approvers.js';
import { decide } from '../../src/core/decide.js';
import { renderCheckRun, renderStatusComment } from '../../src/core/render.js';
import type { Tier } from '../../src/core/model/tier.js';
import type { Policy, Rule } from '../../src/core/model/policy.js';
import type { Authorization } from '../../src/core/model/pull-request.js';
import { at, comment, file, makeFacts, makePolicy, okLoad, reader, writer } from './facts.js';

const DBA: Rule = {
  name: 'Database migrations',
  tier: 'hard',
  paths: ['db/migrations/**'],
  reviewers: { users: [], teams: ['acme/dba'] },
  approvals: 1,
};
const INFRA: Rule = {
  name: 'Infrastructure',
  tier: 'hard',
  paths: ['infra/**'],
  reviewers: { users: ['ivan', 'irene'], teams: [] },
  approvals: 2,
};
const policy = makePolicy({ rules: [{ name: 'Documentation', tier: 'fyi', paths: ['docs/**'] }, DBA, INFRA] });
const now = new Date(at(60));

const approve = (who: string, minute = 10) => comment(who, '/approve', at(minute));

describe('per-rule approvers', () => {
  const migration = makeFacts({ files: [file('db/migrations/1.sql')] });

  it('a migration needs a DBA: approvals of other reviewers do not count for the rule', () => {
    const facts = { ...migration, comments: [approve('bob')], authorizations: { bob: writer() } };
    const d = decide(okLoad(policy), facts, now);
    expect(d.state).toBe('blocked');
    expect(d.title).toBe('Blocked: needs approval for Database migrations (hard)');
    expect(d.blockers).toEqual(['Rule "Database migrations": needs 1 more approval from members of acme/dba.']);
    const text = renderStatusComment(d, facts, now, { reviewers: policy.reviewers });
    expect(text).toContain('**Next:** Rule **Database migrations** needs 1 more approval from members of `acme/dba`.');
    expect(text).toContain('**Approvals:** 1: **bob**');
    expect(renderCheckRun(d, facts, now, { reviewers: policy.reviewers }).summary).toContain(
      'Rule **Database migrations** needs 1 more approval from members of `acme/dba`.',
    );
  });

  it('a DBA approves it, even one without write permission', () => {
    const facts = { ...migration, comments: [approve('dana')], authorizations: { dana: reader(['acme/dba']) } };
    const d = decide(okLoad(policy), facts, now);
    expect(d.state).toBe('ready');
    expect(d.approvers).toEqual([expect.objectContaining({ rule: 'Database migrations', by: ['dana'], missing: 0 })]);
  });

  it('a PR that matches two rules needs both; one person can count for both', () => {
    const both = makeFacts({ files: [file('db/migrations/1.sql'), file('infra/main.tf')] });
    const one = decide(okLoad(policy), { ...both, comments: [approve('ivan')], authorizations: { ivan: writer() } }, now);
    expect(one.state).toBe('blocked');
    expect(one.blockers).toEqual([
      'Rule "Database migrations": needs 1 more approval from members of acme/dba.',
      'Rule "Infrastructure": needs 1 more approval from @ivan or @irene.',
    ]);
    const withDbaIvan = decide(
      okLoad(policy),
      { ...both, comments: [approve('ivan'), approve('irene', 11)], authorizations: { ivan: writer(['acme/dba']), irene: writer() } },
      now,
    );
    expect(withDbaIvan.state).toBe('ready');
  });

  it("a rule's own approver is trusted with that rule's PRs only: no early end of a soft window, no overruled veto", () => {
    // dana is a DBA without write permission: an approver for migrations, not a top-level reviewer.
    const code = makeFacts({ files: [file('src/app.ts')] });
    const early = decide(
      okLoad(policy),
      { ...code, comments: [approve('dana')], authorizations: { dana: reader(['acme/dba']) } },
      new Date(at(5)),
    );
    expect(early.state).toBe('waiting');
    expect(early.title).toMatch(/^Merges at .* unless someone vetoes \(soft\)$/);
    const vetoed = {
      ...migration,
      comments: [comment('bob', '/veto not this week', at(5)), approve('dana', 10)],
      authorizations: { bob: writer(), dana: reader(['acme/dba']) },
    };
    const d = decide(okLoad(policy), vetoed, now);
    expect(d.state).toBe('blocked');
    expect(d.vetoes.map((v) => v.by)).toEqual(['bob']);
    // A top-level reviewer's approval after the veto does overrule it (and dana's still counts for the rule).
    const overruled = decide(
      okLoad(policy),
      { ...vetoed, comments: [...vetoed.comments, approve('alice', 12)], authorizations: { ...vetoed.authorizations, alice: writer() } },
      now,
    );
    expect(overruled.vetoes).toEqual([]);
    expect(overruled.state).toBe('ready');
  });

  it('what else makes the PR hard still asks the top-level reviewers', () => {
    const mixed = makeFacts({ files: [file('db/migrations/1.sql')], labels: ['hitl:hard'] });
    const dbaOnly = decide(okLoad(policy), { ...mixed, comments: [approve('dana')], authorizations: { dana: reader(['acme/dba']) } }, now);
    expect(dbaOnly.state).toBe('blocked');
    expect(dbaOnly.blockers).toEqual([
      'Hard tier: needs 1 more approval from @alice, members of acme/maintainers or anyone with write permission or more.',
    ]);
    const both = decide(okLoad(policy), { ...mixed, comments: [approve('dana')], authorizations: { dana: writer(['acme/dba']) } }, now);
    expect(both.state).toBe('ready');
  });

  it('a rule without its own reviewers may still ask the top-level reviewers for more approvals', () => {
    const twoForMigrations = makePolicy({
      rules: [{ name: 'Database migrations', tier: 'hard', paths: ['db/migrations/**'], approvals: 2 }],
    });
    const facts = { ...migration, comments: [approve('alice')], authorizations: { alice: writer() } };
    const one = decide(okLoad(twoForMigrations), facts, now);
    expect(one.state).toBe('blocked');
    expect(one.blockers).toEqual([
      'Rule "Database migrations": needs 1 more approval from @alice, members of acme/maintainers or anyone with write permission or more.',
    ]);
    const two = decide(
      okLoad(twoForMigrations),
      { ...facts, comments: [approve('alice'), approve('bob', 11)], authorizations: { alice: writer(), bob: writer() } },
      now,
    );
    expect(two.state).toBe('ready');
  });

  it('vetoes stay open to every authorized reviewer, a rule approver included', () => {
    const soft = makeFacts({
      files: [file('src/a.ts')],
      comments: [comment('dana', '/veto wait', at(5))],
      authorizations: { dana: reader(['acme/dba']) },
    });
    const d = decide(okLoad(policy), soft, now);
    expect(d.state).toBe('blocked');
    expect(d.vetoes.map((v) => v.by)).toEqual(['dana']);
  });

  it('a policy without rule approvers decides exactly as before', () => {
    const plain = makePolicy();
    const facts = makeFacts({ files: [file('db/migrations/1.sql')], comments: [approve('bob')], authorizations: { bob: writer() } });
    const d = decide(okLoad(plain), facts, now);
    expect(d.state).toBe('ready');
    const none = decide(okLoad(plain), { ...facts, comments: [] }, now);
    expect(none.title).toBe('Blocked: needs 1 more approval (hard)');
  });
});

// ---------------------------------------------------------------------------------------------
// Property: adding a rule never makes fewer approvals necessary.

const PEOPLE = ['alice', 'bob', 'carol', 'dana'];
const TEAMS = ['acme/dba', 'acme/ops'];
const PATHS = ['docs/a.md', 'src/x.ts', 'db/migrations/1.sql', 'infra/main.tf'];
const tier = fc.constantFrom<Tier>('fyi', 'soft', 'hard');
const reviewersArb = fc
  .record({ users: fc.subarray(PEOPLE), teams: fc.subarray(TEAMS) })
  .filter((r) => r.users.length + r.teams.length > 0);
const ruleArb = (name: string, tierArb: fc.Arbitrary<Tier>): fc.Arbitrary<Rule> =>
  fc
    .record({
      tier: tierArb,
      path: fc.constantFrom('docs/**', 'src/**', 'db/**', 'infra/**', '**'),
      label: fc.boolean(),
      reviewers: fc.option(reviewersArb, { nil: undefined }),
      approvals: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
    })
    .map((r) => ({
      name,
      tier: r.tier,
      ...(r.label ? { labels: ['risky'] } : { paths: [r.path] }),
      ...(r.tier === 'hard' && r.reviewers ? { reviewers: r.reviewers } : {}),
      ...(r.tier === 'hard' && r.approvals ? { approvals: r.approvals } : {}),
    }));

const policyArb: fc.Arbitrary<Policy> = fc
  .record({
    default: tier,
    approvals: fc.integer({ min: 1, max: 3 }),
    rules: fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 3 }),
  })
  .chain((p) =>
    fc.tuple(...p.rules.map((_, i) => ruleArb(`rule ${i}`, tier))).map((rules) =>
      makePolicy({
        default: p.default,
        reviewers: { users: ['alice'], teams: [], permission: 'write' },
        tiers: {
          fyi: { merge: true },
          soft: { windowMs: 3_600_000 * 24, merge: true },
          hard: { approvals: p.approvals, merge: true, invalidateOnPush: true },
        },
        rules,
      }),
    ),
  );

const authArb: fc.Arbitrary<Authorization> = fc.record({
  permission: fc.constantFrom<Authorization['permission']>('read', 'write'),
  teams: fc.subarray(TEAMS),
});

describe('property: adding a hard rule (or a raise-only rule) never makes fewer approvals necessary', () => {
  it('keeps every approver group and never lets a smaller set of approvals through', () => {
    fc.assert(
      fc.property(
        policyArb,
        ruleArb('added', fc.constant<Tier>('hard')),
        fc.subarray(PATHS, { minLength: 1 }),
        fc.boolean(),
        fc.subarray(PEOPLE),
        fc.tuple(authArb, authArb, authArb, authArb),
        (p, added, paths, risky, approvers, auths) => {
          const bigger: Policy = { ...p, rules: [...p.rules, added] };
          const authorizations = Object.fromEntries(PEOPLE.map((who, i) => [who, auths[i] as Authorization]));
          const facts = makeFacts({
            files: paths.map((f) => file(f)),
            labels: risky ? ['risky'] : [],
            comments: approvers.map((who, i) => approve(who, 10 + i)),
            authorizations,
          });
          const before = decide(okLoad(p), facts, now);
          const after = decide(okLoad(bigger), facts, now);
          if (before.tier !== 'hard') return;
          expect(after.tier).toBe('hard');
          const groupsAfter = approverGroups(bigger, after.classification);
          for (const g of approverGroups(p, before.classification)) expect(groupsAfter).toContainEqual(g);
          if (after.state === 'ready') expect(before.state).toBe('ready');
        },
      ),
      { numRuns: 400 },
    );
  });
});
