// GitHub's rule list for a branch, summed up as what the gate must satisfy to merge.
import { describe, expect, it } from 'vitest';
import { rulesetIds, summarizeBranchRules, type RawBranchRule, type RulesetInfo } from '../../src/core/branch-rules.js';

const rulesets = (...infos: RulesetInfo[]) => new Map(infos.map((i) => [i.id, i]));

describe('summarizeBranchRules', () => {
  it('keeps the highest review count with its ruleset, and whether the gate may bypass it', () => {
    const raw: RawBranchRule[] = [
      { type: 'pull_request', ruleset_id: 1, parameters: { required_approving_review_count: 1, dismiss_stale_reviews_on_push: true } },
      { type: 'pull_request', ruleset_id: 2, parameters: { required_approving_review_count: 2, require_code_owner_review: true } },
    ];
    const r = summarizeBranchRules(
      raw,
      rulesets({ id: 1, name: 'org baseline', bypass: 'never' }, { id: 2, name: 'main', bypass: 'pull_requests_only' }),
    );
    expect(r.reviews).toMatchObject({
      count: 2,
      codeOwners: true,
      dismissStaleOnPush: false,
      ruleset: { id: 2, name: 'main', canBypass: true },
    });
  });

  it('an unreadable ruleset is named by id and never grants a bypass', () => {
    const r = summarizeBranchRules([{ type: 'pull_request', ruleset_id: 9, parameters: { required_approving_review_count: 1 } }]);
    expect(r.reviews?.ruleset).toEqual({ id: 9, name: 'ruleset 9', canBypass: false });
  });

  it('a review count of zero requires nothing', () => {
    expect(
      summarizeBranchRules([{ type: 'pull_request', ruleset_id: 1, parameters: { required_approving_review_count: 0 } }]).reviews,
    ).toBeUndefined();
  });

  it('required checks, up to date, linear history, signatures and the merge queue', () => {
    const raw: RawBranchRule[] = [
      {
        type: 'required_status_checks',
        ruleset_id: 3,
        parameters: {
          strict_required_status_checks_policy: true,
          required_status_checks: [{ context: 'build', integration_id: 15368 }, { context: 'hitl' }, { nope: 1 }],
        },
      },
      { type: 'required_linear_history', ruleset_id: 3 },
      { type: 'required_signatures', ruleset_id: 3 },
      { type: 'merge_queue', ruleset_id: 3, parameters: { merge_method: 'SQUASH' } },
      { type: 'deletion', ruleset_id: 3 },
      { type: 'code_scanning', ruleset_id: 3 },
    ];
    const r = summarizeBranchRules(raw, rulesets({ id: 3, name: 'main', bypass: 'never' }));
    expect(r.requiredChecks.map((c) => [c.context, c.integrationId])).toEqual([
      ['build', 15368],
      ['hitl', undefined],
    ]);
    expect(r.upToDate?.name).toBe('main');
    expect(r.linearHistory?.name).toBe('main');
    expect(r.signatures?.name).toBe('main');
    expect(r.mergeQueue).toMatchObject({ method: 'squash' });
    // A rule the gate does not know is kept to be named, one about pushes is not a merge requirement.
    expect(r.other.map((o) => o.type)).toEqual(['code_scanning']);
  });

  it('allowed merge methods are those every pull_request rule allows', () => {
    const raw: RawBranchRule[] = [
      {
        type: 'pull_request',
        ruleset_id: 1,
        parameters: { required_approving_review_count: 0, allowed_merge_methods: ['squash', 'rebase'] },
      },
      {
        type: 'pull_request',
        ruleset_id: 2,
        parameters: { required_approving_review_count: 0, allowed_merge_methods: ['rebase', 'merge', 'bogus'] },
      },
    ];
    const r = summarizeBranchRules(raw, rulesets({ id: 1, name: 'first' }, { id: 2, name: 'second' }));
    expect(r.allowedMethods).toEqual(['rebase']);
    expect(r.allowedMethodsFrom?.name).toBe('first');
  });

  it('malformed entries are skipped, never thrown on', () => {
    const r = summarizeBranchRules([null as never, { type: 5 } as never, { type: 'pull_request', parameters: 'x' as never }]);
    expect(r).toEqual({ requiredChecks: [], other: [] });
  });

  it('rulesetIds names each ruleset once', () => {
    expect(rulesetIds([{ type: 'a', ruleset_id: 1 }, { type: 'b', ruleset_id: 1 }, { type: 'c', ruleset_id: 2 }, { type: 'd' }])).toEqual([
      1, 2,
    ]);
  });
});
