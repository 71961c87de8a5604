// The sweep passes over a PR that is idle (nothing to do, nothing to wait for, nothing changed in the
// PR list) and reads the rest conditionally, so 200 idle PRs cost almost nothing. Each kind of event
// whose webhook may be lost has a case here that fails if the sweep passes over the PR it concerns.
// The simulator answers conditional requests like GitHub and counts what GitHub would charge.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sweep } from '../../src/github/index.js';
import { gateOctokit } from '../../src/app/octokit.js';
import { SharedCache } from '../../src/app/shared-cache.js';
import { KeptAnswers } from '../../src/github/kept-answers.js';
import type { GitHubClient } from '../../src/github/index.js';
import { GitHubSimulator } from '../sim/index.js';
import { examplePolicy } from '../fixtures/example-policy.js';

const AGENT = 'copilot-swe-agent[bot]';
const POLICY = `${examplePolicy({ window: '10m', authors: [AGENT] })}  - name: Marked irreversible
    tier: hard
    labels: [irreversible]
`;
const MINUTE = 60_000;

let sim: GitHubSimulator;
let t: number;
let repo: string;
let client: GitHubClient;
let memo: SharedCache;
let kept: KeptAnswers;

beforeEach(async () => {
  t = Date.parse('2026-03-02T10:00:00Z');
  sim = await new GitHubSimulator({ clock: () => new Date(t), seed: 3 }).start();
  repo = sim.createRepo({
    name: 'quiet-org/app',
    policy: POLICY,
    files: { 'README.md': '# app\n', 'src/app.ts': 'export const x = 0;\n' },
    collaborators: { alice: 'write' },
  });
  const token = 'ghs_quiet_test';
  sim.world.tokens.set(token, { token, installationId: sim.world.repo(repo).installationId, expiresAt: Date.now() + 3600_000 });
  const Client = gateOctokit({ writeIntervalMs: 0, retryAfterBaseMs: 1, fetch: globalThis.fetch, readCache: new SharedCache() });
  client = new Client({
    auth: { token },
    baseUrl: sim.apiUrl,
    log: { debug() {}, info() {}, warn() {}, error() {} },
  }) as unknown as GitHubClient;
  memo = new SharedCache();
  kept = new KeptAnswers();
});
afterEach(async () => {
  await sim.stop();
});

const [owner, name] = ['quiet-org', 'app'];
const identity = () => ({ appId: sim.app.id, login: sim.app.botLogin });
const run = () => sweep(client, { owner, repo: name }, { mode: 'full', identity: identity(), now: () => new Date(t), memo, kept });
const open = (path: string) => sim.openPullRequest(repo, { author: AGENT, title: 'change', files: [{ path, content: 'x\n' }] });
/** Requests about PR `n` since `from`. */
const about = (n: number, from: number) =>
  sim.requests
    .slice(from)
    .filter(
      (r) =>
        new RegExp(`/(pulls|issues)/${n}(/|$)`).test(r.path) ||
        (r.path.includes('/commits/') && r.path.includes(sim.pull(repo, n).headSha)),
    );

/** The sweep after a lost event, and the one its wake-up asks for (a merge waits until GitHub has
 * seen the gate's green check). Neither would run a reconcile if the first passed the PR over. */
async function sweepTwice(): Promise<void> {
  await run();
  t += MINUTE;
  await run();
}

/** A hard PR the gate has seen and found nothing more to do on: the next sweep passes over it. */
async function idleHardPr(): Promise<number> {
  const n = open('db/migrations/001.sql');
  await run(); // first sight: check run and status comment
  t += 2 * MINUTE;
  await run(); // nothing to do: recorded as quiet
  t += 5 * MINUTE;
  const from = sim.requests.length;
  const outcomes = await run();
  expect(outcomes).toHaveLength(0);
  expect(about(n, from)).toHaveLength(0);
  return n;
}

describe('sweep of idle PRs', () => {
  it('passes over an idle PR, and what it does read is answered 304 (nothing charged)', async () => {
    await idleHardPr();
    t += 5 * MINUTE;
    const from = sim.requests.length;
    await run();
    expect(sim.requests.length - from).toBeGreaterThan(0); // it did list the PRs and read the policy
    expect(sim.chargedRequests(from)).toBe(0);
  });

  it('reconciles an idle PR in full once an hour, conditionally (nothing charged when nothing changed)', async () => {
    const n = await idleHardPr();
    t += 61 * MINUTE;
    const from = sim.requests.length;
    const outcomes = await run();
    expect(outcomes.map((o) => o.ref.number)).toEqual([n]);
    expect(about(n, from).length).toBeGreaterThanOrEqual(4);
    expect(sim.chargedRequests(from)).toBe(0);
  });
});

describe('a lost webhook is still made up for by the sweep', () => {
  it('a new comment: /approve on an idle hard PR merges it', async () => {
    const n = await idleHardPr();
    t += MINUTE;
    sim.comment(repo, n, 'alice', '/approve');
    t += 5 * MINUTE;
    await sweepTwice();
    expect(sim.pull(repo, n).merged).toBe(true);
  });

  it('a new review: an approving review on an idle hard PR merges it', async () => {
    const n = await idleHardPr();
    t += MINUTE;
    sim.review(repo, n, 'alice', 'APPROVED');
    t += 5 * MINUTE;
    await sweepTwice();
    expect(sim.pull(repo, n).merged).toBe(true);
  });

  it("a push: the new head of an idle PR gets the gate's check run", async () => {
    const n = await idleHardPr();
    t += MINUTE;
    const head = sim.push(repo, n, { files: [{ path: 'db/migrations/001.sql', content: 'y\n' }] });
    t += 5 * MINUTE;
    await run();
    expect(sim.checkRuns(repo, head, 'hitl').filter((r) => r.app.id === sim.app.id)).toHaveLength(1);
  });

  it('a label: the rule it matches shows in the status comment of an idle PR', async () => {
    const n = await idleHardPr();
    t += MINUTE;
    sim.label(repo, n, 'alice', 'irreversible');
    t += 5 * MINUTE;
    await run();
    const [status] = sim.appComments(repo, n);
    expect(status?.body).toContain('Marked irreversible');
  });

  it('a check that finished: a soft PR past its window, held only by CI, merges once CI passes', async () => {
    const n = open('src/feature.ts');
    sim.ciCheck(repo, sim.pull(repo, n).headSha, 'ci', null);
    await run();
    t += 11 * MINUTE; // the window has elapsed; CI is still running
    await run();
    t += 5 * MINUTE;
    await run();
    expect(sim.pull(repo, n).merged).toBe(false);
    // CI finishes; GitHub does not move the PR's updated_at for a check run, and its webhook is lost.
    const before = sim.pull(repo, n).updatedAt;
    sim.ciCheck(repo, sim.pull(repo, n).headSha, 'ci', 'success');
    expect(sim.pull(repo, n).updatedAt).toBe(before);
    t += 5 * MINUTE;
    await sweepTwice();
    expect(sim.pull(repo, n).merged).toBe(true);
  });

  it('a window that elapsed: an idle soft PR merges at the first sweep after its window, with nothing changed on GitHub', async () => {
    const n = open('src/feature.ts');
    await run();
    for (let i = 0; i < 2; i++) {
      t += 3 * MINUTE;
      await run();
    }
    expect(sim.pull(repo, n).merged).toBe(false);
    t += 5 * MINUTE;
    await sweepTwice();
    expect(sim.pull(repo, n).merged).toBe(true);
  });
});
