// Commands through the shell: who may decide (invariant 2) and approvals bound to a commit (invariant 3).
import { describe, expect, it } from 'vitest';
import { readRecord } from '../../src/core/ledger.js';
import { reconcile, type ReconcileOutcome } from '../../src/github/index.js';
import {
  at,
  type CommentSpec,
  eachTestGitHub,
  gateRecord,
  statusBody,
  type ExpectGitHub,
  fullOptions,
  HEAD,
  NEW_HEAD,
  NOW,
  POLICY,
  pullRequest,
  REF,
} from '../fixtures/github/github.js';
import { testClient, type MockGitHub } from '../support/nock.js';

let api: MockGitHub;
let gh: ExpectGitHub;
eachTestGitHub((a, g) => {
  api = a;
  gh = g;
});

// Known for 30 minutes: the reviewers of this head were asked then.
// The status comment is a view; the gate's record (with the review request) is in its check run.
const STATUS = { id: 777, login: 'hitl-gate[bot]', app_id: 4242, body: statusBody('old status'), created_at: at(-30) };
const RECORD = gateRecord(
  { vetoes: [], answered: [], requested: { head: HEAD, users: ['alice'], teams: ['acme/maintainers'] } } as never,
  STATUS,
);
const HARD_RUN = { id: 555, started_at: at(-30), status: 'completed', conclusion: 'failure', title: 'x', summary: 'y', text: RECORD };
/** The record on the first head's run, found by the one search of earlier heads after a push. */
const recordOnFirstHead = () => gh.earlierRecords([{ oid: HEAD, runs: [{ id: 555, text: RECORD }] }, { oid: NEW_HEAD }]);
const MIGRATION = [{ filename: 'db/migrations/0042_drop_users.sql' }];

/** A hard-tier PR (it touches db/migrations/) the gate has known since 30 minutes, with these comments. */
function hardPR(comments: CommentSpec[], pr: Parameters<typeof pullRequest>[0] = {}) {
  gh.policy(POLICY);
  gh.checkRuns([HARD_RUN]);
  gh.files(MIGRATION);
  gh.comments([STATUS, ...comments]);
  gh.reviews([]);
  return pullRequest({ comments: comments.length + 1, ...pr });
}

/** The rest of the writes are the check run and status comment; returns the replies. */
function expectAnswerWrites(replies: number, reactions: number[] = []) {
  gh.updateCheckRun(555, HARD_RUN);
  for (const id of reactions) gh.react(id);
  for (let i = 0; i < replies; i++) gh.createComment(800 + i);
  gh.updateComment(777);
}

const replies = () =>
  api
    .writes()
    .filter((w) => w.method === 'POST' && w.path === '/repos/acme/widgets/issues/7/comments')
    .map((w) => (w.body as { body: string }).body);
const verdicts = (o: ReconcileOutcome) =>
  o.decision.commands.map((c) => ({ by: c.by, kind: c.command.kind, accepted: c.accepted, refusal: c.refusal }));

describe('only authorized humans decide', () => {
  it('refuses the PR author approving their own PR, and says why', async () => {
    const payload = hardPR([{ id: 10, login: 'carol', body: '/approve', created_at: at(-10) }], {
      author: 'carol',
      labels: ['ai-generated'],
      headRef: 'feature/x',
    });
    expectAnswerWrites(1);

    const outcome = await reconcile(testClient(), REF, fullOptions({ pullRequest: payload }));

    api.done();
    expect(verdicts(outcome)).toEqual([{ by: 'carol', kind: 'approve', accepted: false, refusal: 'author' }]);
    expect(outcome.decision).toMatchObject({ tier: 'hard', state: 'blocked' });
    expect(replies()).toHaveLength(1);
    expect(replies()[0]).toMatch(/opened this pull request/);
    expect(outcome.merged).toBe(false);
  });

  it('refuses a bot, and does not answer it (bots answering bots never end)', async () => {
    const payload = hardPR([{ id: 11, login: 'renovate[bot]', body: '/approve', created_at: at(-10) }]);
    gh.updateCheckRun(555, HARD_RUN);
    gh.updateComment(777);

    const outcome = await reconcile(testClient(), REF, fullOptions({ pullRequest: payload }));

    api.done();
    expect(verdicts(outcome)).toEqual([{ by: 'renovate[bot]', kind: 'approve', accepted: false, refusal: 'bot' }]);
    expect(outcome.decision.state).toBe('blocked');
    expect(replies()).toEqual([]);
  });

  it("refuses someone who committed to the PR (read from the PR's commits)", async () => {
    const payload = hardPR([{ id: 12, login: 'dave', body: '/approve', created_at: at(-10) }]);
    gh.commits([{ sha: HEAD, author: 'copilot-swe-agent[bot]', committer: 'dave' }]);
    gh.permission('dave', 'write');
    expectAnswerWrites(1);

    const outcome = await reconcile(testClient(), REF, fullOptions({ pullRequest: payload }));

    api.done();
    expect(verdicts(outcome)).toEqual([{ by: 'dave', kind: 'approve', accepted: false, refusal: 'committer' }]);
    expect(outcome.decision.state).toBe('blocked');
    expect(replies()[0]).toMatch(/committed/);
  });

  it('refuses a reader who is in no reviewer team', async () => {
    const payload = hardPR([{ id: 13, login: 'erin', body: '/approve', created_at: at(-10) }]);
    gh.commits([{ sha: HEAD, author: 'copilot-swe-agent[bot]', committer: 'web-flow' }]);
    gh.permission('erin', 'read');
    gh.teamMembership('acme/maintainers', 'erin', 404);
    expectAnswerWrites(1);

    const outcome = await reconcile(testClient(), REF, fullOptions({ pullRequest: payload }));

    api.done();
    expect(verdicts(outcome)).toEqual([{ by: 'erin', kind: 'approve', accepted: false, refusal: 'not-reviewer' }]);
    expect(replies()[0]).toMatch(/not an authorized reviewer/);
  });

  it('a failed team lookup is never read as membership: the approval does not count', async () => {
    const payload = hardPR([{ id: 14, login: 'frank', body: '/approve', created_at: at(-10) }]);
    gh.commits([{ sha: HEAD, author: 'copilot-swe-agent[bot]' }]);
    gh.permission('frank', 'read');
    gh.teamMembership('acme/maintainers', 'frank', 500);
    gh.updateCheckRun(555, HARD_RUN);
    gh.updateComment(777);

    const outcome = await reconcile(testClient(), REF, fullOptions({ pullRequest: payload }));

    api.done();
    expect(verdicts(outcome)).toEqual([{ by: 'frank', kind: 'approve', accepted: false, refusal: 'permission-error' }]);
    expect(outcome.decision.state).toBe('blocked');
  });

  it('accepts a team member with read permission, reacts to the comment, and the hard PR becomes ready', async () => {
    const payload = hardPR([{ id: 15, login: 'grace', body: 'Looks right.\n/approve', created_at: at(-10) }]);
    gh.commits([{ sha: HEAD, author: 'copilot-swe-agent[bot]' }]);
    gh.permission('grace', 'read');
    gh.teamMembership('acme/maintainers', 'grace', 'active');
    gh.otherChecks([{ name: 'build', status: 'in_progress', conclusion: null }]);
    gh.branchRules([]);
    // The failed run cannot turn green (GitHub keeps a completed run's conclusion): a new run replaces it.
    // The failed run cannot turn green (GitHub keeps a completed run's conclusion): a new run replaces it,
    // carrying the record read back from the failed one (GET) in case another writer changed it.
    gh.getCheckRun(HARD_RUN);
    gh.createCheckRun(556);
    gh.react(15);
    gh.updateComment(777);

    const outcome = await reconcile(testClient(), REF, fullOptions({ pullRequest: payload }));

    api.done();
    expect(verdicts(outcome)).toEqual([{ by: 'grace', kind: 'approve', accepted: true, refusal: undefined }]);
    expect(outcome.decision.state).toBe('ready');
    expect(api.writes().find((w) => w.path.endsWith('/reactions'))?.body).toEqual({ content: '+1' });
    expect(api.writes().find((w) => w.path === '/repos/acme/widgets/check-runs')?.body).toMatchObject({
      head_sha: HEAD,
      status: 'completed',
      conclusion: 'success',
    });
  });

  it('a replacement check run does not move the window: approvals after the first sight of the head still count', async () => {
    gh.policy(POLICY);
    const replacement = { id: 556, started_at: at(-5), status: 'completed', conclusion: 'success', title: 'x', summary: 'y', text: RECORD };
    gh.checkRuns([replacement, HARD_RUN]);
    gh.files(MIGRATION);
    gh.comments([STATUS, { id: 16, login: 'alice', body: '/approve', created_at: at(-10) }]);
    gh.reviews([]);
    gh.commits([{ sha: HEAD, author: 'copilot-swe-agent[bot]' }]);
    gh.permission('alice', 'write');
    gh.otherChecks([{ name: 'build', status: 'in_progress', conclusion: null }]);
    gh.branchRules([]);
    gh.updateCheckRun(556, replacement);
    gh.react(16);
    gh.updateComment(777);

    const outcome = await reconcile(testClient(), REF, fullOptions({ pullRequest: pullRequest({ comments: 2 }) }));

    api.done();
    expect(outcome.decision).toMatchObject({ state: 'ready', approvals: [expect.objectContaining({ by: 'alice' })] });
    expect(api.writes().find((w) => w.path.includes('/check-runs'))?.body).toMatchObject({ status: 'completed', conclusion: 'success' });
  });
});

describe('what counts as a command', () => {
  it('an edited comment does not approve; a quoted or fenced /approve is no command at all', async () => {
    const payload = hardPR([
      { id: 20, login: 'alice', body: '/approve', created_at: at(-10), updated_at: at(-5) },
      { id: 21, login: 'alice', body: '> /approve\nI would not.', created_at: at(-9) },
      { id: 22, login: 'alice', body: 'Type this:\n```\n/approve\n```', created_at: at(-8) },
    ]);
    // Nothing there could approve, so nobody's permission is looked up.
    expectAnswerWrites(1);

    const outcome = await reconcile(testClient(), REF, fullOptions({ pullRequest: payload }));

    api.done();
    expect(verdicts(outcome)).toEqual([{ by: 'alice', kind: 'approve', accepted: false, refusal: 'edited' }]);
    expect(outcome.decision.state).toBe('blocked');
    expect(replies()[0]).toMatch(/edited/);
  });
});

describe('approvals bind to a commit', () => {
  it('after a push, an approval given before it no longer counts', async () => {
    gh.policy(POLICY);
    gh.checkRuns([], NEW_HEAD); // the gate has not seen the new head yet
    recordOnFirstHead();
    gh.files(MIGRATION);
    gh.comments([STATUS, { id: 30, login: 'alice', body: '/approve', created_at: at(-10) }]);
    gh.reviews([{ id: 31, login: 'alice', state: 'APPROVED', commit_id: HEAD, submitted_at: at(-9) }]);
    gh.commits([{ sha: NEW_HEAD, author: 'copilot-swe-agent[bot]' }]);
    gh.permission('alice', 'write');
    gh.createCheckRun(556);
    gh.createComment(801);
    gh.createComment(802);
    gh.updateComment(777);
    gh.requestReviewers(); // the reviewers were asked for the old head; the new one is asked again

    const outcome = await reconcile(testClient(), REF, fullOptions({ pullRequest: pullRequest({ headSha: NEW_HEAD, comments: 2 }) }));

    api.done();
    expect(outcome.decision).toMatchObject({ tier: 'hard', state: 'blocked', approvals: [] });
    expect(verdicts(outcome).map((v) => v.refusal)).toEqual(['before-push', 'before-push']);
    const check = api.writes().find((w) => w.path === '/repos/acme/widgets/check-runs');
    expect(check?.body).toMatchObject({ head_sha: NEW_HEAD, status: 'completed', conclusion: 'failure' });
  });

  it('after a push, the veto window of a soft PR starts again from when the gate saw the new head', async () => {
    gh.policy(POLICY);
    gh.checkRuns([], NEW_HEAD);
    recordOnFirstHead();
    gh.files([{ filename: 'src/widget.ts' }]);
    gh.comments([STATUS]);
    gh.reviews([]);
    gh.createCheckRun(556);
    gh.updateComment(777);

    const outcome = await reconcile(testClient(), REF, fullOptions({ pullRequest: pullRequest({ headSha: NEW_HEAD, comments: 1 }) }));

    api.done();
    expect(outcome.decision).toMatchObject({ tier: 'soft', state: 'waiting', window: { start: NOW.toISOString(), end: at(15) } });
    expect(outcome.wakeAt).toBe(at(15));
    expect(outcome.merged).toBe(false);
  });
});

describe('committers beyond the 250 commits GitHub lists', () => {
  it('pages through the compare API so a committer of commit 280 still cannot approve', async () => {
    const base = 'e'.repeat(40);
    const commit = (i: number) => ({
      sha: i.toString(16).padStart(40, '0'),
      commit: { message: 'c' },
      author: { login: 'copilot-swe-agent[bot]', type: 'Bot' },
      committer: i === 280 ? { login: 'zed', type: 'User' } : {},
    });
    const payload = hardPR([{ id: 40, login: 'zed', body: '/approve', created_at: at(-10) }]);
    (payload as { commits: number }).commits = 300;
    (payload as { base: { sha: string } }).base.sha = base;
    const link = (p: number) => ({
      link: `<https://api.github.com/repos/acme/widgets/pulls/7/commits?per_page=100&page=${p}>; rel="next"`,
    });
    api.scope
      .get('/repos/acme/widgets/pulls/7/commits')
      .query({ per_page: '100' })
      .reply(
        200,
        Array.from({ length: 100 }, (_, i) => commit(i)),
        link(2),
      );
    api.scope
      .get('/repos/acme/widgets/pulls/7/commits')
      .query({ per_page: '100', page: '2' })
      .reply(
        200,
        Array.from({ length: 100 }, (_, i) => commit(100 + i)),
        link(3),
      );
    api.scope
      .get('/repos/acme/widgets/pulls/7/commits')
      .query({ per_page: '100', page: '3' })
      .reply(
        200,
        Array.from({ length: 50 }, (_, i) => commit(200 + i)),
      );
    for (const p of [1, 2, 3]) {
      api.scope
        .get(`/repos/acme/widgets/compare/${base}...${HEAD}`)
        .query({ per_page: '100', page: String(p) })
        .reply(200, { commits: Array.from({ length: 100 }, (_, i) => commit((p - 1) * 100 + i)), files: [] });
    }
    gh.permission('zed', 'admin');
    expectAnswerWrites(1);

    const outcome = await reconcile(testClient(), REF, fullOptions({ pullRequest: payload }));

    api.done();
    expect(verdicts(outcome)).toEqual([{ by: 'zed', kind: 'approve', accepted: false, refusal: 'committer' }]);
    expect(outcome.decision.state).toBe('blocked');
  });
});

describe('a veto is never lost', () => {
  it('a veto whose comment is later deleted still blocks: the gate kept it in its record (its check run)', async () => {
    const veto = { id: 50, login: 'alice', body: '/veto this drops a column we still read', created_at: at(-2) };
    const soft = { id: 555, started_at: at(-20), status: 'in_progress', title: 'x', summary: 'y', text: RECORD };
    gh.policy(POLICY);
    gh.checkRuns([soft]);
    gh.files([{ filename: 'src/widget.ts' }]);
    gh.comments([STATUS, veto]);
    gh.reviews([]);
    gh.commits([{ sha: HEAD, author: 'copilot-swe-agent[bot]' }]);
    gh.permission('alice', 'write');
    gh.updateCheckRun(555, soft);
    gh.react(50);
    gh.updateComment(777);
    const first = await reconcile(testClient(), REF, fullOptions({ pullRequest: pullRequest({ comments: 2 }) }));
    api.done();
    expect(first.decision).toMatchObject({ state: 'blocked', vetoes: [expect.objectContaining({ by: 'alice', commentId: 50 })] });
    const written = api.writes().find((w) => w.path === '/repos/acme/widgets/issues/comments/777')?.body as { body: string };
    const check = api.writes().find((w) => w.path === '/repos/acme/widgets/check-runs/555')?.body as {
      status: string;
      conclusion: string;
      output: { title: string; summary: string; text: string };
    };
    // The veto is in the record, in the check run; the comment carries none.
    expect(readRecord(check.output.text, 7)?.vetoes).toEqual([expect.objectContaining({ by: 'alice', commentId: 50 })]);
    expect(written.body).not.toMatch(/hitl-gate:(ledger|record) v1/);

    // Alice's comment is deleted. Twenty minutes later the window is long over.
    api.requests.length = 0;
    gh.policy(POLICY);
    const run = {
      ...soft,
      status: check.status,
      conclusion: check.conclusion,
      title: check.output.title,
      summary: check.output.summary,
      text: check.output.text,
    };
    gh.checkRuns([run]);
    gh.files([{ filename: 'src/widget.ts' }]);
    gh.comments([{ ...STATUS, body: written.body }]);
    gh.reviews([]);
    gh.updateComment(777); // the comment now says the veto stands though its comment is gone
    gh.updateCheckRun(555, run); // and the record names the comment's new body
    const later = new Date(NOW.getTime() + 20 * 60_000);
    const second = await reconcile(testClient(), REF, fullOptions({ now: () => later, pullRequest: pullRequest({ comments: 1 }) }));

    api.done();
    expect(second.decision).toMatchObject({ state: 'blocked', merge: false, vetoes: [expect.objectContaining({ by: 'alice' })] });
    expect(second.merged).toBe(false);
    expect(api.writes().some((w) => w.path.endsWith('/merge'))).toBe(false);
    const status = api.writes().find((w) => w.path === '/repos/acme/widgets/issues/comments/777')?.body as { body: string };
    expect(status.body).toMatch(/vetoed by @.?alice/u); // (render may keep the @ from notifying)
  });
});

describe('reviews', () => {
  it('an approving review of the current head by a reviewer counts (no reaction: GitHub has none for reviews)', async () => {
    gh.policy(POLICY);
    const run = { id: 555, started_at: at(-30), status: 'in_progress', title: 'x', summary: 'y', text: RECORD };
    gh.checkRuns([run]);
    gh.files(MIGRATION);
    gh.comments([STATUS]);
    gh.reviews([
      { id: 60, login: 'alice', state: 'APPROVED', commit_id: HEAD, submitted_at: at(-3) },
      { id: 61, login: 'bob', state: 'PENDING', commit_id: HEAD, submitted_at: at(-2) },
    ]);
    gh.commits([{ sha: HEAD, author: 'copilot-swe-agent[bot]' }]);
    gh.permission('alice', 'write');
    gh.otherChecks([{ name: 'build', status: 'in_progress', conclusion: null }]);
    gh.branchRules([]);
    gh.updateCheckRun(555, run);
    gh.updateComment(777);

    const outcome = await reconcile(testClient(), REF, fullOptions({ pullRequest: pullRequest({ comments: 1 }) }));

    api.done();
    expect(outcome.decision).toMatchObject({
      tier: 'hard',
      state: 'ready',
      approvals: [expect.objectContaining({ by: 'alice', via: 'review' })],
    });
    expect(api.writes().some((w) => w.path.includes('/reactions'))).toBe(false);
  });
});
