// Reconcile on a base branch with a merge queue, against a recorded GitHub: the gate enqueues the
// decided head (never PUT …/merge), only when GitHub's head is that head, once; and takes a queued PR
// it would no longer merge out of the queue, saying so.
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
  NEW_HEAD,
  NOW,
  POLICY as POLICY_TEXT,
  REF,
} from '../fixtures/github/github.js';
import { testClient, type MockGitHub } from '../support/nock.js';

let api: MockGitHub;
let gh: ExpectGitHub;
eachTestGitHub((a, g) => {
  api = a;
  gh = g;
});

const NODE_ID = 'PR_kwDOtest7';
const QUEUE_RULES = [
  {
    type: 'merge_queue',
    ruleset_id: 42,
    ruleset_source_type: 'Repository',
    ruleset_source: 'acme/widgets',
    parameters: { merge_method: 'SQUASH', grouping_strategy: 'ALLGREEN' },
  },
];
const ourComment = { id: 777, login: 'hitl-gate[bot]', app_id: 4242, body: statusBody('old status'), created_at: at(-20) };
// The gate's record lives in its check run (so no search of earlier heads), naming its status comment.
const RECORD = gateRecord(undefined, ourComment);
const soakedRun = {
  id: 555,
  started_at: at(-20),
  status: 'in_progress',
  title: 'Merges at 14:00 UTC unless someone vetoes (soft)',
  summary: 'old',
  text: RECORD,
};

function queueRules(): void {
  gh.branchRules(QUEUE_RULES);
  api.scope.get('/repos/acme/widgets/rulesets/42').reply(200, { id: 42, name: 'main', current_user_can_bypass: 'never' });
}

function prQueue(o: { head?: string; queued?: boolean; history?: unknown[] } = {}): void {
  gh.graphql({
    data: {
      repository: {
        pullRequest: {
          id: NODE_ID,
          headRefOid: o.head ?? HEAD,
          isInMergeQueue: o.queued ?? false,
          mergeQueueEntry: o.queued ? { id: 'MQE_1', state: 'AWAITING_CHECKS' } : null,
          timelineItems: { nodes: o.history ?? [] },
        },
      },
    },
  });
}

/** A soft PR whose window is over, GitHub mergeable, other checks green: the gate would merge it now. */
function soakedPR(): void {
  gh.pull({ comments: 1, mergeable: true, mergeableState: 'blocked' });
  gh.policy(POLICY_TEXT);
  gh.checkRuns([soakedRun]);
  gh.files([{ filename: 'src/widget.ts' }]);
  gh.comments([ourComment]);
  gh.reviews([]);
  gh.otherChecks([{ name: 'build', status: 'completed', conclusion: 'success' }]);
  gh.statuses([]);
  // GitHub says `blocked` (the required `hitl` check): the merge step reads the repository's merge methods.
  gh.repository();
}

const graphqlBodies = () =>
  api.requests.filter((r) => r.path === '/graphql').map((r) => r.body as { query: string; variables: Record<string, unknown> });

describe('reconcile: a base branch with a merge queue', () => {
  it('enqueues the decided head with expectedHeadOid after its check turned green, and never merges directly', async () => {
    soakedPR();
    gh.updateComment(777);
    gh.updateCheckRun(555, soakedRun);
    queueRules();
    prQueue();
    gh.graphql({ data: { enqueuePullRequest: { mergeQueueEntry: { id: 'MQE_1', position: 1, state: 'QUEUED' } } } });

    const outcome = await reconcile(testClient(), REF, fullOptions());

    api.done();
    expect(outcome.error).toBeUndefined();
    expect(outcome.mergeQueue).toBe('enqueued');
    expect(outcome.merged).toBe(false);
    expect(api.writes().map((w) => `${w.method} ${w.path}`)).toEqual([
      'POST /graphql',
      'PATCH /repos/acme/widgets/issues/comments/777',
      'PATCH /repos/acme/widgets/check-runs/555',
      'POST /graphql',
    ]);
    const enqueue = graphqlBodies().at(-1)!;
    expect(enqueue.query).toMatch(/enqueuePullRequest\(input: \{ pullRequestId: \$id, expectedHeadOid: \$head \}\)/);
    expect(enqueue.variables).toEqual({ id: NODE_ID, head: HEAD });
  });

  it("does not enqueue when GitHub's head is not the decided one, and looks again soon", async () => {
    soakedPR();
    gh.updateComment(777);
    gh.updateCheckRun(555, soakedRun);
    queueRules();
    prQueue({ head: NEW_HEAD });

    const outcome = await reconcile(testClient(), REF, fullOptions());

    api.done();
    expect(graphqlBodies().some((b) => b.query.includes('enqueuePullRequest'))).toBe(false);
    expect(outcome.wakeAt).toBe(new Date(NOW.getTime() + 30_000).toISOString());
  });

  it('a PR already in the queue is not enqueued twice', async () => {
    soakedPR();
    gh.updateComment(777);
    gh.updateCheckRun(555, soakedRun);
    queueRules();
    prQueue({ queued: true });

    const outcome = await reconcile(testClient(), REF, fullOptions());

    api.done();
    expect(outcome.mergeQueue).toBeUndefined();
    expect(graphqlBodies()).toHaveLength(1);
  });

  it('an enqueue GitHub refuses because the head moved is no error: nothing queued, decided again soon', async () => {
    soakedPR();
    gh.updateComment(777);
    gh.updateCheckRun(555, soakedRun);
    queueRules();
    prQueue();
    gh.graphql({
      data: { enqueuePullRequest: null },
      errors: [
        { type: 'UNPROCESSABLE', path: ['enqueuePullRequest'], message: 'Head branch was modified. Review and try the merge again.' },
      ],
    });

    const outcome = await reconcile(testClient(), REF, fullOptions());

    api.done();
    expect(outcome.error).toBeUndefined();
    expect(outcome.mergeQueue).toBeUndefined();
    expect(outcome.wakeAt).toBe(new Date(NOW.getTime() + 30_000).toISOString());
  });

  it('a veto on a queued PR whose check said "may merge": dequeued first, and the check and comment say so', async () => {
    gh.pull({ comments: 2, mergeable: true, mergeableState: 'clean' });
    gh.policy(POLICY_TEXT);
    const mayMerge = {
      id: 555,
      started_at: at(-20),
      status: 'completed',
      conclusion: 'success',
      title: 'Veto window over: ready to merge (soft)',
      summary: 'old',
      text: RECORD,
    };
    gh.checkRuns([mayMerge]);
    gh.files([{ filename: 'src/widget.ts' }]);
    gh.comments([ourComment, { id: 801, login: 'alice', body: '/veto not now', created_at: at(-1) }]);
    gh.reviews([]);
    gh.commits([{ sha: HEAD, author: 'copilot-swe-agent[bot]', committer: 'web-flow' }]);
    gh.permission('alice', 'write');
    queueRules();
    prQueue({ queued: true });
    gh.graphql({ data: { dequeuePullRequest: { mergeQueueEntry: { id: 'MQE_1' } } } });
    gh.react(801);
    gh.updateComment(777);
    gh.getCheckRun(mayMerge); // the record is read back from the run the new one replaces
    gh.createCheckRun(556);

    const outcome = await reconcile(testClient(), REF, fullOptions());

    api.done();
    expect(outcome.error).toBeUndefined();
    expect(outcome.mergeQueue).toBe('dequeued');
    expect(outcome.decision.state).toBe('blocked');
    const writes = api.writes();
    expect(writes.map((w) => `${w.method} ${w.path}`)).toEqual([
      'POST /graphql',
      'POST /graphql',
      'POST /repos/acme/widgets/issues/comments/801/reactions',
      'PATCH /repos/acme/widgets/issues/comments/777',
      'POST /repos/acme/widgets/check-runs',
    ]);
    expect(graphqlBodies()[1]).toMatchObject({ variables: { id: NODE_ID } });
    expect(graphqlBodies()[1]!.query).toMatch(/dequeuePullRequest/);
    expect(JSON.stringify(writes[4]!.body)).toMatch(/Removed from the merge queue/);
    expect(String((writes[3]!.body as { body: string }).body)).toMatch(/Removed from the merge queue/);
  });

  it('a head the gate queued and a failed merge group took out is not queued again: the comment says so, once', async () => {
    soakedPR();
    gh.updateComment(777);
    gh.updateCheckRun(555, soakedRun);
    queueRules();
    prQueue({
      history: [
        { __typename: 'AddedToMergeQueueEvent', createdAt: at(-5), actor: { login: 'hitl-gate[bot]' } },
        {
          __typename: 'RemovedFromMergeQueueEvent',
          createdAt: at(-2),
          actor: { login: 'github-merge-queue[bot]' },
          beforeCommit: { oid: HEAD },
          reason: 'CI_FAILURE',
        },
      ],
    });

    const outcome = await reconcile(testClient(), REF, fullOptions());

    api.done();
    expect(outcome.error).toBeUndefined();
    expect(graphqlBodies().some((b) => b.query.includes('enqueuePullRequest'))).toBe(false);
    const comment = api.writes().find((w) => w.path.endsWith('/issues/comments/777'))!;
    expect(String((comment.body as { body: string }).body)).toMatch(/does not queue it again/);
    // A reason waiting will not fix: no wake-up to try again in 30 s.
    expect(outcome.wakeAt).toBeUndefined();
  });

  it('without a merge queue rule a blocked PR costs no queue read, and a ready one merges directly', async () => {
    soakedPR();
    gh.updateComment(777);
    gh.updateCheckRun(555, soakedRun);
    gh.merge(200);

    const outcome = await reconcile(testClient(), REF, fullOptions());

    api.done();
    expect(outcome.merged).toBe(true);
    expect(graphqlBodies()).toEqual([]);
  });
});
