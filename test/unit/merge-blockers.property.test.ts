// Properties of the merge step that no protection setup may break: the gate merges only what its
// policy lets through, only what GitHub reports mergeable with every other check green, only past
// `blocked` as its own check turns green or as a granted bypass actor with every required check green.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { summarizeBranchRules, type RawBranchRule } from '../../src/core/branch-rules.js';
import { decide } from '../../src/core/decide.js';
import { assessMerge } from '../../src/core/merge-blockers.js';
import type { MergeMethod } from '../../src/core/model/policy.js';
import type { GitHubView } from '../../src/core/model/effects.js';
import { HEAD, at, file, makeFacts, okLoad, review, writer } from './facts.js';

const NOW = new Date(at(30));
const method = fc.constantFrom<MergeMethod>('merge', 'squash', 'rebase');
const rule: fc.Arbitrary<RawBranchRule> = fc.oneof(
  fc.record({
    type: fc.constant('pull_request'),
    ruleset_id: fc.constantFrom(1, 2),
    parameters: fc.record(
      {
        required_approving_review_count: fc.integer({ min: 0, max: 2 }),
        dismiss_stale_reviews_on_push: fc.boolean(),
        allowed_merge_methods: fc.subarray<MergeMethod>(['merge', 'squash', 'rebase']),
      },
      { requiredKeys: ['required_approving_review_count'] },
    ),
  }),
  fc.record({
    type: fc.constant('required_status_checks'),
    ruleset_id: fc.constantFrom(1, 2),
    parameters: fc.record({
      strict_required_status_checks_policy: fc.boolean(),
      required_status_checks: fc.subarray([{ context: 'build' }, { context: 'hitl' }, { context: 'lint', integration_id: 7 }]),
    }),
  }),
  fc.record({
    type: fc.constantFrom('required_linear_history', 'required_signatures', 'code_scanning'),
    ruleset_id: fc.constantFrom(1, 2),
  }),
);
const scenario = fc.record({
  files: fc.constantFrom([file('docs/a.md')], [file('docs/a.md')], [file('src/a.ts')], [file('db/migrations/1.sql')]),
  approved: fc.boolean(),
  rules: fc.array(rule, { maxLength: 4 }),
  bypass: fc.constantFrom('never', 'pull_requests_only', 'pull_requests_only', undefined),
  // Weighted toward the cases where the gate could merge, so the interesting paths are exercised.
  mergeable: fc.constantFrom(true, true, true, false, null),
  state: fc.constantFrom('clean', 'has_hooks', 'unstable', 'blocked', 'blocked', 'blocked', 'behind', 'dirty', 'unknown', 'draft'),
  otherChecks: fc.constantFrom<GitHubView['otherChecks']>('success', 'success', 'none', 'pending', 'failure'),
  checks: fc.dictionary(
    fc.constantFrom('build', 'lint', 'lint\u0000app:7'),
    fc.constantFrom<'success' | 'pending' | 'failure'>('success', 'success', 'pending', 'failure'),
  ),
  gateGreen: fc.boolean(),
  methods: fc.uniqueArray(method, { minLength: 1, maxLength: 3 }),
  repoMethods: fc.option(fc.subarray<MergeMethod>(['merge', 'squash', 'rebase']), { nil: undefined }),
  refused: fc.constantFrom(false, false, true),
  updateBranch: fc.boolean(),
});

describe('assessMerge: properties', () => {
  it('never merges what the policy holds, what GitHub cannot merge, or past blocked without a reason the gate verified', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const facts = makeFacts({
          files: [...s.files],
          reviews: s.approved ? [review('alice', 'APPROVED', HEAD, at(10))] : [],
          authorizations: { alice: writer() },
        });
        const decision = decide(okLoad(), facts, NOW);
        const rules = summarizeBranchRules(
          s.rules,
          new Map([
            [1, { id: 1, name: 'main', ...(s.bypass ? { bypass: s.bypass } : {}) }],
            [2, { id: 2, name: 'org' }],
          ]),
        );
        const view: GitHubView = {
          mergeable: s.mergeable,
          mergeableState: s.state,
          otherChecks: s.otherChecks,
          ...(s.gateGreen ? { checkRun: { id: 1, status: 'completed', conclusion: 'success', title: 't', summary: 's' } } : {}),
          base: {
            rules,
            checks: s.checks,
            ...(s.repoMethods ? { repositoryMethods: s.repoMethods } : {}),
            ...(s.refused ? { refusal: { sha: HEAD, message: 'no', at: at(20) } } : {}),
          },
        };
        const { way, needs } = assessMerge(decision, facts, view, { methods: s.methods, updateBranch: s.updateBranch });
        if (way.kind === 'wait') return;
        // Anything but waiting needs a policy that lets it merge and a mergeable PR with green checks.
        expect(decision.state).toBe('ready');
        expect(decision.merge).toBe(true);
        expect(s.mergeable).toBe(true);
        expect(['success', 'none']).toContain(s.otherChecks);
        if (way.kind === 'update-branch') {
          expect(s.state).toBe('behind');
          expect(s.updateBranch).toBe(true);
          return;
        }
        expect(needs).toEqual([]);
        expect(s.methods).toContain(way.method);
        if (s.repoMethods) expect(s.repoMethods).toContain(way.method);
        if (rules.linearHistory) expect(way.method).not.toBe('merge');
        if (s.state === 'clean' || s.state === 'has_hooks') return;
        expect(['blocked', 'unstable']).toContain(s.state);
        expect(s.refused).toBe(false);
        // Every required check but the gate's own is green, as the gate itself saw it.
        for (const c of rules.requiredChecks) {
          if (c.context === 'hitl') continue;
          expect(s.checks[c.integrationId !== undefined ? `${c.context}\u0000app:${c.integrationId}` : c.context]).toBe('success');
        }
        // Past blocked: the gate's own check turns green in this very pass, or it is a granted bypass actor ...
        // ... or, blocked by something it cannot read, it asks GitHub once (which enforces every rule) to learn why.
        if (way.probe) expect(s.state).toBe('blocked');
        else if (way.bypass === undefined) expect(s.gateGreen).toBe(false);
        else expect(s.bypass).toBe('pull_requests_only');
      }),
      { numRuns: 5_000 },
    );
  });
});
