// The Action's face of reconcile: it runs as `github-actions[bot]`, an identity every workflow of the
// repository shares, may only be allowed to write a commit status, and in check mode writes nothing.
import { describe, expect, it } from 'vitest';
import { ledgerMarker, STATUS_MARKER } from '../../src/core/ledger.js';
import { isOwnCheckRun, isOwnComment, reconcile, type GateIdentity, type ReconcileOptions } from '../../src/github/index.js';
import { at, eachTestGitHub, type ExpectGitHub, HEAD, NOW, POLICY, pullRequest, REF } from '../fixtures/github/github.js';
import { testClient, type MockGitHub } from '../support/nock.js';

const ACTIONS: GateIdentity = { appId: 15368, login: 'github-actions[bot]' };
const APP: GateIdentity = { appId: 4242, login: 'hitl-gate[bot]' };

let api: MockGitHub;
let gh: ExpectGitHub;
eachTestGitHub((a, g) => {
  api = a;
  gh = g;
});

const bot = (login: string) => ({ login, type: 'Bot' });

describe("recognising the gate's own writes", () => {
  it('an App: its app id or its bot login; never a human, whatever the text', () => {
    expect(isOwnComment({ user: bot('hitl-gate[bot]'), performed_via_github_app: { id: 4242 }, body: 'x' }, APP)).toBe(true);
    expect(isOwnComment({ user: bot('hitl-gate[bot]'), body: 'x' }, APP)).toBe(true);
    expect(isOwnComment({ user: { login: 'hitl-gate[bot]', type: 'User' }, body: 'x' }, APP)).toBe(false);
    expect(isOwnComment({ user: { login: 'mallory', type: 'User' }, body: ledgerMarker({ vetoes: [], answered: [] }) }, APP)).toBe(false);
    expect(isOwnCheckRun({ app: { id: 4242 } }, APP)).toBe(true);
    expect(isOwnCheckRun({ app: { id: 15368, slug: 'github-actions' } }, APP)).toBe(false);
  });

  it("github-actions[bot]: only with the gate's own mark, because every workflow writes as it", () => {
    const marked = ledgerMarker({ vetoes: [], answered: [] });
    expect(
      isOwnComment({ user: bot('github-actions[bot]'), performed_via_github_app: { id: 15368 }, body: 'Coverage: 91%' }, ACTIONS),
    ).toBe(false);
    expect(
      isOwnComment({ user: bot('github-actions[bot]'), performed_via_github_app: { id: 15368 }, body: `Status\n${marked}` }, ACTIONS),
    ).toBe(true);
    // The status comment's marker now (a view, no data), as well as an earlier version's ledger.
    expect(
      isOwnComment(
        { user: bot('github-actions[bot]'), performed_via_github_app: { id: 15368 }, body: `Status\n${STATUS_MARKER}` },
        ACTIONS,
      ),
    ).toBe(true);
    // A workflow job called `hitl` is a check run named hitl by the same app: not the gate's.
    expect(isOwnCheckRun({ app: { id: 15368, slug: 'github-actions' }, external_id: '' }, ACTIONS)).toBe(false);
    expect(isOwnCheckRun({ app: { id: 15368, slug: 'github-actions' }, external_id: 'hitl-gate:governed' }, ACTIONS)).toBe(true);
  });
});

describe('the Action', () => {
  const options = (over: Partial<ReconcileOptions>): ReconcileOptions => ({ mode: 'full', identity: ACTIONS, now: () => NOW, ...over });

  it('check mode reads, decides and writes nothing', async () => {
    gh.pull({ comments: 0 });
    gh.policy(POLICY);
    api.scope
      .get(`/repos/acme/widgets/commits/${HEAD}/check-runs`)
      .query({ check_name: 'hitl', filter: 'all', per_page: '100', app_id: '15368' })
      .reply(200, { total_count: 0, check_runs: [] });
    gh.earlierRecords(); // no record on this head: the PR's earlier heads are searched (a read)
    gh.files([{ filename: 'db/migrations/0001.sql' }]);
    gh.reviews([]);

    const outcome = await reconcile(testClient(), REF, options({ mode: 'check' }));

    api.done();
    expect(outcome.decision).toMatchObject({ tier: 'hard', state: 'blocked' });
    expect(outcome.effects).toEqual([]);
    expect(api.writes()).toEqual([]);
  });

  it('check mode on a PR nobody governs costs the PR, the policy and its commits (for agent trailers) only', async () => {
    gh.pull({ author: 'bob', headRef: 'feature/x' });
    gh.policy(POLICY);
    gh.commits([{ sha: HEAD, author: 'bob', message: 'Fix\n\nSigned-off-by: Bob <bob@example.com>' }]);
    // The record is in the gate's check runs: beside the App, a PR it governed on an earlier head stays
    // governed whatever happened to its label, so check mode looks for it too (one GraphQL query over the
    // PR's earlier heads). On `opened` (firstHead) there is nothing to look for: see the next test.
    gh.earlierRecords();
    const outcome = await reconcile(testClient(), REF, options({ mode: 'check' }));
    api.done();
    expect(outcome.decision.state).toBe('ignored');
    expect(outcome.requests).toBe(4); // 3 REST (the PR, the policy, its commits) and 1 GraphQL query
  });

  it('check mode on a PR nobody governs, as it is opened, costs no search of earlier heads', async () => {
    gh.pull({ author: 'bob', headRef: 'feature/x' });
    gh.policy(POLICY);
    gh.commits([{ sha: HEAD, author: 'bob', message: 'Fix' }]);
    const outcome = await reconcile(testClient(), REF, options({ mode: 'check', firstHead: HEAD }));
    api.done();
    expect(outcome.decision.state).toBe('ignored');
    expect(outcome.requests).toBe(3);
  });

  it("check mode blocks a person's PR whose commit carries an agent trailer, as the App would", async () => {
    gh.pull({ author: 'bob', headRef: 'feature/x' });
    gh.policy(POLICY);
    gh.earlierRecords(); // no record on an earlier head: then the trailers decide
    gh.commits([{ sha: HEAD, author: 'bob', message: 'Drop a table\n\nCo-Authored-By: Claude Opus 4.5 <noreply@anthropic.com>' }]);
    api.scope
      .get(`/repos/acme/widgets/commits/${HEAD}/check-runs`)
      .query({ check_name: 'hitl', filter: 'all', per_page: '100', app_id: '15368' })
      .reply(200, { total_count: 0, check_runs: [] });
    gh.files([{ filename: 'db/migrations/0042_drop_users.sql' }]);
    gh.reviews([]);
    const outcome = await reconcile(testClient(), REF, options({ mode: 'check' }));
    api.done();
    expect(outcome.decision).toMatchObject({ governed: true, tier: 'hard', state: 'blocked' });
    expect(api.writes()).toEqual([]);
  });

  it("a workflow job named hitl is not taken for the gate's check run: the window starts when the gate writes its own", async () => {
    gh.policy(POLICY);
    api.scope
      .get(`/repos/acme/widgets/commits/${HEAD}/check-runs`)
      .query(true)
      .reply(200, {
        total_count: 1,
        check_runs: [
          {
            id: 1,
            name: 'hitl',
            status: 'in_progress',
            conclusion: null,
            started_at: at(-60),
            external_id: '6f1c',
            app: { id: 15368, slug: 'github-actions' },
            output: { title: null, summary: null, text: null },
          },
        ],
      });
    gh.earlierRecords(); // the workflow job's run is not the gate's: no record on this head
    gh.files([{ filename: 'src/a.ts' }]);
    gh.comments([]);
    gh.reviews([]);
    gh.createCheckRun(2);
    gh.createComment(3);

    const outcome = await reconcile(testClient(), REF, options({ pullRequest: pullRequest() }));

    api.done();
    expect(outcome.decision).toMatchObject({ tier: 'soft', state: 'waiting', window: { start: NOW.toISOString(), end: at(15) } });
    expect(api.writes().map((w) => `${w.method} ${w.path}`)).toEqual([
      'POST /repos/acme/widgets/issues/7/comments',
      'POST /repos/acme/widgets/check-runs',
    ]);
  });

  it('with checkRunAs status it writes a commit status `hitl`, and reads its window start from its first status', async () => {
    gh.policy(POLICY);
    api.scope
      .get(`/repos/acme/widgets/commits/${HEAD}/statuses`)
      .query({ per_page: '100' })
      .reply(200, [
        {
          id: 2,
          context: 'hitl',
          state: 'failure',
          description: 'Blocked: vetoed by @alice',
          created_at: at(-5),
          creator: { login: 'github-actions[bot]' },
        },
        { id: 1, context: 'hitl', state: 'pending', description: 'old', created_at: at(-10), creator: { login: 'github-actions[bot]' } },
      ]);
    gh.files([{ filename: 'src/a.ts' }]);
    gh.comments([
      {
        id: 3,
        login: 'github-actions[bot]',
        app_id: 15368,
        body: `old\n${ledgerMarker({ vetoes: [], answered: [] })}`,
        created_at: at(-10),
      },
    ]);
    gh.reviews([]);
    api.scope.post(`/repos/acme/widgets/statuses/${HEAD}`).reply(201, {});
    gh.updateComment(3);

    const outcome = await reconcile(testClient(), REF, options({ checkRunAs: 'status', pullRequest: pullRequest({ comments: 1 }) }));

    api.done();
    expect(outcome.decision).toMatchObject({ state: 'waiting', window: { start: at(-10), end: at(5) } });
    const status = api.writes().find((w) => w.path.includes('/statuses/'));
    expect(status?.body).toEqual({ context: 'hitl', state: 'pending', description: expect.stringMatching(/unless someone vetoes/) });
  });

  it('with checkRunAs status, an unchanged verdict writes no new status', async () => {
    gh.policy(POLICY);
    api.scope
      .get(`/repos/acme/widgets/commits/${HEAD}/statuses`)
      .query({ per_page: '100' })
      .reply(200, [
        {
          id: 1,
          context: 'hitl',
          state: 'pending',
          description: 'Merges at 14:05 UTC unless someone vetoes (soft)',
          created_at: at(-10),
          creator: { login: 'github-actions[bot]' },
        },
      ]);
    gh.files([{ filename: 'src/a.ts' }]);
    gh.comments([]);
    gh.reviews([]);
    gh.createComment(3);

    const outcome = await reconcile(testClient(), REF, options({ checkRunAs: 'status', pullRequest: pullRequest({ comments: 1 }) }));

    api.done();
    expect(outcome.decision.title).toBe('Merges at 14:05 UTC unless someone vetoes (soft)');
    expect(api.writes().map((w) => `${w.method} ${w.path}`)).toEqual(['POST /repos/acme/widgets/issues/7/comments']);
  });
});
