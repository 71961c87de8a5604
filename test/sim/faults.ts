// What can go wrong between the App and GitHub, configurable per test.
import type { Random } from './random.js';

export interface RestFaults {
  /** Added before every REST answer: a fixed delay or a uniform range, in ms. */
  latencyMs?: number | { min: number; max: number };
  /** Fraction of REST requests answered 5xx before anything happens (no side effect). */
  errorRate?: number;
  /** Fraction of writes that take effect and are then answered 502 anyway (GitHub does this). */
  errorAfterWriteRate?: number;
  /** Only requests this returns true for are subject to the faults above. */
  only?: (method: string, route: string) => boolean;
}

export interface RateLimitEpisode {
  /** `secondary`: 403 + `retry-after` + "secondary rate limit"; `primary`: 403 + `x-ratelimit-remaining: 0`;
   * `429`: 429 + `retry-after`. */
  kind: 'secondary' | 'primary' | '429';
  /** How many requests are refused before the episode ends. */
  requests: number;
  retryAfterSeconds: number;
}

export interface WebhookFaults {
  /** Fraction of deliveries never sent (GitHub does not redeliver on its own). */
  dropRate?: number;
  /** Fraction of deliveries sent twice, with the same delivery id. */
  duplicateRate?: number;
  /** Fraction of deliveries held back by `reorderDelayMs` so that later ones overtake them. */
  reorderRate?: number;
  reorderDelayMs?: number;
  /** Delay before every delivery, in ms. */
  delayMs?: number;
}

export interface Faults {
  rest: RestFaults;
  webhooks: WebhookFaults;
  rateLimit?: RateLimitEpisode;
}

export function pickLatency(faults: RestFaults, random: Random): number {
  const l = faults.latencyMs;
  if (l === undefined) return 0;
  if (typeof l === 'number') return l;
  return l.min + random() * (l.max - l.min);
}
