// Recording a click in the gate's record, in the gate's own check run of the PR's current head (only the
// gate's App can write it; the next reconcile reads the record there). It counts only once written; a
// failed read or write leaves the click uncounted, and a run that is not the gate's record of this PR on
// that head is never written to. No comment is read or written.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clicksOf } from '../../src/core/clicks.js';
import { decide } from '../../src/core/decide.js';
import type { Ledger } from '../../src/core/model/ledger.js';
import { readRecord, recordMarker } from '../../src/core/ledger.js';
import { recordClick } from '../../src/github/record-click.js';
import { pullRequest } from '../fixtures/github/github.js';
import { mockGitHub, testClient, type MockGitHub } from '../support/nock.js';
import { makeFacts, okLoad, writer } from './facts.js';

const identity = { appId: 9, login: 'hitl-gate[bot]' };
const ref = { owner: 'acme', repo: 'widgets', number: 7 };
const NOW = new Date('2026-11-22T14:03:00Z');
const HEAD = 'a'.repeat(40);
const OLD = 'b'.repeat(40);
const RUN = '/repos/acme/widgets/check-runs/55';
const PULL = '/repos/acme/widgets/pulls/7';
const click = { identifier: 'approve', sender: { login: 'bob', type: 'User' }, checkRun: { id: 55, headSha: HEAD } };
const held: Ledger = {
  vetoes: [{ by: 'carol', at: '2026-11-22T14:01:00Z', commentId: 3 }],
  answered: [3],
  comment: { id: 1, sha256: 'f'.repeat(64) },
};
const DETAILS = '### Details\n\nthe rest of the text';

/** A run as GitHub returns it: the gate's own `hitl` run 55 on HEAD, carrying `text`, unless told otherwise. */
function run(text: string | null, over: Record<string, unknown> = {}) {
  return {
    id: 55,
    name: 'hitl',
    head_sha: HEAD,
    status: 'completed',
    conclusion: 'failure',
    started_at: '2026-11-22T14:00:00Z',
    external_id: 'hitl-gate:governed',
    app: { id: 9, slug: 'hitl-gate' },
    output: { title: 'Blocked: vetoed', summary: 'the summary', text },
    ...over,
  };
}

const withRecordText = (ledger: Ledger, pr = 7) => `${recordMarker(ledger, pr)}\n\n${DETAILS}`;

let api: MockGitHub;
beforeEach(() => {
  api = mockGitHub();
});
afterEach(() => api.cleanup());

/** The reads before the write: the PR (its head), then the gate's runs on that head. */
function head(runs: unknown[], sha = HEAD) {
  api.scope.get(PULL).reply(200, pullRequest({ number: 7, headSha: sha }));
  api.scope.get(`/repos/acme/widgets/commits/${sha}/check-runs`).query(true).reply(200, { total_count: runs.length, check_runs: runs });
}

const patches = () => api.writes().filter((w) => w.method === 'PATCH');
const patchedText = (i = 0) => (patches()[i]!.body as { output: { text: string } }).output.text;

describe('recordClick', () => {
  it("PATCHes the run's output with the click added, keeping what the record held, the title, summary and the rest of the text", async () => {
    head([run(withRecordText(held))]);
    api.scope.get(RUN).reply(200, run(withRecordText(held)));
    api.scope.patch(RUN).reply(200, {});
    const result = await recordClick(testClient(), ref, click, { identity, now: NOW });
    api.done();
    expect(result).toMatchObject({
      kind: 'recorded',
      click: { by: 'bob', action: 'approve', at: NOW.toISOString(), headSha: HEAD, checkRunId: 55 },
    });
    // The only write is the run's: no comment is read or written.
    expect(api.writes().map((r) => `${r.method} ${r.path}`)).toEqual([`PATCH ${RUN}`]);
    expect(api.requests.some((r) => r.path.includes('/comments'))).toBe(false);
    const output = (patches()[0]!.body as { output: { title: string; summary: string; text: string } }).output;
    expect(output.title).toBe('Blocked: vetoed');
    expect(output.summary).toBe('the summary');
    expect(output.text.endsWith(DETAILS)).toBe(true);
    expect(output.text.match(/hitl-gate:record v1/g)).toHaveLength(1);
    const written = readRecord(output.text, 7);
    expect(written?.vetoes).toEqual(held.vetoes);
    expect(written?.answered).toEqual([3]);
    expect(written?.comment).toEqual(held.comment);
    expect(clicksOf(written)).toEqual([
      expect.objectContaining({ by: 'bob', byType: 'User', action: 'approve', headSha: HEAD, checkRunId: 55 }),
    ]);
  });

  it('adds a second click to the ones already recorded, never replacing them', async () => {
    head([run(withRecordText(held))]);
    api.scope.get(RUN).reply(200, run(withRecordText(held)));
    api.scope.patch(RUN).reply(200, {});
    expect((await recordClick(testClient(), ref, click, { identity, now: NOW })).kind).toBe('recorded');
    const text = patchedText(0);
    head([run(text)]);
    api.scope.get(RUN).reply(200, run(text));
    api.scope.patch(RUN).reply(200, {});
    const second = await recordClick(
      testClient(),
      ref,
      { ...click, identifier: 'veto', sender: { login: 'dana', type: 'User' } },
      { identity, now: new Date(NOW.getTime() + 1_000) },
    );
    api.done();
    expect(second.kind).toBe('recorded');
    const clicks = clicksOf(readRecord(patchedText(1), 7));
    expect(clicks.map((c) => [c.by, c.action])).toEqual([
      ['bob', 'approve'],
      ['dana', 'veto'],
    ]);
    expect(new Set(clicks.map((c) => c.id)).size).toBe(2);
  });

  it("keeps a click on an older head's check bound to that head, in the current head's record: it counts for nothing, and its author is told", async () => {
    head([run(withRecordText(held))]);
    api.scope.get(RUN).reply(200, run(withRecordText(held)));
    api.scope.patch(RUN).reply(200, {});
    const stale = { ...click, checkRun: { id: 44, headSha: OLD } };
    expect(await recordClick(testClient(), ref, stale, { identity, now: NOW })).toMatchObject({
      kind: 'recorded',
      click: { headSha: OLD, checkRunId: 44 },
    });
    api.done();
    // Nothing is written to the older head's run.
    expect(api.writes().map((w) => w.path)).toEqual([RUN]);
    const ledger = readRecord(patchedText(), 7)!;
    const d = decide(okLoad(), makeFacts({ headSha: HEAD, authorizations: { bob: writer(), carol: writer() }, ledger }), NOW);
    expect(d.approvals).toEqual([]);
    expect(d.commands).toContainEqual(expect.objectContaining({ by: 'bob', accepted: false, refusal: 'before-push' }));
  });

  it('does not count a click whose write GitHub refused', async () => {
    head([run(withRecordText(held))]);
    api.scope.get(RUN).reply(200, run(withRecordText(held)));
    api.scope.patch(RUN).reply(502, { message: 'Server Error' });
    expect(await recordClick(testClient(), ref, click, { identity, now: NOW })).toMatchObject({ kind: 'failed' });
    api.done();
  });

  it('does not count a click when the run cannot be read, and writes nothing', async () => {
    head([run(withRecordText(held))]);
    api.scope.get(RUN).reply(502, { message: 'Server Error' });
    expect(await recordClick(testClient(), ref, click, { identity, now: NOW })).toMatchObject({ kind: 'failed' });
    api.done();
    expect(api.writes()).toEqual([]);
  });

  it.each<[string, unknown[]]>([
    ['only a run of another app (with a forged record of this PR)', [run(withRecordText(held), { app: { id: 10, slug: 'other-app' } })]],
    ['only a run of no app', [run(withRecordText(held), { app: null })]],
    ["a run of the gate's with no record", [run(DETAILS)]],
    ["a run of the gate's with no text at all", [run(null)]],
    ["a run of the gate's whose record is of another pull request", [run(withRecordText(held, 8))]],
    [
      "a run of the gate's whose record cannot be read (never overwritten)",
      [run(`<!-- hitl-gate:record v1 bm90IGpzb24= -->\n\n${DETAILS}`)],
    ],
    ['no run at all', []],
  ])('does not record a click when the head has %s', async (_name, runs) => {
    head(runs);
    const result = await recordClick(testClient(), ref, click, { identity, now: NOW });
    api.done();
    expect(result.kind).not.toBe('recorded');
    expect(api.writes()).toEqual([]);
  });

  it.each<[string, ReturnType<typeof run>]>([
    ['of another app', run(withRecordText(held), { app: { id: 10, slug: 'other-app' } })],
    ["on another head than the PR's", run(withRecordText(held), { head_sha: OLD })],
    ['with no record of this pull request', run(withRecordText(held, 8))],
  ])('does not record a click when the run it is about to write turns out to be %s', async (_name, current) => {
    head([run(withRecordText(held))]);
    api.scope.get(RUN).reply(200, current);
    const result = await recordClick(testClient(), ref, click, { identity, now: NOW });
    api.done();
    expect(result.kind).toBe('ignored');
    expect(api.writes()).toEqual([]);
  });

  it("under the shared github-actions[bot] identity, does not record a click on a run without the gate's external id", async () => {
    const shared = { appId: 15368, login: 'github-actions[bot]' };
    head([run(withRecordText(held), { app: { id: 15368, slug: 'github-actions' }, external_id: null })]);
    expect((await recordClick(testClient(), ref, click, { identity: shared, now: NOW })).kind).not.toBe('recorded');
    api.done();
    expect(api.writes()).toEqual([]);
  });

  it("ignores actions that are not the gate's, without asking GitHub anything", async () => {
    expect(await recordClick(testClient(), ref, { ...click, identifier: 'merge' }, { identity, now: NOW })).toMatchObject({
      kind: 'ignored',
    });
    api.done();
    expect(api.requests).toEqual([]);
  });
});
