// The Octokit class the app hands to Probot: Probot's own (retry, throttling, paginate) with the
// limits this app needs.
//
// Pacing writes: @octokit/plugin-throttling keeps one write limiter (1 write per second, one at a
// time) per `throttle.id`. Probot sets that id to the installation id only in `app.auth(id)`; the
// webhook's `context.octokit` shares the id "no-id" and so would pace every installation together.
// The app therefore never writes through `context.octokit`: every reconcile runs on `app.auth(id)`,
// so writes are paced per installation (across replicas too when Probot clusters the limiter in Redis).
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { ProbotOctokit } from 'probot';
import type { Octokit } from '@octokit/core';

type Options = ConstructorParameters<typeof ProbotOctokit>[0] & Record<string, unknown>;

interface ThrottledRequest {
  method: string;
  url: string;
  request: { retryCount: number };
}

export interface GateOctokitOptions {
  /** Multiplies every `retry-after` and backoff (milliseconds per second); tests make it tiny. */
  retryAfterBaseMs?: number;
  /** Retries of 5xx and other transient failures. */
  retries?: number;
  /** The longest rate-limit wait worth doing inside a reconcile; longer ones fail and are retried later. */
  maxRetryAfterSeconds?: number;
  /** Extra throttle options (tests swap the write limiter for a faster one). */
  throttle?: Record<string, unknown>;
}

/**
 * A POST that failed with a 5xx may have been applied anyway (a status comment posted twice is
 * noise on every PR). The client does not repeat it; the reconcile fails instead, and its retry
 * re-reads GitHub first, so it only writes what is still missing. Rate-limit answers (403/429 with
 * `retry-after`) are still waited out and repeated by the throttling plugin: GitHub did not apply
 * them. Token requests are safe to repeat.
 */
function noBlindPostRetries(octokit: Octokit): void {
  octokit.hook.before('request', (options) => {
    if (options.method !== 'POST' || /\/access_tokens$/.test(String(options.url))) return;
    options.request = { ...options.request, retries: 0 };
  });
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
    if (last && last.appId === String(appId) && last.timeDifference === timeDifference && at - last.at < JWT_REUSE_SECONDS && at >= last.at) {
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

/** One JWT maker per private key, shared by every client Probot builds (app, installations, events). */
const jwtMakers = new Map<string, CreateJwt>();

/** App credentials (Probot passes `appId` + `privateKey`) get `createJwt` instead of the key (the
 * two are exclusive; Probot merges its key back into the options of every client it derives, so
 * the key wins and gets its shared JWT maker); token authentication (`githubToken`) and options
 * without a key are left alone. */
function withCachedJwt(auth: unknown): unknown {
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
  const retries = options.retries ?? 3;
  const maxWait = options.maxRetryAfterSeconds ?? 120;
  const retryLimited = (retryAfter: number, request: ThrottledRequest): boolean => request.request.retryCount < 2 && retryAfter <= maxWait;
  return ProbotOctokit.plugin(noBlindPostRetries).defaults((instance: Options) => {
    const throttle = (instance.throttle ?? {}) as Record<string, unknown>;
    return {
      ...instance,
      ...(instance.auth ? { auth: withCachedJwt(instance.auth) } : {}),
      retry: { retries, retryAfterBaseValue: base, ...(instance.retry as object | undefined) },
      throttle: {
        ...throttle,
        retryAfterBaseValue: base,
        // Probot logs secondary limits without retrying; GitHub says when to come back, so wait (bounded).
        onSecondaryRateLimit: retryLimited,
        onRateLimit: retryLimited,
        ...options.throttle,
      },
    };
  }) as typeof ProbotOctokit;
}
