// Human attention through the real server: review requests go to exactly the people who may approve,
// once per head; veto windows count working hours only; reminders survive a restart without repeating.
import { afterEach, describe, expect, it } from 'vitest';
import { registerApp, startApp, type AppProcess } from '../sim/app-process.js';
import { GitHubSimulator } from '../sim/index.js';
import { AGENT, FILES, gateCheck, gatePerTest, idle, merged, replies, sleep, statusComments, story } from './harness.js';
import { describeWithRedis, redisUrl } from '../support/redis.js';

const start = gatePerTest();

function repoWith(sim: GitHubSimulator, org: string, policy: string): string {
  sim.addTeamMember(`${org}/dba`, 'dana');
  return sim.createRepo({
    name: `${org}/app`,
    policy,
    files: { 'README.md': '# app\n', 'src/app.ts': 'export const x = 0;\n' },
    collaborators: { alice: 'write', bob: 'write', dana: 'read', dave: 'write', eve: 'read' },
  });
}

const hardPolicy = (extra = '') => `version: 1
agents: { authors: ["${AGENT}"] }
reviewers: { users: [alice], permission: write }
default: soft
tiers:
  soft: { window: 4s }
  hard: { approvals: 1${extra} }
rules:
  - name: Database migrations
    tier: hard
    paths: ["db/migrations/**"]
    reviewers: { users: [bob, "${AGENT}"], teams: [ORG/dba] }
`;

const requests = (sim: GitHubSimulator, repo: string, n: number) =>
  sim.timeline.filter((e) => e.repo === repo && e.number === n && e.kind === 'review-requested');
const reminders = (sim: GitHubSimulator, repo: string, n: number, step: number) =>
  replies(sim, repo, n).filter((b) => b.includes(`Reminder ${step} of`));

describe('review requests', () => {
  it('a hard PR asks exactly the approvers of its rule, once per head, and again after a push', { timeout: 90_000 }, async () => {
    const gate = await start();
    const { sim } = gate;
    const org = 'rr-org';
    const repo = repoWith(sim, org, hardPolicy().replace('ORG', org));
    const n = sim.openPullRequest(repo, { author: AGENT, title: 'migration', files: FILES.hard.map((f) => ({ ...f })) });
    const head = sim.pull(repo, n).headSha;
    await gateCheck(sim, repo, head, (c) => c.conclusion === 'failure');
    await sim.until(() => requests(sim, repo, n).length === 1, 20_000, 'a review request');
    // The rule's approvers: bob and the DBA team; never the agent the rule lists, nor alice (top level).
    expect(requests(sim, repo, n)[0]?.data).toEqual({ users: ['bob'], teams: [`${org}/dba`] });
    expect(sim.pull(repo, n).requestedReviewers).toEqual(['bob']);
    expect(sim.pull(repo, n).requestedTeams).toEqual([`${org}/dba`]);
    await sim.until(
      () => statusComments(sim, repo, n).some((b) => b.includes('Database migrations') && b.includes('needs 1 more approval')),
      20_000,
      'per-rule status',
    );

    // Another event on the same head (a refused command) reconciles again: nobody is asked twice.
    sim.comment(repo, n, 'eve', '/approve');
    await sim.until(() => replies(sim, repo, n).some((b) => b.includes('eve')), 20_000, 'the refusal');
    await idle(gate);
    expect(requests(sim, repo, n)).toHaveLength(1);

    // A push: the new head is asked again, once.
    const second = sim.push(repo, n, { files: [{ path: 'db/migrations/002_add.sql', content: 'alter table t add d int;\n' }] });
    await gateCheck(sim, repo, second, (c) => c.conclusion === 'failure');
    await sim.until(() => requests(sim, repo, n).length === 2, 20_000, 'a review request for the new head');

    // A DBA (read permission, but in the team) approves: it merges.
    sim.comment(repo, n, 'dana', '/approve');
    const m = await merged(sim, repo, n, 30_000).catch((e: unknown) => {
      throw new Error(`${String(e)}\n${story(gate, [repo])}`);
    });
    expect(m.data?.sha).toBe(second);
    expect(requests(sim, repo, n)).toHaveLength(2);
  });
});

describe('working hours', () => {
  it(
    "a soft PR whose window falls outside working hours does not merge when the window's plain time has passed",
    { timeout: 60_000 },
    async () => {
      const gate = await start({ virtualClock: true });
      const { sim } = gate;
      const org = 'wh-org';
      // Working hours that exclude "now" and the next hour (UTC): the 4s window cannot run before they start.
      const hour = new Date(sim.world.nowMs()).getUTCHours();
      const [from, to] = hour < 12 ? ['13:00', '23:00'] : ['01:00', '11:00'];
      const policy = `version: 1
agents: { authors: ["${AGENT}"] }
tiers:
  soft: { window: 4s }
working_hours: { timezone: UTC, days: [mon, tue, wed, thu, fri, sat, sun], from: "${from}", to: "${to}" }
`;
      const repo = repoWith(sim, org, policy);
      const n = sim.openPullRequest(repo, { author: AGENT, title: 'soft change', files: FILES.soft.map((f) => ({ ...f })) });
      const head = sim.pull(repo, n).headSha;
      const check = await gateCheck(sim, repo, head, (c) => c.status === 'in_progress' && c.title.startsWith('Merges at'));
      const title = String(check.data?.title);
      expect(title).toContain(`${from.slice(0, 2)}:00 UTC (`);
      expect(title).toContain(' UTC)');
      await gate.advance('10m');
      await idle(gate);
      expect(sim.pull(repo, n).merged).toBe(false);
      expect(statusComments(sim, repo, n).at(-1)).toContain('counted in working hours');
    },
  );
});

describe('reminders', () => {
  it('a stale hard PR gets one reminder per step, and a restart repeats none', { timeout: 120_000 }, async () => {
    const gate = await start({ virtualClock: true });
    const { sim } = gate;
    const org = 'remind-org';
    const repo = repoWith(sim, org, hardPolicy(', remind: [5s, 12s], escalate_to: { users: [dave] }').replace('ORG', org));
    const n = sim.openPullRequest(repo, { author: AGENT, title: 'migration', files: FILES.hard.map((f) => ({ ...f })) });
    await gateCheck(sim, repo, sim.pull(repo, n).headSha, (c) => c.conclusion === 'failure');
    await gate.advance('5s');
    await sim.until(() => reminders(sim, repo, n, 1).length === 1, 30_000, 'reminder 1');
    const first = reminders(sim, repo, n, 1)[0]!;
    expect(first).toContain(`@bob @${org}/dba`);
    expect(first).not.toMatch(/@alice|@dave|copilot/);

    await gate.restart('kill');
    await gate.advance('7s');
    await sim
      .until(() => reminders(sim, repo, n, 2).length === 1, 40_000, 'reminder 2')
      .catch((e: unknown) => {
        throw new Error(`${String(e)}\n${story(gate, [repo])}`);
      });
    expect(reminders(sim, repo, n, 2)[0]).toContain('@dave');
    await sim.until(
      () => requests(sim, repo, n).some((r) => (r.data?.users as string[]).includes('dave')),
      20_000,
      'the escalation review request',
    );

    await gate.restart('stop');
    await idle(gate); // the start-up sweep
    await gate.advance('10s'); // and a periodic one: nothing is repeated
    await idle(gate);
    expect(reminders(sim, repo, n, 1)).toHaveLength(1);
    expect(reminders(sim, repo, n, 2)).toHaveLength(1);
    expect(requests(sim, repo, n)).toHaveLength(2);
  });
});

const replicas: AppProcess[] = [];
let replicaSim: GitHubSimulator | undefined;
afterEach(async () => {
  await Promise.all(replicas.splice(0).map((a) => a.stop()));
  await replicaSim?.stop();
  replicaSim = undefined;
});

describeWithRedis('reminders with two replicas on one Redis', () => {
  it('each step is posted once, whichever replica wakes for it', { timeout: 120_000 }, async () => {
    const sim = (replicaSim = await new GitHubSimulator({ seed: 13 }).start());
    const credentials = registerApp(sim);
    // Both replicas sweep (at start-up and every 10s) and share delayed jobs: both look at the PR.
    for (let i = 0; i < 2; i++)
      replicas.push(await startApp(sim, { credentials, logLevel: 'warn', sweepInterval: '10s', env: { REDIS_URL: redisUrl! } }));
    const org = 'replica-remind-org';
    const repo = repoWith(sim, org, hardPolicy(', remind: [4s, 9s], escalate_to: { users: [dave] }').replace('ORG', org));
    const n = sim.openPullRequest(repo, { author: AGENT, title: 'migration', files: FILES.hard.map((f) => ({ ...f })) });
    await sim.until(() => reminders(sim, repo, n, 2).length > 0, 40_000, 'reminder 2');
    await sleep(12_000); // both replicas sweep again: nothing is repeated
    expect(reminders(sim, repo, n, 1)).toHaveLength(1);
    expect(reminders(sim, repo, n, 2)).toHaveLength(1);
    expect(requests(sim, repo, n)).toHaveLength(2); // the approvers once, the escalation once
    expect(statusComments(sim, repo, n)).toHaveLength(1);
  });
});
