// Every GET the App repeats goes out conditionally: the answer GitHub gave last time is kept with its
// ETag, the next request carries `If-None-Match`, and GitHub's 304 (which is not charged to the rate
// limit) is answered with the kept body. One Octokit plugin, so every read benefits, present and
// future, without its call knowing. A 304 means GitHub holds exactly what it sent then, so a
// decision made on the kept body is as fresh as one made on a full answer.
import type { Octokit } from '@octokit/core';
import { httpStatus } from '../github/errors.js';
import { redisOf, type SharedCache } from './shared-cache.js';
import type { TrafficClientOptions } from './octokit-traffic.js';

interface Kept {
  etag: string;
  link?: string;
  data: unknown;
}

type RequestOptions = { method?: string; headers?: Record<string, unknown> } & Record<string, unknown>;

export interface ConditionalReadStats {
  /** Answered 304 by GitHub (not charged). */
  revalidated: number;
  /** Full answers (charged). */
  full: number;
}

/** An Octokit plugin. `cache` is shared by every client built from the plugin (one App process). */
export function conditionalReadsPlugin(cache: SharedCache, stats?: ConditionalReadStats) {
  return function conditionalReads(octokit: Octokit, clientOptions: Record<string, unknown>): void {
    const auth = clientOptions.auth as { installationId?: number | string } | undefined;
    // ETags answer for what this credential may see: keep each installation's apart.
    const owner = auth?.installationId !== undefined ? `installation-${auth.installationId}` : 'app';
    const redis = redisOf((clientOptions.traffic as TrafficClientOptions | undefined)?.connection);
    if (redis) cache.share(redis);

    octokit.hook.wrap('request', async (request, requestOptions) => {
      const options = requestOptions as unknown as RequestOptions;
      const headers = options.headers ?? {};
      // Writes, and reads that already carry their own condition (the policy reader), go as they are.
      if ((options.method ?? 'GET') !== 'GET' || headers['if-none-match'] !== undefined) return request(requestOptions);
      const parsed = octokit.request.endpoint.parse(requestOptions);
      const key = `${owner} ${parsed.url} ${String(parsed.headers.accept ?? '')}`;
      const text = await cache.get(key);
      const kept = text === undefined ? undefined : (JSON.parse(text) as Kept);
      try {
        // Set on the options themselves: Octokit's hooks pass the caller's options object down the
        // chain (an inner hook would not see a copy). It is this request's own object.
        if (kept) (requestOptions.headers as Record<string, string>)['if-none-match'] = kept.etag;
        const response = await request(requestOptions);
        const etag = response.headers.etag;
        if (etag) {
          const link = response.headers.link;
          cache.set(key, JSON.stringify({ etag, ...(link ? { link } : {}), data: response.data } satisfies Kept));
        } else if (kept) cache.delete(key);
        if (stats) stats.full++;
        return response;
      } catch (error) {
        if (!kept || httpStatus(error) !== 304) throw error;
        if (stats) stats.revalidated++;
        return {
          status: 200,
          url: parsed.url,
          headers: { etag: kept.etag, ...(kept.link ? { link: kept.link } : {}) },
          data: kept.data,
        } as Awaited<ReturnType<typeof request>>;
      }
    });
  };
}
