// The client of a reconcile that holds a lock: nothing leaves once the lock is lost, and the App's
// traffic plugin does not keep trying what was refused.
import { describe, expect, it } from 'vitest';
import { gateOctokit } from '../../src/app/octokit.js';
import { holdingClient } from '../../src/app/held-client.js';
import { LockLostError, type Hold } from '../../src/app/redis-lock.js';

function fakeHold() {
  const abort = new AbortController();
  let asked = 0;
  const hold: Hold = {
    signal: abort.signal,
    stillHeld: () => {
      asked++;
      return !abort.signal.aborted;
    },
  };
  return { hold, lose: () => abort.abort(new LockLostError('reconcile of acme/widgets#7: lock lost (taken)')), asked: () => asked };
}

function client(hold: Hold) {
  const sent: string[] = [];
  const fetch = async (url: string | URL | Request, init?: RequestInit) => {
    sent.push(`${init?.method ?? 'GET'} ${String(url)}`);
    return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
  };
  const Octokit = gateOctokit({ fetch: fetch as typeof globalThis.fetch, retryAfterBaseMs: 1, writeIntervalMs: 0, readCache: false });
  return { octokit: holdingClient(new Octokit({ auth: 'ghs_test' }), hold), sent };
}

describe('holdingClient', () => {
  it('sends while the lock is held', async () => {
    const { hold } = fakeHold();
    const { octokit, sent } = client(hold);
    await octokit.rest.issues.updateComment({ owner: 'acme', repo: 'widgets', comment_id: 1, body: 'x' });
    await octokit.rest.pulls.get({ owner: 'acme', repo: 'widgets', pull_number: 7 });
    expect(sent).toEqual([
      'PATCH https://api.github.com/repos/acme/widgets/issues/comments/1',
      'GET https://api.github.com/repos/acme/widgets/pulls/7',
    ]);
  });

  it('once the lock is lost, sends nothing, says why, and does not try again (a merge included)', async () => {
    const { hold, lose, asked } = fakeHold();
    const { octokit, sent } = client(hold);
    lose();
    await expect(octokit.rest.pulls.merge({ owner: 'acme', repo: 'widgets', pull_number: 7, sha: 'abc' })).rejects.toThrow(
      /request not sent: .*lock lost/,
    );
    // A PUT is otherwise repeated on a 5xx; a refusal is not one.
    expect(asked()).toBe(1);
    await expect(octokit.rest.pulls.get({ owner: 'acme', repo: 'widgets', pull_number: 7 })).rejects.toThrow(/lock lost/);
    expect(sent).toEqual([]);
  });
});
