// A nock-backed GitHub REST API for integration tests: no network, every request recorded (with its
// JSON body), and `done()` fails when an expected request was not made or an unexpected one was.
import nock from 'nock';
import { ProbotOctokit } from 'probot';
import { expect } from 'vitest';
import type { GitHubClient } from '../../src/github/index.js';

export const API = 'https://api.github.com';

export interface RecordedRequest {
  method: string;
  /** Path with query string, as sent (`/repos/o/r/contents/.github%2Fhitl.yml?ref=main`). */
  path: string;
  body?: unknown;
}

export interface MockGitHub {
  /** Define expected requests on it (`api.scope.get(...).reply(...)`). */
  scope: nock.Scope;
  requests: RecordedRequest[];
  /** Requests nock could not match: each is a failure of the test. */
  unmatched: string[];
  /** Every request that is not a GET, nor one of the gate's GraphQL reads of its record (the search of
   * earlier heads, who last edited the status comment): those are reads, whatever their method. */
  writes(): RecordedRequest[];
  /** Asserts every expected request was made and nothing else was asked. */
  done(): void;
  /** Removes interceptors and listeners; call in afterEach. */
  cleanup(): void;
}

function parseBody(body: unknown): unknown {
  if (typeof body !== 'string' || body === '') return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

/** A POST /graphql of the gate's record reads: the search of the PR's earlier heads (their check
 * suites) or who last edited a comment (`lastEditedAt`). Both are queries, never mutations. */
export function isRecordRead(r: RecordedRequest): boolean {
  if (r.method !== 'POST' || !r.path.startsWith('/graphql')) return false;
  const q = (r.body as { query?: unknown } | undefined)?.query;
  return typeof q === 'string' && !/^\s*mutation\b/.test(q) && (q.includes('checkSuites') || q.includes('lastEditedAt'));
}

export function mockGitHub(): MockGitHub {
  nock.disableNetConnect();
  const requests: RecordedRequest[] = [];
  const unmatched: string[] = [];
  const onNoMatch = (req: { method?: string; path?: string; url?: string }) => {
    unmatched.push(`${req.method ?? '?'} ${req.path ?? req.url ?? '?'}`);
  };
  nock.emitter.on('no match', onNoMatch);
  const scope = nock(API);
  scope.on('request', (req: { method: string; path: string }, _interceptor: unknown, body: string) => {
    const parsed = parseBody(body);
    requests.push({ method: req.method, path: req.path, ...(parsed !== undefined ? { body: parsed } : {}) });
  });
  return {
    scope,
    requests,
    unmatched,
    writes: () => requests.filter((r) => r.method !== 'GET' && !isRecordRead(r)),
    done() {
      expect(unmatched, `requests nobody expected: ${unmatched.join(', ')}`).toEqual([]);
      const pending = scope.pendingMocks();
      expect(pending, `expected requests that were not made: ${pending.join(', ')}`).toEqual([]);
    },
    cleanup() {
      nock.emitter.removeListener('no match', onNoMatch);
      nock.cleanAll();
    },
  };
}

/** The client the App hands to reconcile, with retries and throttling off so a 500 stays a 500. */
export function testClient(): GitHubClient {
  return new ProbotOctokit({ auth: { token: 'test' }, retry: { enabled: false }, throttle: { enabled: false } });
}
