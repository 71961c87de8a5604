// Reconcile against a recorded GitHub: the request budget, idempotent replays and the merge.
import { describe, expect, it } from 'vitest';
import { ledgerMarker, readRecord } from '../../src/core/ledger.js';
import { reconcile } from '../../src/github/index.js';
import {
  at,
  eachTestGitHub,
  gateRecord,
  statusBody,
  type ExpectGitHub,
  expectGitHub,
  fullOptions,
  HEAD,
  NOW,
  POLICY as POLICY_TEXT,
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

describe('reconcile: an agent PR is opened', () => {
  it('costs at most 6 requests for a governed PR: policy from the base branch, check, files, comments, then two writes', async () => {
    gh.policy(POLICY_TEXT);
    gh.checkRuns([]);
    gh.files([{ filename: 'src/widget.ts' }]);
    // Comments are listed even though the payload counts none (the count may predate the gate's own
    // comment); reviews are not: no review of a head this new can count, and a first sight never merges.
    gh.comments([]);
    gh.createCheckRun(555);
    gh.createComment(777);

    // `firstHead` as the App sets it on `pull_request.opened`: a brand-new PR's only head has no record
    // and no earlier one to search.
    const outcome = await reconcile(testClient(), REF, fullOptions({ pullRequest: pullRequest(), headIsNew: true, firstHead: HEAD }));

    api.done();
    expect(outcome.error).toBeUndefined();
    expect(outcome.decision).toMatchObject({ governed: true, tier: 'soft', state: 'waiting' });
    expect(outcome.requests).toBe(api.requests.length);
    expect(outcome.requests).toBeLessThanOrEqual(6);
    expect(outcome.merged).toBe(false);
    expect(outcome.wakeAt).toBe(at(15));
    // The status comment first (a view: a plain marker, no data), then the check run carrying the record.
    const [comment, check] = api.writes();
    expect(comment).toEqual({
      method: 'POST',
      path: '/repos/acme/widgets/issues/7/comments',
      body: { body: expect.stringContaining('<!-- hitl-gate:status -->') },
    });
    expect((comment!.body as { body: string }).body).not.toMatch(/hitl-gate:(ledger|record) v1/);
    expect(check).toEqual({
      method: 'POST',
      path: '/repos/acme/widgets/check-runs',
      body: {
        name: 'hitl',
        head_sha: HEAD,
        status: 'in_progress',
        external_id: 'hitl-gate:governed',
        output: expect.objectContaining({
          title: 'Merges at 14:15 UTC unless someone vetoes (soft)',
          summary: expect.any(String),
          text: expect.stringMatching(/^<!-- hitl-gate:record v1 /),
        }),
      },
    });
    // The record, bound to this PR, names the status comment the gate just wrote (a later edit or
    // deletion of it by someone else is then noticed).
    const record = readRecord((check!.body as { output: { text: string } }).output.text, 7);
    expect(record).toMatchObject({ vetoes: [], answered: [], comment: { id: 777 } });
    expect(api.writes()).toHaveLength(2);
  });

  it("costs at most 3 requests for a PR the policy does not govern: the policy, its new head's commits (for agent trailers) and a passing check", async () => {
    gh.policy(POLICY_TEXT);
    gh.commits([{ sha: HEAD, author: 'bob', message: 'Fix the widget\n\nSigned-off-by: Bob <bob@example.com>' }]);
    gh.createCheckRun(556);

    const outcome = await reconcile(
      testClient(),
      REF,
      fullOptions({ pullRequest: pullRequest({ author: 'bob', headRef: 'feature/x' }), headIsNew: true, firstHead: HEAD }),
    );

    api.done();
    expect(outcome.decision).toMatchObject({ governed: false, state: 'ignored' });
    expect(outcome.requests).toBeLessThanOrEqual(3);
    expect(api.writes()).toEqual([
      expect.objectContaining({
        method: 'POST',
        body: expect.objectContaining({
          name: 'hitl',
          head_sha: HEAD,
          status: 'completed',
          conclusion: 'success',
          external_id: 'hitl-gate:ignored',
        }),
      }),
    ]);
  });
});

describe("reconcile: agent work opened under a person's name", () => {
  it("a commit carrying Claude Code's trailer makes a person's PR governed on its first sight, for one more read (its commits)", async () => {
    gh.policy(POLICY_TEXT);
    gh.commits([{ sha: HEAD, author: 'bob', message: 'Fix the widget\n\nCo-Authored-By: Claude <noreply@anthropic.com>' }]);
    gh.checkRuns([]);
    gh.files([{ filename: 'src/widget.ts' }]);
    gh.comments([]);
    gh.createCheckRun(555);
    gh.createComment(777);

    // As the App reconciles `opened`: a PR's first head carries no earlier record, so nothing is searched.
    const outcome = await reconcile(
      testClient(),
      REF,
      fullOptions({ pullRequest: pullRequest({ author: 'bob', headRef: 'feature/x' }), headIsNew: true, firstHead: HEAD }),
    );

    api.done();
    expect(outcome.decision).toMatchObject({ governed: true, tier: 'soft', state: 'waiting' });
    expect(outcome.decision.classification.governedBy).toEqual([
      expect.objectContaining({ kind: 'trailer', line: 'Co-Authored-By: Claude <noreply@anthropic.com>' }),
    ]);
    expect(outcome.requests).toBeLessThanOrEqual(7);
    expect(api.writes().find((w) => w.path === '/repos/acme/widgets/check-runs')).toMatchObject({
      method: 'POST',
      body: { external_id: 'hitl-gate:governed', status: 'in_progress' },
    });
  });
});

describe('reconcile: the trailer taken off again', () => {
  it('a force-push whose commits no longer carry the trailer does not make the PR ungoverned: its check does not turn green', async () => {
    const NEW = 'b'.repeat(40);
    gh.policy(POLICY_TEXT);
    // The gate governed the first head: its record is on that head's check run, found by the search.
    const first = { id: 777, login: 'hitl-gate[bot]', app_id: 4242, body: statusBody('Status'), created_at: at(-10) };
    gh.earlierRecords([{ oid: HEAD, runs: [{ id: 555, text: gateRecord(undefined, first) }] }, { oid: NEW }]);
    gh.checkRuns([], NEW);
    gh.files([{ filename: 'src/widget.ts' }]);
    gh.comments([first]);
    gh.createCheckRun(556);
    gh.updateComment(777);

    const outcome = await reconcile(
      testClient(),
      REF,
      fullOptions({ pullRequest: pullRequest({ author: 'bob', headRef: 'feature/x', comments: 1, headSha: NEW }), headIsNew: true }),
    );

    api.done();
    expect(outcome.decision).toMatchObject({ governed: true, tier: 'soft', state: 'waiting' });
    expect(api.writes().find((w) => w.path === '/repos/acme/widgets/check-runs')).toMatchObject({
      body: { status: 'in_progress', external_id: 'hitl-gate:governed' },
    });
  });
});

describe('reconcile: a push racing the first reconcile', () => {
  it('a new head whose payload still counts no comments finds and edits the existing status comment: never a second one', async () => {
    const NEW_HEAD = 'b'.repeat(40);
    gh.policy(POLICY_TEXT);
    gh.checkRuns([], NEW_HEAD); // the gate has not seen this head yet
    // The synchronize payload was made before the gate posted its comment for the first head.
    const first = { id: 777, login: 'hitl-gate[bot]', app_id: 4242, body: statusBody('Status of the first head'), created_at: at(-1) };
    // Its record is on the first head's run: found by the one search of earlier heads.
    gh.earlierRecords([{ oid: HEAD, runs: [{ id: 555, text: gateRecord(undefined, first) }] }, { oid: NEW_HEAD }]);
    gh.files([{ filename: 'src/widget.ts' }]);
    gh.comments([first]);
    gh.createCheckRun(556);
    gh.updateComment(777);

    const outcome = await reconcile(
      testClient(),
      REF,
      fullOptions({ pullRequest: pullRequest({ headSha: NEW_HEAD, comments: 0 }), headIsNew: true }),
    );

    api.done();
    expect(outcome.error).toBeUndefined();
    expect(api.writes().map((w) => `${w.method} ${w.path}`)).toEqual([
      'PATCH /repos/acme/widgets/issues/comments/777',
      'POST /repos/acme/widgets/check-runs',
    ]);
  });
});

describe('reconcile: replaying the same event', () => {
  it('writes nothing the second time: it finds its own check run and status comment by identity', async () => {
    gh.policy(POLICY_TEXT);
    gh.checkRuns([]);
    gh.earlierRecords();
    gh.files([{ filename: 'src/widget.ts' }]);
    gh.comments([]);
    gh.reviews([]);
    gh.createCheckRun(555);
    gh.createComment(777);
    const payload = pullRequest();
    await reconcile(testClient(), REF, fullOptions({ pullRequest: payload }));
    api.done();
    const [comment, check] = api.writes() as { body: { output: { title: string; summary: string; text: string } } & { body: string } }[];

    // The same payload again (its comment count still says 0): GitHub now holds what the first run wrote.
    api.requests.length = 0;
    gh.policy(POLICY_TEXT);
    // The run carries the record the first pass wrote: no search of earlier heads.
    gh.checkRuns([
      {
        id: 555,
        started_at: NOW.toISOString(),
        status: 'in_progress',
        title: check!.body.output.title,
        summary: check!.body.output.summary,
        text: check!.body.output.text,
      },
    ]);
    gh.files([{ filename: 'src/widget.ts' }]);
    gh.comments([{ id: 777, login: 'hitl-gate[bot]', app_id: 4242, body: comment!.body.body, created_at: NOW.toISOString() }]);
    gh.reviews([]);
    const again = await reconcile(testClient(), REF, fullOptions({ pullRequest: payload }));

    api.done();
    expect(again.error).toBeUndefined();
    expect(api.writes()).toEqual([]);
    expect(again.decision.state).toBe('waiting');
    expect(again.wakeAt).toBe(at(15));
  });

  it('does not take a copied status comment from a human for its own', async () => {
    gh.policy(POLICY_TEXT);
    gh.checkRuns([{ id: 555, started_at: at(-1), status: 'in_progress', title: 'x', summary: 'y' }]);
    gh.earlierRecords();
    gh.files([{ filename: 'src/widget.ts' }]);
    // Same text a gate would write, but posted by a person: never the gate's comment to edit.
    gh.comments([{ id: 901, login: 'mallory', body: statusBody('Status'), created_at: at(-1) }]);
    gh.reviews([]);
    gh.createComment(778);
    gh.updateCheckRun(555, { id: 555, started_at: at(-1), status: 'in_progress', title: 'x', summary: 'y' });

    const outcome = await reconcile(testClient(), REF, fullOptions({ pullRequest: pullRequest({ comments: 1 }) }));

    api.done();
    expect(outcome.error).toBeUndefined();
    expect(api.writes().map((w) => `${w.method} ${w.path}`)).toEqual([
      'POST /repos/acme/widgets/issues/7/comments',
      'PATCH /repos/acme/widgets/check-runs/555',
    ]);
  });
});

describe("reconcile: the gate's replies are not its status comment", () => {
  it('a reply the gate posted before its status comment (GitHub failed that write) is never edited into one', async () => {
    gh.policy(POLICY_TEXT);
    const status = { id: 802, login: 'hitl-gate[bot]', app_id: 4242, body: statusBody('Status'), created_at: at(0) };
    const run = {
      id: 555,
      started_at: at(-1),
      status: 'in_progress',
      title: 'x',
      summary: 'y',
      text: gateRecord({ vetoes: [], answered: [801] }, status),
    };
    gh.checkRuns([run]);
    gh.files([{ filename: 'src/widget.ts' }]);
    gh.comments([
      {
        id: 801,
        login: 'hitl-gate[bot]',
        app_id: 4242,
        body: '@eve - `/approve` was not counted: @eve is not an authorized reviewer.',
        created_at: at(-1),
      },
      status,
    ]);
    gh.reviews([]);
    gh.updateComment(802);
    gh.updateCheckRun(555, run);

    const outcome = await reconcile(testClient(), REF, fullOptions({ pullRequest: pullRequest({ comments: 2 }) }));

    api.done();
    expect(outcome.error).toBeUndefined();
    expect(api.writes().map((w) => `${w.method} ${w.path}`)).toEqual([
      'PATCH /repos/acme/widgets/issues/comments/802',
      'PATCH /repos/acme/widgets/check-runs/555',
    ]);
  });
});

describe('reconcile: merging', () => {
  const ourComment = { id: 777, login: 'hitl-gate[bot]', app_id: 4242, body: statusBody('old status'), created_at: at(-20) };
  // The gate's record lives in its check run (naming the status comment it wrote), not in the comment.
  const elapsed = {
    id: 555,
    started_at: at(-20),
    status: 'in_progress',
    title: 'Merges at 14:00 UTC unless someone vetoes (soft)',
    summary: 'old',
    text: gateRecord(undefined, ourComment),
  };

  function soakedPR() {
    gh.pull({ comments: 1, mergeable: true, mergeableState: 'blocked' });
    gh.policy(POLICY_TEXT);
    gh.checkRuns([elapsed]);
    gh.files([{ filename: 'src/widget.ts' }]);
    gh.comments([ourComment]);
    gh.reviews([]);
  }
  /** GitHub says `blocked`: the gate reads what the base branch demands before merging. */
  function requiredHitl() {
    gh.branchRules(
      [
        {
          type: 'required_status_checks',
          ruleset_id: 1,
          parameters: { strict_required_status_checks_policy: false, required_status_checks: [{ context: 'hitl' }] },
        },
      ],
      [{ id: 1, name: 'main', current_user_can_bypass: 'never' }],
    );
    gh.repository({ merge: true, squash: true, rebase: true });
  }

  it('merges the decided head with `sha` once the window is over, GitHub says mergeable and the other checks passed', async () => {
    soakedPR();
    requiredHitl();
    gh.otherChecks([
      { name: 'build', status: 'completed', conclusion: 'success' },
      { name: 'lint', status: 'completed', conclusion: 'skipped' },
    ]);
    gh.statuses([{ context: 'ci/legacy', state: 'success' }]);
    gh.updateCheckRun(555, elapsed);
    gh.updateComment(777);
    gh.merge(200);

    const outcome = await reconcile(testClient(), REF, fullOptions());

    api.done();
    expect(outcome.error).toBeUndefined();
    expect(outcome.merged).toBe(true);
    const writes = api.writes();
    expect(writes.map((w) => `${w.method} ${w.path}`)).toEqual([
      'PATCH /repos/acme/widgets/issues/comments/777',
      'PATCH /repos/acme/widgets/check-runs/555',
      'PUT /repos/acme/widgets/pulls/7/merge',
    ]);
    expect(writes[1]!.body).toMatchObject({ status: 'completed', conclusion: 'success' });
    expect(writes[1]!.body).not.toHaveProperty('started_at');
    expect(writes[2]!.body).toEqual({ sha: HEAD, merge_method: 'squash' });
  });

  it('re-reads mergeability when it only has the event payload, and does not merge a head that moved meanwhile', async () => {
    gh.policy(POLICY_TEXT);
    gh.checkRuns([elapsed]);
    gh.files([{ filename: 'src/widget.ts' }]);
    gh.comments([ourComment]);
    gh.reviews([]);
    gh.otherChecks([{ name: 'build', status: 'completed', conclusion: 'success' }]);
    gh.statuses([]);
    gh.pull({ headSha: 'd'.repeat(40), mergeable: true, mergeableState: 'clean' });
    gh.updateCheckRun(555, elapsed);
    gh.updateComment(777);

    const outcome = await reconcile(
      testClient(),
      REF,
      fullOptions({ pullRequest: pullRequest({ comments: 1, mergeable: true, mergeableState: 'clean' }) }),
    );

    api.done();
    expect(outcome.merged).toBe(false);
    expect(api.writes().some((w) => w.path.endsWith('/merge'))).toBe(false);
    expect(outcome.wakeAt).toBe(new Date(NOW.getTime() + 30_000).toISOString());
  });

  it('does not merge on a stale payload: GitHub now shows a label the event did not carry', async () => {
    gh.policy(POLICY_TEXT);
    gh.checkRuns([elapsed]);
    gh.files([{ filename: 'src/widget.ts' }]);
    gh.comments([ourComment]);
    gh.reviews([]);
    gh.otherChecks([]);
    gh.statuses([]);
    gh.pull({ labels: ['irreversible'], mergeable: true, mergeableState: 'clean' });
    gh.updateCheckRun(555, elapsed);
    gh.updateComment(777);

    const outcome = await reconcile(testClient(), REF, fullOptions({ pullRequest: pullRequest({ comments: 1 }) }));

    api.done();
    expect(outcome.merged).toBe(false);
    expect(api.writes().some((w) => w.path.endsWith('/merge'))).toBe(false);
    expect(outcome.wakeAt).toBe(new Date(NOW.getTime() + 30_000).toISOString());
  });

  it('does not merge while another check is still running, and does not ask GitHub about mergeability then', async () => {
    soakedPR();
    gh.otherChecks([{ name: 'build', status: 'in_progress', conclusion: null }]);
    // The rules are read to name what the merge waits for (none is required here).
    gh.branchRules([]);
    gh.updateCheckRun(555, elapsed);
    gh.updateComment(777);

    const outcome = await reconcile(testClient(), REF, fullOptions());

    api.done();
    expect(outcome.merged).toBe(false);
    expect(api.writes().some((w) => w.path.endsWith('/merge'))).toBe(false);
  });

  it('does not merge when another check failed', async () => {
    soakedPR();
    gh.otherChecks([{ name: 'build', status: 'completed', conclusion: 'failure' }]);
    gh.branchRules([]);
    gh.updateCheckRun(555, elapsed);
    gh.updateComment(777);

    const outcome = await reconcile(testClient(), REF, fullOptions());

    api.done();
    expect(outcome.merged).toBe(false);
  });

  it('on 409 (head moved) does not retry: merged false, and asks to be woken soon to re-evaluate', async () => {
    soakedPR();
    requiredHitl();
    gh.otherChecks([]);
    gh.statuses([]);
    gh.updateCheckRun(555, elapsed);
    gh.updateComment(777);
    gh.merge(409);

    const outcome = await reconcile(testClient(), REF, fullOptions());

    api.done();
    expect(outcome.merged).toBe(false);
    expect(outcome.error).toBeUndefined();
    expect(api.writes().filter((w) => w.path.endsWith('/merge'))).toHaveLength(1);
    expect(outcome.wakeAt).toBe(new Date(NOW.getTime() + 30_000).toISOString());
  });

  it('on 405 for a reason waiting will not fix: no retry on a timer, and the check and comment say what GitHub answered', async () => {
    soakedPR();
    requiredHitl();
    gh.otherChecks([]);
    gh.statuses([]);
    gh.updateCheckRun(555, elapsed);
    gh.updateComment(777);
    gh.merge(405, 'At least 1 approving review is required by reviewers with write access.');
    gh.updateCheckRun(555, elapsed);
    gh.updateComment(777);

    const outcome = await reconcile(testClient(), REF, fullOptions());

    api.done();
    expect(outcome.merged).toBe(false);
    expect(outcome.error).toBeUndefined();
    const writes = api.writes();
    expect(writes.filter((w) => w.path.endsWith('/merge'))).toHaveLength(1);
    // Said at once, in GitHub's words, in the check's summary and the status comment (which keeps it).
    const comment = (writes[3]!.body as { body: string }).body;
    expect(comment).toContain('GitHub refused the merge');
    expect(comment).not.toMatch(/hitl-gate:(ledger|record) v1/);
    const check = writes[4]!.body as { conclusion: string; output: { summary: string; text: string } };
    expect(check.conclusion).toBe('success');
    expect(check.output.summary).toContain('GitHub still needs');
    expect(check.output.summary).toContain('At least 1 approving review is required');
    // The refusal is kept in the record, in the check run.
    expect(readRecord(check.output.text, 7)?.mergeRefusal).toMatchObject({
      sha: HEAD,
      message: 'At least 1 approving review is required by reviewers with write access.',
    });
    // Not every 30 s: the window's end is past, so nothing asks to be woken soon.
    expect(outcome.wakeAt === undefined || outcome.wakeAt > new Date(NOW.getTime() + 60_000).toISOString()).toBe(true);
  });

  it('a refusal already on record for this head: no second merge request while GitHub still says blocked', async () => {
    const refused = { ...ourComment, body: statusBody('old') };
    const refusedRun = {
      ...elapsed,
      status: 'completed',
      conclusion: 'success',
      text: gateRecord(
        {
          vetoes: [],
          answered: [],
          mergeRefusal: { sha: HEAD, message: 'At least 1 approving review is required by reviewers with write access.', at: at(-1) },
        } as never,
        refused,
      ),
    };
    gh.pull({ comments: 1, mergeable: true, mergeableState: 'blocked' });
    gh.policy(POLICY_TEXT);
    gh.checkRuns([refusedRun]);
    gh.files([{ filename: 'src/widget.ts' }]);
    gh.comments([refused]);
    gh.reviews([]);
    requiredHitl();
    gh.otherChecks([]);
    gh.statuses([]);
    gh.updateCheckRun(555, refusedRun);
    gh.updateComment(777);

    const outcome = await reconcile(testClient(), REF, fullOptions());

    api.done();
    expect(outcome.merged).toBe(false);
    expect(api.writes().some((w) => w.path.endsWith('/merge'))).toBe(false);
    const comment = (api.writes().find((w) => w.path.includes('/issues/comments/'))!.body as { body: string }).body;
    expect(comment).toContain('At least 1 approving review is required');
    const check = api.writes().find((w) => w.path.includes('/check-runs/'))!.body as { output: { text: string } };
    expect(readRecord(check.output.text, 7)?.mergeRefusal?.sha).toBe(HEAD);
  });

  it('a reaction GitHub refuses (the command comment was deleted at once): the record and verdict are still written, but nothing merges on this pass', async () => {
    gh.pull({ comments: 2, mergeable: true, mergeableState: 'blocked' });
    gh.policy(POLICY_TEXT);
    gh.checkRuns([elapsed]);
    gh.files([{ filename: 'src/widget.ts' }]);
    gh.comments([ourComment, { id: 60, login: 'alice', body: '/approve', created_at: at(-1) }]);
    gh.reviews([]);
    gh.commits([{ sha: HEAD, author: 'copilot-swe-agent[bot]' }]);
    gh.permission('alice', 'write');
    requiredHitl();
    gh.otherChecks([{ name: 'build', status: 'completed', conclusion: 'success' }]);
    gh.statuses([]);
    api.scope.post('/repos/acme/widgets/issues/comments/60/reactions').reply(404, { message: 'Not Found' });
    gh.updateComment(777);
    gh.updateCheckRun(555, elapsed);

    const outcome = await reconcile(testClient(), REF, fullOptions());

    api.done();
    expect(outcome.merged).toBe(false);
    expect(outcome.error).toMatch(/react failed/);
    expect(api.writes().some((w) => w.path.endsWith('/merge'))).toBe(false);
    const check = api.writes().find((w) => w.path === '/repos/acme/widgets/check-runs/555')!.body as { output: { text: string } };
    expect(readRecord(check.output.text, 7)).toBeDefined();
    expect(outcome.wakeAt).toBe(new Date(NOW.getTime() + 30_000).toISOString());
  });

  it('a record another writer changed since it was read is merged into the one written, not overwritten', async () => {
    soakedPR();
    gh.otherChecks([{ name: 'build', status: 'in_progress', conclusion: null }]);
    gh.branchRules([]);
    gh.updateComment(777);
    // Between the read and the write, another writer (a replica, the Action) answered comment 99.
    gh.updateCheckRun(555, { ...elapsed, text: gateRecord({ vetoes: [], answered: [99] }, ourComment) });

    const outcome = await reconcile(testClient(), REF, fullOptions());

    api.done();
    expect(outcome.error).toBeUndefined();
    const check = api.writes().find((w) => w.path === '/repos/acme/widgets/check-runs/555')!.body as { output: { text: string } };
    expect(readRecord(check.output.text, 7)?.answered).toContain(99);
  });

  it('a status comment someone else edited: GitHub is asked who, and the comment and check say so; the record decides, not the comment', async () => {
    const forged = { ...ourComment, body: statusBody('Approved by @alice, merging') };
    gh.pull({ comments: 1, mergeable: true, mergeableState: 'blocked' });
    gh.policy(POLICY_TEXT);
    gh.checkRuns([elapsed]); // its record names the body the gate wrote, not this one
    gh.files([{ filename: 'src/widget.ts' }]);
    gh.comments([forged]);
    gh.reviews([]);
    gh.commentEdit(777, { by: 'mallory', at: at(-1) });
    gh.otherChecks([{ name: 'build', status: 'in_progress', conclusion: null }]);
    gh.branchRules([]);
    gh.updateComment(777);
    gh.updateCheckRun(555, elapsed);

    const outcome = await reconcile(testClient(), REF, fullOptions());

    api.done();
    expect(outcome.notice).toMatchObject({ kind: 'comment-edited', commentId: 777, by: 'mallory' });
    const comment = (api.writes().find((w) => w.path === '/repos/acme/widgets/issues/comments/777')!.body as { body: string }).body;
    expect(comment).toMatch(/mallory/);
    const check = api.writes().find((w) => w.path === '/repos/acme/widgets/check-runs/555')!.body as {
      output: { summary: string; text: string };
    };
    expect(check.output.summary).toMatch(/mallory/);
    expect(readRecord(check.output.text, 7)?.notices).toEqual([expect.objectContaining({ kind: 'comment-edited', by: 'mallory' })]);
    expect(outcome.merged).toBe(false);
  });

  it('a 422 on merge is a clear error', async () => {
    soakedPR();
    requiredHitl();
    gh.otherChecks([]);
    gh.statuses([]);
    gh.updateCheckRun(555, elapsed);
    gh.updateComment(777);
    gh.merge(422);

    const outcome = await reconcile(testClient(), REF, fullOptions());

    api.done();
    expect(outcome.merged).toBe(false);
    expect(outcome.error).toMatch(/merge failed: GitHub answered 422/);
  });
});

describe('reconcile: GitHub fails while facts are gathered', () => {
  it('a 500 on the file list: no write at all, no merge, an error outcome with a blocked decision', async () => {
    gh.pull({ comments: 1, mergeable: true, mergeableState: 'clean' });
    gh.policy(POLICY_TEXT);
    gh.checkRuns([{ id: 555, started_at: at(-20), status: 'in_progress' }]);
    gh.earlierRecords();
    api.scope.get('/repos/acme/widgets/pulls/7/files').query(true).reply(500, { message: 'Server Error' });
    // The other reads go out together with the file list; what matters is that nothing is written.
    gh.comments([]);
    gh.reviews([]);

    const outcome = await reconcile(testClient(), REF, fullOptions());

    api.done();
    expect(outcome.merged).toBe(false);
    expect(outcome.error).toMatch(/could not read the changed files: GitHub answered 500/);
    expect(outcome.decision).toMatchObject({ state: 'blocked', merge: false });
    expect(outcome.applied).toEqual([]);
    expect(api.writes()).toEqual([]);
    expect(outcome.wakeAt).toBeDefined();
  });

  it('a 500 on the pull request itself: same', async () => {
    gh.pullFails(502);
    const outcome = await reconcile(testClient(), REF, fullOptions());
    api.done();
    expect(outcome.error).toMatch(/GitHub answered 502/);
    expect(outcome.decision.state).toBe('blocked');
    expect(api.writes()).toEqual([]);
  });

  it('a 500 on the other checks before a merge: nothing merged', async () => {
    soakedPRFor(gh);
    api.scope
      .get('/repos/acme/widgets/commits/' + HEAD + '/check-runs')
      .query({ per_page: '100' })
      .reply(500, { message: 'x' });

    const outcome = await reconcile(testClient(), REF, fullOptions());

    api.done();
    expect(outcome.merged).toBe(false);
    expect(outcome.error).toMatch(/mergeability and other checks/);
    expect(api.writes()).toEqual([]);
  });
});

function soakedPRFor(g: ReturnType<typeof expectGitHub>) {
  g.pull({ comments: 1, mergeable: true, mergeableState: 'clean' });
  g.policy(POLICY_TEXT);
  const comment = { id: 777, login: 'hitl-gate[bot]', app_id: 4242, body: statusBody('old status'), created_at: at(-20) };
  g.checkRuns([{ id: 555, started_at: at(-20), status: 'in_progress', title: 'x', summary: 'y', text: gateRecord(undefined, comment) }]);
  g.files([{ filename: 'src/widget.ts' }]);
  g.comments([comment]);
  g.reviews([]);
}

describe("reconcile: edges of a PR's life", () => {
  it('a closed PR costs the policy read and writes nothing', async () => {
    gh.policy(POLICY_TEXT);
    const outcome = await reconcile(testClient(), REF, fullOptions({ pullRequest: { ...pullRequest(), state: 'closed' } }));
    api.done();
    expect(outcome.decision.state).toBe('ignored');
    expect(outcome.requests).toBe(1);
    expect(api.writes()).toEqual([]);
  });

  it('a PR that becomes governed (label added) gets a fresh check run: its window starts now, not when the gate first passed it', async () => {
    gh.policy(POLICY_TEXT);
    gh.checkRuns([
      {
        id: 550,
        started_at: at(-60),
        status: 'completed',
        conclusion: 'success',
        title: 'Not an agent PR: nothing to gate',
        summary: 's',
        external_id: 'hitl-gate:ignored',
      },
    ]);
    // Governed now, and no record on this head: reconcile.ts searches the earlier heads even though its
    // own ignored run is on this one (only a PR that does not look governed skips the search then).
    gh.earlierRecords();
    gh.files([{ filename: 'src/widget.ts' }]);
    gh.comments([]); // the gate wrote on this head before, so a comment count of 0 in the payload may be stale
    gh.reviews([]);
    gh.createCheckRun(551);
    gh.createComment(777);

    const outcome = await reconcile(
      testClient(),
      REF,
      fullOptions({ pullRequest: pullRequest({ author: 'bob', headRef: 'feature/x', labels: ['ai-generated'] }) }),
    );

    api.done();
    expect(outcome.decision).toMatchObject({
      governed: true,
      tier: 'soft',
      state: 'waiting',
      window: { start: NOW.toISOString(), end: at(15) },
    });
    expect(api.writes().map((w) => `${w.method} ${w.path}`)).toEqual([
      'POST /repos/acme/widgets/issues/7/comments',
      'POST /repos/acme/widgets/check-runs',
    ]);
    expect(api.writes()[1]).toMatchObject({
      method: 'POST',
      path: '/repos/acme/widgets/check-runs',
      body: { external_id: 'hitl-gate:governed' },
    });
  });

  it('a fyi PR seen for the first time is not merged in the same breath: the gate looks again shortly', async () => {
    gh.policy(POLICY_TEXT);
    gh.checkRuns([]);
    gh.files([{ filename: 'docs/guide.md' }]);
    gh.comments([]);
    gh.createCheckRun(555);
    gh.createComment(777);

    const outcome = await reconcile(
      testClient(),
      REF,
      fullOptions({ pullRequest: pullRequest({ mergeable: true, mergeableState: 'clean' }), headIsNew: true, firstHead: HEAD }),
    );

    api.done();
    expect(outcome.decision).toMatchObject({ tier: 'fyi', state: 'ready', merge: true });
    expect(outcome.merged).toBe(false);
    expect(outcome.requests).toBeLessThanOrEqual(6);
    expect(outcome.wakeAt).toBe(new Date(NOW.getTime() + 30_000).toISOString());
  });
});

describe('reconcile: upgrading from the ledger in the status comment', () => {
  const veto = { by: 'alice', commentId: 50, at: at(-30), reason: 'not yet' };
  const legacy = {
    id: 777,
    login: 'hitl-gate[bot]',
    app_id: 4242,
    body: `old status\n${ledgerMarker({ vetoes: [veto], answered: [50] })}`,
    created_at: at(-40),
  };
  const run = { id: 555, started_at: at(-40), status: 'completed', conclusion: 'failure', title: 'Blocked: vetoed (soft)', summary: 'old' };

  function before() {
    gh.pull({ comments: 1, mergeable: true, mergeableState: 'blocked' });
    gh.policy(POLICY_TEXT);
    gh.checkRuns([run]); // written by the earlier version: no record in its text
    gh.earlierRecords();
    gh.files([{ filename: 'src/widget.ts' }]);
    gh.comments([legacy]);
    gh.reviews([]);
  }

  it('an old ledger GitHub shows nobody else edited is read once: its veto still holds, and moves into the record', async () => {
    before();
    gh.commentEdit(777); // never edited
    gh.updateComment(777);
    gh.updateCheckRun(555, run);

    const outcome = await reconcile(testClient(), REF, fullOptions());

    api.done();
    expect(outcome.decision).toMatchObject({ state: 'blocked', merge: false });
    const check = api.writes().find((w) => w.path === '/repos/acme/widgets/check-runs/555')!.body as { output: { text: string } };
    expect(readRecord(check.output.text, 7)?.vetoes).toEqual([expect.objectContaining({ commentId: 50 })]);
    const comment = (api.writes().find((w) => w.path === '/repos/acme/widgets/issues/comments/777')!.body as { body: string }).body;
    expect(comment).not.toMatch(/hitl-gate:(ledger|record) v1/);
  });

  it('an old ledger someone else edited is not trusted: the PR is held as hard, and it says so', async () => {
    before();
    gh.commentEdit(777, { by: 'mallory', at: at(-5) });
    gh.updateComment(777);
    gh.updateCheckRun(555, run);
    gh.requestReviewers();

    const outcome = await reconcile(testClient(), REF, fullOptions());

    api.done();
    expect(outcome.decision).toMatchObject({ tier: 'hard', merge: false });
    expect(outcome.merged).toBe(false);
  });
});

describe('reconcile: the payload', () => {
  it("a payload of another repository's PR with the same number is not trusted: the PR is read", async () => {
    const foreign = pullRequest({ labels: [] }) as { base: { repo: Record<string, unknown> } };
    foreign.base.repo = { ...foreign.base.repo, full_name: 'evil/widgets' };
    gh.pull({ author: 'bob', headRef: 'feature/x' });
    gh.policy(POLICY_TEXT);
    gh.commits([{ sha: HEAD, author: 'bob' }]);
    gh.earlierRecords(); // a new head (synchronize): the gate looks for a record on the PR's earlier heads
    gh.createCheckRun(556);

    const outcome = await reconcile(testClient(), REF, fullOptions({ pullRequest: foreign, headIsNew: true }));

    api.done();
    expect(outcome.decision.state).toBe('ignored');
  });
});

describe('reconcile: PRs the policy does not govern', () => {
  it('on later events it looks for its passing check first and, finding it, writes nothing', async () => {
    const human = pullRequest({ author: 'bob', headRef: 'feature/x', comments: 1 });
    const discussion = [{ id: 301, login: 'carol', body: 'Looks good to me', created_at: at(-61) }];
    gh.policy(POLICY_TEXT);
    gh.commits([{ sha: HEAD, author: 'bob' }]); // a new head: read once for agent trailers
    // Opened: no record can exist yet, and the comments are not read (governance comes from the record).
    gh.createCheckRun(550);
    await reconcile(testClient(), REF, fullOptions({ pullRequest: human, headIsNew: true, firstHead: HEAD }));
    api.done();
    const written = api.writes()[0]!.body as { status: string; conclusion: string; output: { title: string; summary: string } };

    api.requests.length = 0;
    gh.policy(POLICY_TEXT);
    // Its own ignored run on the head says the gate decided here: no search, no comments.
    gh.checkRuns([
      {
        id: 550,
        started_at: at(-60),
        status: written.status,
        conclusion: written.conclusion,
        title: written.output.title,
        summary: written.output.summary,
        external_id: 'hitl-gate:ignored',
      },
    ]);
    const outcome = await reconcile(testClient(), REF, fullOptions({ pullRequest: human }));

    api.done();
    expect(outcome.decision.state).toBe('ignored');
    expect(api.writes()).toEqual([]);
    expect(outcome.requests).toBe(2);
    expect(discussion).toHaveLength(1);
  });

  it('a PR the gate governed stays governed when the agent label is taken off: its check does not turn green', async () => {
    // Governed only by the `ai-generated` label, which someone has now removed.
    const unlabeled = pullRequest({ author: 'bob', headRef: 'feature/x', labels: [], comments: 1 });
    gh.policy(POLICY_TEXT);
    const status = { id: 777, login: 'hitl-gate[bot]', app_id: 4242, body: statusBody('Status'), created_at: at(-10) };
    // Governed is the gate's record on its run: the label is only a hint the agent can remove.
    const run = {
      id: 555,
      started_at: at(-10),
      status: 'completed',
      conclusion: 'failure',
      title: 'Blocked: needs 1 more approval (hard)',
      summary: 'old',
      text: gateRecord(undefined, status),
    };
    gh.comments([status]);
    gh.checkRuns([run]);
    gh.files([{ filename: 'db/migrations/0042_drop_users.sql' }]);
    gh.reviews([]);
    gh.updateCheckRun(555, run);
    gh.updateComment(777);
    gh.requestReviewers(); // still hard and waiting: its reviewers are asked (once for this head)

    const outcome = await reconcile(testClient(), REF, fullOptions({ pullRequest: unlabeled }));

    api.done();
    expect(outcome.decision).toMatchObject({ governed: true, tier: 'hard', state: 'blocked', merge: false });
    const checks = api.writes().filter((w) => w.path.includes('check-runs'));
    expect(checks.map((w) => (w.body as { conclusion?: string }).conclusion)).not.toContain('success');
  });
});
