import { describe, expect, it } from 'vitest';
import { decide } from '../../src/core/decide.js';
import { groupMembers, mergeGroupVerdict, parseMergeGroupRef, queueStep, undoneEnqueue, withDequeueNote, wouldMerge, type QueueEntry, type QueueHistoryEvent } from '../../src/core/merge-group.js';
import { at, comment, file, makeFacts, makePolicy, okLoad, writer } from './facts.js';

const SHA = (c: string) => c.repeat(40);

describe('parseMergeGroupRef', () => {
  it('reads the base, the PR and its queued head from a merge queue ref', () => {
    expect(parseMergeGroupRef(`refs/heads/gh-readonly-queue/main/pr-123-${SHA('a')}`)).toEqual({ base: 'main', number: 123, headSha: SHA('a') });
    expect(parseMergeGroupRef(`refs/heads/gh-readonly-queue/release/2.x/pr-7-${SHA('b')}`)).toEqual({ base: 'release/2.x', number: 7, headSha: SHA('b') });
  });

  it('refuses anything else', () => {
    expect(parseMergeGroupRef('refs/heads/main')).toBeUndefined();
    expect(parseMergeGroupRef(`refs/heads/gh-readonly-queue/main/pr-x-${SHA('a')}`)).toBeUndefined();
    expect(parseMergeGroupRef('refs/heads/gh-readonly-queue/main/pr-12-abc')).toBeUndefined();
    expect(parseMergeGroupRef(`refs/heads/gh-readonly-queue/main/pr-0-${SHA('a')}`)).toBeUndefined();
  });
});

describe('groupMembers', () => {
  const entries: QueueEntry[] = [
    { number: 5, position: 1, groupHeadSha: SHA('1'), prHeadSha: SHA('a') },
    { number: 9, position: 2, groupHeadSha: SHA('2'), prHeadSha: SHA('b') },
    { number: 3, position: 3, groupHeadSha: SHA('3'), prHeadSha: SHA('c') },
  ];

  it('is the entry the group was built for and every entry ahead of it', () => {
    const ref = parseMergeGroupRef(`refs/heads/gh-readonly-queue/main/pr-9-${SHA('b')}`);
    expect(groupMembers(ref, SHA('2'), entries)).toEqual({ kind: 'known', numbers: [5, 9] });
    const first = parseMergeGroupRef(`refs/heads/gh-readonly-queue/main/pr-5-${SHA('a')}`);
    expect(groupMembers(first, SHA('1'), entries)).toEqual({ kind: 'known', numbers: [5] });
  });

  it('is unknown when the ref and the queue disagree, or the queue no longer lists the group', () => {
    const ref = parseMergeGroupRef(`refs/heads/gh-readonly-queue/main/pr-3-${SHA('c')}`);
    expect(groupMembers(ref, SHA('2'), entries).kind).toBe('unknown');
    expect(groupMembers(ref, SHA('f'), entries).kind).toBe('unknown');
    expect(groupMembers(undefined, SHA('3'), entries).kind).toBe('unknown');
  });
});

describe('mergeGroupVerdict', () => {
  const now = new Date(at(60));
  const soft = makeFacts({ files: [file('src/a.ts')], headSeenAt: at(0) });
  const hard = makeFacts({ files: [file('db/migrations/1.sql')], headSeenAt: at(0) });

  it('passes a group whose every PR would merge now, ungoverned ones included', () => {
    const ready = decide(okLoad(), soft, now);
    expect(wouldMerge(ready)).toBe(true);
    const v = mergeGroupVerdict({ kind: 'known', numbers: [1, 2] }, [
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
    expect(mergeGroupVerdict({ kind: 'known', numbers: [1] }, [{ number: 1, decision: manual }]).conclusion).toBe('success');
    // Queued by the person the policy leaves the merge to: the gate does not take it out.
    expect(queueStep(manual, { required: true, queued: true }, undefined)).toEqual({ kind: 'none' });
  });

  it('fails a group that adds an unapproved hard PR, and names it', () => {
    const blocked = decide(okLoad(), hard, now);
    expect(blocked.state).toBe('blocked');
    const v = mergeGroupVerdict({ kind: 'known', numbers: [1, 2] }, [
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
    const v = mergeGroupVerdict({ kind: 'known', numbers: [1, 2] }, [
      { number: 1, decision: decide(okLoad(), soft, now) },
      { number: 2, decision: observed },
    ]);
    expect(v.conclusion).toBe('neutral');
    expect(v.title).toMatch(/^Observe mode: #2 would not merge now/);
    // An enforced blocker beside it still fails the group.
    const both = mergeGroupVerdict({ kind: 'known', numbers: [1, 2] }, [{ number: 1, decision: decide(okLoad(), hard, now) }, { number: 2, decision: observed }]);
    expect(both.conclusion).toBe('failure');
  });

  it('fails a soft PR still in its window, a vetoed one, and one that could not be decided', () => {
    const waiting = decide(okLoad(), makeFacts({ files: [file('src/a.ts')], headSeenAt: at(59) }), now);
    expect(mergeGroupVerdict({ kind: 'known', numbers: [1] }, [{ number: 1, decision: waiting }]).conclusion).toBe('failure');
    const vetoed = decide(okLoad(), { ...soft, comments: [comment('alice', '/veto', at(1))], authorizations: { alice: writer() } }, now);
    expect(vetoed.state).toBe('blocked');
    expect(mergeGroupVerdict({ kind: 'known', numbers: [1] }, [{ number: 1, decision: vetoed }]).conclusion).toBe('failure');
    const ready = decide(okLoad(), soft, now);
    const v = mergeGroupVerdict({ kind: 'known', numbers: [1] }, [{ number: 1, decision: ready, error: 'GitHub answered 502' }]);
    expect(v.conclusion).toBe('failure');
    expect(v.summary).toContain('GitHub answered 502');
  });

  it('fails closed when the members are unknown or one was never decided', () => {
    expect(mergeGroupVerdict({ kind: 'unknown', reason: 'no entry' }, []).conclusion).toBe('failure');
    expect(mergeGroupVerdict({ kind: 'known', numbers: [1, 2] }, [{ number: 1, decision: decide(okLoad(), soft, now) }]).conclusion).toBe('failure');
    expect(mergeGroupVerdict({ kind: 'known', numbers: [] }, []).conclusion).toBe('failure');
  });
});

describe('queueStep', () => {
  const now = new Date(at(60));
  const ready = decide(okLoad(), makeFacts({ files: [file('src/a.ts')], headSeenAt: at(0) }), now);
  const vetoed = decide(okLoad(), makeFacts({ files: [file('src/a.ts')], headSeenAt: at(0), comments: [comment('alice', '/veto', at(1))], authorizations: { alice: writer() } }), now);

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
  const removed = (actor: string, at: string, headSha = SHA('a'), reason = 'MANUAL'): QueueHistoryEvent => ({ kind: 'removed', at, actor, headSha, reason });

  it('holds a head the gate queued and a person or a failed group took out', () => {
    expect(undoneEnqueue([added(GATE, at(1)), removed('alice', at(2))], SHA('a'), GATE)?.actor).toBe('alice');
    expect(undoneEnqueue([added(GATE, at(1)), removed('github-merge-queue[bot]', at(2), SHA('a'), 'CI_FAILURE')], SHA('a'), GATE)?.reason).toBe('CI_FAILURE');
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
    expect(withDequeueNote(ready, step).blockers.at(-1)).toMatch(/taken out of the merge queue by alice.*does not queue it again.*push a new commit/);
  });
});
