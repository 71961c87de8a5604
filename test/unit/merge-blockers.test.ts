// The merge step: how the gate merges (or why it does not) and what GitHub still needs, from the
// decision, the base branch's rules and GitHub's own view. Pure: no GitHub, no clock.
import { describe, expect, it } from 'vitest';
import { summarizeBranchRules, type RawBranchRule, type RulesetInfo } from '../../src/core/branch-rules.js';
import { decide } from '../../src/core/decide.js';
import type { PullRequestFacts } from '../../src/core/model/pull-request.js';
import type { BaseBranchView } from '../../src/core/model/base-branch.js';
import type { GitHubView } from '../../src/core/model/effects.js';
import { assessMerge, countedApprovals, describeNeed, pinnedCheck, type MergeSettings } from '../../src/core/merge-blockers.js';
import { chooseMergeMethod, methodsRefusedIn } from '../../src/core/merge-method.js';
import { HEAD, at, file, makeFacts, okLoad, review, writer } from './facts.js';

const NOW = new Date(at(5));
const ready = makeFacts({ files: [file('docs/a.md')] });
const SQUASH: MergeSettings = { methods: ['squash'], updateBranch: false };
const GREEN_CHECK = { id: 1, status: 'completed', conclusion: 'success', title: 'Ready to merge (fyi)', summary: 's' };

function rules(raw: RawBranchRule[], ...infos: RulesetInfo[]) {
  return summarizeBranchRules(raw, new Map(infos.map((i) => [i.id, i])));
}
const reviewsRule = (count: number, extra: Record<string, unknown> = {}): RawBranchRule => ({
  type: 'pull_request',
  ruleset_id: 1,
  parameters: { required_approving_review_count: count, ...extra },
});
const checksRule = (...contexts: string[]): RawBranchRule => ({
  type: 'required_status_checks',
  ruleset_id: 1,
  parameters: { required_status_checks: contexts.map((context) => ({ context })) },
});
const MAIN = { id: 1, name: 'main', bypass: 'never' };
const MAIN_BYPASS = { id: 1, name: 'main', bypass: 'pull_requests_only' };

function view(state: string, base?: BaseBranchView, extra: Partial<GitHubView> = {}): GitHubView {
  return { mergeable: true, mergeableState: state, otherChecks: 'success', checkRun: GREEN_CHECK, ...(base ? { base } : {}), ...extra };
}
function assess(v: GitHubView, facts: PullRequestFacts = ready, settings: MergeSettings = SQUASH) {
  return assessMerge(decide(okLoad(), facts, NOW), facts, v, settings);
}
const words = (a: ReturnType<typeof assess>) => a.needs.map((n) => describeNeed(n, 'main'));

describe('assessMerge: when GitHub says clean', () => {
  it('merges with the preferred method and needs nothing', () => {
    expect(assess(view('clean'))).toEqual({ way: { kind: 'merge', method: 'squash' }, needs: [] });
  });
  it('never merges what the policy does not let through, and then says nothing about GitHub', () => {
    const hard = makeFacts({ files: [file('db/migrations/1.sql')] });
    expect(assess(view('clean'), hard)).toEqual({ way: { kind: 'wait' }, needs: [] });
  });
  it('never merges a PR GitHub cannot merge, or while other checks fail', () => {
    expect(assess(view('dirty', {}, { mergeable: false })).way.kind).toBe('wait');
    expect(words(assess(view('dirty', {}, { mergeable: false })))).toEqual(['the branch has conflicts with main that must be resolved']);
    const failing = assess(view('unstable', { checks: { lint: 'failure' } }, { otherChecks: 'failure' }));
    expect(failing.way.kind).toBe('wait');
    expect(words(failing)).toEqual(['*lint* failed']);
  });
});

describe("assessMerge: the gate's own check is the only thing not green (item: merge in the same pass)", () => {
  const inProgress = { id: 1, status: 'in_progress', conclusion: null, title: 'Merges at …', summary: 's' };
  it('blocked because `hitl` is required: merges as the check turns green', () => {
    expect(assess(view('blocked', { rules: rules([checksRule('hitl')], MAIN) }, { checkRun: inProgress })).way).toEqual({
      kind: 'merge',
      method: 'squash',
    });
  });
  it('unstable because `hitl` is still in progress and not required: merges too (the sweep does not wait a pass)', () => {
    expect(assess(view('unstable', {}, { checkRun: inProgress })).way).toEqual({ kind: 'merge', method: 'squash' });
  });
  it("blocked while the gate's check is already green, by nothing the rules explain: asks GitHub once, to learn why", () => {
    const a = assess(view('blocked', { rules: rules([]) }));
    expect(a.way).toEqual({ kind: 'merge', method: 'squash', probe: true });
    // Once refused, that refusal is on record for this head: not asked again while GitHub still says blocked.
    const after = assess(
      view('blocked', {
        rules: rules([]),
        refusal: { sha: HEAD, message: 'At least 1 approving review is required by reviewers with write access.', at: at(1) },
      }),
    );
    expect(after.way.kind).toBe('wait');
  });
  it('blocked with the rules unreadable: no probe, nothing merges', () => {
    expect(assess(view('blocked', { rulesError: 'boom' })).way.kind).toBe('wait');
  });
});

describe('assessMerge: required reviews', () => {
  const base = (extra: Partial<BaseBranchView> = {}): BaseBranchView => ({
    rules: rules([reviewsRule(1), checksRule('build', 'hitl')], MAIN),
    checks: { build: 'success' },
    ...extra,
  });
  it("(c) no bypass and no human review: waits and says what GitHub requires, in the ruleset's name", () => {
    const a = assess(view('blocked', base(), { checkRun: { ...GREEN_CHECK, status: 'in_progress', conclusion: null } }));
    expect(a.way.kind).toBe('wait');
    expect(words(a)).toEqual([
      'GitHub still requires 1 approving review (ruleset *main*) from someone with write access; approvals by apps do not count',
    ]);
  });
  it("(c) an approving review by a writer counts toward GitHub's requirement; an app's does not", () => {
    const byApp = makeFacts({
      files: [file('docs/a.md')],
      reviews: [review({ login: 'helper[bot]', type: 'Bot' }, 'APPROVED', HEAD, at(1))],
    });
    expect(countedApprovals(byApp, false)).toBe(0);
    const byAlice = makeFacts({
      files: [file('docs/a.md')],
      reviews: [review('alice', 'APPROVED', HEAD, at(1))],
      authorizations: { alice: writer() },
    });
    expect(countedApprovals(byAlice, false)).toBe(1);
    const stale = makeFacts({
      files: [file('docs/a.md')],
      reviews: [review('alice', 'APPROVED', 'b'.repeat(40), at(1))],
      authorizations: { alice: writer() },
    });
    expect(countedApprovals(stale, false)).toBe(1);
    expect(countedApprovals(stale, true)).toBe(0);
    const withdrawn = makeFacts({
      files: [file('docs/a.md')],
      reviews: [review('alice', 'APPROVED', HEAD, at(1)), review('alice', 'CHANGES_REQUESTED', HEAD, at(2))],
    });
    expect(countedApprovals(withdrawn, false)).toBe(0);
  });
  it('(b) the gate is a bypass actor: merges past the missing review with every required check green', () => {
    const a = assess(view('blocked', { ...base(), rules: rules([reviewsRule(1), checksRule('build', 'hitl')], MAIN_BYPASS) }));
    expect(a).toEqual({ way: { kind: 'merge', method: 'squash', bypass: 'main' }, needs: [] });
  });
  it('(b) ... but never while a required check is not green, verified by the gate itself', () => {
    for (const checks of [{ build: 'pending' }, { build: 'failure' }, {}] as Record<string, 'pending' | 'failure'>[]) {
      const a = assess(view('blocked', { rules: rules([reviewsRule(1), checksRule('build')], MAIN_BYPASS), checks }));
      expect(a.way.kind).toBe('wait');
      expect(words(a)[0]).toMatch(
        /the required check \*build\* (failed|has not reported on this commit)|waiting for the required check \*build\*/,
      );
    }
  });
});

describe('assessMerge: the checks a merge the policy allows waits for, by name', () => {
  const waiting = (checks: Record<string, 'pending' | 'failure' | 'success'>, more: Partial<BaseBranchView> = {}) =>
    assess(
      view(
        'unknown',
        { rules: rules([checksRule('deploy-preview', 'hitl')], MAIN), checks, ...more },
        { mergeable: null, otherChecks: 'pending' },
      ),
    );
  it('a required check still running is named, with its state', () => {
    const a = waiting({ 'deploy-preview': 'pending' });
    expect(a.way.kind).toBe('wait');
    expect(words(a)).toEqual(['waiting for the required check *deploy\\-preview* (in progress)']);
    expect(words(waiting({ 'deploy-preview': 'failure' }))).toEqual(['the required check *deploy\\-preview* failed']);
  });
  it('one not among the check runs while statuses were not read is waited for, not called missing', () => {
    expect(words(waiting({ lint: 'pending' }, { statusesUnread: true }))).toEqual(['waiting for the required check *deploy\\-preview*']);
    expect(words(waiting({ lint: 'pending' }))).toEqual(['the required check *deploy\\-preview* has not reported on this commit']);
  });
});

describe('assessMerge: a required check pinned to an app', () => {
  const pinned = rules(
    [
      reviewsRule(1),
      {
        type: 'required_status_checks',
        ruleset_id: 1,
        parameters: { required_status_checks: [{ context: 'build', integration_id: 15368 }] },
      },
    ],
    MAIN_BYPASS,
  );
  it('(b) a same-named status anyone could post does not satisfy it: no bypass merge', () => {
    const a = assess(view('blocked', { rules: pinned, checks: { build: 'success' } }));
    expect(a.way.kind).toBe('wait');
    expect(words(a)).toEqual(['the required check *build* has not reported on this commit']);
  });
  it("(b) the pinned app's own run does", () => {
    const a = assess(view('blocked', { rules: pinned, checks: { build: 'success', [pinnedCheck('build', 15368)!]: 'success' } }));
    expect(a.way).toEqual({ kind: 'merge', method: 'squash', bypass: 'main' });
  });
});

describe('assessMerge: behind', () => {
  const behind = view('behind', {
    rules: rules(
      [
        {
          type: 'required_status_checks',
          ruleset_id: 1,
          parameters: { strict_required_status_checks_policy: true, required_status_checks: [] },
        },
      ],
      MAIN,
    ),
  });
  it('without update_branch: waits and says the branch must be up to date', () => {
    const a = assess(behind);
    expect(a.way.kind).toBe('wait');
    expect(words(a)).toEqual(['the branch is behind main and must be up to date (update it, or set `merge.update_branch: true`)']);
  });
  it('with update_branch: asks GitHub to update it', () => {
    expect(assess(behind, ready, { methods: ['squash'], updateBranch: true }).way).toEqual({ kind: 'update-branch' });
  });
});

describe('assessMerge: merge methods', () => {
  it('takes the first preference the repository and the rules allow', () => {
    expect(
      assess(view('clean', { repositoryMethods: ['rebase', 'merge'] }), ready, { methods: ['squash', 'rebase'], updateBranch: false }).way,
    ).toEqual({ kind: 'merge', method: 'rebase' });
  });
  it('linear history rules out merge commits', () => {
    const base = { rules: rules([{ type: 'required_linear_history', ruleset_id: 1 }], MAIN) };
    expect(assess(view('clean', base), ready, { methods: ['merge', 'squash'], updateBranch: false }).way).toEqual({
      kind: 'merge',
      method: 'squash',
    });
  });
  it('none allowed: no merge, and the reason', () => {
    const a = assess(
      view('clean', { repositoryMethods: ['merge'], rules: rules([{ type: 'required_linear_history', ruleset_id: 1 }], MAIN) }),
      ready,
      { methods: ['squash', 'merge'], updateBranch: false },
    );
    expect(a.way.kind).toBe('wait');
    expect(words(a)).toEqual([
      "none of the policy's merge methods can be used: squash merges are not allowed here (repository settings); merge commits are not allowed here: ruleset *main* requires a linear history",
    ]);
  });
  it('a refusal that names a method rules it out next time (settings unreadable with the token)', () => {
    expect(methodsRefusedIn('Squash merges are not allowed on this repository.')).toEqual(['squash']);
    expect(chooseMergeMethod(['squash', 'rebase'], undefined, undefined, ['squash']).method).toBe('rebase');
    const refusal = { sha: HEAD, message: 'Squash merges are not allowed on this repository.', at: at(1) };
    expect(assess(view('clean', { refusal }), ready, { methods: ['squash', 'rebase'], updateBranch: false }).way).toEqual({
      kind: 'merge',
      method: 'rebase',
    });
  });
  it("a pull_request rule's allowed methods count", () => {
    const base = { rules: rules([reviewsRule(0, { allowed_merge_methods: ['rebase'] })], { id: 1, name: 'main' }) };
    const a = assess(view('clean', base));
    expect(words(a)).toEqual(["none of the policy's merge methods can be used: squash merges are not allowed here (ruleset *main*)"]);
  });
});

describe('assessMerge: a refusal on record', () => {
  const refusal = { sha: HEAD, message: 'At least 1 approving review is required by reviewers with write access.', at: at(1) };
  it("of this head: no new merge request while GitHub still says blocked, and GitHub's words are shown", () => {
    const a = assess(view('blocked', { rules: rules([]), refusal }));
    expect(a.way.kind).toBe('wait');
    expect(words(a)).toEqual(['GitHub refused the merge: “At least 1 approving review is required by reviewers with write access\\.”']);
  });
  it('GitHub now says clean: merges', () => {
    expect(assess(view('clean', { refusal })).way.kind).toBe('merge');
  });
  it('of an older head: forgotten', () => {
    expect(
      assess(
        view(
          'blocked',
          { rules: rules([checksRule('hitl')]), refusal: { ...refusal, sha: 'b'.repeat(40) } },
          { checkRun: { ...GREEN_CHECK, status: 'in_progress', conclusion: null } },
        ),
      ).way.kind,
    ).toBe('merge');
  });
});

describe('assessMerge: rules that cannot be read', () => {
  it('merges nothing it cannot explain, and says why', () => {
    const a = assess(view('blocked', { rulesError: 'GitHub answered 500: boom' }));
    expect(a.way.kind).toBe('wait');
    expect(words(a)[0]).toMatch(/^the rules of main could not be read/);
  });
});

describe('describeNeed escapes what the gate did not write', () => {
  it('a check name cannot mention anyone or break the layout', () => {
    const text = describeNeed({ kind: 'check', name: '@team *bold*\n/approve', state: 'pending', ruleset: 'x' }, 'main');
    expect(text).not.toMatch(/@team/);
    expect(text).not.toContain('\n');
  });
});

describe('plan: what GitHub still needs, in the check and the comment, written once', () => {
  it('appears in both, keeps the check green, keeps a refusal in the ledger, and planning again writes nothing', async () => {
    const { plan } = await import('../../src/core/plan.js');
    const { readLedger } = await import('../../src/core/ledger.js');
    const { appliedView, recordOf } = await import('./facts.js');
    const facts = ready;
    const decision = decide(okLoad(), facts, NOW);
    const refusal = { sha: HEAD, message: 'At least 1 approving review is required by reviewers with write access.', at: at(1) };
    const first: GitHubView = { mergeable: true, mergeableState: 'blocked', otherChecks: 'success', base: { rules: rules([]), refusal } };
    const effects = plan(decision, facts, first, NOW, { mode: 'full', merge: SQUASH });
    const check = effects.find((e) => e.kind === 'check-run')!;
    const comment = effects.find((e) => e.kind === 'status-comment')!;
    expect(effects.some((e) => e.kind === 'merge')).toBe(false);
    expect(check).toMatchObject({ conclusion: 'success' });
    for (const text of [check.kind === 'check-run' ? check.summary : '', comment.kind === 'status-comment' ? comment.body : '']) {
      expect(text).toContain('**GitHub still needs**');
      expect(text).toContain('GitHub refused the merge');
      expect(text).toContain('docs/protected-branches.md');
    }
    // The refusal is kept in the record the check run carries (GitHub keeps none), not in the comment.
    expect(recordOf(effects)?.mergeRefusal).toEqual(refusal);
    expect(readLedger(comment.kind === 'status-comment' ? comment.body : '')).toBeUndefined();
    // The next reconcile reads back what this one wrote: nothing to write again.
    const after = appliedView(facts, first, effects);
    expect(after.facts.ledger).toMatchObject({ mergeRefusal: refusal });
    const next = plan(decide(okLoad(), after.facts, NOW), after.facts, after.view, NOW, { mode: 'full', merge: SQUASH });
    expect(next.filter((e) => e.kind !== 'wake')).toEqual([]);
  });

  it('nothing in the way: no such block at all', async () => {
    const { plan } = await import('../../src/core/plan.js');
    const effects = plan(
      decide(okLoad(), ready, NOW),
      ready,
      { mergeable: true, mergeableState: 'clean', otherChecks: 'success', base: {} },
      NOW,
      { mode: 'full' },
    );
    expect(effects.map((e) => e.kind)).toContain('merge');
    for (const e of effects) if (e.kind === 'status-comment') expect(e.body).not.toContain('GitHub still needs');
  });
});
