// Scale-out through Redis (BullMQ): two replicas share one queue, one set of timers and one sweep.
// Needs a Redis server (REDIS_URL): skipped locally without one, failing under CI (../support/redis.ts).
import { randomUUID } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import { RedisBackend } from '../../src/app/redis.js';
import { QueueWidth } from '../../src/app/queue-width.js';
import type { ReconcileJob } from '../../src/app/queue.js';
import type { PullRef } from '../../src/app/pull-ref.js';
import { describeWithRedis, redisUrl } from '../support/redis.js';

const url = redisUrl;
const pr = (number: number): ReconcileJob => ({ installationId: 1, owner: 'acme', repo: 'widgets', number, reason: 'test' });

const backends: RedisBackend[] = [];
afterEach(async () => {
  await Promise.all(backends.splice(0).map((b) => b.close(2000)));
});

/** N replicas sharing a fresh prefix, each with its own connection and worker. */
function replicas(n: number, work: (job: ReconcileJob, replica: number) => Promise<void>, options: { maxRetries?: number } = {}) {
  const prefix = `hitl-test-${randomUUID()}`;
  return Array.from({ length: n }, (_, i) => {
    const backend = new RedisBackend(url!, { prefix, retryBaseMs: 20, sweepIntervalMs: 60_000, ...options });
    backends.push(backend);
    backend.start((job) => work(job, i));
    return backend;
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeWithRedis('Redis scale-out', () => {
  it('coalesces a burst of 15 events sent to two replicas into at most 2 reconciles, never two at once', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const runs: number[] = [];
    const [a, b] = replicas(2, async (_job, replica) => {
      runs.push(replica);
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await sleep(100);
      inFlight--;
    });
    await Promise.all(Array.from({ length: 15 }, (_, i) => (i % 2 ? a! : b!).enqueue(pr(7))));
    await sleep(50);
    await a!.idle();
    expect(runs.length).toBeGreaterThanOrEqual(1);
    expect(runs.length).toBeLessThanOrEqual(2);
    expect(maxInFlight).toBe(1);
  });

  it('an event during a run causes exactly one more run, never a parallel one, whichever replica takes it', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    let runs = 0;
    const [a, b] = replicas(2, async () => {
      runs++;
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await sleep(150);
      inFlight--;
    });
    await a!.enqueue(pr(7));
    await expect.poll(() => runs).toBe(1); // running now
    await b!.enqueue(pr(7));
    await a!.enqueue(pr(7));
    await sleep(50);
    await a!.idle();
    expect(runs).toBe(2);
    expect(maxInFlight).toBe(1);
  });

  it('an event for a PR with a pending job brings its merge queue hint to the next run', async () => {
    const runs: ReconcileJob[] = [];
    // The first run holds until both later events are in.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const [a, b] = replicas(2, async (job) => {
      runs.push(job);
      if (runs.length === 1) await held;
    });
    await a!.enqueue(pr(9));
    await expect.poll(() => runs.length).toBe(1); // running now
    await b!.enqueue(pr(9)); // the pending job
    // Coalesced into the pending job, or, when a replica has already taken that job up (and set it
    // aside while the first run holds the PR), a job of its own: either way the hint must not be lost.
    await a!.enqueue({ ...pr(9), reason: 'pull_request.synchronize', mergeQueueHint: true });
    release();
    await expect.poll(() => runs.length).toBeGreaterThanOrEqual(2);
    await sleep(50);
    await a!.idle();
    await b!.idle();
    expect(runs.length).toBeLessThanOrEqual(3);
    expect(runs[0]!.mergeQueueHint).toBeUndefined();
    // The first run after the hinted event carries it.
    expect(runs[1]!.mergeQueueHint).toBe(true);
  });

  it('runs different PRs concurrently across replicas', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const [a, b] = replicas(2, async () => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await sleep(150);
      inFlight--;
    });
    await Promise.all([1, 2, 3, 4, 5, 6].map((n) => (n % 2 ? a! : b!).enqueue(pr(n))));
    await sleep(50);
    await a!.idle();
    expect(maxInFlight).toBeGreaterThanOrEqual(3);
  });

  it("shares the workers between installations: another installation's event goes ahead of the tail of a burst", async () => {
    const started: string[] = [];
    const release = new Map<string, () => void>();
    const backend = new RedisBackend(url!, {
      prefix: `hitl-test-${randomUUID()}`,
      concurrency: 2,
      retryBaseMs: 20,
      sweepIntervalMs: 60_000,
    });
    backends.push(backend);
    backend.start((job) => {
      const id = `${job.installationId}#${job.number}`;
      started.push(id);
      return new Promise<void>((resolve) => release.set(id, resolve));
    });
    const until = async (done: () => boolean) => {
      for (let i = 0; i < 400 && !done(); i++) await sleep(25);
      expect(done()).toBe(true);
    };
    // Installation 1 opens twelve PRs at once; two run, ten wait.
    for (let n = 1; n <= 12; n++) await backend.enqueue(pr(n));
    await until(() => started.length === 2);
    // Installation 2's event arrives behind ten of them.
    await backend.enqueue({ ...pr(1), installationId: 2, owner: 'other', repo: 'app' });
    await sleep(100);
    release.get(started[0]!)!();
    await until(() => started.length === 3);
    expect(started[2]).toBe('2#1');
    // Everything runs, once.
    const drain = setInterval(() => release.forEach((done) => done()), 10);
    await until(() => started.length === 13);
    await backend.idle();
    clearInterval(drain);
    expect(new Set(started).size).toBe(13);
  });

  it('retries a failing reconcile with backoff, a bounded number of times', async () => {
    let runs = 0;
    const [a] = replicas(
      1,
      async () => {
        runs++;
        throw new Error('GitHub 502');
      },
      { maxRetries: 2 },
    );
    await a!.enqueue(pr(9));
    await sleep(50);
    await a!.idle();
    await sleep(100);
    expect(runs).toBe(3);
  });

  it('schedules a veto window once across replicas, moves it on a second `at`, and fires it once', async () => {
    const woke: Array<[number, number]> = [];
    const [a, b] = replicas(2, async () => undefined);
    a!.watch((ref: PullRef) => woke.push([ref.number, 0]));
    b!.watch((ref: PullRef) => woke.push([ref.number, 1]));
    const ref = pr(11);
    await a!.at(ref, new Date(Date.now() + 5_000));
    await b!.at(ref, new Date(Date.now() + 5_000));
    await b!.at(ref, new Date(Date.now() + 300)); // the same PR's window moved: replaced, not added
    expect(await a!.pending()).toBe(1);
    await sleep(1_500);
    expect(woke.map(([n]) => n)).toEqual([11]);
    expect(await a!.pending()).toBe(0);
  });

  it('cancel removes the wake-up', async () => {
    const woke: number[] = [];
    const [a] = replicas(1, async () => undefined);
    a!.watch((ref: PullRef) => woke.push(ref.number));
    await a!.at(pr(12), new Date(Date.now() + 300));
    await a!.cancel(pr(12));
    await sleep(800);
    expect(woke).toEqual([]);
  });

  it('replicas closed right after they start leave no stray rejection behind (one would crash the server)', async () => {
    const stray: unknown[] = [];
    const onStray = (error: unknown) => stray.push(error);
    process.on('unhandledRejection', onStray);
    try {
      for (let round = 0; round < 20; round++) {
        const all = replicas(3, async () => undefined);
        await Promise.all(all.map((r) => r.sweepLease()));
        await Promise.all(backends.splice(0).map((b) => b.close(2000)));
      }
      await sleep(200);
    } finally {
      process.off('unhandledRejection', onStray);
    }
    expect(stray.map(String)).toEqual([]);
  });

  it('a replica runs as many jobs at once as its width allows, following it as it narrows and widens', async () => {
    let used = 1;
    const width = new QueueWidth({ max: 8, min: 1, utilization: () => used });
    for (let i = 0; i < 5; i++) width.sample(); // saturated: 8 -> 6 -> 4 -> 3 -> 2 -> 1
    expect(width.current).toBe(1);
    const backend = new RedisBackend(url!, { prefix: `hitl-test-${randomUUID()}`, retryBaseMs: 20, sweepIntervalMs: 60_000 });
    backends.push(backend);
    let running = 0;
    let most = 0;
    const release: Array<() => void> = [];
    let finished = 0;
    backend.start(async () => {
      most = Math.max(most, ++running);
      await new Promise<void>((r) => release.push(r));
      running--;
      finished++;
    }, width);
    try {
      for (let n = 1; n <= 4; n++) await backend.enqueue(pr(n));
      await expect.poll(() => running).toBe(1);
      await sleep(300);
      expect(most).toBe(1);

      used = 0;
      width.sample(); // room again: 2. BullMQ takes up the new width when a job ends.
      release.shift()!();
      await expect.poll(() => running).toBe(2);
      await sleep(300);
      expect(most).toBe(2);
    } finally {
      // Until all four have run: the last two may start only after the first two were let go.
      for (let i = 0; i < 500 && finished < 4; i++) {
        release.splice(0).forEach((r) => r());
        await sleep(20);
      }
    }
    expect(finished).toBe(4);
    await backend.idle();
  });

  it('elects one replica to sweep per interval', async () => {
    const all = replicas(3, async () => undefined);
    const won = await Promise.all(all.map((r) => r.sweepLease()));
    expect(won.filter(Boolean)).toHaveLength(1);
  });

  it('a repository sweep waits for running reconciles of that repository, and holds new ones until it ends', async () => {
    const order: string[] = [];
    const [a, b] = replicas(2, async (job) => {
      order.push(`start ${job.number}`);
      await sleep(job.number === 1 ? 200 : 10);
      order.push(`end ${job.number}`);
    });
    await a!.enqueue(pr(1));
    await expect.poll(() => order.length).toBe(1);
    const sweep = b!.exclusive({ installationId: 1, owner: 'acme', repo: 'widgets' }, async () => {
      order.push('sweep');
      await a!.enqueue(pr(2));
      await sleep(300);
      order.push('sweep end');
    });
    await sweep;
    await expect.poll(() => order.length, { timeout: 3000 }).toBe(6);
    expect(order).toEqual(['start 1', 'end 1', 'sweep', 'sweep end', 'start 2', 'end 2']);
  });
});

describeWithRedis('two app replicas on one Redis', () => {
  it('a soft window opened through one replica merges once, whichever replica the timer fires on', async () => {
    const { Probot } = await import('probot');
    const { pino } = await import('pino');
    const { generateKeyPairSync } = await import('node:crypto');
    const { createGate } = await import('../../src/app/gate.js');
    const { redisBackends } = await import('../../src/app/redis.js');
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const state = { windowEnd: 0, merges: 0, runs: 0 };
    const reconcile = async (_c: unknown, ref: { owner: string; repo: string; number: number }) => {
      state.runs++;
      const now = Date.now();
      const base = { ref, effects: [], applied: [], requests: 1, merged: false, decision: { state: 'waiting', tier: 'soft' } };
      if (state.merges > 0) return { ...base, decision: { state: 'ignored', tier: 'soft' } };
      if (state.windowEnd === 0) state.windowEnd = now + 400;
      if (now < state.windowEnd) return { ...base, wakeAt: new Date(state.windowEnd).toISOString() };
      state.merges++;
      return { ...base, merged: true, decision: { state: 'ready', tier: 'soft' } };
    };
    const prefix = `hitl-test-${randomUUID()}`;
    const start = async () => {
      const probot = new Probot({ appId: 4242, privateKey, secret: 's', log: pino({ level: 'silent' }) });
      const scaleOut = await redisBackends(url!, { prefix, retryBaseMs: 20 });
      backends.push(scaleOut.backend);
      const gate = createGate(probot, {
        ...scaleOut,
        reconcile: reconcile as never,
        identity: { appId: 4242, login: 'hitl-gate[bot]' },
        sweepIntervalMs: 0,
        log: pino({ level: 'silent' }),
      });
      return { probot, gate };
    };
    const [a] = [await start(), await start()];
    const payload = {
      action: 'labeled',
      installation: { id: 1 },
      repository: { name: 'widgets', owner: { login: 'acme' } },
      pull_request: { number: 7, updated_at: '2026-11-22T14:00:00Z' },
      label: { name: 'x' },
      sender: { login: 'alice', type: 'User' },
    };
    await a!.probot.receive({ id: 'd1', name: 'pull_request', payload } as never);
    await expect.poll(() => state.merges, { timeout: 5000 }).toBe(1);
    await sleep(300);
    expect(state.merges).toBe(1);
    expect(state.runs).toBe(2);
  });
});

describeWithRedis('the app function with REDIS_URL', () => {
  it('puts its queue, timers and sweep lease in Redis', async () => {
    const { Probot } = await import('probot');
    const { pino } = await import('pino');
    const { generateKeyPairSync } = await import('node:crypto');
    const { default: hitlGateApp } = await import('../../src/app/index.js');
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const probot = new Probot({ appId: 4242, privateKey, secret: 's', log: pino({ level: 'silent' }) });
    const handlers: unknown[] = [];
    const gate = await hitlGateApp(probot, {
      cwd: process.cwd(),
      addHandler: (h) => void handlers.push(h),
      env: { REDIS_URL: url!, HITL_SWEEP_INTERVAL: '1h' },
      hitl: { identity: { appId: 4242, login: 'hitl-gate[bot]' }, sweepIntervalMs: 0 },
    });
    try {
      expect(gate.queue).toBeInstanceOf(RedisBackend);
      expect(handlers).toHaveLength(1); // /healthz and /metrics
      await gate.timers.at({ installationId: 1, owner: 'acme', repo: 'widgets', number: 99 }, new Date(Date.now() + 60_000));
      expect(await gate.timers.pending()).toBeGreaterThanOrEqual(1);
      await gate.timers.cancel({ installationId: 1, owner: 'acme', repo: 'widgets', number: 99 });
    } finally {
      await gate.close(1000);
    }
  });

  it('refuses a malformed REDIS_URL or sweep interval with a message naming it', async () => {
    const { Probot } = await import('probot');
    const { pino } = await import('pino');
    const { default: hitlGateApp } = await import('../../src/app/index.js');
    const probot = new Probot({ githubToken: 'x', log: pino({ level: 'silent' }) });
    await expect(hitlGateApp(probot, { cwd: '.', addHandler: () => undefined, env: { REDIS_URL: 'localhost:6379' } })).rejects.toThrow(
      /REDIS_URL/,
    );
  });
});

describeWithRedis('write pacing across replicas', () => {
  it('two replicas writing for one installation keep a second between their writes', async () => {
    const nock = (await import('nock')).default;
    const Bottleneck = (await import('bottleneck')).default;
    const { Redis } = await import('ioredis');
    const { gateOctokit } = await import('../../src/app/octokit.js');
    const arrivals: number[] = [];
    nock('https://api.github.com')
      .post(/\/repos\/acme\/widgets\/issues\/\d+\/labels/)
      .times(4)
      .reply(200, () => {
        arrivals.push(Date.now());
        return [];
      });
    // What Probot builds from REDIS_URL and hands to every client in `throttle.connection`; one per replica.
    // A run stopped while a write's interval was held leaves that slot taken until Bottleneck's client
    // time-out (10 s); start from a clean limiter so this test does not wait for it.
    const cleaner = new Redis(url!);
    const stale = await cleaner.keys('b_hitl-write-app_*');
    if (stale.length > 0) await cleaner.del(...stale);
    await cleaner.quit();
    const connections = [0, 1].map(() => new Bottleneck.IORedisConnection({ client: new Redis(url!) }));
    try {
      const replicas = connections.map(
        (connection) => new (gateOctokit({ fetch: globalThis.fetch }))({ auth: { token: 'ghs_test' }, throttle: { connection } } as never),
      );
      await Promise.all(
        replicas.flatMap((octokit, i) =>
          [1, 2].map((n) => octokit.rest.issues.addLabels({ owner: 'acme', repo: 'widgets', issue_number: i * 10 + n, labels: ['x'] })),
        ),
      );
      await sleep(1100); // the last write's interval ends before its replica goes away
    } finally {
      await Promise.all(connections.map((c) => c.disconnect(true)));
      nock.cleanAll();
    }
    arrivals.sort((a, b) => a - b);
    const gaps = arrivals.slice(1).map((t, i) => t - arrivals[i]!);
    expect(arrivals).toHaveLength(4);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1000);
  }, 15_000);
});
