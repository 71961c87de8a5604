// The GitHub client of a reconcile that holds its PR's lock: every request it makes is checked, at
// the moment it would be sent, against that lock. A write can wait minutes for its installation's
// write budget (./write-budget.ts); what counts is whether the lock is still held when the write
// leaves, not when the reconcile decided to make it. A request refused this way fails the reconcile
// before anything reaches GitHub, so a worker that lost its PR to another never merges or
// overwrites the other's record; its retry waits for the lock.
import type { Octokit } from '@octokit/core';
import type { Hold } from './redis-lock.js';

type Fetch = (url: string, init?: unknown) => Promise<unknown>;

/** An aborted request: the App's traffic plugin does not repeat it (./octokit-traffic.ts). */
function refused(hold: Hold): Error {
  const reason = hold.signal.reason instanceof Error ? hold.signal.reason.message : 'lock released';
  return Object.assign(new Error(`request not sent: ${reason}`), { name: 'AbortError' });
}

/** Makes `client` refuse every request once `hold` is no longer held; returns the same client. */
export function holdingClient<T extends Pick<Octokit, 'hook'>>(client: T, hold: Hold): T {
  client.hook.wrap('request', (request, options) => {
    const inner = options.request as { fetch?: Fetch } | undefined;
    const send: Fetch = inner?.fetch ?? (globalThis.fetch as Fetch);
    const fetch: Fetch = (url, init) => {
      if (!hold.stillHeld()) return Promise.reject(refused(hold));
      return send(url, init);
    };
    // Set on the request's own options (made afresh for each request): the hooks inside this one
    // were handed that object, not whatever this one passes on.
    options.request = { ...options.request, fetch } as typeof options.request;
    return request(options);
  });
  return client;
}
