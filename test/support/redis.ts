// Tests of the App's scale-out need a Redis server, named by REDIS_URL. Without one they are skipped
// on a developer's machine, saying so; under CI (CI set, as CI services set it) they fail instead, so
// a run that could not start Redis never passes as green with them left out.
import { describe, it } from 'vitest';

export const redisUrl: string | undefined = process.env.REDIS_URL?.trim() || undefined;

const ci = process.env.CI?.trim().toLowerCase();
export const inCi = ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';

/** `describe` for tests that need Redis: runs them with REDIS_URL, fails under CI without it, skips
 * them otherwise. */
export function describeWithRedis(name: string, body: () => void): void {
  if (redisUrl) {
    describe(name, body);
  } else if (inCi) {
    describe(name, () => {
      it('has a Redis server to run against', () => {
        throw new Error('REDIS_URL is not set, and CI is: these tests need a Redis server (.ci/run starts one)');
      });
    });
  } else {
    console.warn(`skipped "${name}": it needs a Redis server; set REDIS_URL=redis://127.0.0.1:6379 to run it`);
    describe.skip(name, body);
  }
}
