import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProbotOctokit } from 'probot';
import { getOctokit } from '@actions/github';
import { reconcile, type GitHubClient } from '../../src/github/index.js';
import { expectGitHub, IDENTITY, NOW, POLICY, pullRequest, REF } from '../fixtures/github/github.js';
import { mockGitHub, type MockGitHub } from '../support/nock.js';

describe('GitHubClient', () => {
  it("is satisfied by both faces' clients", () => {
    const fromProbot: GitHubClient = new ProbotOctokit({ auth: { token: 'test' } });
    const fromAction: GitHubClient = getOctokit('test');
    expect(typeof fromProbot.rest.pulls.get).toBe('function');
    expect(typeof fromAction.paginate).toBe('function');
  });
});

describe("the client's own retries", () => {
  let api: MockGitHub;
  beforeEach(() => {
    api = mockGitHub();
  });
  afterEach(() => api.cleanup());

  it("a 502 that Probot's retry plugin retries is invisible to reconcile", async () => {
    const gh = expectGitHub(api);
    gh.policy(POLICY);
    gh.checkRuns([]);
    gh.earlierRecords();
    api.scope.get('/repos/acme/widgets/pulls/7/files').query({ per_page: '100' }).reply(502, { message: 'Bad Gateway' });
    gh.files([{ filename: 'src/a.ts' }]);
    gh.comments([]);
    gh.reviews([]);
    gh.createCheckRun();
    gh.createComment();
    const client = new ProbotOctokit({
      auth: { token: 'test' },
      retry: { retries: 1, retryAfterBaseValue: 1 },
      throttle: { enabled: false },
    });

    const outcome = await reconcile(client, REF, { mode: 'full', identity: IDENTITY, now: () => NOW, pullRequest: pullRequest() });

    api.done();
    expect(outcome.error).toBeUndefined();
    expect(outcome.decision.state).toBe('waiting');
    expect(api.requests.filter((r) => r.path.includes('/files'))).toHaveLength(2);
  });
});
