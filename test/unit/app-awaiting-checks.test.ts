import { describe, expect, it } from 'vitest';
import { AwaitingChecks } from '../../src/app/awaiting-checks.js';
import type { ReconcileOutcome } from '../../src/github/types.js';
import type { PullRef } from '../../src/app/pull-ref.js';

const ref = (number: number): PullRef => ({ installationId: 1, owner: 'Acme', repo: 'Widgets', number });
const waiting = (headSha: string, over: Partial<ReconcileOutcome> = {}): ReconcileOutcome =>
  ({ decision: { state: 'ready', merge: true }, facts: { headSha }, merged: false, ...over }) as unknown as ReconcileOutcome;

describe('AwaitingChecks', () => {
  it('finds the PR by its head, whatever the case of owner, repo and sha', () => {
    const awaiting = new AwaitingChecks();
    awaiting.record(waiting('ABC'), ref(1));
    expect(awaiting.find('acme', 'widgets', 'abc')).toEqual(ref(1));
  });

  it('remembers only PRs decided "merge" and not merged, and only their latest head', () => {
    const awaiting = new AwaitingChecks();
    awaiting.record(waiting('a1'), ref(1));
    awaiting.record(waiting('a2'), ref(1)); // a push: the old head no longer matters
    awaiting.record(waiting('b1', { merged: true }), ref(2));
    awaiting.record(waiting('c1', { decision: { state: 'blocked', merge: true } as ReconcileOutcome['decision'] }), ref(3));
    awaiting.record(waiting('d1', { error: 'HTTP 502' }), ref(4));
    expect(awaiting.find('acme', 'widgets', 'a1')).toBeUndefined();
    expect(awaiting.find('acme', 'widgets', 'a2')).toEqual(ref(1));
    expect(awaiting.size).toBe(1);
  });

  it('keeps at most its limit, forgetting the longest-waiting first', () => {
    const awaiting = new AwaitingChecks(2);
    for (let n = 1; n <= 3; n++) awaiting.record(waiting(`h${n}`), ref(n));
    expect(awaiting.size).toBe(2);
    expect(awaiting.find('acme', 'widgets', 'h1')).toBeUndefined();
    expect(awaiting.find('acme', 'widgets', 'h3')).toEqual(ref(3));
  });
});
