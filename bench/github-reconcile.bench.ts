// Requests and time of the shell over a recorded GitHub (nock, no network): what one event costs, and
// what a sweep of a busy repository costs. Prints figures; asserts nothing.
import { PolicyLoads } from '../src/core/policy/load.js';
import { KeptAnswers } from '../src/github/kept-answers.js';
import { readFileSync } from 'node:fs';
import nock from 'nock';
import { ProbotOctokit } from 'probot';
import { reconcile, sweep, type GateIdentity } from '../src/github/index.js';

const API = 'https://api.github.com';
const R = '/repos/acme/widgets';
const IDENTITY: GateIdentity = { appId: 4242, login: 'hitl-gate[bot]' };
const NOW = new Date('2026-11-22T14:00:00Z');
const POLICY = readFileSync(new URL('../test/fixtures/github/hitl.yml', import.meta.url), 'utf8');
const client = () => new ProbotOctokit({ auth: { token: 'bench' }, retry: { enabled: false }, throttle: { enabled: false } });

const user = (login: string) => ({ login, type: login.endsWith('[bot]') ? 'Bot' : 'User' });
function pull(number: number, agent: boolean) {
  return {
    number,
    state: 'open',
    title: `PR ${number}`,
    draft: false,
    merged: false,
    labels: [],
    user: user(agent ? 'copilot-swe-agent[bot]' : `dev${number}`),
    head: { ref: agent ? `copilot/task-${number}` : `feature/${number}`, sha: number.toString(16).padStart(40, 'a') },
    base: { ref: 'main', sha: 'b'.repeat(40) },
    comments: 0,
    commits: 1,
    additions: 10,
    deletions: 2,
    changed_files: 1,
    mergeable: null,
    mergeable_state: 'unknown',
  };
}

/** A repository of `open` PRs, every `agentEvery`-th by an agent; every endpoint answers forever. */
function repository(open: number, agentEvery: number) {
  nock.cleanAll();
  nock.disableNetConnect();
  const prs = Array.from({ length: open }, (_, i) => pull(i + 1, (i + 1) % agentEvery === 0));
  const s = nock(API).persist();
  s.get(`${R}/contents/.github%2Fhitl.yml`).query(true).reply(200, POLICY);
  s.get(`${R}/pulls`)
    .query(true)
    .reply(function (uri) {
      const page = Number(new URL(uri, API).searchParams.get('page') ?? '1');
      const items = prs.slice((page - 1) * 100, page * 100);
      const last = Math.ceil(prs.length / 100);
      return [200, items, page < last ? { link: `<${API}${R}/pulls?state=open&per_page=100&page=${page + 1}>; rel="next"` } : {}];
    });
  s.get(/\/repos\/acme\/widgets\/pulls\/\d+$/).reply((uri) => [200, prs[Number(uri.split('/').pop()) - 1]]);
  s.get(/\/commits\/[0-9a-f]+\/check-runs/)
    .query(true)
    .reply(200, { total_count: 0, check_runs: [] });
  s.get(/\/pulls\/\d+\/files/)
    .query(true)
    .reply(200, [{ filename: 'src/a.ts', status: 'modified', additions: 10, deletions: 2 }]);
  s.get(/\/pulls\/\d+\/reviews/)
    .query(true)
    .reply(200, []);
  s.post(`${R}/check-runs`).reply(201, { id: 1 });
  s.post(/\/issues\/\d+\/comments/).reply(201, { id: 2 });
  return prs;
}

async function time<T>(runs: number, f: () => Promise<T>): Promise<{ ms: number; last: T }> {
  let last: T | undefined;
  const start = performance.now();
  for (let i = 0; i < runs; i++) last = await f();
  return { ms: (performance.now() - start) / runs, last: last as T };
}

export default async function (): Promise<void> {
  const prs = repository(1, 1);
  // As the App runs it: the policies it loaded and the answers it was given are kept across reconciles.
  const options = { mode: 'full' as const, identity: IDENTITY, now: () => NOW, policyLoads: new PolicyLoads(), kept: new KeptAnswers() };
  const governed = await time(200, () =>
    reconcile(client(), { owner: 'acme', repo: 'widgets', number: 1 }, { ...options, pullRequest: prs[0] }),
  );
  console.log(`opened, governed (soft):   ${governed.last.requests} requests, ${governed.ms.toFixed(2)} ms per reconcile (nock)`);

  const human = repository(1, 1_000_000);
  const ignored = await time(200, () =>
    reconcile(client(), { owner: 'acme', repo: 'widgets', number: 1 }, { ...options, pullRequest: human[0], headIsNew: true }),
  );
  console.log(`opened, not governed:      ${ignored.last.requests} requests, ${ignored.ms.toFixed(2)} ms per reconcile (nock)`);

  for (const [open, every] of [
    [300, 10],
    [1000, 20],
  ] as const) {
    repository(open, every);
    let requests = 0;
    const log = {
      info: (o: object, m?: string) => {
        if (m === 'sweep') requests = (o as { requests: number }).requests;
      },
      warn() {},
      error() {},
    };
    const start = performance.now();
    const outcomes = await sweep(client(), { owner: 'acme', repo: 'widgets' }, { ...options, log });
    const ms = performance.now() - start;
    console.log(
      `sweep of ${open} open PRs (${outcomes.length} by agents): ${requests} requests (${(requests / open).toFixed(2)} per open PR), ${ms.toFixed(0)} ms`,
    );
  }
  nock.cleanAll();
  nock.enableNetConnect();
}
