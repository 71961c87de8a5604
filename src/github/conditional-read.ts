// A read through the session's kept answers: GitHub is asked with the ETag of the answer kept before,
// and a 304 (which costs nothing against the rate limit) gives that answer back. Used for what
// changes rarely and is read often: policy files and branch rules.
import type { GitHubClient } from './client.js';
import { httpStatus } from './errors.js';
import { request, type Session } from './session.js';

/** What the read sends along: If-None-Match when an answer is kept. */
export interface Conditional {
  headers?: { 'if-none-match': string };
}

/** Which answers are usable: a kept one that is not is never asked for; a fresh one that is not fails the read. */
export interface Usable<T> {
  is: (data: unknown) => data is T;
  otherwise: () => Error;
}

/** The answer kept under `key`, or GitHub's new one; `undefined` on 404. Any failure forgets the kept answer. */
export async function readConditionally<T = unknown>(
  session: Session,
  key: string,
  read: (client: GitHubClient, conditional: Conditional) => Promise<{ data: unknown; headers: { etag?: string | undefined } }>,
  usable?: Usable<T>,
): Promise<T | undefined> {
  const isUsable = (data: unknown): data is T => !usable || usable.is(data);
  const kept = session.kept.get(key);
  const cached = kept && isUsable(kept.data) ? { etag: kept.etag, data: kept.data } : undefined;
  try {
    const { data, headers } = await request(session, (c) => read(c, cached ? { headers: { 'if-none-match': cached.etag } } : {}));
    if (usable && !usable.is(data)) throw usable.otherwise();
    session.kept.keep(key, typeof headers.etag === 'string' ? headers.etag : undefined, data);
    return data as T;
  } catch (error) {
    const status = httpStatus(error);
    if (status === 304 && cached) return cached.data;
    session.kept.forget(key);
    if (status === 404) return undefined;
    throw error;
  }
}
