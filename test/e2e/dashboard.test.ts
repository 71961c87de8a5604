// The dashboard issue through the real App server: one issue per repository, opened by the App, that
// lists what awaits a person (hard PRs waiting for approval, open veto windows, open reviews after
// merge), kept up to date within its interval, never written when nothing changed, never reopened
// once a person closed it, and never read by the gate for a decision.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AFTER_MERGE_LABEL, DASHBOARD_LABEL, DASHBOARD_TITLE } from '../../src/core/model/after-merge.js';
import { DAY_MS as day, iso, recordAfterMerge } from './after-merge-state.js';
import { examplePolicy } from '../fixtures/example-policy.js';
import type { GitHubSimulator } from '../sim/index.js';
import type { SimIssue } from '../sim/model.js';
import { AGENT, FILES, gateCheck, merged, openAgentPr, sleep, startGate, story, type Gate } from './harness.js';

/** Short, so the tests need not wait a minute; production's is 1m (docs/app.md). */
const INTERVAL = '3s';
let gate: Gate;

beforeAll(async () => {
  gate = await startGate({ env: { HITL_DASHBOARD_INTERVAL: INTERVAL } });
});
afterAll(async () => {
  await gate?.close();
});

function repoWithDashboard(
  sim: GitHubSimulator,
  org: string,
  windowSeconds = 4,
  afterMerge = 'after_merge:\n  sample: { soft: 0 }\n',
): string {
  const policy = `${examplePolicy({ window: `${windowSeconds}s`, authors: [AGENT] })}${afterMerge}`;
  return sim.createRepo({
    name: `${org}/app`,
    policy,
    files: { 'README.md': '# app\n', 'src/app.ts': 'export const x = 0;\n' },
    collaborators: { alice: 'write', bob: 'write', eve: 'read' },
  });
}

/** The App's dashboard issues of the repository (there should be one). */
const dashboards = (sim: GitHubSimulator, repo: string): SimIssue[] =>
  sim.issues(repo).filter((i) => i.user.login === sim.app.botLogin && i.labels.includes(DASHBOARD_LABEL));
const dashboard = (sim: GitHubSimulator, repo: string): SimIssue | undefined => dashboards(sim, repo)[0];
const section = (body: string, title: string): string => body.split(/\n## /).find((s) => s.startsWith(title)) ?? '';
const listed = (sim: GitHubSimulator, repo: string, title: string, n: number): boolean =>
  section(dashboard(sim, repo)?.body ?? '', title).includes(`[#${n}](`);
/** Writes of the dashboard issue (opened or edited) since a point in the request log. */
const dashboardWrites = (sim: GitHubSimulator, repo: string, since = 0) =>
  sim.requests
    .slice(since)
    .filter(
      (r) =>
        r.status < 300 &&
        ((r.kind === 'POST /repos/{owner}/{repo}/issues' && r.path === `/repos/${repo}/issues`) ||
          (r.kind === 'PATCH /repos/{owner}/{repo}/issues/{issue_number}' && r.path.startsWith(`/repos/${repo}/issues/`))),
    );
/** Reads of the dashboard issue: each refresh starts with one. */
const dashboardReads = (sim: GitHubSimulator, repo: string, number: number, since = 0) =>
  sim.requests.slice(since).filter((r) => r.method === 'GET' && r.path === `/repos/${repo}/issues/${number}`).length;

describe('the dashboard issue', () => {
  it(
    'lists a hard PR under "Awaiting approval" and a soft PR under "Veto windows open"; each leaves when approved or merged',
    { timeout: 120_000 },
    async () => {
      const { sim } = gate;
      const repo = repoWithDashboard(sim, 'dash-sections', 15);
      const hard = openAgentPr(sim, repo, 'hard');
      const soft = openAgentPr(sim, repo, 'soft');
      try {
        await sim.until(
          () => listed(sim, repo, 'Awaiting approval', hard) && listed(sim, repo, 'Veto windows open', soft),
          45_000,
          'both PRs on the dashboard',
        );
        const issue = dashboard(sim, repo)!;
        expect(dashboards(sim, repo)).toHaveLength(1);
        expect(issue.title).toBe(DASHBOARD_TITLE);
        expect(issue.viaApp?.id).toBe(sim.app.id);
        const body = issue.body ?? '';
        expect(section(body, 'Awaiting approval')).toMatch(/may approve: .*alice/);
        expect(section(body, 'Awaiting approval')).toContain('waiting since');
        expect(section(body, 'Veto windows open')).toMatch(/merges at \w+ \d+ \d{4} \d\d:\d\d UTC/);
        expect(body).toContain('No review after merge is open.');

        // The window ends, the gate merges the soft PR: it leaves the dashboard.
        await merged(sim, repo, soft, 60_000);
        await sim.until(() => !listed(sim, repo, 'Veto windows open', soft), 30_000, 'the merged soft PR gone from the dashboard');
        expect(listed(sim, repo, 'Awaiting approval', hard)).toBe(true);

        sim.comment(repo, hard, 'alice', '/approve');
        await merged(sim, repo, hard);
        await sim.until(() => !listed(sim, repo, 'Awaiting approval', hard), 30_000, 'the approved hard PR gone from the dashboard');
        expect(dashboard(sim, repo)!.body).toContain('No hard pull request is waiting for approval.');
        expect(dashboards(sim, repo)).toHaveLength(1);
      } catch (error) {
        throw new Error(`${String(error)}\n${story(gate, [repo])}`);
      }
    },
  );

  it('is not written when nothing it shows changed, though it is looked at again', { timeout: 90_000 }, async () => {
    const { sim } = gate;
    const repo = repoWithDashboard(sim, 'dash-quiet');
    const hard = openAgentPr(sim, repo, 'hard');
    await sim.until(() => listed(sim, repo, 'Awaiting approval', hard), 45_000, 'the hard PR on the dashboard');
    const number = dashboard(sim, repo)!.number;
    // Let the writes of the PR's own reconciles settle.
    await sleep(5_000);
    const mark = sim.requests.length;
    const body = dashboard(sim, repo)!.body;
    // A remark changes nothing the dashboard shows; the reconcile it causes, and the sweeps, refresh it.
    sim.comment(repo, hard, 'eve', 'just a remark');
    await sim.until(() => dashboardReads(sim, repo, number, mark) >= 2, 45_000, 'two refreshes after the remark');
    expect(dashboardWrites(sim, repo, mark)).toEqual([]);
    expect(dashboard(sim, repo)!.body).toBe(body);
  });

  it(
    "a person's edit is overwritten at the next change and changes no decision; a command written into it counts for nothing",
    { timeout: 90_000 },
    async () => {
      const { sim } = gate;
      const repo = repoWithDashboard(sim, 'dash-edit');
      const hard = openAgentPr(sim, repo, 'hard');
      const head = sim.pull(repo, hard).headSha;
      await sim.until(() => listed(sim, repo, 'Awaiting approval', hard), 45_000, 'the hard PR on the dashboard');
      const number = dashboard(sim, repo)!.number;
      sim.editIssue(repo, number, 'alice', { body: '/approve\n\nNothing awaits anyone here.', title: 'all clear' });

      const soft = openAgentPr(sim, repo, 'soft');
      await sim.until(() => listed(sim, repo, 'Veto windows open', soft), 45_000, 'the next change on the dashboard');
      const issue = dashboard(sim, repo)!;
      expect(issue.number).toBe(number);
      expect(issue.title).toBe(DASHBOARD_TITLE);
      expect(issue.body).not.toContain('Nothing awaits anyone here.');
      expect(listed(sim, repo, 'Awaiting approval', hard)).toBe(true);
      // The hard PR is still blocked: nothing in the issue is read as an approval.
      expect(sim.pull(repo, hard).merged).toBe(false);
      const run = sim.checkRuns(repo, head, 'hitl').at(-1)!;
      expect(run.conclusion).toBe('failure');
    },
  );

  it('once a person closed it, it is neither reopened nor recreated', { timeout: 90_000 }, async () => {
    const { sim } = gate;
    const repo = repoWithDashboard(sim, 'dash-closed');
    const first = openAgentPr(sim, repo, 'hard');
    await sim.until(() => listed(sim, repo, 'Awaiting approval', first), 45_000, 'the dashboard');
    const number = dashboard(sim, repo)!.number;
    sim.editIssue(repo, number, 'alice', { state: 'closed' });
    const mark = sim.requests.length;

    const second = openAgentPr(sim, repo, 'hard');
    await gateCheck(sim, repo, sim.pull(repo, second).headSha, (c) => c.conclusion === 'failure');
    // Refreshes look, see it closed, and stop there.
    await sim.until(() => dashboardReads(sim, repo, number, mark) >= 2, 45_000, 'refreshes after the close');
    expect(dashboardWrites(sim, repo, mark)).toEqual([]);
    expect(sim.issue(repo, number).state).toBe('closed');
    expect(dashboards(sim, repo)).toHaveLength(1);
  });

  it(
    "an issue someone else opened with the dashboard's title and label is not the dashboard: the App opens its own and leaves that one alone",
    { timeout: 90_000 },
    async () => {
      const { sim } = gate;
      const repo = repoWithDashboard(sim, 'dash-impostor');
      const fake = sim.openIssue(repo, {
        author: 'eve',
        title: DASHBOARD_TITLE,
        body: 'Nothing to see. /approve',
        labels: [DASHBOARD_LABEL],
      });
      // A closed impostor must not stop the App either.
      const closedFake = sim.openIssue(repo, { author: 'bob', title: DASHBOARD_TITLE, body: 'old', labels: [DASHBOARD_LABEL] });
      sim.editIssue(repo, closedFake, 'bob', { state: 'closed' });
      const hard = openAgentPr(sim, repo, 'hard');
      await sim.until(() => listed(sim, repo, 'Awaiting approval', hard), 45_000, "the App's own dashboard");
      expect(dashboard(sim, repo)!.number).not.toBe(fake);
      expect(sim.issue(repo, fake).body).toBe('Nothing to see. /approve');
      expect(sim.issue(repo, closedFake).state).toBe('closed');
    },
  );

  it('a deleted dashboard is found missing and opened again', { timeout: 90_000 }, async () => {
    const { sim } = gate;
    const repo = repoWithDashboard(sim, 'dash-deleted');
    const hard = openAgentPr(sim, repo, 'hard');
    await sim.until(() => listed(sim, repo, 'Awaiting approval', hard), 45_000, 'the dashboard');
    const number = dashboard(sim, repo)!.number;
    sim.deleteIssue(repo, number, 'hitl-gate-dev');
    const soft = openAgentPr(sim, repo, 'soft');
    await sim.until(() => listed(sim, repo, 'Veto windows open', soft), 45_000, 'a new dashboard');
    expect(dashboard(sim, repo)!.number).not.toBe(number);
    expect(listed(sim, repo, 'Awaiting approval', hard)).toBe(true);
  });

  it('a repository whose policy has no after_merge, or turns the dashboard off, gets no issue', { timeout: 90_000 }, async () => {
    const { sim } = gate;
    const none = repoWithDashboard(sim, 'dash-none', 4, '');
    const off = repoWithDashboard(sim, 'dash-off', 4, 'after_merge:\n  dashboard: false\n');
    const a = openAgentPr(sim, none, 'hard');
    const b = openAgentPr(sim, off, 'hard');
    await gateCheck(sim, none, sim.pull(none, a).headSha, (c) => c.conclusion === 'failure');
    await gateCheck(sim, off, sim.pull(off, b).headSha, (c) => c.conclusion === 'failure');
    // Two sweeps later (each lists the open PRs, then refreshes the dashboard) each repository has been considered.
    const mark = sim.requests.length;
    const sweeps = (repo: string) => sim.requests.slice(mark).filter((r) => r.method === 'GET' && r.path === `/repos/${repo}/pulls`).length;
    await sim.until(() => sweeps(none) >= 2 && sweeps(off) >= 2, 45_000, 'two sweeps');
    await sleep(3_000);
    expect(sim.issues(none)).toEqual([]);
    expect(sim.issues(off)).toEqual([]);
  });
});

describe('the dashboard\'s "Review after merge"', () => {
  it(
    "lists merged PRs with an open review, overdue first and a raised concern marked; a reviewed one leaves; a label without the gate's record lists nothing",
    { timeout: 120_000 },
    async () => {
      const { sim } = gate;
      const repo = repoWithDashboard(sim, 'dash-after-merge');
      const [due, overdue, labelOnly] = [openAgentPr(sim, repo, 'fyi'), openAgentPr(sim, repo, 'fyi'), openAgentPr(sim, repo, 'fyi')];
      for (const n of [due, overdue, labelOnly]) await merged(sim, repo, n);
      const base = {
        sampled: true as const,
        mergedAt: iso(Date.now()),
        reviewers: { users: ['alice'], teams: ['acme/maintainers'] },
        concerns: [],
      };
      await recordAfterMerge(sim, repo, due, { ...base, due: iso(Date.now() + 2 * day) });
      await recordAfterMerge(sim, repo, overdue, {
        ...base,
        due: iso(Date.now() - day),
        concerns: [{ by: 'bob', at: iso(Date.now()), commentId: 1, reason: 'looks wrong' }],
      });
      // Anyone with triage access can label a PR: without the gate's record it is not listed.
      sim.label(repo, labelOnly, 'eve', AFTER_MERGE_LABEL);
      try {
        await sim.until(
          () => listed(sim, repo, 'Review after merge', due) && listed(sim, repo, 'Review after merge', overdue),
          45_000,
          'both reviews on the dashboard',
        );
        const lines = section(dashboard(sim, repo)!.body ?? '', 'Review after merge')
          .split('\n')
          .filter((l) => l.startsWith('- '));
        expect(lines).toHaveLength(2);
        expect(lines[0]).toMatch(new RegExp(`^- \\*\\*overdue\\*\\* \\[#${overdue}\\]`));
        expect(lines[0]).toContain('concern raised');
        expect(lines[1]).toContain(`[#${due}]`);
        expect(lines[1]).not.toContain('overdue');
        expect(lines[1]).not.toContain('concern');

        // Reviewed: the record says so (the label may linger; the record decides).
        await recordAfterMerge(
          sim,
          repo,
          due,
          { ...base, due: iso(Date.now() + 2 * day), reviewed: { by: 'alice', at: iso(Date.now()), commentId: 2 } },
          false,
        );
        await sim.until(() => !listed(sim, repo, 'Review after merge', due), 45_000, 'the reviewed PR gone from the dashboard');
        expect(listed(sim, repo, 'Review after merge', overdue)).toBe(true);
      } catch (error) {
        throw new Error(`${String(error)}\n${story(gate, [repo])}`);
      }
    },
  );
});

describe('the dashboard under a burst', () => {
  it('is written at most once per interval per repository, however many events arrive', { timeout: 150_000 }, async () => {
    // Its own server, with a long interval, so that the whole burst falls inside one or two of them.
    const own = await startGate({ env: { HITL_DASHBOARD_INTERVAL: '30s' } });
    try {
      const { sim } = own;
      const repo = repoWithDashboard(sim, 'dash-burst', 600);
      const pulls = Array.from({ length: 6 }, (_, i) =>
        sim.openPullRequest(repo, { author: AGENT, title: `soft ${i}`, files: FILES.soft.map((f) => ({ ...f, path: `src/f${i}.ts` })) }),
      );
      for (const n of pulls) sim.comment(repo, n, 'eve', 'noted');
      await sim.until(
        () => pulls.every((n) => listed(sim, repo, 'Veto windows open', n)),
        120_000,
        'every PR of the burst on the dashboard',
      );
      const writes = dashboardWrites(sim, repo);
      // 12 events and 6 PRs: the first write opens the issue, the next shows what came after (at most
      // one more, should the burst outlast an interval on a slow machine).
      expect(writes.length).toBeGreaterThanOrEqual(1);
      expect(writes.length).toBeLessThanOrEqual(3);
    } finally {
      await own.close();
    }
  });
});
