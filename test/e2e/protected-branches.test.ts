// Protected base branches, against the real App server and a local GitHub that enforces rulesets and
// classic protection as GitHub does: every PR ends as the policy says, or its check and status comment
// say exactly what GitHub still needs. The scenarios run concurrently, each in its own organisation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimProtection, SimRule } from '../sim/protection.js';
import {
  AGENT,
  FILES,
  gateCheck,
  idle,
  merged,
  mergesOf,
  openAgentPr,
  policy,
  sleep,
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

const WINDOW = 3;
const reviews = (count: number): SimRule => ({ type: 'pull_request', parameters: { required_approving_review_count: count } });
const checks = (contexts: string[], strict = false): SimRule => ({
  type: 'required_status_checks',
  parameters: { strict_required_status_checks_policy: strict, required_status_checks: contexts.map((context) => ({ context })) },
});

function protectedRepo(org: string, protection: Partial<SimProtection>, policyText = policy(WINDOW), on = gate): string {
  return on.sim.createRepo({
    name: `${org}/app`,
    policy: policyText,
    files: { 'README.md': '# app\n', 'src/app.ts': 'export const x = 0;\n' },
    collaborators: { alice: 'write', bob: 'write' },
    protection,
  });
}
const lastStatus = (repo: string, n: number, on = gate) => statusComments(on.sim, repo, n).at(-1) ?? '';
const until = (what: string, condition: () => boolean, ms = 30_000, on = gate) => on.sim.until(condition, ms, what);

describe.concurrent('the three setups', () => {
  it('a: `hitl` a required check, reviews off: a soft PR merges when its window ends', { timeout: 60_000 }, async () => {
    const { sim } = gate;
    const repo = protectedRepo('setup-a', { rulesets: [{ id: 1, name: 'main', rules: [checks(['hitl'])] }] });
    const n = openAgentPr(sim, repo, 'soft');
    const head = sim.pull(repo, n).headSha;
    const m = await merged(sim, repo, n);
    expect(m.data?.sha).toBe(head);
    expect(mergesOf(sim, repo, n)).toHaveLength(1);
    // GitHub never refused a merge: the gate merged as its own check turned green.
    expect(sim.timeline.filter((e) => e.repo === repo && e.kind === 'merge-refused')).toEqual([]);
  });

  it(
    'b: reviews required, the App a bypass actor: merges what the policy allows, only once the required check is green',
    { timeout: 60_000 },
    async () => {
      const { sim } = gate;
      const repo = protectedRepo('setup-b', {
        rulesets: [{ id: 1, name: 'main', appBypass: true, rules: [reviews(1), checks(['build', 'hitl'])] }],
      });
      const n = openAgentPr(sim, repo, 'soft');
      const head = sim.pull(repo, n).headSha;
      sim.ciCheck(repo, head, 'build', null);
      await gateCheck(sim, repo, head, (c) => c.conclusion === 'success');
      await idle(gate, { repo });
      expect(mergesOf(sim, repo, n)).toHaveLength(0);
      sim.ciCheck(repo, head, 'build', 'success');
      const m = await merged(sim, repo, n);
      expect(m.data?.sha).toBe(head);
      expect(sim.pull(repo, n).reviews).toEqual([]);
    },
  );

  it(
    'a soft PR whose required check is still running says which check it waits for, then merges when it passes',
    { timeout: 60_000 },
    async () => {
      const { sim } = gate;
      const repo = protectedRepo('setup-a-deploy', { rulesets: [{ id: 1, name: 'main', rules: [checks(['hitl', 'deploy-preview'])] }] });
      const n = openAgentPr(sim, repo, 'soft');
      const head = sim.pull(repo, n).headSha;
      sim.ciCheck(repo, head, 'deploy-preview', null);
      await until('the status comment naming the running required check', () =>
        /waiting for the required check \*deploy\\-preview\* \(in progress\)/.test(lastStatus(repo, n)),
      );
      expect(mergesOf(sim, repo, n)).toHaveLength(0);
      sim.ciCheck(repo, head, 'deploy-preview', 'success');
      expect((await merged(sim, repo, n)).data?.sha).toBe(head);
    },
  );

  it('b: ... and a hard PR still needs its /approve: the bypass never lets the policy be skipped', { timeout: 60_000 }, async () => {
    const { sim } = gate;
    const repo = protectedRepo('setup-b-hard', { rulesets: [{ id: 1, name: 'main', appBypass: true, rules: [reviews(1)] }] });
    const n = openAgentPr(sim, repo, 'hard');
    const head = sim.pull(repo, n).headSha;
    await gateCheck(sim, repo, head, (c) => c.conclusion === 'failure');
    await idle(gate, { repo });
    expect(mergesOf(sim, repo, n)).toHaveLength(0);
    sim.comment(repo, n, 'alice', '/approve');
    await merged(sim, repo, n);
  });

  it(
    'c: reviews required, no bypass: waits for a human review, says so, and merges once a writer approves',
    { timeout: 60_000 },
    async () => {
      const { sim } = gate;
      const repo = protectedRepo('setup-c', { rulesets: [{ id: 1, name: 'main', rules: [reviews(1)] }] });
      const n = openAgentPr(sim, repo, 'soft');
      const head = sim.pull(repo, n).headSha;
      await gateCheck(sim, repo, head, (c) => c.conclusion === 'success');
      await until('the status comment names the missing review', () =>
        lastStatus(repo, n).includes('GitHub still requires 1 approving review (ruleset *main*)'),
      );
      const check = sim.checkRuns(repo, head, 'hitl').at(-1)!;
      expect(check.conclusion).toBe('success');
      expect(check.output.summary).toContain('GitHub still requires 1 approving review');
      await idle(gate, { repo });
      expect(mergesOf(sim, repo, n)).toHaveLength(0);
      // An App's approval does not count toward GitHub's requirement; a writer's does.
      sim.review(repo, n, 'helper-app[bot]', 'APPROVED');
      await idle(gate, { repo });
      expect(mergesOf(sim, repo, n)).toHaveLength(0);
      sim.review(repo, n, 'alice', 'APPROVED');
      expect((await merged(sim, repo, n)).data?.sha).toBe(head);
    },
  );

  it(
    "c: a hard PR: one approving review by an authorized reviewer is both the /approve and GitHub's review",
    { timeout: 60_000 },
    async () => {
      const { sim } = gate;
      const repo = protectedRepo('setup-c-hard', { rulesets: [{ id: 1, name: 'main', rules: [reviews(1)] }] });
      const n = openAgentPr(sim, repo, 'hard');
      const head = sim.pull(repo, n).headSha;
      await gateCheck(sim, repo, head, (c) => c.conclusion === 'failure');
      sim.review(repo, n, 'alice', 'APPROVED');
      expect((await merged(sim, repo, n)).data?.sha).toBe(head);
    },
  );

  it(
    'classic protection (unreadable): one refused merge, its message said, no retry until something changes',
    { timeout: 60_000 },
    async () => {
      // Its own gate on a test-driven clock: a jump of the shared one would end the other scenarios' windows early.
      const own = await startGate({ virtualClock: true });
      try {
        const { sim } = own;
        const repo = protectedRepo('classic', { classic: { requiredReviews: 1 } }, policy(WINDOW), own);
        const n = openAgentPr(sim, repo, 'soft');
        await until(
          'the refusal is in the status comment',
          () => lastStatus(repo, n, own).includes('At least 1 approving review is required'),
          30_000,
          own,
        );
        const refusals = () => sim.timeline.filter((e) => e.repo === repo && e.kind === 'merge-refused').length;
        expect(refusals()).toBe(1);
        // Not every 30 s, and not on the sweeps (every 10 s) either, while GitHub's view is unchanged.
        for (const step of ['10s', '10s', '15s']) {
          await own.advance(step);
          await idle(own);
        }
        expect(refusals()).toBe(1);
        sim.review(repo, n, 'alice', 'APPROVED');
        await merged(sim, repo, n);
      } finally {
        await own.close();
      }
    },
  );

  it('classic protection, CI finishing after the window: GitHub is asked once and its refusal is said', { timeout: 60_000 }, async () => {
    const { sim } = gate;
    const repo = protectedRepo('classic-late-ci', { classic: { requiredReviews: 1 } });
    const n = openAgentPr(sim, repo, 'soft');
    const head = sim.pull(repo, n).headSha;
    sim.ciCheck(repo, head, 'build', null);
    // The window ends while CI still runs: the gate's check turns green, nothing merges yet.
    await gateCheck(sim, repo, head, (c) => c.conclusion === 'success');
    await sleep(1_000);
    sim.ciCheck(repo, head, 'build', 'success');
    await until('the refusal is in the status comment', () => lastStatus(repo, n).includes('At least 1 approving review is required'));
    expect(sim.timeline.filter((e) => e.repo === repo && e.kind === 'merge-refused')).toHaveLength(1);
    sim.review(repo, n, 'alice', 'APPROVED');
    await merged(sim, repo, n);
  });
});

describe.concurrent('merge methods', () => {
  it('a list in order of preference: the first one the repository allows', { timeout: 60_000 }, async () => {
    const { sim } = gate;
    const repo = protectedRepo(
      'methods-pref',
      { methods: { merge: false, squash: false, rebase: true } },
      policy(WINDOW).replace('method: squash', 'method: [squash, rebase]'),
    );
    const n = openAgentPr(sim, repo, 'fyi');
    expect((await merged(sim, repo, n)).data?.method).toBe('rebase');
  });

  it('linear history rules out merge commits: the next preference is used', { timeout: 60_000 }, async () => {
    const { sim } = gate;
    const repo = protectedRepo(
      'methods-linear',
      { rulesets: [{ id: 1, name: 'main', rules: [{ type: 'required_linear_history' }] }] },
      policy(WINDOW).replace('method: squash', 'method: [merge, squash]'),
    );
    const n = openAgentPr(sim, repo, 'fyi');
    expect((await merged(sim, repo, n)).data?.method).toBe('squash');
  });

  it('none allowed: no merge, and the reason in the check and the comment', { timeout: 60_000 }, async () => {
    const { sim } = gate;
    const repo = protectedRepo(
      'methods-none',
      {
        rulesets: [{ id: 1, name: 'main', rules: [{ type: 'required_linear_history' }] }],
        methods: { merge: true, squash: false, rebase: false },
      },
      policy(WINDOW).replace('method: squash', 'method: [merge, squash]'),
    );
    const n = openAgentPr(sim, repo, 'fyi');
    const head = sim.pull(repo, n).headSha;
    // The status comment is written first, then the check run whose record names it.
    await until(
      'the reason is in the status comment and the check',
      () =>
        lastStatus(repo, n).includes("none of the policy's merge methods can be used") &&
        (sim.checkRuns(repo, head, 'hitl').at(-1)?.output.summary ?? '').includes('squash merges are not allowed here'),
    );
    expect(lastStatus(repo, n)).toContain('merge commits are not allowed here: ruleset *main* requires a linear history');
    expect(sim.checkRuns(repo, head, 'hitl').at(-1)!.output.summary).toContain('squash merges are not allowed here (repository settings)');
    await sleep(2_000);
    expect(mergesOf(sim, repo, n)).toHaveLength(0);
    expect(sim.timeline.filter((e) => e.repo === repo && e.kind === 'merge-refused')).toEqual([]);
  });
});

describe.concurrent('behind', () => {
  const strict = { rulesets: [{ id: 1, name: 'main', rules: [checks([], true)] }] };

  it('without update_branch: says the branch must be up to date, and neither merges nor updates it', { timeout: 60_000 }, async () => {
    const { sim } = gate;
    const repo = protectedRepo('behind-off', strict);
    const n = openAgentPr(sim, repo, 'fyi');
    sim.advanceBase(repo);
    // The PR is already merged if the gate was faster than the base: then there is nothing to test.
    await until(
      'behind is said',
      () => sim.pull(repo, n).merged || lastStatus(repo, n).includes('the branch is behind main and must be up to date'),
    );
    expect(sim.pull(repo, n).merged).toBe(false);
    await idle(gate, { repo });
    expect(mergesOf(sim, repo, n)).toHaveLength(0);
    expect(sim.timeline.some((e) => e.repo === repo && e.data?.updateBranch === true)).toBe(false);
  });

  it('with update_branch: the gate updates the decided head, decides the new head again, and merges it', { timeout: 60_000 }, async () => {
    const { sim } = gate;
    const repo = protectedRepo('behind-on', strict, policy(WINDOW).replace('method: squash', 'method: squash\n  update_branch: true'));
    sim.advanceBase(repo);
    const n = sim.openPullRequest(repo, { author: AGENT, title: 'soft change', files: FILES.soft.map((f) => ({ ...f })) });
    // Opened on the old base commit: move the base again so this PR is behind.
    sim.advanceBase(repo);
    const first = sim.pull(repo, n).headSha;
    const update = await sim.waitFor(
      (e) => e.repo === repo && e.number === n && e.data?.updateBranch === true,
      30_000,
      'the branch update',
    );
    expect(update.data?.before).toBe(first);
    const updated = String(update.data?.after);
    // The update is a new head: its window starts when the gate first sees it.
    await gateCheck(sim, repo, updated, (c) => c.status === 'in_progress');
    const m = await merged(sim, repo, n);
    expect(m.data?.sha).toBe(updated);
    expect(m.at - update.at).toBeGreaterThanOrEqual(WINDOW * 1000);
  });

  it(
    'with update_branch, the agent pushes meanwhile: its new head is decided on its own, never merged on the old decision',
    { timeout: 60_000 },
    async () => {
      const { sim } = gate;
      const repo = protectedRepo('behind-push', strict, policy(8).replace('method: squash', 'method: squash\n  update_branch: true'));
      const n = openAgentPr(sim, repo, 'soft');
      sim.advanceBase(repo);
      const first = sim.pull(repo, n).headSha;
      await gateCheck(sim, repo, first, (c) => c.status === 'in_progress');
      // The agent pushes before the window ends: the decision on `first` is gone.
      const pushed = sim.push(repo, n, { files: [{ path: 'src/app.ts', content: 'export const x = 2;\n' }] });
      const update = await sim.waitFor(
        (e) => e.repo === repo && e.number === n && e.data?.updateBranch === true,
        40_000,
        'the branch update',
      );
      expect(update.data?.before).toBe(pushed);
      const m = await merged(sim, repo, n);
      expect(m.data?.sha).toBe(update.data?.after);
      expect(mergesOf(sim, repo, n)).toHaveLength(1);
    },
  );
});
