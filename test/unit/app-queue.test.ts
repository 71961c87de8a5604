import { describe, expect, it } from 'vitest';
import { MemoryQueue, type ReconcileJob } from '../../src/app/queue.js';

const pr = (number: number, extra: Partial<ReconcileJob> = {}): ReconcileJob => ({
  installationId: 1,
  owner: 'Acme',
  repo: 'Widgets',
  number,
  reason: 'test',
  ...extra,
});

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('MemoryQueue', () => {
  it('coalesces a burst of 15 events for one PR into at most two reconciles, the last one seeing the newest payload', async () => {
    const runs: ReconcileJob[] = [];
    const gate = deferred();
    const queue = new MemoryQueue({
      work: async (job) => {
        runs.push(job);
        if (runs.length === 1) await gate.promise;
      },
    });
    for (let i = 0; i < 15; i++) {
      await queue.enqueue(pr(7, { pullRequest: { updated_at: `2026-01-01T00:00:${String(i).padStart(2, '0')}Z`, n: i } }));
    }
    gate.resolve();
    await queue.idle();
    expect(runs.length).toBeLessThanOrEqual(2);
    expect(runs.at(-1)!.pullRequest).toMatchObject({ n: 14 });
  });

  it('never hands a reconcile a payload older than one it already used (events arrive out of order)', async () => {
    const runs: ReconcileJob[] = [];
    const gate = deferred();
    const queue = new MemoryQueue({
      concurrency: 1,
      work: async (job) => {
        runs.push(job);
        await gate.promise;
      },
    });
    await queue.enqueue(pr(9)); // keeps the only slot busy so PR 1's events wait together
    await queue.enqueue(pr(1, { pullRequest: { updated_at: '2026-01-01T00:00:09Z', n: 'newer' } }));
    await queue.enqueue(pr(1, { pullRequest: { updated_at: '2026-01-01T00:00:01Z', n: 'older' } }));
    gate.resolve();
    await queue.idle();
    expect(runs.filter((j) => j.number === 1).map((j) => j.pullRequest)).toEqual([expect.objectContaining({ n: 'newer' })]);

    // Later, a delayed older delivery arrives after the newer one ran: its payload is not trusted.
    await queue.enqueue(pr(1, { pullRequest: { updated_at: '2026-01-01T00:00:02Z', n: 'late' } }));
    await queue.idle();
    expect(runs.at(-1)!.pullRequest).toBeUndefined();
  });

  it('never runs one PR twice at once, and an event during a run causes exactly one more run', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    let runs = 0;
    const queue = new MemoryQueue({
      work: async () => {
        runs++;
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setTimeout(r, 20));
        inFlight--;
      },
    });
    await queue.enqueue(pr(1));
    await new Promise((r) => setTimeout(r, 5)); // now running
    await queue.enqueue(pr(1));
    await queue.enqueue(pr(1));
    await queue.idle();
    expect(maxInFlight).toBe(1);
    expect(runs).toBe(2);
  });

  it('keeps the merge queue hint of any coalesced event (a push while queued must not be lost to a later comment)', async () => {
    const runs: ReconcileJob[] = [];
    const gate = deferred();
    const queue = new MemoryQueue({
      work: async (job) => {
        runs.push(job);
        if (runs.length === 1) await gate.promise;
      },
    });
    await queue.enqueue(pr(3));
    await new Promise((r) => setTimeout(r, 5)); // now running
    await queue.enqueue(pr(3, { reason: 'pull_request.synchronize', mergeQueueHint: true }));
    await queue.enqueue(pr(3, { reason: 'issue_comment.created' }));
    gate.resolve();
    await queue.idle();
    expect(runs).toHaveLength(2);
    expect(runs[1]).toMatchObject({ mergeQueueHint: true });
  });

  it('treats owner and repository names case-insensitively (same PR)', async () => {
    let runs = 0;
    const gate = deferred();
    const queue = new MemoryQueue({
      work: async () => {
        runs++;
        await gate.promise;
      },
    });
    await queue.enqueue(pr(3));
    await queue.enqueue({ ...pr(3), owner: 'acme', repo: 'widgets' });
    gate.resolve();
    await queue.idle();
    expect(runs).toBe(2); // one running + one coalesced rerun, never parallel
  });

  it('runs different PRs concurrently, up to the bound', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const queue = new MemoryQueue({
      concurrency: 3,
      work: async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setTimeout(r, 20));
        inFlight--;
      },
    });
    for (let n = 1; n <= 10; n++) await queue.enqueue(pr(n));
    await queue.idle();
    expect(maxInFlight).toBe(3);
  });

  it("shares its places between installations: one installation's burst does not put another's event behind all of it", async () => {
    const started: string[] = [];
    const release = new Map<string, () => void>();
    const queue = new MemoryQueue({
      concurrency: 4,
      work: (job) => {
        const id = `${job.installationId}#${job.number}`;
        started.push(id);
        return new Promise<void>((resolve) => release.set(id, resolve));
      },
    });
    // Installation 1 opens 20 PRs at once; every reconcile waits (on its write budget, say).
    for (let n = 1; n <= 20; n++) await queue.enqueue(pr(n));
    expect(started).toEqual(['1#1', '1#2', '1#3', '1#4']);
    // Installation 2's event arrives behind sixteen of them.
    await queue.enqueue(pr(1, { installationId: 2, owner: 'other', repo: 'app' }));
    release.get('1#1')!();
    await new Promise((r) => setTimeout(r, 0));
    expect(started.at(-1)).toBe('2#1');
    // With places to spare and nobody else waiting, installation 1 takes them all again.
    release.get('2#1')!();
    await new Promise((r) => setTimeout(r, 0));
    expect(started.at(-1)).toBe('1#5');
    // Everything runs, once.
    const drain = setInterval(() => release.forEach((done) => done()), 1);
    await queue.idle();
    clearInterval(drain);
    expect(started).toHaveLength(21);
    expect(new Set(started).size).toBe(21);
  });

  it('retries a failing reconcile with backoff a bounded number of times, then gives up without throwing', async () => {
    const times: number[] = [];
    const errors: string[] = [];
    const queue = new MemoryQueue({
      maxRetries: 3,
      retryBaseMs: 10,
      random: () => 0.5,
      log: { debug() {}, info() {}, warn() {}, error: (o: { err: string }) => void errors.push(o.err) } as never,
      work: async (job) => {
        times.push(Date.now());
        expect(job.pullRequest).toBeUndefined();
        throw new Error('GitHub 502');
      },
    });
    await queue.enqueue(pr(1));
    await queue.idle();
    expect(times).toHaveLength(4); // first try + 3 retries
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(gaps[2]!).toBeGreaterThanOrEqual(gaps[0]!); // backoff grows
    expect(errors).toEqual(['GitHub 502']);
  });

  it('drops the webhook payload on retry so the retry reads GitHub afresh', async () => {
    const seen: Array<unknown> = [];
    let fail = true;
    const queue = new MemoryQueue({
      retryBaseMs: 1,
      work: async (job) => {
        seen.push(job.pullRequest);
        if (fail) {
          fail = false;
          throw new Error('boom');
        }
      },
    });
    await queue.enqueue(pr(1, { pullRequest: { updated_at: 'x' } }));
    await queue.idle();
    expect(seen).toEqual([{ updated_at: 'x' }, undefined]);
  });

  it('holds reconciles of a repository while it is swept, and the sweep waits for running ones', async () => {
    const order: string[] = [];
    const running = deferred();
    const queue = new MemoryQueue({
      work: async (job) => {
        order.push(`start ${job.number}`);
        if (job.number === 1) await running.promise;
        order.push(`end ${job.number}`);
      },
    });
    await queue.enqueue(pr(1));
    const sweep = queue.exclusive({ installationId: 1, owner: 'acme', repo: 'widgets' }, async () => {
      order.push('sweep');
      await queue.enqueue(pr(2)); // an event during the sweep waits for it
      await new Promise((r) => setTimeout(r, 10));
      order.push('sweep end');
    });
    await new Promise((r) => setTimeout(r, 10));
    running.resolve();
    await sweep;
    await queue.idle();
    expect(order).toEqual(['start 1', 'end 1', 'sweep', 'sweep end', 'start 2', 'end 2']);
  });

  it('on close, lets the reconcile in flight finish and takes no new work', async () => {
    const done: number[] = [];
    const queue = new MemoryQueue({
      concurrency: 1,
      work: async (job) => {
        await new Promise((r) => setTimeout(r, 30));
        done.push(job.number);
      },
    });
    await queue.enqueue(pr(1));
    await queue.enqueue(pr(2));
    await new Promise((r) => setTimeout(r, 5));
    await queue.close(1000);
    await queue.enqueue(pr(3));
    await new Promise((r) => setTimeout(r, 50));
    expect(done).toEqual([1]);
  });
});
