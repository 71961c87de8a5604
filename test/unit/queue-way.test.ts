import { describe, expect, it } from 'vitest';
import { chooseQueueWay, type QueueFacts } from '../../src/core/queue-way.js';
import type { Decision } from '../../src/core/model/decision.js';

const HEAD = 'a'.repeat(40);
const ready = { governed: true, state: 'ready', merge: true, title: 'Ready to merge (soft)', blockers: [] } as unknown as Decision;
const vetoed = {
  governed: true,
  state: 'blocked',
  merge: true,
  title: 'Vetoed by alice',
  blockers: ['Vetoed by alice'],
} as unknown as Decision;
const queue = (o: Partial<QueueFacts> = {}): QueueFacts => ({
  required: true,
  queued: false,
  headSha: HEAD,
  pullRequestId: 'PR_1',
  history: [],
  ...o,
});

describe('how the gate merges through a merge queue (one pure choice)', () => {
  it('without a queue: nothing changes, the plan merges directly', () => {
    expect(chooseQueueWay(ready, HEAD, undefined, 'hitl-gate[bot]')).toMatchObject({
      required: false,
      step: { kind: 'none' },
      decision: ready,
    });
    expect(chooseQueueWay(ready, HEAD, queue({ required: false }), 'hitl-gate[bot]').required).toBe(false);
  });

  it('enqueues exactly the decided head, and says it goes through the queue', () => {
    const way = chooseQueueWay(ready, HEAD, queue(), 'hitl-gate[bot]');
    expect(way.step).toEqual({ kind: 'enqueue', expectedHeadOid: HEAD });
    expect(way.decision.title).toBe('Ready to merge (soft), through the merge queue');
  });

  it("enqueues nothing when GitHub's head is not the decided one, and asks to look again", () => {
    const way = chooseQueueWay(ready, HEAD, queue({ headSha: 'b'.repeat(40) }), 'hitl-gate[bot]');
    expect(way.step.kind).toBe('none');
    expect(way.headMoved).toBe(true);
    expect(way.decision.title).toBe(ready.title);
  });

  it('takes a queued PR it would no longer merge out, and says so', () => {
    const way = chooseQueueWay(vetoed, undefined, queue({ queued: true }), 'hitl-gate[bot]');
    expect(way.step.kind).toBe('dequeue');
    expect(way.decision.blockers.at(-1)).toMatch(/Removed from the merge queue/);
  });

  it('does not queue again a head someone else took out after the gate queued it', () => {
    const history = [
      { kind: 'added' as const, at: '2026-01-01T00:00:00Z', actor: 'hitl-gate[bot]' },
      { kind: 'removed' as const, at: '2026-01-01T00:05:00Z', actor: 'alice', headSha: HEAD, reason: 'MANUALLY_REMOVED' },
    ];
    const way = chooseQueueWay(ready, HEAD, queue({ history }), 'hitl-gate[bot]');
    expect(way.step.kind).toBe('hold');
    expect(way.decision.blockers.at(-1)).toMatch(/taken out of the merge queue by alice/);
  });
});
