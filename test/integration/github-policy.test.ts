// The policy as the shell reads it: from the base branch (invariant 1), failing closed (invariant 4),
// and the tier floors that depend on the file list GitHub gives.
import { describe, expect, it } from 'vitest';
import { reconcile } from '../../src/github/index.js';
import { KeptAnswers } from '../../src/github/kept-answers.js';
import { eachTestGitHub, type ExpectGitHub, expectGitHub, fullOptions, NOW, POLICY, pullRequest, REF } from '../fixtures/github/github.js';
import { testClient, type MockGitHub } from '../support/nock.js';

let api: MockGitHub;
let gh: ExpectGitHub;
eachTestGitHub((a, g) => {
  api = a;
  gh = g;
});

type CheckBody = { status: string; conclusion?: string; output: { title: string; summary: string; text?: string } };
const checkRunBody = (): CheckBody => api.writes().find((w) => w.path.endsWith('/check-runs'))?.body as CheckBody;

/** A PR the gate sees for the first time, with these files; expects the two first writes. */
function firstSight(files: Parameters<ReturnType<typeof expectGitHub>['files']>[0]) {
  gh.checkRuns([]);
  gh.earlierRecords(); // no record on this head: the one search of the PR's earlier heads
  gh.files(files);
  gh.comments([]);
  gh.reviews([]);
  gh.createCheckRun(555);
  gh.createComment(777);
}

describe('the policy comes from the base branch', () => {
  it('a PR that rewrites the policy to wave itself through is judged by the base policy, and is hard', async () => {
    gh.policy(POLICY); // only ever asked with ref=main: the PR's head is never read
    firstSight([{ filename: '.github/hitl.yml', additions: 3, deletions: 30 }, { filename: 'docs/readme.md' }]);
    gh.requestReviewers(); // hard: the base policy's reviewers are asked

    const outcome = await reconcile(testClient(), REF, fullOptions({ pullRequest: pullRequest({ changedFiles: 2 }) }));

    api.done();
    expect(outcome.decision).toMatchObject({ governed: true, tier: 'hard', state: 'blocked' });
    expect(outcome.decision.classification.reasons).toContainEqual(expect.objectContaining({ kind: 'floor', floor: 'policy-file' }));
    expect(api.requests[0]!.path).toBe('/repos/acme/widgets/contents/.github%2Fhitl.yml?ref=main');
    expect(checkRunBody()).toMatchObject({ status: 'completed', conclusion: 'failure' });
  });

  it('a custom policy path is read from the base branch too', async () => {
    gh.policy(POLICY, { path: 'config/hitl.yml' });
    firstSight([{ filename: 'src/a.ts' }]);
    const outcome = await reconcile(testClient(), REF, fullOptions({ policyPath: 'config/hitl.yml', pullRequest: pullRequest() }));
    api.done();
    expect(outcome.decision.tier).toBe('soft');
  });
});

describe('tiers that depend on the file list', () => {
  it('moving a file out of db/migrations/ is hard (the old path counts)', async () => {
    gh.policy(POLICY);
    firstSight([
      {
        filename: 'archive/0001_init.sql',
        previous_filename: 'db/migrations/0001_init.sql',
        status: 'renamed',
        additions: 0,
        deletions: 0,
      },
    ]);
    gh.requestReviewers();

    const outcome = await reconcile(testClient(), REF, fullOptions({ pullRequest: pullRequest() }));

    api.done();
    expect(outcome.decision).toMatchObject({ tier: 'hard', state: 'blocked' });
    expect(outcome.decision.classification.reasons).toContainEqual(expect.objectContaining({ kind: 'rule', rule: 'Database migrations' }));
  });

  it('more than 3000 changed files: GitHub lists 3000, the gate pages through all of them and calls it hard, "truncated"', async () => {
    const listed = Array.from({ length: 3000 }, (_, i) => ({ filename: `docs/page-${i}.md` }));
    gh.policy(POLICY);
    firstSight(listed);
    gh.requestReviewers();

    const outcome = await reconcile(
      testClient(),
      REF,
      fullOptions({ pullRequest: pullRequest({ changedFiles: 3400, additions: 3400, deletions: 0 }) }),
    );

    api.done();
    expect(api.requests.filter((r) => r.path.includes('/files'))).toHaveLength(30);
    expect(outcome.decision).toMatchObject({ tier: 'hard', state: 'blocked' });
    expect(outcome.decision.classification.reasons).toContainEqual(
      expect.objectContaining({ kind: 'truncated', listed: 3000, changed: 3400 }),
    );
    expect(`${checkRunBody().output.summary}\n${checkRunBody().output.text ?? ''}`).toMatch(/truncat|3000|3,000/i);
  });
});

describe('a policy that cannot be used blocks, and says where', () => {
  it('a broken policy: blocked, with file, line and column in the check run', async () => {
    gh.policy(POLICY.replace('default: soft', 'default: medium'));
    firstSight([{ filename: 'docs/a.md' }]);

    const outcome = await reconcile(testClient(), REF, fullOptions({ pullRequest: pullRequest() }));

    api.done();
    expect(outcome.decision).toMatchObject({ governed: true, tier: 'hard', state: 'blocked', merge: false });
    const line = POLICY.split('\n').findIndex((l) => l.startsWith('default:')) + 1;
    expect(checkRunBody().output.title).toContain(`.github/hitl.yml:${line}:`);
    expect(checkRunBody()).toMatchObject({ status: 'completed', conclusion: 'failure' });
  });

  it('GitHub fails to give the policy (500): blocked with the reason, and the caller is told to retry', async () => {
    gh.policy(500);
    firstSight([{ filename: 'docs/a.md' }]);

    const outcome = await reconcile(testClient(), REF, fullOptions({ pullRequest: pullRequest() }));

    api.done();
    expect(outcome.decision).toMatchObject({ tier: 'hard', state: 'blocked', merge: false });
    expect(outcome.error).toMatch(/could not read .github\/hitl.yml from main: GitHub answered 500/);
    const shown = `${checkRunBody().output.title}\n${checkRunBody().output.summary}\n${checkRunBody().output.text ?? ''}`;
    expect(shown).toMatch(/the policy could not be read \(could not read .*hitl.*from main: GitHub answered 500/);
    // The title says the file could not be read, not that it has an error at some line.
    expect(checkRunBody().output.title).toMatch(/^Blocked: policy unreadable \(/);
    expect(outcome.wakeAt).toBe(new Date(NOW.getTime() + 30_000).toISOString());
    expect(outcome.merged).toBe(false);
  });

  it("no policy in the repository nor in the organisation's .github: nothing governed, a passing check says how to add one", async () => {
    gh.policy(404);
    gh.policy(404, { repo: '.github', ref: null });
    gh.checkRuns([]);
    gh.createCheckRun(555);

    const outcome = await reconcile(testClient(), REF, fullOptions({ pullRequest: pullRequest() }));

    api.done();
    expect(outcome.decision).toMatchObject({ governed: false, state: 'ignored' });
    expect(checkRunBody()).toMatchObject({ status: 'completed', conclusion: 'success' });
    expect(checkRunBody().output.title).toMatch(/No policy/);
    expect(api.writes()).toHaveLength(1);
  });
});

describe('Probot conventions: the organisation default and _extends', () => {
  it("uses the organisation's .github repository when the repository has no policy", async () => {
    gh.policy(404);
    gh.policy(POLICY, { repo: '.github', ref: null });
    firstSight([{ filename: 'src/a.ts' }]);

    const outcome = await reconcile(testClient(), REF, fullOptions({ pullRequest: pullRequest() }));

    api.done();
    expect(outcome.decision).toMatchObject({ governed: true, tier: 'soft' });
    expect(outcome.decision.policy.path).toBe('acme/.github:.github/hitl.yml');
  });

  it("_extends: the base file's keys, overridden by the repository's own; errors point at the file they are in", async () => {
    const local = '_extends: .github\n\ndefault: hard\n';
    const broken = POLICY.replace('method: squash', 'method: fast-forward');
    gh.policy(local);
    gh.policy(broken, { repo: '.github', ref: null });
    firstSight([{ filename: 'src/a.ts' }]);

    const outcome = await reconcile(testClient(), REF, fullOptions({ pullRequest: pullRequest() }));

    api.done();
    expect(outcome.decision.state).toBe('blocked');
    const errors = outcome.decision.policy.errors ?? [];
    const line = broken.split('\n').findIndex((l) => l.includes('fast-forward')) + 1;
    expect(errors).toContainEqual(expect.objectContaining({ file: 'acme/.github:.github/hitl.yml', line }));
  });

  it("_extends with a valid base: the repository's own top-level keys win", async () => {
    gh.policy('_extends: acme/policies:hitl/base.yml\ndefault: hard\n');
    gh.policy(POLICY, { repo: 'policies', path: 'hitl/base.yml', ref: null });
    firstSight([{ filename: 'src/a.ts' }]);
    gh.requestReviewers(); // the reviewers come from the base the policy extends

    const outcome = await reconcile(testClient(), REF, fullOptions({ pullRequest: pullRequest() }));

    api.done();
    expect(outcome.decision).toMatchObject({ governed: true, tier: 'hard', state: 'blocked' });
  });

  it('_extends to a file that does not exist fails closed', async () => {
    gh.policy('_extends: nowhere\n');
    gh.policy(404, { repo: 'nowhere', ref: null });
    firstSight([{ filename: 'docs/a.md' }]);

    const outcome = await reconcile(testClient(), REF, fullOptions({ pullRequest: pullRequest() }));

    api.done();
    expect(outcome.decision).toMatchObject({ tier: 'hard', state: 'blocked' });
    expect(outcome.error).toMatch(/extends nowhere:.github\/hitl.yml, which does not exist|acme\/nowhere/);
  });
});

describe('conditional policy reads', () => {
  it('asks with the ETag it was given; a 304 reuses the text GitHub sent before', async () => {
    const path = '/repos/acme/widgets/contents/.github%2Fhitl.yml';
    api.scope.get(path).query({ ref: 'main' }).reply(200, POLICY.replace('window: 15m', 'window: 40m'), { etag: '"v1"' });
    firstSight([{ filename: 'src/a.ts' }]);
    const kept = new KeptAnswers();
    const first = await reconcile(testClient(), REF, fullOptions({ pullRequest: pullRequest(), kept }));
    api.done();

    api.scope.get(path).query({ ref: 'main' }).matchHeader('if-none-match', '"v1"').reply(304);
    firstSight([{ filename: 'src/a.ts' }]);
    const second = await reconcile(testClient(), REF, fullOptions({ pullRequest: pullRequest(), kept }));

    api.done();
    expect(first.decision.window?.end).toBe(new Date(NOW.getTime() + 40 * 60_000).toISOString());
    expect(second.decision.window?.end).toBe(first.decision.window?.end);
    expect(second.error).toBeUndefined();
  });
});

describe('_extends: what cannot be stitched', () => {
  it('a YAML error in a file that uses _extends keeps its own line and column', async () => {
    gh.policy('_extends: .github\ndefault: [hard\n');
    firstSight([{ filename: 'src/a.ts' }]);

    const outcome = await reconcile(testClient(), REF, fullOptions({ pullRequest: pullRequest() }));

    api.done();
    expect(outcome.decision.state).toBe('blocked');
    expect(outcome.decision.policy.errors?.[0]).toMatchObject({ file: '.github/hitl.yml', line: expect.any(Number) });
    expect(outcome.decision.policy.errors?.[0]?.line).toBeGreaterThan(1);
  });

  it('a loop of _extends fails closed and says so', async () => {
    gh.policy('_extends: a\n');
    gh.policy('_extends: widgets\nversion: 1\n', { repo: 'a', ref: null });
    firstSight([{ filename: 'docs/a.md' }]);

    const outcome = await reconcile(testClient(), REF, fullOptions({ pullRequest: pullRequest() }));

    api.done();
    expect(outcome.decision).toMatchObject({ tier: 'hard', state: 'blocked' });
    expect(outcome.error).toMatch(/loops back/);
  });
});
