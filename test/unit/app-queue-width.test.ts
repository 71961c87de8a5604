// The reconcile queue's width under load: cut while the event loop is saturated, grown back while it
// has room, never outside [min, max]; and a MemoryQueue on such a width starts no more reconciles
// than it allows, and starts waiting ones as soon as it widens.
import { describe, expect, it } from 'vitest';
import { QueueWidth } from '../../src/app/queue-width.js';
import { MemoryQueue, type ReconcileJob } from '../../src/app/queue.js';

/** A width whose utilization readings are set by the test. */
function driven(options: { max: number; min?: number }) {
  let used = 0;
  const width = new QueueWidth({ ...options, utilization: () => used });
  return {
    width,
    load: (u: number) => {
      used = u;
      return width.sample();
    },
  };
}

describe('QueueWidth', () => {
  it('starts at its maximum, loses a quarter per saturated sample down to its minimum, and grows back in sixteenths', () => {
    const { width, load } = driven({ max: 256 });
    const changes: number[] = [];
    width.onChange((n) => changes.push(n));
    expect(width.current).toBe(256);
    expect([load(0.95), load(1), load(0.9)]).toEqual([192, 144, 108]);
    for (let i = 0; i < 20; i++) load(1);
    expect(width.current).toBe(16);
    expect(load(0.8)).toBe(16); // neither saturated nor idle: kept
    expect([load(0.5), load(0.2)]).toEqual([32, 48]);
    for (let i = 0; i < 20; i++) load(0);
    expect(width.current).toBe(256);
    // Listeners hear changes only.
    expect(changes.filter((n) => n === 16)).toHaveLength(1);
    expect(changes.at(-1)).toBe(256);
  });

  it('a width whose minimum is its maximum never changes', () => {
    const { load } = driven({ max: 4, min: 4 });
    expect([load(1), load(0)]).toEqual([4, 4]);
    const small = driven({ max: 8 }); // minimum 16 > 8: fixed at 8
    expect(small.width.min).toBe(8);
    expect(small.load(1)).toBe(8);
  });

  it("reads Node's event-loop utilization by default: a blocked loop narrows it, an idle one widens it", async () => {
    const width = new QueueWidth({ max: 64 });
    const until = performance.now() + 150;
    while (performance.now() < until) {
      // the event loop is blocked
    }
    expect(width.sample()).toBe(48);
    await new Promise((r) => setTimeout(r, 150));
    expect(width.sample()).toBe(52);
  });
});

describe('MemoryQueue on a width that follows load', () => {
  const pr = (number: number): ReconcileJob => ({ installationId: number, owner: 'acme', repo: 'widgets', number, reason: 'test' });

  it('starts no more than the width allows, and the waiting ones as soon as it widens', async () => {
    const { width, load } = driven({ max: 32, min: 2 });
    let running = 0;
    let most = 0;
    const release: Array<() => void> = [];
    const queue = new MemoryQueue({
      width,
      work: async () => {
        running++;
        most = Math.max(most, running);
        await new Promise<void>((r) => release.push(r));
        running--;
      },
    });
    for (let i = 0; i < 4; i++) load(1); // 32 -> 24 -> 18 -> 13 -> 9
    expect(width.current).toBe(9);
    for (let n = 1; n <= 40; n++) await queue.enqueue(pr(n));
    expect(running).toBe(9);

    load(1); // 6: the nine keep running; none starts while six or more run
    release.splice(0, 2).forEach((r) => r());
    await new Promise((r) => setTimeout(r, 0));
    expect(running).toBe(7);
    release.splice(0, 2).forEach((r) => r());
    await new Promise((r) => setTimeout(r, 0));
    expect(running).toBe(6); // five left, one more started: the width again

    load(0); // 6 + 2 = 8: two more start at once, without waiting for a reconcile to end
    await new Promise((r) => setTimeout(r, 0));
    expect(running).toBe(8);
    expect(most).toBe(9);

    for (let i = 0; i < 12; i++) load(0);
    while (release.length > 0) {
      release.splice(0).forEach((r) => r());
      await new Promise((r) => setTimeout(r, 0));
    }
    await queue.idle();
    expect(most).toBeLessThanOrEqual(32);
  });
});
