// Asking people through the shell: review requests GitHub refuses never block the decision nor what
// comes after them, and a reminder step recorded in the gate's record is not posted again.
import { describe, expect, it } from 'vitest';
import { readRecord } from '../../src/core/ledger.js';
import type { Ledger } from '../../src/core/model/ledger.js';
import { reconcile } from '../../src/github/index.js';
import {
  at,
  eachTestGitHub,
  gateRecord,
  statusBody,
  type CheckRunSpec,
  type ExpectGitHub,
  fullOptions,
  HEAD,
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

const LADDER = POLICY.replace(
  'hard: { approvals: 1, merge: true, invalidate_on_push: true }',
  'hard: { approvals: 1, merge: true, invalidate_on_push: true, remind: [4h, 1d] }',
);
const R = '/repos/acme/widgets';

let run: CheckRunSpec;

/** A hard PR the gate has known for 5 hours (its check run started then), with this record in that run. */
function staleHardPR(ledger: Ledger) {
  const status = { id: 777, login: 'hitl-gate[bot]', app_id: 4242, body: statusBody('Status'), created_at: at(-300) };
  run = {
    id: 555,
    started_at: at(-300),
    status: 'completed',
    conclusion: 'failure',
    title: 'Blocked: needs 1 more approval (hard)',
    summary: 'old',
    text: gateRecord(ledger, status),
  };
  gh.policy(LADDER);
  gh.checkRuns([run]);
  gh.files([{ filename: 'db/migrations/0042_drop_users.sql' }]);
  gh.comments([status]);
  gh.reviews([]);
  return pullRequest({ comments: 1 });
}

describe('review requests and reminders through the shell', () => {
  it('a refused review request asks the others one by one, and the reminder after it is still posted', async () => {
    const payload = staleHardPR({ vetoes: [], answered: [] });
    gh.updateComment(777);
    gh.updateCheckRun(555, run);
    gh.requestReviewers(['alice'], ['maintainers'], 422); // one of them cannot be asked: GitHub refuses all
    gh.requestReviewers(['alice'], [], 201);
    gh.requestReviewers([], ['maintainers'], 422);
    gh.createComment(900); // reminder 1 of 2

    const outcome = await reconcile(testClient(), REF, fullOptions({ pullRequest: payload }));

    api.done();
    expect(outcome.error).toBeUndefined();
    expect(outcome.decision).toMatchObject({ tier: 'hard', state: 'blocked' });
    const writes = api.writes().map((w) => `${w.method} ${w.path}`);
    // The record (in the check run) is written before anyone is asked, after the status comment.
    expect(writes.indexOf(`PATCH ${R}/issues/comments/777`)).toBeLessThan(writes.indexOf(`PATCH ${R}/check-runs/555`));
    expect(writes.indexOf(`PATCH ${R}/check-runs/555`)).toBeLessThan(writes.indexOf(`POST ${R}/pulls/7/requested_reviewers`));
    const check = api.writes().find((w) => w.path === `${R}/check-runs/555`)?.body as { output: { text: string } };
    expect(readRecord(check.output.text, 7)).toMatchObject({
      requested: { head: HEAD, users: ['alice'], teams: ['acme/maintainers'] },
      reminded: { head: HEAD, steps: 1 },
    });
    const status = api.writes().find((w) => w.path === `${R}/issues/comments/777`)?.body as { body: string };
    expect(status.body).not.toMatch(/hitl-gate:(ledger|record) v1/);
    const reminder = api.writes().find((w) => w.method === 'POST' && w.path === `${R}/issues/7/comments`)?.body as { body: string };
    expect(reminder.body).toContain('Reminder 1 of 2');
    expect(reminder.body).toContain('@alice @acme/maintainers');
    expect(outcome.applied.some((e) => e.kind === 'reminder' && e.step === 1)).toBe(true);
  });

  it('a step and a request already in the record for this head are not made again', async () => {
    const payload = staleHardPR({
      vetoes: [],
      answered: [],
      requested: { head: HEAD, users: ['alice'], teams: ['acme/maintainers'] },
      reminded: { head: HEAD, steps: 1 },
    });
    gh.updateComment(777);
    gh.updateCheckRun(555, run);

    const outcome = await reconcile(testClient(), REF, fullOptions({ pullRequest: payload }));

    api.done(); // no POST …/requested_reviewers, no reminder comment
    expect(outcome.decision.state).toBe('blocked');
    // The next step wakes the gate: 1d after the head was first seen.
    expect(outcome.wakeAt).toBe(at(-300 + 24 * 60));
  });
});
