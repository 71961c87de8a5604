// A base branch with a merge queue, against the real App server and a local GitHub that runs one: the
// gate enqueues the decided head instead of merging, takes out what it would no longer merge, and its
// `hitl` check on a merge group stops a PR it would not merge, even one a person queued by hand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GitHubSimulator } from '../sim/index.js';
import type { EntryHeadCommit } from '../sim/merge-queue.js';
import {
  AGENT,
  gateCheck,
  gateChecks,
  idle,
  merged,
  mergesOf,
  openAgentPr,
  policy,
  startGate,
  statusComments,
  type Gate,
} from './harness.js';

let gate: Gate;
beforeAll(async () => {
  gate = await startGate();
});
afterAll(async () => {
  await gate?.close();
});

const DIRECT_MERGE = 'PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge';

/** A repository whose `main` has a merge queue and requires `hitl` (and, when asked, a CI `build`). */
function queueRepo(
  sim: GitHubSimulator,
  org: string,
  o: { windowSeconds?: number; build?: boolean; entryHeadCommit?: EntryHeadCommit } = {},
): string {
  return sim.createRepo({
    name: `${org}/app`,
    policy: policy(o.windowSeconds ?? 3),
    files: { 'README.md': '# app\n', 'src/app.ts': 'export const x = 0;\n' },
    collaborators: { alice: 'write', bob: 'write', root: 'admin' },
    requiredChecks: o.build ? ['hitl', 'build'] : ['hitl'],
    mergeQueue: { method: 'SQUASH', ...(o.entryHeadCommit ? { entryHeadCommit: o.entryHeadCommit } : {}) },
  });
}

/** Two soft agent PRs (each changing its own file) whose own CI passed. */
function twoSoftPrs(sim: GitHubSimulator, repo: string): [number, number] {
  const open = (path: string) => {
    const n = sim.openPullRequest(repo, { author: AGENT, title: `change ${path}`, files: [{ path, content: `export const y = 1;\n` }] });
    sim.ciCheck(repo, sim.pull(repo, n).headSha, 'build', 'success');
    return n;
  };
  return [open('src/one.ts'), open('src/two.ts')];
}

/** The merge group timeline entry of `n`'s current entry. */
const groupOf = (sim: GitHubSimulator, repo: string, n: number) => sim.mergeQueue(repo).find((e) => e.number === n)!;

/** The gate's enqueue mutations for a repository's PRs, as GitHub received them. */
function enqueues(sim: GitHubSimulator): { id: string; head: string }[] {
  return sim.requests
    .filter(
      (r) =>
        r.kind.endsWith('/graphql') &&
        r.status === 200 &&
        typeof (r.body as { query?: string })?.query === 'string' &&
        (r.body as { query: string }).query.includes('enqueuePullRequest'),
    )
    .map((r) => (r.body as { variables: { id: string; head: string } }).variables);
}

const byGate = (sim: GitHubSimulator, repo: string, n: number, kind: 'enqueued' | 'dequeued') =>
  sim.timeline.filter((e) => e.repo === repo && e.number === n && e.kind === kind && e.actor === sim.app.botLogin);

/** The gate's check on the merge group of `n` (its head ref names the PR). */
function groupCheck(sim: GitHubSimulator, repo: string, n: number, conclusion: 'success' | 'failure', timeoutMs = 30_000) {
  return sim.waitFor(
    (e) => {
      if (e.repo !== repo || e.kind !== 'check-run' || e.actor !== sim.app.botLogin || e.data?.conclusion !== conclusion) return false;
      const group = sim.timeline.find(
        (g) => g.kind === 'merge-group' && g.repo === repo && g.number === n && g.data?.headSha === e.data?.headSha,
      );
      return group !== undefined;
    },
    timeoutMs,
    `${conclusion} hitl check on the merge group of ${repo}#${n}`,
  );
}

describe.concurrent('merge queue', () => {
  it('a soft PR is enqueued with its decided head once its window ends, and the queue merges it', { timeout: 60_000 }, async () => {
    const { sim } = gate;
    const repo = queueRepo(sim, 'mq-soft-org', { windowSeconds: 3 });
    const opened = Date.now();
    const n = openAgentPr(sim, repo, 'soft');
    const head = sim.pull(repo, n).headSha;
    await gateCheck(sim, repo, head, (c) => c.status === 'in_progress');
    const m = await merged(sim, repo, n);
    expect(m.data).toMatchObject({ sha: head, via: 'merge-queue' });
    expect(m.at - opened).toBeGreaterThanOrEqual(3_000);
    // Queued by the gate, with the decided head as expectedHeadOid; never merged directly.
    const queued = byGate(sim, repo, n, 'enqueued');
    expect(queued).toHaveLength(1);
    expect(queued[0]!.data?.expectedHeadOid).toBe(head);
    expect(enqueues(sim).some((v) => v.head === head)).toBe(true);
    expect(sim.requests.filter((r) => r.kind === DIRECT_MERGE && r.path.startsWith(`/repos/${repo}/`))).toEqual([]);
    // The group passed because the gate vouched for the PR on it.
    await groupCheck(sim, repo, n, 'success');
    expect(mergesOf(sim, repo, n)).toHaveLength(1);
    expect(statusComments(sim, repo, n)).toHaveLength(1);
    // Its status comment said how it merges, not only "ready to merge".
    expect(statusComments(sim, repo, n)[0]).toMatch(/ready to merge \\\(soft\\\), through the merge queue/);
  });

  it('a veto while queued takes the PR out of the queue, says so, and nothing merges', { timeout: 60_000 }, async () => {
    const { sim } = gate;
    const repo = queueRepo(sim, 'mq-veto-org', { windowSeconds: 2, build: true });
    const n = openAgentPr(sim, repo, 'soft');
    const head = sim.pull(repo, n).headSha;
    sim.ciCheck(repo, head, 'build', 'success');
    await sim.waitFor((e) => e.repo === repo && e.number === n && e.kind === 'enqueued', 30_000, 'the enqueue');
    // The gate vouched for the PR on its group, which now waits for `build`: the PR sits in the queue.
    await groupCheck(sim, repo, n, 'success');
    expect(sim.mergeQueue(repo).map((e) => e.number)).toEqual([n]);
    const group = sim.mergeQueue(repo)[0]!.groupHeadSha;
    sim.comment(repo, n, 'bob', '/veto not before the release');
    await sim.waitFor(
      (e) => e.repo === repo && e.number === n && e.kind === 'dequeued' && e.actor === sim.app.botLogin,
      30_000,
      'the gate dequeuing',
    );
    expect(sim.mergeQueue(repo)).toEqual([]);
    await gateCheck(sim, repo, head, (c) => c.conclusion === 'failure' && /veto/i.test(c.title));
    // The status comment said it was taken out of the queue.
    await sim.until(
      () =>
        sim.timeline.some(
          (e) =>
            e.repo === repo &&
            e.kind === 'comment-edited' &&
            e.actor === sim.app.botLogin &&
            /Removed from the merge queue/.test(String(e.data?.body)),
        ),
      20_000,
      'the status comment saying so',
    );
    // CI passing on the old group now changes nothing.
    sim.ciCheck(repo, group, 'build', 'success');
    await idle(gate, { repo });
    expect(sim.pull(repo, n).merged).toBe(false);
    expect(byGate(sim, repo, n, 'enqueued')).toHaveLength(1);
  });

  it('a push while queued takes the old head out; the new head is queued after its own window', { timeout: 90_000 }, async () => {
    const { sim } = gate;
    const repo = queueRepo(sim, 'mq-push-org', { windowSeconds: 3, build: true });
    const n = openAgentPr(sim, repo, 'soft');
    const first = sim.pull(repo, n).headSha;
    sim.ciCheck(repo, first, 'build', 'success');
    await sim.waitFor((e) => e.repo === repo && e.number === n && e.kind === 'enqueued', 30_000, 'the first enqueue');
    await groupCheck(sim, repo, n, 'success');
    const pushedAt = Date.now();
    const second = sim.push(repo, n, { files: [{ path: 'src/app.ts', content: 'export const x = 2;\n' }] });
    await sim.waitFor(
      (e) => e.repo === repo && e.number === n && e.kind === 'dequeued' && e.actor === sim.app.botLogin,
      30_000,
      'the gate dequeuing the old head',
    );
    sim.ciCheck(repo, second, 'build', 'success');
    await sim.waitFor(
      (e) => e.repo === repo && e.number === n && e.kind === 'enqueued' && e.data?.sha === second,
      30_000,
      'the new head enqueued',
    );
    const requeued = byGate(sim, repo, n, 'enqueued').at(-1)!;
    expect(requeued.data?.expectedHeadOid).toBe(second);
    expect(requeued.at - pushedAt).toBeGreaterThanOrEqual(3_000);
    sim.ciCheck(repo, sim.mergeQueue(repo)[0]!.groupHeadSha, 'build', 'success');
    const m = await merged(sim, repo, n);
    expect(m.data?.sha).toBe(second);
    expect(sim.timeline.some((e) => e.kind === 'merged' && e.data?.sha === first)).toBe(false);
  });

  it(
    'a merge group that fails CI takes the PR out; the gate does not queue the same head again and says so',
    { timeout: 60_000 },
    async () => {
      const { sim } = gate;
      const repo = queueRepo(sim, 'mq-ci-org', { windowSeconds: 2, build: true });
      const n = openAgentPr(sim, repo, 'soft');
      const head = sim.pull(repo, n).headSha;
      sim.ciCheck(repo, head, 'build', 'success');
      await sim.waitFor((e) => e.repo === repo && e.number === n && e.kind === 'enqueued', 30_000, 'the enqueue');
      await groupCheck(sim, repo, n, 'success');
      // The change breaks the build once combined with main: the queue drops it.
      sim.ciCheck(repo, sim.mergeQueue(repo)[0]!.groupHeadSha, 'build', 'failure');
      expect(sim.mergeQueue(repo)).toEqual([]);
      await sim.until(
        () =>
          sim.timeline.some(
            (e) =>
              e.repo === repo &&
              e.kind === 'comment-edited' &&
              e.actor === sim.app.botLogin &&
              /does not queue it again/.test(String(e.data?.body)),
          ),
        20_000,
        'the status comment saying so',
      );
      await idle(gate, { repo });
      expect(byGate(sim, repo, n, 'enqueued')).toHaveLength(1);
      expect(sim.pull(repo, n).merged).toBe(false);
    },
  );

  it('"Re-run" on the gate\'s check of a merge group answers the group again', { timeout: 60_000 }, async () => {
    const { sim } = gate;
    const repo = queueRepo(sim, 'mq-rerun-org', { windowSeconds: 2, build: true });
    const n = openAgentPr(sim, repo, 'soft');
    sim.ciCheck(repo, sim.pull(repo, n).headSha, 'build', 'success');
    const answered = await groupCheck(sim, repo, n, 'success');
    const groupHead = String(answered.data?.headSha);
    const before = gateChecks(sim, repo, groupHead).length;
    // GitHub lists no pull request on a merge group's check: the gate must see the group in its branch.
    sim.rerunCheckRun(repo, Number(answered.data?.checkRunId), 'alice');
    await sim.until(() => gateChecks(sim, repo, groupHead).length > before, 20_000, 'the group answered again');
    expect(gateChecks(sim, repo, groupHead).at(-1)?.data).toMatchObject({ conclusion: 'success' });
    sim.ciCheck(repo, groupHead, 'build', 'success');
    expect((await merged(sim, repo, n)).data).toMatchObject({ via: 'merge-queue' });
  });

  it(
    'an unapproved hard PR queued by hand gets a failing hitl check on its merge group and does not merge',
    { timeout: 60_000 },
    async () => {
      const { sim } = gate;
      const repo = queueRepo(sim, 'mq-hand-org');
      const n = openAgentPr(sim, repo, 'hard');
      const head = sim.pull(repo, n).headSha;
      await gateCheck(sim, repo, head, (c) => c.conclusion === 'failure');
      // An admin bypasses the PR's requirements and queues it anyway.
      sim.enqueue(repo, n, 'root', { force: true });
      const failing = await groupCheck(sim, repo, n, 'failure');
      expect(String(failing.data?.title)).toMatch(new RegExp(`#${n}`));
      await idle(gate, { repo });
      expect(sim.pull(repo, n).merged).toBe(false);
      expect(sim.mergeQueue(repo)).toEqual([]);
      expect(byGate(sim, repo, n, 'enqueued')).toEqual([]);
      // Once a reviewer approves, the gate queues it itself and it merges.
      sim.comment(repo, n, 'alice', '/approve');
      const m = await merged(sim, repo, n);
      expect(m.data?.sha).toBe(head);
      expect(byGate(sim, repo, n, 'enqueued')).toHaveLength(1);
    },
  );

  // Both readings of `MergeQueueEntry.headCommit` (docs/github.md#merge-queue-entry-head): the gate
  // must pass these groups under either.
  for (const entryHeadCommit of ['group-commit', 'pull-request-head'] as const) {
    it(
      `two agent PRs in one group, on branches named as GitHub names them, both merge (headCommit: ${entryHeadCommit})`,
      { timeout: 60_000 },
      async () => {
        const { sim } = gate;
        const repo = queueRepo(sim, `mq-two-${entryHeadCommit}-org`, { windowSeconds: 2, build: true, entryHeadCommit });
        const mainTip = sim.world.repo(repo).branches.get('main')!;
        const [a, b] = twoSoftPrs(sim, repo);
        await sim.until(() => sim.mergeQueue(repo).length === 2, 30_000, 'both PRs queued');
        const [first, second] = sim.mergeQueue(repo);
        // The SHA in a group's branch is the commit it is built on, not the PR's head.
        expect(first!.groupRef).toBe(`refs/heads/gh-readonly-queue/main/pr-${first!.number}-${mainTip}`);
        expect(second!.groupRef).toBe(`refs/heads/gh-readonly-queue/main/pr-${second!.number}-${first!.groupHeadSha}`);
        const back = await groupCheck(sim, repo, second!.number, 'success');
        // The second group adds both PRs: the gate vouched for both.
        expect(String(back.data?.title)).toBe(`The policy lets #${first!.number}, #${second!.number} merge`);
        await groupCheck(sim, repo, first!.number, 'success');
        sim.ciCheck(repo, first!.groupHeadSha, 'build', 'success');
        sim.ciCheck(repo, second!.groupHeadSha, 'build', 'success');
        await merged(sim, repo, a);
        await merged(sim, repo, b);
        expect(sim.requests.filter((r) => r.kind === DIRECT_MERGE && r.path.startsWith(`/repos/${repo}/`))).toEqual([]);
      },
    );
  }

  it(
    'a PR ahead in the group whose head moved after it was queued fails the group behind it, not only its own',
    { timeout: 60_000 },
    async () => {
      const { sim } = gate;
      const repo = queueRepo(sim, 'mq-moved-org', { windowSeconds: 2, build: true });
      twoSoftPrs(sim, repo);
      await sim.until(() => sim.mergeQueue(repo).length === 2, 30_000, 'both PRs queued');
      const [ahead, own] = sim.mergeQueue(repo);
      const answered = await groupCheck(sim, repo, own!.number, 'success');
      // The agent pushes to the PR ahead and the gate misses the webhook: the PR stays in the queue and
      // GitHub keeps the groups. Asked again, the gate fails the group of the PR behind it.
      sim.setWebhookFaults({ dropRate: 1 });
      sim.push(repo, ahead!.number, { files: [{ path: 'src/one.ts', content: 'export const y = 2;\n' }] });
      sim.setWebhookFaults({});
      expect(groupOf(sim, repo, own!.number).groupHeadSha).toBe(own!.groupHeadSha);
      sim.rerunCheckRun(repo, Number(answered.data?.checkRunId), 'alice');
      const failing = await sim.waitFor(
        (e) =>
          e.repo === repo &&
          e.kind === 'check-run' &&
          e.actor === sim.app.botLogin &&
          e.data?.headSha === own!.groupHeadSha &&
          e.data?.conclusion === 'failure',
        20_000,
        'the group failed',
      );
      expect(String(failing.data?.title)).toMatch(new RegExp(`#${ahead!.number}`));
      sim.ciCheck(repo, ahead!.groupHeadSha, 'build', 'success');
      await idle(gate, { repo });
      expect(sim.pull(repo, own!.number).merged).toBe(false);
    },
  );
});
