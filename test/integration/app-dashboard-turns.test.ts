// The dashboard's turn in a real Redis: one replica per repository per interval, the others told how
// long to wait (src/app/dashboard-scheduler.ts `redisTurns`).
import { randomUUID } from 'node:crypto';
import { afterAll, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { redisTurns } from '../../src/app/dashboard-scheduler.js';
import { describeWithRedis, redisUrl } from '../support/redis.js';

const clients: Redis[] = [];
afterAll(() => {
  for (const c of clients) c.disconnect();
});

describeWithRedis('the dashboard turn in Redis', () => {
  it('goes to one replica per interval; the other waits about as long as the turn has left', async () => {
    const prefix = `test-${randomUUID()}`;
    const connect = () => {
      const c = new Redis(redisUrl!);
      clients.push(c);
      return c;
    };
    const a = redisTurns(connect(), prefix, 'a');
    const b = redisTurns(connect(), prefix, 'b');
    const key = '1/acme/app';
    expect(await a(key, 5_000)).toBe(0);
    const wait = await b(key, 5_000);
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(5_000);
    expect(await a(key, 5_000)).toBeGreaterThan(0);
    // Another repository's turn is its own.
    expect(await b('1/acme/other', 5_000)).toBe(0);
  });
});
