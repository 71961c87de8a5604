// Reconcile against a recorded GitHub: the request budget, idempotent replays and the merge.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reconcile, type ReconcileOptions } from '../../src/github/index.js';
import { at, expectGitHub, HEAD, IDENTITY, NOW, POLICY as POLICY_TEXT, pullRequest, REF } from '../fixtures/github/github.js';
import { mockGitHub, testClient, type MockGitHub } from '../support/nock.js';

let api: MockGitHub;
let gh: ReturnType<typeof expectGitHub>;
beforeEach(() => {
  api = mockGitHub();
  gh = expectGitHub(api);
});
afterEach(() => api.cleanup());

const full = (over: Partial<ReconcileOptions> = {}): ReconcileOptions => ({ mode: 'full', identity: IDENTITY, now: () => NOW, ...over });

describe('reconcile: an agent PR is opened', () => {
  it('costs at most 6 requests for a governed PR: policy from the base branch, check, files, reviews, then two writes', async () => {
    gh.policy(POLICY_TEXT);
    gh.checkRuns([]);
    gh.files([{ filename: 'src/widget.ts' }]);
    gh.reviews([]);
    gh.createCheckRun(555);
    gh.createComment(777);

    const outcome = await reconcile(testClient(), REF, full({ pullRequest: pullRequest() }));

    api.done();
    expect(outcome.error).toBeUndefined();
    expect(outcome.decision).toMatchObject({ governed: true, tier: 'soft', state: 'waiting' });
    expect(outcome.requests).toBe(api.requests.length);
    expect(outcome.requests).toBeLessThanOrEqual(6);
    expect(outcome.merged).toBe(false);
    expect(outcome.wakeAt).toBe(at(15));
    const [check, comment] = api.writes();
    expect(check).toMatchObject({
      method: 'POST', path: '/repos/acme/widgets/check-runs',
      body: { name: 'hitl', head_sha: HEAD, status: 'in_progress', external_id: 'hitl-gate:governed' },
    });
    expect((check?.body as { output: { title: string } }).output.title).toMatch(/unless someone vetoes/);
    expect(comment).toMatchObject({ method: 'POST', path: '/repos/acme/widgets/issues/7/comments' });
    expect(api.writes()).toHaveLength(2);
  });

  it('costs at most 2 requests for a PR the policy does not govern: the policy and a passing check', async () => {
    gh.policy(POLICY_TEXT);
    gh.createCheckRun(556);

    const outcome = await reconcile(testClient(), REF, full({ pullRequest: pullRequest({ author: 'bob', headRef: 'feature/x' }), headIsNew: true }));

    api.done();
    expect(outcome.decision).toMatchObject({ governed: false, state: 'ignored' });
    expect(outcome.requests).toBeLessThanOrEqual(2);
    expect(api.writes()).toEqual([expect.objectContaining({
      method: 'POST',
      body: expect.objectContaining({ name: 'hitl', head_sha: HEAD, status: 'completed', conclusion: 'success', external_id: 'hitl-gate:ignored' }),
    })]);
  });
});
