// The per-PR lock across replicas (src/app/redis-lock.ts): it lasts as long as the reconcile holding
// it, however long that waits, and a reconcile that lost it sends nothing more to GitHub. The lock
// lives 600 ms here (renewed every 200 ms), so a run "longer than the lock" takes under two seconds.
import { randomUUID } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { RedisBackend } from '../../src/app/redis.js';
import { RedisLock } from '../../src/app/redis-lock.js';
import type { ReconcileJob } from '../../src/app/queue.js';
import { pullKey } from '../../src/app/pull-ref.js';
import { describeWithRedis, redisUrl } from '../support/redis.js';

const TTL = 600;
const pr = (number: number): ReconcileJob => ({ installationId: 1, owner: 'acme', repo: 'widgets', number, reason: 'test' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const done of cleanup.splice(0).reverse()) await done().catch(() => undefined);
});

function redis(url = redisUrl!): Redis {
  const client = new Redis(url, { maxRetriesPerRequest: null });
  cleanup.push(async () => client.disconnect());
  return client;
}

interface Line {
  level: string;
  o: object;
  m?: string;
}
function captureLog(lines: Line[]) {
  const at = (level: string) => (o: object, m?: string) => void lines.push({ level, o, m });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } as never;
}

function backends(n: number, options: { lockTtlMs?: number; maxRetries?: number; log?: never } = {}) {
  const prefix = `hitl-test-${randomUUID()}`;
  return {
    prefix,
    all: Array.from({ length: n }, () => {
      const backend = new RedisBackend(redisUrl!, { prefix, retryBaseMs: 20, sweepIntervalMs: 60_000, lockTtlMs: TTL, ...options });
      cleanup.push(() => backend.close(2000));
      return backend;
    }),
  };
}

describeWithRedis('the per-PR lock across replicas', () => {
  it('a reconcile that runs three times longer than its lock keeps its PR: a second replica does not start it meanwhile', async () => {
    let inFlight = 0;
    let most = 0;
    const heldAtEnd: boolean[] = [];
    const {
      all: [a, b],
    } = backends(2);
    const work = async (_job: ReconcileJob, hold?: { stillHeld(): boolean }) => {
      most = Math.max(most, ++inFlight);
      await sleep(heldAtEnd.length === 0 ? 3 * TTL : 10);
      heldAtEnd.push(hold?.stillHeld() ?? false);
      inFlight--;
    };
    a!.start(work);
    b!.start(work);
    await a!.enqueue(pr(7));
    await expect.poll(() => inFlight).toBe(1);
    // An event while it runs: a job of its own, which either replica may take up.
    await b!.enqueue(pr(7));
    await expect.poll(() => heldAtEnd.length, { timeout: 5000 }).toBe(2);
    expect(most).toBe(1);
    // The long run still held its lock when it ended, so it could still write.
    expect(heldAtEnd).toEqual([true, true]);
  });

  it('the lock is gone as soon as its reconcile ends, and nothing renews it after', async () => {
    const lines: Line[] = [];
    const {
      prefix,
      all: [a],
    } = backends(1, { log: captureLog(lines) });
    const started: number[] = [];
    a!.start(async () => {
      started.push(Date.now());
      await sleep(TTL); // renewed twice meanwhile
    });
    const direct = redis();
    const lockKey = `${prefix}:lock:${pullKey(pr(3))}`;
    await a!.enqueue(pr(3));
    await expect.poll(() => started.length).toBe(1);
    expect(await direct.exists(lockKey)).toBe(1);
    await a!.idle();
    expect(await direct.exists(lockKey)).toBe(0);
    // Another holder now: a renewal left running would find it and say the lock was lost.
    await direct.set(lockKey, 'someone-else', 'PX', 10_000);
    await sleep(TTL);
    expect(await direct.get(lockKey)).toBe('someone-else');
    expect(lines.filter((l) => l.level === 'warn' || l.level === 'error')).toEqual([]);
  });

  it("a worker whose lock was taken over is told, writes nothing more, and leaves the new holder's lock alone", async () => {
    let hold: { stillHeld(): boolean; signal: AbortSignal } | undefined;
    let runs = 0;
    const {
      prefix,
      all: [a],
    } = backends(1, { maxRetries: 0 });
    const direct = redis();
    const lockKey = `${prefix}:lock:${pullKey(pr(5))}`;
    let release!: () => void;
    const taken = new Promise<void>((r) => (release = r));
    a!.start(async (_job, h) => {
      runs++;
      hold = h;
      await taken;
      // Long enough for a renewal (every third of the lifetime) to find the other holder.
      await sleep(TTL);
    });
    await a!.enqueue(pr(5));
    await expect.poll(() => hold).toBeDefined();
    expect(hold!.stillHeld()).toBe(true);
    // What another replica does once this one's lock has expired in Redis (a long pause, a failover).
    await direct.set(lockKey, 'other-replica', 'PX', 60_000);
    release();
    await expect.poll(() => hold!.signal.aborted).toBe(true);
    expect(hold!.stillHeld()).toBe(false);
    expect(String(hold!.signal.reason)).toMatch(/lock lost/);
    await a!.idle();
    expect(await direct.get(lockKey)).toBe('other-replica');
    expect(runs).toBe(1);
  });

  it('a lock whose Redis stops answering counts as lost before Redis could give it to anyone else', async () => {
    const proxy = await freezableProxy(new URL(redisUrl!));
    const viaProxy = redis(proxy.url);
    const direct = redis();
    const key = `hitl-test-${randomUUID()}:lock:x`;
    const lock = await RedisLock.take(viaProxy, key, { ttlMs: TTL });
    expect(lock).toBeDefined();
    cleanup.push(() => lock!.release());
    await sleep(TTL); // renewed meanwhile
    expect(lock!.stillHeld()).toBe(true);
    proxy.freeze();
    await expect.poll(() => lock!.signal.aborted, { interval: 5 }).toBe(true);
    // Lost on this side while the key still exists on Redis's: nobody else can hold it yet.
    expect(await direct.exists(key)).toBe(1);
    expect(lock!.stillHeld()).toBe(false);
    expect(String(lock!.signal.reason)).toMatch(/not renewed in time/);
  });

  it('a reconcile running three times longer than its lock holds back a sweep of its repository until it ends', async () => {
    const order: string[] = [];
    const {
      all: [a, b],
    } = backends(2);
    a!.start(async (job) => {
      order.push(`start ${job.number}`);
      await sleep(3 * TTL);
      order.push(`end ${job.number}`);
    });
    await a!.enqueue(pr(1));
    await expect.poll(() => order.length).toBe(1);
    await b!.exclusive({ installationId: 1, owner: 'acme', repo: 'widgets' }, async () => void order.push('sweep'));
    expect(order).toEqual(['start 1', 'end 1', 'sweep']);
  });

  it('a sweep running three times longer than its lock keeps its repository: its PRs wait for it', async () => {
    const order: string[] = [];
    const {
      all: [a, b],
    } = backends(2);
    a!.start(async (job) => void order.push(`reconcile ${job.number}`));
    await b!.exclusive({ installationId: 1, owner: 'acme', repo: 'widgets' }, async (hold) => {
      order.push('sweep');
      await a!.enqueue(pr(2));
      await sleep(3 * TTL);
      order.push(`sweep end, held: ${hold?.stillHeld()}`);
    });
    await expect.poll(() => order.length, { timeout: 3000 }).toBe(3);
    expect(order).toEqual(['sweep', 'sweep end, held: true', 'reconcile 2']);
  });
});

describeWithRedis('the App on a lock it lost', () => {
  it('a write waiting for its turn when the lock passes to another replica is never sent to GitHub, and the PR waits for the new holder', async () => {
    const nock = (await import('nock')).default;
    const { Probot } = await import('probot');
    const { pino } = await import('pino');
    const { generateKeyPairSync } = await import('node:crypto');
    const { createGate } = await import('../../src/app/gate.js');
    const { redisBackends } = await import('../../src/app/redis.js');
    const { gateOctokit } = await import('../../src/app/octokit.js');
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const comments: string[] = [];
    nock('https://api.github.com')
      .post('/app/installations/1/access_tokens')
      .reply(201, { token: 'ghs_test', expires_at: new Date(Date.now() + 3_600_000).toISOString() })
      .post('/repos/acme/widgets/issues/7/comments')
      .times(2)
      .reply(201, (_uri, body) => {
        comments.push((body as { body: string }).body);
        return { id: comments.length };
      });
    cleanup.push(async () => nock.cleanAll());
    const prefix = `hitl-test-${randomUUID()}`;
    const direct = redis();
    const lockKey = `${prefix}:lock:${pullKey(pr(7))}`;
    const runs: Array<{ stillHeld?: () => boolean; error?: string }> = [];
    // Stands in for reconcile: one write, then a second that waits out the installation's write
    // interval (a second), as writes wait for their budget.
    const reconcile = async (
      client: { rest: { issues: { createComment(p: object): Promise<unknown> } } },
      ref: { owner: string; repo: string; number: number },
      options: { stillHeld?: () => boolean },
    ) => {
      const run: (typeof runs)[number] = { stillHeld: options.stillHeld };
      runs.push(run);
      const base = { ref, effects: [], applied: [], requests: 2, merged: false, decision: { state: 'waiting', tier: 'hard' } };
      try {
        await client.rest.issues.createComment({ ...ref, issue_number: ref.number, body: 'first' });
        await client.rest.issues.createComment({ ...ref, issue_number: ref.number, body: 'second' });
      } catch (error) {
        run.error = String(error);
        return { ...base, error: run.error };
      }
      return base;
    };
    const probot = new Probot({
      appId: 4242,
      privateKey,
      secret: 's',
      log: pino({ level: 'silent' }),
      Octokit: gateOctokit({ fetch: globalThis.fetch, retryAfterBaseMs: 1 }),
    });
    const scaleOut = await redisBackends(redisUrl!, { prefix, retryBaseMs: 20, lockTtlMs: TTL });
    cleanup.push(() => scaleOut.backend.close(2000));
    createGate(probot, {
      ...scaleOut,
      reconcile: reconcile as never,
      identity: { appId: 4242, login: 'hitl-gate[bot]' },
      sweepIntervalMs: 0,
      log: pino({ level: 'silent' }),
    });

    await scaleOut.backend.enqueue(pr(7));
    await expect.poll(() => comments).toEqual(['first']);
    // Another replica holds the PR now (this one's lock expired in Redis: a pause, a failover).
    await direct.set(lockKey, 'other-replica', 'PX', 60_000);
    await expect.poll(() => runs[0]?.error, { timeout: 3000 }).toMatch(/request not sent: .*lock lost/);
    expect(runs[0]!.stillHeld!()).toBe(false);
    await sleep(1000); // past the write interval, and long enough for a retry to have started
    expect(comments).toEqual(['first']);
    // Retried, but not beside the new holder: the retry waits for the lock.
    expect(runs).toHaveLength(1);
    expect(await direct.get(lockKey)).toBe('other-replica');
  }, 15_000);
});

describeWithRedis('the App on a lock it lost, without writing', () => {
  it("leaves the PR's veto-window wake-up to the new holder instead of cancelling it", async () => {
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
    const prefix = `hitl-test-${randomUUID()}`;
    const direct = redis();
    const lockKey = `${prefix}:lock:${pullKey(pr(8))}`;
    let runs = 0;
    // Stands in for reconcile: it reads, and by the time it is done deciding the PR has passed to
    // another replica. Its outcome asks for no wake-up, which would otherwise cancel the PR's.
    const reconcile = async (_client: unknown, ref: object, options: { stillHeld?: () => boolean }) => {
      runs++;
      await direct.set(lockKey, 'other-replica', 'PX', 60_000);
      await expect.poll(() => options.stillHeld?.(), { timeout: 3000 }).toBe(false);
      return { ref, effects: [], applied: [], requests: 1, merged: false, decision: { state: 'ready', tier: 'fyi' } };
    };
    const probot = new Probot({ appId: 4242, privateKey, secret: 's', log: pino({ level: 'silent' }) });
    const scaleOut = await redisBackends(redisUrl!, { prefix, retryBaseMs: 20, lockTtlMs: TTL });
    cleanup.push(() => scaleOut.backend.close(2000));
    createGate(probot, {
      ...scaleOut,
      reconcile: reconcile as never,
      identity: { appId: 4242, login: 'hitl-gate[bot]' },
      sweepIntervalMs: 0,
      log: pino({ level: 'silent' }),
    });
    // The new holder's wake-up for the end of the PR's veto window.
    await scaleOut.backend.at(pr(8), new Date(Date.now() + 60_000));

    await scaleOut.backend.enqueue(pr(8));
    await expect.poll(() => runs).toBe(1);
    await sleep(500);
    expect(await scaleOut.backend.queue.getJob(`wake-${pullKey(pr(8))}`)).toBeDefined();
    expect(runs).toBe(1);
  }, 15_000);
});

/** A TCP proxy to Redis that can stop passing bytes, as a network partition does. */
async function freezableProxy(target: URL): Promise<{ url: string; freeze(): void }> {
  const sockets: Socket[] = [];
  let frozen = false;
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port || 6379), target.hostname);
    sockets.push(client, upstream);
    for (const s of [client, upstream]) s.on('error', () => undefined);
    client.on('data', (chunk) => void (frozen || upstream.write(chunk)));
    upstream.on('data', (chunk) => void (frozen || client.write(chunk)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  const { port } = server.address() as { port: number };
  return { url: `redis://127.0.0.1:${port}`, freeze: () => void (frozen = true) };
}
