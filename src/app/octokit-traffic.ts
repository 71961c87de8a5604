// How the App's requests reach GitHub, per installation: at most `concurrency` in flight, writes
// `writeIntervalMs` apart (across replicas when a Redis connection is given), 5xx answers of requests
// that are safe to repeat retried with backoff, and rate limits waited out when GitHub says how long.
//
// Why not @octokit/plugin-retry and @octokit/plugin-throttling, which Probot ships: both schedule every
// request through Bottleneck, which yields to the timer queue several times per job. Measured here
// that was ~15 ms of waiting and ~0.7 ms of CPU per request: most of the delay between a webhook and
// the gate's first write, and half of a reconcile's CPU. Here only writes meet a Bottleneck (to pace
// them across replicas, clustered in Redis as Probot clusters its own); reads go straight out. A
// single process paces on its own queue per installation: Bottleneck there was 4% of the App's CPU
// under a stream of pushes, for what a queue does. Writes also stay within GitHub's content limits
// (80 a minute, 500 an hour per installation; ./write-budget.ts), the most urgent first.
import Bottleneck from 'bottleneck';
import pLimit, { type LimitFunction } from 'p-limit';
import pRetry from 'p-retry';
import type { Octokit } from '@octokit/core';
import {
  GITHUB_WRITE_LIMITS,
  LocalWriteBudget,
  RedisWriteBudget,
  writePriority,
  type RedisSortedSets,
  type WriteBudget,
  type WriteLimit,
} from './write-budget.js';

export interface TrafficOptions {
  /** Retries of a 5xx (or a failed connection) for requests that are safe to repeat. */
  retries?: number;
  /** The first retry's backoff; each next one doubles. */
  backoffMs?: number;
  /** Milliseconds per second of GitHub's `retry-after` (tests make it tiny). */
  retryAfterBaseMs?: number;
  /** The longest rate-limit wait worth doing inside a reconcile; a longer one fails the request. */
  maxRetryAfterSeconds?: number;
  /** How many times one request waits out a rate limit before failing. */
  rateLimitRetries?: number;
  /** GitHub asks for at least a second between content-creating requests of one installation.
   * 0 switches pacing off (only to measure CPU headroom). */
  writeIntervalMs?: number;
  /** Requests of one installation in flight at once (GitHub's secondary limit counts concurrency). */
  concurrency?: number;
  /** Content-creating requests per installation per window (default GitHub's: 80 a minute, 500 an
   * hour). When the budget is short, writes wait, merges and answers to people first. */
  writeLimits?: readonly WriteLimit[];
}

/** What the App keeps in each client's options: Probot's Redis connection for its rate limiter. */
export interface TrafficClientOptions {
  connection?: unknown;
}

interface Failure {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | number | undefined> };
}

type RequestOptions = { method?: string; url?: string } & Record<string, unknown>;

const SECONDARY_FALLBACK_SECONDS = 60;

/** Seconds GitHub asks us to wait, when the failure is a rate limit; undefined for anything else
 * (a plain 403 is a permission answer and is not repeated). */
export function rateLimitWait(error: unknown, nowMs: number): number | undefined {
  const failure = error as Failure;
  if (failure?.status !== 403 && failure?.status !== 429) return undefined;
  const headers = failure.response?.headers ?? {};
  const retryAfter = Number(headers['retry-after']);
  if (headers['retry-after'] !== undefined && Number.isFinite(retryAfter)) return Math.max(0, retryAfter);
  if (String(headers['x-ratelimit-remaining']) === '0') {
    const reset = Number(headers['x-ratelimit-reset']);
    if (Number.isFinite(reset)) return Math.max(0, Math.ceil(reset - nowMs / 1000) + 1);
  }
  if (failure.status === 429 || /secondary rate limit|abuse/i.test(failure.message ?? '')) return SECONDARY_FALLBACK_SECONDS;
  return undefined;
}

/** A POST answered 5xx may have been applied anyway (a second status comment is noise on every PR),
 * so it is not repeated: the reconcile fails and its retry re-reads GitHub first. Token requests and
 * every other method are safe to repeat. */
function repeatable(options: RequestOptions): boolean {
  return options.method !== 'POST' || /\/access_tokens$/.test(String(options.url)) || isGraphqlQuery(options);
}

/** GraphQL is always a POST; only a mutation writes. A query (the merge queue's place, its entries) is a
 * read: neither paced nor counted against the content-creating budget. */
function isGraphqlQuery(options: RequestOptions): boolean {
  return /\/graphql$/.test(String(options.url)) && typeof options.query === 'string' && !/^\s*mutation\b/.test(options.query);
}

/** Writes are what GitHub paces; a token request creates no content. */
function isWrite(options: RequestOptions): boolean {
  const method = options.method ?? 'GET';
  return method !== 'GET' && method !== 'HEAD' && !/\/access_tokens$/.test(String(options.url)) && !isGraphqlQuery(options);
}

/** A request its caller aborted (a reconcile that lost its PR's lock: ./held-client.ts) answers
 * nothing about GitHub, and repeating it would only be refused again. */
const transient = (error: unknown): boolean => (error as Error)?.name !== 'AbortError' && ((error as Failure)?.status ?? 500) >= 500;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An Octokit plugin. The limits are shared by every client built from one plugin (one App process),
 * keyed by installation (the app's own JWT requests share one key). */
export function trafficPlugin(options: TrafficOptions = {}) {
  const retries = options.retries ?? 3;
  const backoffMs = options.backoffMs ?? 1000;
  const retryAfterBaseMs = options.retryAfterBaseMs ?? 1000;
  const maxWait = options.maxRetryAfterSeconds ?? 120;
  const rateLimitRetries = options.rateLimitRetries ?? 2;
  const writeIntervalMs = options.writeIntervalMs ?? 1000;
  const concurrency = options.concurrency ?? 10;
  const writeLimits = options.writeLimits ?? GITHUB_WRITE_LIMITS;
  const localBudget = new LocalWriteBudget(writeLimits);
  let sharedBudget: WriteBudget | undefined;
  /** Replicas share the budget through Probot's Redis connection (its ioredis client). */
  const budgetFor = (connection: unknown): WriteBudget => {
    const client = (connection as { client?: Partial<RedisSortedSets> } | undefined)?.client;
    if (!client || typeof client.zadd !== 'function') return localBudget;
    return (sharedBudget ??= new RedisWriteBudget(client as RedisSortedSets, writeLimits));
  };

  /** Waits until the installation's budget has room for one more write. */
  async function withinBudget(budget: WriteBudget, key: string): Promise<void> {
    for (;;) {
      const wait = await budget.waitMs(key, Date.now());
      if (wait <= 0) return;
      await sleep(wait);
    }
  }

  const inFlight = new Map<string, LimitFunction>();
  let writes: Bottleneck.Group | undefined;

  function slot(key: string): LimitFunction {
    let limit = inFlight.get(key);
    if (!limit) {
      limit = pLimit(concurrency);
      inFlight.set(key, limit);
    }
    return limit;
  }

  async function send<T>(key: string, run: () => Promise<T>): Promise<T> {
    const limit = slot(key);
    try {
      return await limit(run);
    } finally {
      // Forget idle installations, so a process serving thousands does not keep a limiter for each.
      if (limit.activeCount === 0 && limit.pendingCount === 0) inFlight.delete(key);
    }
  }

  /** Clustered in Redis (Probot's connection): replicas pace one installation together. */
  function writeLimiter(key: string, connection: unknown): Bottleneck {
    writes ??= new Bottleneck.Group({ id: 'hitl-write', maxConcurrent: 1, connection: connection as Bottleneck.IORedisConnection });
    return writes.key(key);
  }

  interface PendingWrite {
    priority: number;
    /** Sends the write; resolves once it is answered (and logged in the budget). */
    start: () => Promise<void>;
  }
  /** Per installation, the writes waiting for their turn, most urgent first (then oldest first). */
  const lanes = new Map<string, PendingWrite[]>();

  async function drain(key: string, lane: PendingWrite[]): Promise<void> {
    while (lane.length > 0) {
      await withinBudget(localBudget, key);
      // Chosen only now: a merge that arrived while the budget was short goes before older writes.
      await lane.shift()!.start();
      await sleep(writeIntervalMs);
    }
    lanes.delete(key);
  }

  function pacedHere<T>(key: string, priority: number, run: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let lane = lanes.get(key);
      const fresh = !lane;
      if (!lane) {
        lane = [];
        lanes.set(key, lane);
      }
      const write: PendingWrite = {
        priority,
        start: () =>
          run()
            .then(resolve, reject)
            .finally(() => localBudget.record(key, Date.now())),
      };
      const at = lane.findIndex((w) => w.priority > priority);
      if (at < 0) lane.push(write);
      else lane.splice(at, 0, write);
      if (fresh) void drain(key, lane);
    });
  }

  /** One write at a time per installation, and the next one starts a full interval after this one
   * was answered: spacing the starts (Bottleneck's `minTime`) let a slow request and a fast one
   * reach GitHub under a second apart. The caller has its answer at once; the slot is held on. */
  function paced<T>(key: string, connection: unknown, priority: number, run: () => Promise<T>): Promise<T> {
    if (!connection) return pacedHere(key, priority, run);
    const budget = budgetFor(connection);
    return new Promise<T>((resolve, reject) => {
      writeLimiter(key, connection)
        .schedule({ priority }, async () => {
          await withinBudget(budget, key);
          await run().then(resolve, reject);
          await budget.record(key, Date.now()).catch(() => undefined);
          await sleep(writeIntervalMs);
        })
        .catch(reject);
    });
  }

  return function traffic(octokit: Octokit, clientOptions: Record<string, unknown>): void {
    const auth = clientOptions.auth as { installationId?: number | string } | undefined;
    const key = auth?.installationId !== undefined ? `installation-${auth.installationId}` : 'app';
    const connection = (clientOptions.traffic as TrafficClientOptions | undefined)?.connection;

    octokit.hook.wrap('request', (request, requestOptions) => {
      const opts = requestOptions as unknown as RequestOptions;
      const once = () => send(key, async () => request(requestOptions));
      const priority = () => writePriority(String(opts.method), String(opts.url), opts);
      const attempt = writeIntervalMs > 0 && isWrite(opts) ? () => paced(key, connection, priority(), once) : once;
      let waited = false;
      let rateLimited = 0;
      return pRetry(attempt, {
        retries,
        minTimeout: backoffMs,
        factor: 2,
        onFailedAttempt: async ({ error }) => {
          waited = false;
          const wait = rateLimitWait(error, Date.now());
          if (wait === undefined || wait > maxWait || rateLimited >= rateLimitRetries) return;
          rateLimited++;
          octokit.log.warn(`GitHub rate limit on ${opts.method} ${opts.url}; retrying in ${wait} s`);
          await sleep(wait * retryAfterBaseMs);
          waited = true;
        },
        // A rate-limit wait is GitHub's pacing, not a failure: it spends no retry and adds no backoff.
        shouldConsumeRetry: ({ error }) => rateLimitWait(error, Date.now()) === undefined,
        shouldRetry: ({ error }) => waited || (rateLimitWait(error, Date.now()) === undefined && transient(error) && repeatable(opts)),
      });
    });
  };
}
