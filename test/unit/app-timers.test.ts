import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryTimers } from '../../src/app/timers.js';
import type { PullRef } from '../../src/app/pull-ref.js';

const pr = (number: number): PullRef => ({ installationId: 5, owner: 'acme', repo: 'widgets', number });
const T0 = Date.parse('2026-03-01T12:00:00Z');

describe('MemoryTimers', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => vi.useRealTimers());

  it('wakes a PR when its window ends, and not before', async () => {
    const woke: Array<[number, number]> = [];
    const timers = new MemoryTimers({ onWake: (ref, late) => woke.push([ref.number, late]) });
    await timers.at(pr(1), new Date(T0 + 15 * 60_000));
    await vi.advanceTimersByTimeAsync(15 * 60_000 - 1);
    expect(woke).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(woke).toEqual([[1, 0]]);
    expect(timers.pending()).toBe(0);
  });

  it('replaces, never adds: a second `at` for the same PR moves its one wake-up', async () => {
    const woke: number[] = [];
    const timers = new MemoryTimers({ onWake: (ref) => woke.push(ref.number) });
    await timers.at(pr(1), new Date(T0 + 1_000));
    await timers.at(pr(1), new Date(T0 + 5_000)); // a push restarted the window
    expect(timers.pending()).toBe(1);
    await vi.advanceTimersByTimeAsync(4_000);
    expect(woke).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(woke).toEqual([1]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(woke).toEqual([1]);
  });

  it('moves a wake-up earlier too', async () => {
    const woke: number[] = [];
    const timers = new MemoryTimers({ onWake: (ref) => woke.push(ref.number) });
    await timers.at(pr(1), new Date(T0 + 60_000));
    await timers.at(pr(1), new Date(T0 + 1_000));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(woke).toEqual([1]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(woke).toEqual([1]);
  });

  it('cancel removes the wake-up', async () => {
    const woke: number[] = [];
    const timers = new MemoryTimers({ onWake: (ref) => woke.push(ref.number) });
    await timers.at(pr(1), new Date(T0 + 1_000));
    await timers.cancel(pr(1));
    await vi.advanceTimersByTimeAsync(2_000);
    expect(woke).toEqual([]);
    expect(timers.pending()).toBe(0);
  });

  it('keeps thousands of windows behind one setTimeout and wakes them in time order', async () => {
    const woke: number[] = [];
    const timers = new MemoryTimers({ onWake: (ref) => woke.push(ref.number) });
    const n = 5_000;
    // Scrambled order, and every PR rescheduled once (stale heap entries must be skipped).
    for (let i = 0; i < n; i++) await timers.at(pr(i), new Date(T0 + ((i * 7919) % n) * 1_000 + 500_000));
    for (let i = 0; i < n; i++) await timers.at(pr(i), new Date(T0 + ((i * 7919) % n) * 1_000 + 1_000));
    expect(vi.getTimerCount()).toBe(1);
    expect(timers.pending()).toBe(n);
    await vi.advanceTimersByTimeAsync((n + 1) * 1_000);
    expect(woke).toHaveLength(n);
    const order = woke.map((i) => (i * 7919) % n);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(new Set(woke).size).toBe(n);
  });

  it('stays correct when many reschedules force the heap to be rebuilt', async () => {
    const woke: number[] = [];
    const timers = new MemoryTimers({ onWake: (ref) => woke.push(ref.number) });
    for (let round = 0; round < 30; round++) {
      for (let i = 0; i < 100; i++) await timers.at(pr(i), new Date(T0 + 10_000 + ((i * 37 + round * 11) % 100) * 100));
    }
    // The last round decides: PR i wakes at 10 s + ((37 i + 319) mod 100) * 100 ms.
    const expected = Array.from({ length: 100 }, (_, i) => i).sort((a, b) => ((a * 37 + 319) % 100) - ((b * 37 + 319) % 100));
    await vi.advanceTimersByTimeAsync(30_000);
    expect(woke).toEqual(expected);
    expect(timers.pending()).toBe(0);
  });

  it('wakes at once for a time already past, reporting how late it is', async () => {
    const late: number[] = [];
    const timers = new MemoryTimers({ onWake: (_ref, ms) => late.push(ms) });
    await timers.at(pr(1), new Date(T0 - 3_000));
    await vi.advanceTimersByTimeAsync(0);
    expect(late).toEqual([3_000]);
  });

  it('handles windows longer than setTimeout allows (about 24.8 days)', async () => {
    const woke: number[] = [];
    const timers = new MemoryTimers({ onWake: (ref) => woke.push(ref.number) });
    const days40 = 40 * 86_400_000;
    await timers.at(pr(1), new Date(T0 + days40));
    await vi.advanceTimersByTimeAsync(days40 - 1_000);
    expect(woke).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(woke).toEqual([1]);
  });

  it('close drops every wake-up', async () => {
    const woke: number[] = [];
    const timers = new MemoryTimers({ onWake: (ref) => woke.push(ref.number) });
    await timers.at(pr(1), new Date(T0 + 1_000));
    await timers.close();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(woke).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
