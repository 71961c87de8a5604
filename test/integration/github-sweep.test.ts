// The sweep: every open PR of a repository, paginated; what is clearly not governed is skipped from
// the list alone, and each base branch's policy is read once.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sweep } from '../../src/github/index.js';
import { expectGitHub, IDENTITY, NOW, POLICY, pullRequest } from '../fixtures/github/github.js';
import { mockGitHub, testClient, type MockGitHub } from '../support/nock.js';

let api: MockGitHub;
beforeEach(() => {
  api = mockGitHub();
});
afterEach(() => api.cleanup());

const listItem = (o: Parameters<typeof pullRequest>[0]) => {
  // The list has no counts (additions, changed_files, comments, mergeable): drop them like GitHub does.
  const { additions: _a, deletions: _d, changed_files: _c, comments: _m, mergeable: _g, mergeable_state: _s, ...item } = pullRequest(o);
  return item;
};

describe('sweep', () => {
  it('pages through open PRs, skips human PRs without reading them, reconciles agent PRs', async () => {
    const page2 = 'https://api.github.com/repositories/1/pulls?state=open&per_page=100&page=2';
    api.scope
      .get('/repos/acme/widgets/pulls')
      .query({ state: 'open', per_page: '100' })
      .reply(200, [listItem({ number: 7 }), listItem({ number: 8, author: 'bob', headRef: 'feature/b' })], {
        link: `<${page2}>; rel="next"`,
      });
    api.scope
      .get('/repositories/1/pulls')
      .query({ state: 'open', per_page: '100', page: '2' })
      .reply(200, [
        listItem({ number: 9, author: 'carol', headRef: 'fix/c', labels: ['ai-generated'] }),
        listItem({ number: 11, author: 'dan', headRef: 'docs/d' }),
      ]);
    const gh7 = expectGitHub(api, 7);
    const gh9 = expectGitHub(api, 9);
    gh7.policy(POLICY); // read once for the base branch, and reused by both reconciles
    for (const [gh, files] of [
      [gh7, [{ filename: 'src/a.ts' }]],
      [gh9, [{ filename: 'docs/a.md' }]],
    ] as const) {
      gh.pull();
      gh.checkRuns([]);
      gh.earlierRecords(); // no record on the head: the PR's earlier heads are searched once
      gh.files([...files]);
      gh.reviews([]);
      gh.createCheckRun();
      gh.createComment();
    }

    const outcomes = await sweep(testClient(), { owner: 'acme', repo: 'widgets' }, { mode: 'full', identity: IDENTITY, now: () => NOW });

    api.done();
    expect(outcomes.map((o) => [o.ref.number, o.decision.tier, o.decision.state])).toEqual([
      [7, 'soft', 'waiting'],
      [9, 'fyi', 'ready'],
    ]);
    expect(api.requests.some((r) => /\/pulls\/(8|11)\b/.test(r.path))).toBe(false);
  });

  it("a base branch whose policy GitHub will not give: nothing skipped that could be an agent's, and each reconcile tries again", async () => {
    api.scope
      .get('/repos/acme/widgets/pulls')
      .query({ state: 'open', per_page: '100' })
      .reply(200, [listItem({ number: 12, author: 'some-agent[bot]', headRef: 'x', baseRef: 'release' })]);
    const gh = expectGitHub(api, 12);
    gh.policy(503, { ref: 'release' });
    gh.pull({ author: 'some-agent[bot]', headRef: 'x', baseRef: 'release' });
    gh.policy(503, { ref: 'release' });
    gh.checkRuns([]);
    gh.earlierRecords();
    gh.files([{ filename: 'docs/a.md' }]);
    gh.reviews([]);
    gh.createCheckRun();
    gh.createComment();

    const [outcome] = await sweep(testClient(), { owner: 'acme', repo: 'widgets' }, { mode: 'full', identity: IDENTITY, now: () => NOW });

    api.done();
    expect(outcome?.decision).toMatchObject({ tier: 'hard', state: 'blocked' });
    expect(outcome?.error).toMatch(/503/);
  });

  it('a failure to list PRs is thrown to the caller, not mistaken for "no open PRs"', async () => {
    api.scope.get('/repos/acme/widgets/pulls').query(true).reply(500, { message: 'x' });
    await expect(
      sweep(testClient(), { owner: 'acme', repo: 'widgets' }, { mode: 'full', identity: IDENTITY, now: () => NOW }),
    ).rejects.toThrow(/500|x/);
    api.done();
  });
});
