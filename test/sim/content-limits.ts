// GitHub's secondary limits on content-creating requests (docs/github.md#secondary-rate-limits), per installation: at most 80 a minute and
// 500 an hour. Past either, GitHub answers 403 "You have exceeded a secondary rate limit" with a
// `retry-after`. Refused requests create nothing and are not counted here.
export interface ContentLimits {
  perMinute: number;
  perHour: number;
  /** Window lengths; a benchmark may shorten both to run an hour's worth in a minute. */
  minuteMs?: number;
  hourMs?: number;
}

export const GITHUB_CONTENT_LIMITS: ContentLimits = { perMinute: 80, perHour: 500 };

export class ContentCounter {
  readonly #writes = new Map<number, number[]>();
  /** Secondary-limit answers given so far. */
  refused = 0;

  /** Seconds the installation must wait before this write, or 0 when it fits (and is counted). */
  admit(installationId: number, limits: ContentLimits, now: number): number {
    const minuteMs = limits.minuteMs ?? 60_000;
    const hourMs = limits.hourMs ?? 3_600_000;
    const times = (this.#writes.get(installationId) ?? []).filter((t) => t > now - Math.max(minuteMs, hourMs));
    this.#writes.set(installationId, times);
    const waits: number[] = [];
    const lastMinute = times.filter((t) => t > now - minuteMs);
    if (lastMinute.length >= limits.perMinute) waits.push(lastMinute[lastMinute.length - limits.perMinute]! + minuteMs - now);
    if (times.length >= limits.perHour) waits.push(times[times.length - limits.perHour]! + hourMs - now);
    if (waits.length > 0) {
      this.refused++;
      return Math.max(1, Math.ceil(Math.max(...waits) / 1000));
    }
    times.push(now);
    return 0;
  }
}
