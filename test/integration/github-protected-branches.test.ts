// Reconcile on a protected base branch, against a recorded GitHub: what the gate reads (the rules, with
// metadata permission only), when it merges past `blocked`, when it updates a branch that is behind.
import { describe, expect, it } from 'vitest';
import { reconcile } from '../../src/github/index.js';
import {
  at,
  eachTestGitHub,
  gateRecord,
  statusBody,
  type ExpectGitHub,
  fullOptions,
  HEAD,
  POLICY,
  REF,
} from '../fixtures/github/github.js';
import { testClient, type MockGitHub } from '../support/nock.js';

let api: MockGitHub;
let gh: ExpectGitHub;
eachTestGitHub((a, g) => {
  api = a;
  gh = g;
});

const ourComment = { id: 777, login: 'hitl-gate[bot]', app_id: 4242, body: statusBody('old status'), created_at: at(-20) };
// The gate's record is in its check run, naming the status comment it wrote.
const elapsed = {
  id: 555,
  started_at: at(-20),
  status: 'in_progress',
  title: 'Merges at 14:00 UTC unless someone vetoes (soft)',
  summary: 'old',
  text: gateRecord(undefined, ourComment),
};

function soakedPR(mergeableState: string, policy = POLICY) {
  gh.pull({ comments: 1, mergeable: true, mergeableState });
  gh.policy(policy);
  gh.checkRuns([elapsed]);
  gh.files([{ filename: 'src/widget.ts' }]);
  gh.comments([ourComment]);
  gh.reviews([]);
  gh.updateComment(777);
  gh.updateCheckRun(555, elapsed);
}
const reviews = (bypass: string) => {
  gh.branchRules(
    [
      { type: 'pull_request', ruleset_id: 1, parameters: { required_approving_review_count: 1 } },
      { type: 'required_status_checks', ruleset_id: 1, parameters: { required_status_checks: [{ context: 'build' }] } },
    ],
    [{ id: 1, name: 'main', current_user_can_bypass: bypass }],
  );
};
const merges = () => api.writes().filter((w) => w.path.endsWith('/merge'));

describe("the gate's own check is the only thing not green", () => {
  it('unstable (a non-required `hitl` still in progress): merges in the same pass as the check turns green', async () => {
    soakedPR('unstable');
    gh.branchRules([]);
    gh.repository({ merge: true, squash: true, rebase: true });
    gh.otherChecks([{ name: 'build', status: 'completed', conclusion: 'success' }]);
    gh.statuses([]);
    gh.merge(200);

    const outcome = await reconcile(testClient(), REF, fullOptions());

    api.done();
    expect(outcome.merged).toBe(true);
    expect(api.writes().map((w) => w.method)).toEqual(['PATCH', 'PATCH', 'PUT']);
  });
});

describe('setup b: the gate is a ruleset bypass actor for pull requests', () => {
  it('merges past the missing review once every required check is green', async () => {
    soakedPR('blocked');
    reviews('pull_requests_only');
    gh.repository({ merge: true, squash: true, rebase: true });
    gh.otherChecks([{ name: 'build', status: 'completed', conclusion: 'success' }]);
    gh.statuses([]);
    gh.merge(200);

    const outcome = await reconcile(testClient(), REF, fullOptions());

    api.done();
    expect(outcome.merged).toBe(true);
    expect(merges()[0]!.body).toEqual({ sha: HEAD, merge_method: 'squash' });
  });

  it('never while a required check has not reported: it says which one instead', async () => {
    soakedPR('blocked');
    reviews('pull_requests_only');
    gh.repository({ merge: true, squash: true, rebase: true });
    gh.otherChecks([]);
    gh.statuses([]);

    const outcome = await reconcile(testClient(), REF, fullOptions());

    api.done();
    expect(outcome.merged).toBe(false);
    expect(merges()).toHaveLength(0);
    const check = api.writes()[1]!.body as { conclusion: string; output: { summary: string } };
    // The check still means "the policy lets it merge".
    expect(check.conclusion).toBe('success');
    expect(check.output.summary).toContain('the required check *build* has not reported on this commit');
  });
});

describe('setup c: reviews required, no bypass', () => {
  it('waits for a human review and says so, without asking GitHub to merge', async () => {
    soakedPR('blocked');
    reviews('never');
    gh.repository({ merge: true, squash: true, rebase: true });
    gh.otherChecks([{ name: 'build', status: 'completed', conclusion: 'success' }]);
    gh.statuses([]);

    const outcome = await reconcile(testClient(), REF, fullOptions());

    api.done();
    expect(outcome.merged).toBe(false);
    expect(merges()).toHaveLength(0);
    const comment = (api.writes()[0]!.body as { body: string }).body;
    expect(comment).toContain('GitHub still requires 1 approving review (ruleset *main*)');
  });
});

describe('behind', () => {
  const upToDate = () =>
    gh.branchRules(
      [
        {
          type: 'required_status_checks',
          ruleset_id: 1,
          parameters: { strict_required_status_checks_policy: true, required_status_checks: [] },
        },
      ],
      [{ id: 1, name: 'main' }],
    );

  it('with update_branch: asks GitHub to update the decided head, and nothing merges', async () => {
    soakedPR('behind', POLICY.replace('method: squash', 'method: squash\n  update_branch: true'));
    upToDate();
    gh.repository();
    gh.otherChecks([]);
    gh.statuses([]);
    gh.updateBranch(202);

    const outcome = await reconcile(testClient(), REF, fullOptions());

    api.done();
    expect(outcome.merged).toBe(false);
    const update = api.writes().find((w) => w.path.endsWith('/update-branch'));
    expect(update?.body).toEqual({ expected_head_sha: HEAD });
    expect(merges()).toHaveLength(0);
  });

  it('the agent pushed meanwhile: GitHub refuses the update (422), the gate looks again soon', async () => {
    soakedPR('behind', POLICY.replace('method: squash', 'method: squash\n  update_branch: true'));
    upToDate();
    gh.repository();
    gh.otherChecks([]);
    gh.statuses([]);
    gh.updateBranch(422);

    const outcome = await reconcile(testClient(), REF, fullOptions());

    api.done();
    expect(outcome.merged).toBe(false);
    expect(outcome.error).toBeUndefined();
    expect(merges()).toHaveLength(0);
    expect(outcome.wakeAt).toBeDefined();
  });

  it('without update_branch: says the branch must be up to date', async () => {
    soakedPR('behind');
    upToDate();
    gh.repository();
    gh.otherChecks([]);
    gh.statuses([]);

    await reconcile(testClient(), REF, fullOptions());

    api.done();
    expect(api.writes().some((w) => w.path.endsWith('/update-branch'))).toBe(false);
    expect((api.writes()[0]!.body as { body: string }).body).toContain('the branch is behind main and must be up to date');
  });
});

describe('merge methods', () => {
  it('the first preference the repository allows', async () => {
    soakedPR('clean', POLICY.replace('method: squash', 'method: [squash, rebase]'));
    gh.branchRules([]);
    gh.repository({ merge: false, squash: false, rebase: true });
    gh.otherChecks([]);
    gh.statuses([]);
    gh.merge(200);

    const outcome = await reconcile(testClient(), REF, fullOptions());

    api.done();
    expect(outcome.merged).toBe(true);
    expect(merges()[0]!.body).toEqual({ sha: HEAD, merge_method: 'rebase' });
  });

  it('the rules cannot be read: nothing merges, and it says so', async () => {
    soakedPR('clean', POLICY.replace('method: squash', 'method: [squash, rebase]'));
    api.scope.get('/repos/acme/widgets/rules/branches/main').query(true).reply(500, { message: 'boom' });
    gh.repository({ merge: true, squash: true, rebase: true });
    gh.otherChecks([]);
    gh.statuses([]);

    const outcome = await reconcile(testClient(), REF, fullOptions());

    api.done();
    expect(outcome.merged).toBe(false);
    expect((api.writes()[0]!.body as { body: string }).body).toContain('the rules of main could not be read');
  });
});

describe('readBranchRules: conditional reads', () => {
  it('a second read sends the ETags; a 304 answers from the cache and costs nothing against the rate limit', async () => {
    const { readBranchRules } = await import('../../src/github/read-branch-rules.js');
    const { openSession } = await import('../../src/github/session.js');
    const rules = [{ type: 'pull_request', ruleset_id: 3, parameters: { required_approving_review_count: 2 } }];
    api.scope.get('/repos/acme/widgets/rules/branches/main').query(true).reply(200, rules, { etag: '"r1"' });
    api.scope
      .get('/repos/acme/widgets/rulesets/3')
      .reply(200, { id: 3, name: 'org main', current_user_can_bypass: 'always' }, { etag: '"s1"' });
    api.scope.get('/repos/acme/widgets/rules/branches/main').query(true).matchHeader('if-none-match', '"r1"').reply(304);
    api.scope.get('/repos/acme/widgets/rulesets/3').matchHeader('if-none-match', '"s1"').reply(304);

    const session = openSession(testClient(), new Date(), undefined);
    const first = await readBranchRules(session, { owner: 'acme', repo: 'widgets' }, 'main');
    const second = await readBranchRules(session, { owner: 'acme', repo: 'widgets' }, 'main');

    api.done();
    expect(first.reviews).toMatchObject({ count: 2, ruleset: { name: 'org main', canBypass: true } });
    expect(second).toEqual(first);
  });
});

describe('what the merge waits for, by name', () => {
  const requires = (...contexts: string[]) =>
    gh.branchRules(
      [{ type: 'required_status_checks', ruleset_id: 1, parameters: { required_status_checks: contexts.map((context) => ({ context })) } }],
      [{ id: 1, name: 'main' }],
    );

  it('a soft PR the policy lets merge, whose required check is still running, names it in the check and the comment', async () => {
    soakedPR('blocked');
    requires('deploy-preview');
    gh.otherChecks([
      { name: 'deploy-preview', status: 'in_progress', conclusion: null },
      { name: 'lint', status: 'completed', conclusion: 'success' },
    ]);

    const outcome = await reconcile(testClient(), REF, fullOptions());

    api.done();
    expect(outcome.merged).toBe(false);
    // The status comment is written first, then the check run whose record names it.
    const body = (path: string) =>
      api.writes().find((w) => w.path === path)!.body as { conclusion?: string; output?: { summary: string }; body?: string };
    const check = body('/repos/acme/widgets/check-runs/555');
    const comment = body('/repos/acme/widgets/issues/comments/777');
    expect(check!.conclusion).toBe('success');
    // Markdown-escaped, as rendered: "waiting for the required check deploy-preview (in progress)".
    expect(check!.output!.summary).toContain('waiting for the required check *deploy\\-preview* (in progress)');
    expect(comment!.body).toContain('waiting for the required check *deploy\\-preview* (in progress)');
  });

  it('a required check not among the check runs, while one still runs, is waited for, not called missing', async () => {
    soakedPR('blocked');
    requires('ci/jenkins');
    gh.otherChecks([{ name: 'lint', status: 'in_progress', conclusion: null }]);

    await reconcile(testClient(), REF, fullOptions());

    api.done();
    const summary = (api.writes().find((w) => w.path === '/repos/acme/widgets/check-runs/555')!.body as { output: { summary: string } })
      .output.summary;
    // It may be a commit status, which the gate reads only once the check runs are done.
    expect(summary).toContain('waiting for the required check *ci\\/jenkins*');
    expect(summary).not.toContain('has not reported');
  });

  it('a failed check is named: "*build* failed"', async () => {
    soakedPR('unstable');
    gh.branchRules([]);
    gh.otherChecks([{ name: 'build', status: 'completed', conclusion: 'failure' }]);

    await reconcile(testClient(), REF, fullOptions());

    api.done();
    expect(merges()).toHaveLength(0);
    expect((api.writes().find((w) => w.path === '/repos/acme/widgets/issues/comments/777')!.body as { body: string }).body).toContain(
      '*build* failed',
    );
  });
});
