// The Octokit class the app hands to Probot: Probot's own (auth, pagination, REST methods, config,
// request logging) with its retry and throttling plugins swapped for the app's traffic plugin
// (./octokit-traffic.ts says why). Every client Probot builds for an installation, the webhook's
// `context.octokit` included, is limited and paced under that installation's key.
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { ProbotOctokit } from 'probot';
import { conditionalReadsPlugin } from './conditional-reads.js';
import { httpFetch } from './http-fetch.js';
import { trafficPlugin, type TrafficClientOptions } from './octokit-traffic.js';
import { SharedCache } from './shared-cache.js';
import type { WriteLimit } from './write-budget.js';

type Options = ConstructorParameters<typeof ProbotOctokit>[0] & Record<string, unknown>;

export interface GateOctokitOptions {
  /** Multiplies every `retry-after` and backoff (milliseconds per second); tests make it tiny. */
  retryAfterBaseMs?: number;
  /** Retries of 5xx answers (never for a POST, which GitHub may have applied). */
  retries?: number;
  /** The longest rate-limit wait worth doing inside a reconcile; longer ones fail and are retried later. */
  maxRetryAfterSeconds?: number;
  /** Milliseconds between writes of one installation (GitHub asks for 1000); 0 switches pacing off. */
  writeIntervalMs?: number;
  /** What requests are sent with. Default: `httpFetch()` (./http-fetch.ts says why); behind a proxy,
   * Node's fetch, which the server routes through it. */
  fetch?: typeof fetch;
  /** Answers kept with their ETags for conditional reads (./conditional-reads.ts). Default: a new
   * in-memory cache, shared through Redis when Probot has a Redis connection; `false` switches
   * conditional reads off. */
  readCache?: SharedCache | false;
  /** Content-creating requests per installation per window (default GitHub's 80/min, 500/h). */
  writeLimits?: readonly WriteLimit[];
}

/** How long one app JWT (valid about ten minutes) is handed out again. */
const JWT_REUSE_SECONDS = 60;

export type CreateJwt = (appId: number | string, timeDifference?: number) => Promise<{ jwt: string; expiresAt: string }>;

const base64url = (data: string | Buffer): string => Buffer.from(data).toString('base64url');

/**
 * The app's JWT (RS256; `iat` 30 s in the past, `exp` ten minutes after it, as
 * `universal-github-app-jwt` makes them) from a key parsed once, reused for a minute. By default
 * `@octokit/auth-app` re-imports the private key and signs a new JWT for every token request; on a
 * burst of new installations that was ~2 ms of CPU per token, twice per event. `timeDifference`
 * (GitHub's clock skew, learnt from a refused JWT) always gets a JWT of its own.
 */
export function appJwt(privateKey: string, now: () => number = Date.now): CreateJwt {
  let key: KeyObject | undefined;
  let last: { appId: string; timeDifference: number; at: number; jwt: string; expiresAt: string } | undefined;
  return async (appId, timeDifference = 0) => {
    const at = Math.floor(now() / 1000);
    if (
      last &&
      last.appId === String(appId) &&
      last.timeDifference === timeDifference &&
      at - last.at < JWT_REUSE_SECONDS &&
      at >= last.at
    ) {
      return { jwt: last.jwt, expiresAt: last.expiresAt };
    }
    // Keys in environment variables often carry escaped line breaks (as universal-github-app-jwt allows).
    key ??= createPrivateKey(privateKey.replace(/\\n/g, '\n'));
    const iat = at + timeDifference - 30;
    const exp = iat + 10 * 60;
    const unsigned = `${base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }))}.${base64url(JSON.stringify({ iat, exp, iss: appId }))}`;
    const jwt = `${unsigned}.${base64url(sign('sha256', Buffer.from(unsigned), key))}`;
    last = { appId: String(appId), timeDifference, at, jwt, expiresAt: new Date(exp * 1000).toISOString() };
    return { jwt, expiresAt: last.expiresAt };
  };
}

/** App credentials (Probot passes `appId` + `privateKey`) get `createJwt` instead of the key (the
 * two are exclusive; Probot merges its key back into the options of every client it derives, so
 * the key wins and gets its shared JWT maker); token authentication (`githubToken`) and options
 * without a key are left alone. `jwtMakers`: one per private key, shared by every client built from
 * one Octokit class (app, installations, events). */
function withCachedJwt(auth: unknown, jwtMakers: Map<string, CreateJwt>): unknown {
  if (!auth || typeof auth !== 'object') return auth;
  const { privateKey, ...rest } = auth as { privateKey?: unknown; appId?: unknown; createJwt?: unknown };
  if (typeof privateKey !== 'string' || !rest.appId) return auth;
  let createJwt = jwtMakers.get(privateKey);
  if (!createJwt) {
    createJwt = appJwt(privateKey);
    jwtMakers.set(privateKey, createJwt);
  }
  return { ...rest, createJwt };
}

export function gateOctokit(options: GateOctokitOptions = {}): typeof ProbotOctokit {
  const base = options.retryAfterBaseMs ?? 1000;
  const traffic = trafficPlugin({
    retries: options.retries ?? 3,
    backoffMs: base,
    retryAfterBaseMs: base,
    maxRetryAfterSeconds: options.maxRetryAfterSeconds ?? 120,
    writeIntervalMs: options.writeIntervalMs ?? 1000,
    ...(options.writeLimits ? { writeLimits: options.writeLimits } : {}),
  });
  const send = options.fetch ?? httpFetch();
  const readCache = options.readCache ?? new SharedCache({ prefix: 'hitl:read:' });
  // Lives as long as the class (the server's): every client Probot derives from it signs with these.
  const jwtMakers = new Map<string, CreateJwt>();
  const plugins = readCache ? [traffic, conditionalReadsPlugin(readCache)] : [traffic];
  return ProbotOctokit.plugin(...plugins).defaults((instance: Options) => {
    // Probot puts its Redis connection (REDIS_URL) into the throttle options; the traffic plugin
    // paces writes with it. Clients Probot derives for installations carry it on in `traffic`.
    const connection =
      (instance.throttle as { connection?: unknown } | undefined)?.connection ??
      (instance.traffic as TrafficClientOptions | undefined)?.connection;
    return {
      ...instance,
      ...(instance.auth ? { auth: withCachedJwt(instance.auth, jwtMakers) } : {}),
      request: {
        ...(instance.request as object | undefined),
        fetch: (instance.request as { fetch?: typeof fetch } | undefined)?.fetch ?? send,
      },
      retry: { enabled: false },
      throttle: { enabled: false },
      ...(connection ? { traffic: { connection } satisfies TrafficClientOptions } : {}),
    };
  }) as typeof ProbotOctokit;
}
