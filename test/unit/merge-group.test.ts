import { describe, expect, it } from 'vitest';
import { decide } from '../../src/core/decide.js';
import {
  groupMembers,
  mergeGroupVerdict,
  movedHead,
  parseMergeGroupRef,
  queueStep,
  undoneEnqueue,
  withDequeueNote,
  wouldMerge,
  type GroupMembers,
  type QueueEntry,
  type QueueHistoryEvent,
} from '../../src/core/merge-group.js';
import { at, comment, file, makeFacts, makePolicy, okLoad, writer } from './facts.js';

const SHA = (c: string) => c.repeat(40);

describe('parseMergeGroupRef', () => {
  it("reads the base and the PR from a merge queue ref; the SHA is the group's base, kept only as read", () => {
    expect(parseMergeGroupRef(`refs/heads/gh-readonly-queue/main/pr-123-${SHA('a')}`)).toEqual({
      base: 'main',
      number: 123,
      sha: SHA('a'),
    });
    expect(parseMergeGroupRef(`refs/heads/gh-readonly-queue/release/2.x/pr-7-${SHA('b')}`)).toEqual({
      base: 'release/2.x',
      number: 7,
      sha: SHA('b'),
    });
  });

  it('refuses anything else', () => {
    expect(parseMergeGroupRef('refs/heads/main')).toBeUndefined();
    expect(parseMergeGroupRef(`refs/heads/gh-readonly-queue/main/pr-x-${SHA('a')}`)).toBeUndefined();
    expect(parseMergeGroupRef('refs/heads/gh-readonly-queue/main/pr-12-abc')).toBeUndefined();
    expect(parseMergeGroupRef(`refs/heads/gh-readonly-queue/main/pr-0-${SHA('a')}`)).toBeUndefined();
  });
});

describe('groupMembers', () => {
  // Branch names as GitHub makes them: the SHA is the commit the group is built on (main's tip 0…0,
  // then the group ahead), never a PR head.
  const MAIN = SHA('0');
  const ref = (n: number, base: string) => parseMergeGroupRef(`refs/heads/gh-readonly-queue/main/pr-${n}-${base}`);
  // `headCommit` read as the group's commit.
  const groups: QueueEntry[] = [
    { number: 5, position: 1, headCommit: SHA('1'), prHeadSha: SHA('a') },
    { number: 9, position: 2, headCommit: SHA('2'), prHeadSha: SHA('b') },
    { number: 3, position: 3, headCommit: SHA('3'), prHeadSha: SHA('c') },
  ];
  // `headCommit` read as the PR's queued head.
  const heads: QueueEntry[] = groups.map((e) => ({ ...e, headCommit: e.prHeadSha }));

  it('is the PR the branch names and every entry ahead of it, under either reading of headCommit', () => {
    expect(groupMembers(ref(9, SHA('1')), SHA('2'), groups)).toMatchObject({ kind: 'known', numbers: [5, 9], reading: 'group-commit' });
    expect(groupMembers(ref(5, MAIN), SHA('1'), groups)).toMatchObject({ kind: 'known', numbers: [5], reading: 'group-commit' });
    expect(groupMembers(ref(9, SHA('1')), SHA('2'), heads)).toMatchObject({ kind: 'known', numbers: [5, 9], reading: 'pull-request-head' });
    expect(groupMembers(ref(3, SHA('2')), SHA('3'), heads)).toMatchObject({ kind: 'known', numbers: [5, 9, 3] });
  });

  it("does not read the branch's SHA as a PR head: a group built on main passes the members check", () => {
    // The old reading compared SHA('0') with #5's head and failed every group.
    const members = groupMembers(ref(5, MAIN), SHA('1'), groups);
    expect(members.kind).toBe('known');
  });

  it("is unknown when the queue no longer lists the PR, or its entry names neither the group nor the PR's head", () => {
    expect(groupMembers(ref(7, MAIN), SHA('1'), groups)).toMatchObject({
      kind: 'unknown',
      reason: expect.stringMatching(/no longer lists #7/),
    });
    // The group was replaced (its entry now has another group), or (other reading) #9 was pushed to after it was queued.
    expect(groupMembers(ref(9, SHA('1')), SHA('f'), groups)).toMatchObject({
      kind: 'unknown',
      reason: expect.stringMatching(/neither this group's commit nor #9's head/),
    });
    const moved = heads.map((e) => (e.number === 9 ? { ...e, prHeadSha: SHA('d') } : e));
    expect(groupMembers(ref(9, SHA('1')), SHA('2'), moved)).toMatchObject({
      kind: 'unknown',
      reason: expect.stringMatching(/moved after it was queued/),
    });
    expect(
      groupMembers(
        ref(9, SHA('1')),
        SHA('2'),
        groups.map((e) => ({ ...e, headCommit: null })),
      ),
    ).toMatchObject({ kind: 'unknown' });
    expect(groupMembers(undefined, SHA('3'), groups).kind).toBe('unknown');
  });
});

describe('movedHead: every PR a group adds must be on the head that was queued', () => {
  const entry = (o: Partial<QueueEntry> = {}): QueueEntry => ({
    number: 5,
    position: 1,
    headCommit: SHA('1'),
    prHeadSha: SHA('a'),
    enqueuedAt: at(10),
    ...o,
  });

  it("with headCommit the PR's queued head: the head the gate decided on must be it", () => {
    expect(movedHead(entry({ headCommit: SHA('a') }), 'pull-request-head', { headSha: SHA('a'), governed: true })).toBeUndefined();
    expect(
      movedHead(entry({ headCommit: SHA('e'), prHeadSha: SHA('a') }), 'pull-request-head', { headSha: SHA('a'), governed: true }),
    ).toMatch(/moved to aaaaaaa after eeeeeee was queued/);
  });

  it("with headCommit the group's commit: the gate must have seen the head no later than GitHub queued it", () => {
    expect(movedHead(entry(), 'group-commit', { headSha: SHA('a'), governed: true, headSeenAt: at(2) })).toBeUndefined();
    expect(movedHead(entry(), 'group-commit', { headSha: SHA('a'), governed: true, headSeenAt: at(10) })).toBeUndefined();
    expect(movedHead(entry(), 'group-commit', { headSha: SHA('a'), governed: true, headSeenAt: at(11) })).toMatch(/after it was queued/);
    expect(movedHead(entry(), 'group-commit', { headSha: SHA('a'), governed: true })).toMatch(/no record/);
    expect(movedHead(entry({ enqueuedAt: undefined }), 'group-commit', { headSha: SHA('a'), governed: true, headSeenAt: at(2) })).toMatch(
      /did not say when/,
    );
    // A PR the policy does not govern has no record and needs none.
    expect(movedHead(entry(), 'group-commit', { headSha: SHA('a'), governed: false })).toBeUndefined();
  });

  it('under either reading, a head that differs from the one GitHub lists, or no head, fails', () => {
    for (const reading of ['group-commit', 'pull-request-head'] as const) {
      expect(movedHead(entry({ headCommit: SHA('a') }), reading, { headSha: SHA('b'), governed: true, headSeenAt: at(1) })).toMatch(
        /moved to bbbbbbb while/,
      );
      expect(movedHead(entry(), reading, { governed: false })).toMatch(/could not read its head/);
    }
  });
});

const known = (...numbers: number[]): GroupMembers => ({ kind: 'known', numbers, entries: [], reading: 'group-commit' });

describe('mergeGroupVerdict', () => {
  const now = new Date(at(60));
  const soft = makeFacts({ files: [file('src/a.ts')], headSeenAt: at(0) });
  const hard = makeFacts({ files: [file('db/migrations/1.sql')], headSeenAt: at(0) });

  it('passes a group whose every PR would merge now, ungoverned ones included', () => {
    const ready = decide(okLoad(), soft, now);
    expect(wouldMerge(ready)).toBe(true);
    const v = mergeGroupVerdict(known(1, 2), [
      { number: 1, decision: ready },
      { number: 2, decision: { governed: false, state: 'ignored', merge: false, title: 'Not an agent PR', blockers: [], tier: 'none' } },
    ]);
    expect(v.conclusion).toBe('success');
    expect(v.summary).toContain('#1');
  });

  it('passes a PR the policy lets merge whose merging it leaves to a person (merge: false), and keeps it queued', () => {
    const policy = makePolicy();
    const manual = decide(okLoad({ ...policy, tiers: { ...policy.tiers, soft: { ...policy.tiers.soft, merge: false } } }), soft, now);
    expect(manual.state).toBe('ready');
    expect(manual.merge).toBe(false);
    expect(mergeGroupVerdict(known(1), [{ number: 1, decision: manual }]).conclusion).toBe('success');
    // Queued by the person the policy leaves the merge to: the gate does not take it out.
    expect(queueStep(manual, { required: true, queued: true }, undefined)).toEqual({ kind: 'none' });
  });

  it('fails a group that adds an unapproved hard PR, and names it', () => {
    const blocked = decide(okLoad(), hard, now);
    expect(blocked.state).toBe('blocked');
    const v = mergeGroupVerdict(known(1, 2), [
      { number: 1, decision: decide(okLoad(), soft, now) },
      { number: 2, decision: blocked },
    ]);
    expect(v.conclusion).toBe('failure');
    expect(v.title).toMatch(/^#2 may not merge/);
    expect(v.summary).toMatch(/#2 \(hard\): \*\*not mergeable now\*\*/);
  });

  it('never fails a group held up only by a PR the policy observes (mode: observe): neutral, saying what it would do', () => {
    const observe = okLoad({ ...makePolicy(), mode: 'observe' });
    const observed = decide(observe, hard, now);
    const v = mergeGroupVerdict({ kind: 'known', numbers: [1, 2], entries: [], reading: 'group-commit' }, [
      { number: 1, decision: decide(okLoad(), soft, now) },
      { number: 2, decision: observed },
    ]);
    expect(v.conclusion).toBe('neutral');
    expect(v.title).toMatch(/^Observe mode: #2 would not merge now/);
    // An enforced blocker beside it still fails the group.
    const both = mergeGroupVerdict({ kind: 'known', numbers: [1, 2], entries: [], reading: 'group-commit' }, [
      { number: 1, decision: decide(okLoad(), hard, now) },
      { number: 2, decision: observed },
    ]);
    expect(both.conclusion).toBe('failure');
  });

  it('fails a soft PR still in its window, a vetoed one, and one that could not be decided', () => {
    const waiting = decide(okLoad(), makeFacts({ files: [file('src/a.ts')], headSeenAt: at(59) }), now);
    expect(mergeGroupVerdict(known(1), [{ number: 1, decision: waiting }]).conclusion).toBe('failure');
    const vetoed = decide(okLoad(), { ...soft, comments: [comment('alice', '/veto', at(1))], authorizations: { alice: writer() } }, now);
    expect(vetoed.state).toBe('blocked');
    expect(mergeGroupVerdict(known(1), [{ number: 1, decision: vetoed }]).conclusion).toBe('failure');
    const ready = decide(okLoad(), soft, now);
    const v = mergeGroupVerdict(known(1), [{ number: 1, decision: ready, error: 'GitHub answered 502' }]);
    expect(v.conclusion).toBe('failure');
    expect(v.summary).toContain('GitHub answered 502');
  });

  it('fails closed when the members are unknown or one was never decided', () => {
    expect(mergeGroupVerdict({ kind: 'unknown', reason: 'no entry' }, []).conclusion).toBe('failure');
    expect(mergeGroupVerdict(known(1, 2), [{ number: 1, decision: decide(okLoad(), soft, now) }]).conclusion).toBe('failure');
    expect(mergeGroupVerdict(known(), []).conclusion).toBe('failure');
  });
});

describe('queueStep', () => {
  const now = new Date(at(60));
  const ready = decide(okLoad(), makeFacts({ files: [file('src/a.ts')], headSeenAt: at(0) }), now);
  const vetoed = decide(
    okLoad(),
    makeFacts({
      files: [file('src/a.ts')],
      headSeenAt: at(0),
      comments: [comment('alice', '/veto', at(1))],
      authorizations: { alice: writer() },
    }),
    now,
  );

  it('enqueues the decided head instead of merging, once', () => {
    expect(queueStep(ready, { required: true, queued: false }, { sha: SHA('a') })).toEqual({ kind: 'enqueue', expectedHeadOid: SHA('a') });
    expect(queueStep(ready, { required: true, queued: true }, { sha: SHA('a') })).toEqual({ kind: 'none' });
    expect(queueStep(ready, { required: false, queued: false }, { sha: SHA('a') })).toEqual({ kind: 'none' });
  });

  it('dequeues a queued PR the gate would no longer merge, and the decision says so', () => {
    const step = queueStep(vetoed, { required: true, queued: true }, undefined);
    expect(step.kind).toBe('dequeue');
    expect(withDequeueNote(vetoed, step).blockers.at(-1)).toMatch(/Removed from the merge queue/);
    expect(queueStep(vetoed, { required: true, queued: false }, undefined)).toEqual({ kind: 'none' });
    expect(queueStep(ready, { required: true, queued: true }, undefined)).toEqual({ kind: 'none' });
  });
});

describe('undoneEnqueue: the gate does not queue again a head someone else took out', () => {
  const GATE = 'hitl-gate[bot]';
  const added = (actor: string, at: string): QueueHistoryEvent => ({ kind: 'added', at, actor });
  const removed = (actor: string, at: string, headSha = SHA('a'), reason = 'MANUAL'): QueueHistoryEvent => ({
    kind: 'removed',
    at,
    actor,
    headSha,
    reason,
  });

  it('holds a head the gate queued and a person or a failed group took out', () => {
    expect(undoneEnqueue([added(GATE, at(1)), removed('alice', at(2))], SHA('a'), GATE)?.actor).toBe('alice');
    expect(
      undoneEnqueue([added(GATE, at(1)), removed('github-merge-queue[bot]', at(2), SHA('a'), 'CI_FAILURE')], SHA('a'), GATE)?.reason,
    ).toBe('CI_FAILURE');
  });

  it('does not hold a head the gate took out itself (a veto since lifted), a newer head, or one a person queued', () => {
    expect(undoneEnqueue([added(GATE, at(1)), removed(GATE, at(2))], SHA('a'), GATE)).toBeUndefined();
    expect(undoneEnqueue([added(GATE, at(1)), removed('alice', at(2))], SHA('b'), GATE)).toBeUndefined();
    expect(undoneEnqueue([added('root', at(1)), removed('github-merge-queue[bot]', at(2))], SHA('a'), GATE)).toBeUndefined();
    expect(undoneEnqueue([], SHA('a'), GATE)).toBeUndefined();
  });

  it('a held head is not enqueued, and the decision says why and what to do', () => {
    const now = new Date(at(60));
    const ready = decide(okLoad(), makeFacts({ files: [file('src/a.ts')], headSeenAt: at(0) }), now);
    const step = queueStep(ready, { required: true, queued: false }, { sha: SHA('a') }, removed('alice', at(2)));
    expect(step.kind).toBe('hold');
    expect(withDequeueNote(ready, step).blockers.at(-1)).toMatch(
      /taken out of the merge queue by alice.*does not queue it again.*push a new commit/,
    );
  });
});
