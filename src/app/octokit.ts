// The Octokit class the app hands to Probot: Probot's own (retry, throttling, paginate) with the
// limits this app needs.
//
// Pacing writes: @octokit/plugin-throttling keeps one write limiter (1 write per second, one at a
// time) per `throttle.id`. Probot sets that id to the installation id only in `app.auth(id)`; the
// webhook's `context.octokit` shares the id "no-id" and so would pace every installation together.
// The app therefore never writes through `context.octokit`: every reconcile runs on `app.auth(id)`,
// so writes are paced per installation (across replicas too when Probot clusters the limiter in Redis).
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

export function gateOctokit(options: GateOctokitOptions = {}): typeof ProbotOctokit {
  const base = options.retryAfterBaseMs ?? 1000;
  const retries = options.retries ?? 3;
  const maxWait = options.maxRetryAfterSeconds ?? 120;
  const retryLimited = (retryAfter: number, request: ThrottledRequest): boolean => request.request.retryCount < 2 && retryAfter <= maxWait;
  return ProbotOctokit.plugin(noBlindPostRetries).defaults((instance: Options) => {
    const throttle = (instance.throttle ?? {}) as Record<string, unknown>;
    return {
      ...instance,
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
