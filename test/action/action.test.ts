// The bundled Action, run as a runner runs it (`node index.js`), against the local GitHub simulator,
// which records every request. What is asserted is what a workflow author sees: outputs, exit code, job summary,
// annotations, and what changed on GitHub.
import { rmSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedGitHub } from './simulated-github.js';
import { issueCommentEvent, pullRequestCommentEvent, pullRequestEvent, reviewEvent, workflowDispatchEvent } from './payloads.js';
import { readRecord } from '../../src/core/ledger.js';
import { runAction, buildBundle, type RunOptions } from './run-action.js';
import { ALICE, BROKEN_LINE, BROKEN_POLICY, PULLS, VETO, scenario, type Scenario, type ScenarioCheckRun } from './scenario.js';

let bundle: { entry: string; dir: string };
let github: SimulatedGitHub | undefined;

beforeAll(async () => {
  bundle = await buildBundle();
});
afterAll(() => rmSync(bundle.dir, { recursive: true, force: true }));
afterEach(async () => {
  await github?.stop();
  github = undefined;
});

async function start(repository: Scenario, o: { ghes?: boolean } = {}): Promise<SimulatedGitHub> {
  github = await SimulatedGitHub.start(repository, o);
  return github;
}

function run(fake: SimulatedGitHub, options: Omit<RunOptions, 'entry' | 'apiUrl'>) {
  return runAction({ entry: bundle.entry, apiUrl: fake.url, ...options });
}

const minutesAgo = (m: number): string => new Date(Date.now() - m * 60_000).toISOString();

/** The gate's own check run on a head, started `minutes` ago: the trusted start of the veto window. */
function gateCheckRun(headSha: string, minutes: number): ScenarioCheckRun {
  return {
    head_sha: headSha,
    name: 'hitl',
    status: 'in_progress',
    conclusion: null,
    started_at: minutesAgo(minutes),
    external_id: 'hitl-gate:governed',
    output: { title: 'Veto window open' },
  };
}

/** The gate's `hitl` check runs on a head. */
const hitlRuns = (fake: SimulatedGitHub, sha: string) => fake.checkRuns(sha, 'hitl');
/** Comments `github-actions[bot]` wrote on a PR. */
const ownComments = (fake: SimulatedGitHub, number: number) => fake.comments(number).filter((c) => c.user.login === 'github-actions[bot]');

describe('check mode (read-only)', () => {
  it('passes an fyi PR, says why in the summary and writes nothing', async () => {
    const fake = await start(scenario());
    const result = await run(fake, { eventName: 'pull_request', payload: pullRequestEvent(PULLS.fyi), inputs: { mode: 'check' } });
    expect(result.stderr).toBe('');
    expect(result.outputs).toEqual({ tier: 'fyi', state: 'ready' });
    expect(result.code).toBe(0);
    expect(result.summary).toContain('#1');
    expect(result.summary).toContain('fyi');
    expect(result.summary).toContain('Documentation');
    expect(fake.writes()).toEqual([]);
    expect(fake.unhandled()).toEqual([]);
    // The token went to the API given in GITHUB_API_URL, as a token, and nowhere else.
    expect(fake.requests.length).toBeGreaterThan(0);
    expect(fake.requests.every((r) => r.authorization === 'token ghs_workflowtoken')).toBe(true);
    // The runner is told to mask it; no other line carries it.
    expect(result.stdout.split('\n').filter((l) => l.includes('ghs_workflowtoken'))).toEqual(['::add-mask::ghs_workflowtoken']);
  });

  it('lets a soft PR wait out its window without failing the step', async () => {
    const fake = await start(scenario());
    const result = await run(fake, { eventName: 'pull_request_target', payload: pullRequestEvent(PULLS.soft, 'synchronize') });
    expect(result.outputs.tier).toBe('soft');
    expect(result.outputs.state).toBe('waiting');
    expect(result.code).toBe(0);
    expect(result.summary).toMatch(/veto/i);
    expect(fake.writes()).toEqual([]);
  });

  it('fails the step on a hard PR that nobody approved', async () => {
    const fake = await start(scenario());
    const result = await run(fake, { eventName: 'pull_request', payload: pullRequestEvent(PULLS.hard) });
    expect(result.outputs).toEqual({ tier: 'hard', state: 'blocked' });
    expect(result.code).toBe(1);
    expect(result.summary).toContain('Database migrations');
    expect(result.annotations.some((a) => a.level === 'error' && a.message.includes('#3 is blocked'))).toBe(true);
    expect(fake.writes()).toEqual([]);
  });

  it('passes the same hard PR once an authorized reviewer approved the head the gate saw', async () => {
    const repository = scenario();
    repository.checkRuns.push(gateCheckRun(PULLS.hard.headSha, 5));
    repository.pulls.find((p) => p.number === 3)!.comments = [{ user: ALICE, body: '/approve', created_at: minutesAgo(1) }];
    const fake = await start(repository);
    const result = await run(fake, { eventName: 'pull_request_review', payload: reviewEvent(PULLS.hard) });
    expect(result.outputs).toEqual({ tier: 'hard', state: 'ready' });
    expect(result.code).toBe(0);
    expect(result.summary).toContain('@alice');
  });

  it('counts an approving review of the head commit even where no gate has seen the head yet', async () => {
    const repository = scenario();
    repository.pulls.find((p) => p.number === 3)!.reviews = [{ user: ALICE, state: 'APPROVED', body: '', submitted_at: minutesAgo(1) }];
    const fake = await start(repository);
    const result = await run(fake, { eventName: 'pull_request_review', payload: reviewEvent(PULLS.hard) });
    expect(result.outputs).toEqual({ tier: 'hard', state: 'ready' });
    expect(result.code).toBe(0);
  });

  it('does not count an approval given before the gate saw the head, and says why', async () => {
    const repository = scenario();
    repository.checkRuns.push(gateCheckRun(PULLS.hard.headSha, 5));
    repository.pulls.find((p) => p.number === 3)!.comments = [{ user: ALICE, body: '/approve', created_at: minutesAgo(30) }];
    const fake = await start(repository);
    const result = await run(fake, { eventName: 'issue_comment', payload: pullRequestCommentEvent(PULLS.hard, '/approve', 'alice') });
    expect(result.outputs).toEqual({ tier: 'hard', state: 'blocked' });
    expect(result.code).toBe(1);
    expect(result.summary).toMatch(/alice.*approve.*again/i);
  });

  it('fails the step on a vetoed PR, named in the comment that triggered the run', async () => {
    const fake = await start(scenario());
    const result = await run(fake, {
      eventName: 'issue_comment',
      payload: pullRequestCommentEvent(PULLS.vetoed, '/veto this breaks the retry logic', 'alice'),
    });
    expect(result.outputs.state).toBe('blocked');
    expect(result.outputs.tier).toBe('soft');
    expect(result.code).toBe(1);
    expect(result.summary).toContain('alice');
    expect(fake.writes()).toEqual([]);
  });

  it('ignores a human PR: tier none, state ignored, step passes', async () => {
    const fake = await start(scenario());
    const result = await run(fake, { eventName: 'pull_request', payload: pullRequestEvent(PULLS.ungoverned) });
    expect(result.outputs).toEqual({ tier: 'none', state: 'ignored' });
    expect(result.code).toBe(0);
    expect(fake.writes()).toEqual([]);
  });

  it('governs nothing without a policy file, and says where one would go', async () => {
    const fake = await start(scenario({ policy: null }));
    const result = await run(fake, { eventName: 'pull_request', payload: pullRequestEvent(PULLS.hard) });
    expect(result.outputs).toEqual({ tier: 'none', state: 'ignored' });
    expect(result.code).toBe(0);
    expect(result.summary).toContain('.github/hitl.yml');
    expect(fake.writes()).toEqual([]);
  });

  it('blocks an agent PR under a broken policy and annotates the policy line', async () => {
    const fake = await start(scenario({ policy: BROKEN_POLICY }));
    const result = await run(fake, { eventName: 'pull_request', payload: pullRequestEvent(PULLS.fyi) });
    expect(result.outputs).toEqual({ tier: 'hard', state: 'blocked' });
    expect(result.code).toBe(1);
    const onPolicy = result.annotations.filter((a) => a.level === 'error' && a.properties.file === '.github/hitl.yml');
    expect(onPolicy.length).toBeGreaterThan(0);
    expect(onPolicy[0]!.properties.line).toBe(String(BROKEN_LINE));
    expect(onPolicy[0]!.properties.col).toMatch(/^\d+$/);
    expect(result.summary).toContain(`\`.github/hitl.yml:${BROKEN_LINE}:`);
    expect(fake.writes()).toEqual([]);
  });

  it('reads the policy at the path the `policy` input names, from the base branch', async () => {
    const repository = scenario();
    repository.files = { 'config/gate.yml': repository.files['.github/hitl.yml']! };
    const fake = await start(repository);
    const result = await run(fake, {
      eventName: 'pull_request',
      payload: pullRequestEvent(PULLS.fyi),
      inputs: { policy: 'config/gate.yml' },
    });
    expect(result.outputs).toEqual({ tier: 'fyi', state: 'ready' });
    const policyReads = fake.requests.filter((r) => r.path.includes('/contents/'));
    expect(policyReads.map((r) => [r.path, r.query.ref])).toEqual([['/repos/Codertocat/Hello-World/contents/config/gate.yml', 'main']]);
  });
});

describe('full mode (what the App does)', () => {
  it('merges a soft PR whose window, started by its own check run, has elapsed, at the decided head', async () => {
    const repository = scenario();
    repository.checkRuns.push(gateCheckRun(PULLS.soft.headSha, 20));
    const fake = await start(repository);
    const result = await run(fake, {
      eventName: 'pull_request',
      payload: pullRequestEvent(PULLS.soft, 'synchronize'),
      inputs: { mode: 'full' },
    });
    expect(result.code).toBe(0);
    const merges = fake.writes().filter((r) => r.method === 'PUT');
    expect(merges).toHaveLength(1);
    expect(merges[0]!.path).toBe('/repos/Codertocat/Hello-World/pulls/2/merge');
    expect(merges[0]!.body).toMatchObject({ sha: PULLS.soft.headSha, merge_method: 'squash' });
    expect(fake.pull(2).merged).toBe(true);
  });

  it('holds a hard PR: one status comment, a non-success hitl check, no merge, and a second run adds no noise', async () => {
    const repository = scenario();
    const fake = await start(repository);
    const first = await run(fake, { eventName: 'pull_request', payload: pullRequestEvent(PULLS.hard), inputs: { mode: 'full' } });
    expect(first.code).toBe(0);
    expect(first.outputs).toEqual({ tier: 'hard', state: 'blocked' });
    const own = ownComments(fake, 3);
    expect(own).toHaveLength(1);
    expect(own[0]!.body).toContain('Database migrations');
    const checks = hitlRuns(fake, PULLS.hard.headSha);
    expect(checks).toHaveLength(1);
    expect(checks[0]!.conclusion).not.toBe('success');
    expect(fake.writes().some((r) => r.method === 'PUT')).toBe(false);

    // The gate's record is in its check run, bound to the PR; the status comment is a view and carries none.
    expect(checks[0]!.output.text).toMatch(/^<!-- hitl-gate:record v1 /);
    expect(readRecord(checks[0]!.output.text, 3)).toMatchObject({ vetoes: [], comment: { id: own[0]!.id } });
    expect(own[0]!.body).toContain('<!-- hitl-gate:status -->');
    expect(own[0]!.body).not.toMatch(/hitl-gate:(ledger|record) v1/);

    // The job summary explains like the comment does, without the gate's record.
    expect(first.summary).toContain('Database migrations');
    expect(first.summary).not.toMatch(/hitl-gate:(ledger|record)/);

    const writesBefore = fake.writes().length;
    const second = await run(fake, {
      eventName: 'issue_comment',
      payload: pullRequestCommentEvent(PULLS.hard, 'looks scary', 'octocat'),
      inputs: { mode: 'full' },
    });
    expect(second.code).toBe(0);
    expect(ownComments(fake, 3)).toHaveLength(1);
    expect(hitlRuns(fake, PULLS.hard.headSha)).toHaveLength(1);
    expect(
      fake
        .writes()
        .slice(writesBefore)
        .filter((r) => r.method === 'POST'),
    ).toEqual([]);
  });

  it('merges an fyi PR on the run after the one that first saw its head', async () => {
    const repository = scenario();
    const fake = await start(repository);
    const first = await run(fake, { eventName: 'pull_request', payload: pullRequestEvent(PULLS.fyi), inputs: { mode: 'full' } });
    expect(first.code).toBe(0);
    expect(first.outputs).toEqual({ tier: 'fyi', state: 'ready' });
    expect(hitlRuns(fake, PULLS.fyi.headSha)).toHaveLength(1);
    expect(fake.writes().some((r) => r.method === 'PUT')).toBe(false);

    const second = await run(fake, { eventName: 'schedule', inputs: { mode: 'sweep' } });
    expect(second.code).toBe(0);
    expect(
      fake
        .writes()
        .filter((r) => r.method === 'PUT')
        .map((r) => [r.path, (r.body as { sha?: string }).sha]),
    ).toContainEqual(['/repos/Codertocat/Hello-World/pulls/1/merge', PULLS.fyi.headSha]);
  });

  it('gives a human PR a passing hitl check and nothing else', async () => {
    const repository = scenario();
    const fake = await start(repository);
    const result = await run(fake, { eventName: 'pull_request', payload: pullRequestEvent(PULLS.ungoverned), inputs: { mode: 'full' } });
    expect(result.code).toBe(0);
    expect(result.outputs).toEqual({ tier: 'none', state: 'ignored' });
    const checks = hitlRuns(fake, PULLS.ungoverned.headSha);
    expect(checks.map((r) => r.conclusion)).toEqual(['success']);
    expect(fake.comments(5)).toEqual([]);
    expect(fake.writes().some((r) => r.method === 'PUT')).toBe(false);
  });

  it('holds every agent PR under a broken policy and points at the line in the check, comment and annotations', async () => {
    const repository = scenario({ policy: BROKEN_POLICY });
    const fake = await start(repository);
    const result = await run(fake, { eventName: 'pull_request', payload: pullRequestEvent(PULLS.fyi), inputs: { mode: 'full' } });
    expect(result.outputs).toEqual({ tier: 'hard', state: 'blocked' });
    expect(result.annotations.some((a) => a.properties.file === '.github/hitl.yml' && a.properties.line === String(BROKEN_LINE))).toBe(
      true,
    );
    const check = hitlRuns(fake, PULLS.fyi.headSha)[0]!;
    expect(check.conclusion).not.toBe('success');
    const comment = ownComments(fake, 1)[0]!;
    expect(comment.body).toContain(`.github/hitl.yml:${BROKEN_LINE}`);
    expect(fake.writes().some((r) => r.method === 'PUT')).toBe(false);
  });

  it('does not merge while another check on the head is still running (its own job included)', async () => {
    const repository = scenario();
    repository.checkRuns.push(gateCheckRun(PULLS.soft.headSha, 20));
    repository.checkRuns.push({ ...gateCheckRun(PULLS.soft.headSha, 1), name: 'gate', external_id: null });
    const fake = await start(repository);
    const result = await run(fake, {
      eventName: 'pull_request',
      payload: pullRequestEvent(PULLS.soft, 'synchronize'),
      inputs: { mode: 'full' },
    });
    expect(result.code).toBe(0);
    expect(result.outputs).toEqual({ tier: 'soft', state: 'ready' });
    expect(fake.writes().some((r) => r.method === 'PUT')).toBe(false);
  });

  it('leaves its own running job out of the other checks when told its id, and merges; other running jobs still hold it', async () => {
    const setUp = (otherJobRunning: boolean) => {
      const repository = scenario();
      repository.checkRuns.push(gateCheckRun(PULLS.soft.headSha, 20));
      repository.checkRuns.push({ ...gateCheckRun(PULLS.soft.headSha, 1), name: 'gate', external_id: null });
      if (otherJobRunning) repository.checkRuns.push({ ...gateCheckRun(PULLS.soft.headSha, 1), name: 'tests', external_id: null });
      return repository;
    };
    const merges = async (otherJobRunning: boolean) => {
      await github?.stop();
      const fake = await start(setUp(otherJobRunning));
      const own = fake.seededCheckRuns.get('gate')!;
      const result = await run(fake, {
        eventName: 'pull_request',
        payload: pullRequestEvent(PULLS.soft, 'synchronize'),
        inputs: { mode: 'full', 'job-check-run-id': String(own) },
      });
      expect(result.code).toBe(0);
      return fake
        .writes()
        .filter((r) => r.method === 'PUT')
        .map((r) => [r.path, (r.body as { sha?: string }).sha]);
    };
    expect(await merges(false)).toEqual([['/repos/Codertocat/Hello-World/pulls/2/merge', PULLS.soft.headSha]]);
    expect(await merges(true)).toEqual([]);
  });

  it('does not mistake a workflow job named hitl for its own check: the window starts now, nothing merges', async () => {
    const repository = scenario();
    // Any job of any workflow writes check runs as the GitHub Actions app, under its job's name.
    repository.checkRuns.push({ ...gateCheckRun(PULLS.soft.headSha, 60), external_id: null, status: 'completed', conclusion: 'success' });
    const fake = await start(repository);
    const result = await run(fake, { eventName: 'pull_request', payload: pullRequestEvent(PULLS.soft), inputs: { mode: 'full' } });
    expect(result.code).toBe(0);
    expect(result.outputs).toEqual({ tier: 'soft', state: 'waiting' });
    expect(fake.writes().some((r) => r.method === 'PUT')).toBe(false);
    expect(fake.writes().some((r) => r.method === 'PATCH' && r.path.endsWith(`/check-runs/${fake.seededCheckRuns.get('hitl')}`))).toBe(
      false,
    );
  });

  it('never merges a vetoed PR, even after its window', async () => {
    const repository = scenario();
    repository.checkRuns.push(gateCheckRun(PULLS.vetoed.headSha, 60));
    const fake = await start(repository);
    const result = await run(fake, { eventName: 'pull_request', payload: pullRequestEvent(PULLS.vetoed), inputs: { mode: 'full' } });
    expect(result.outputs).toEqual({ tier: 'soft', state: 'blocked' });
    expect(result.summary).toContain('alice');
    expect(fake.writes().some((r) => r.method === 'PUT')).toBe(false);
  });

  it('reports as a commit status when the token cannot write checks', async () => {
    const repository = scenario();
    repository.canWriteChecks = false;
    const fake = await start(repository);
    const result = await run(fake, { eventName: 'pull_request', payload: pullRequestEvent(PULLS.hard), inputs: { mode: 'full' } });
    expect(result.code).toBe(0);
    const statuses = fake.statuses(PULLS.hard.headSha);
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.at(-1)!.state).not.toBe('success');
    expect(result.annotations.some((a) => a.level === 'warning' && a.message.includes('checks: write'))).toBe(true);
  });

  // Fails on a538f74/b115ba1 (reported): the first pass tries a check run, writes the reply and the status
  // comment before the check run GitHub refuses (403), and the commit-status pass, which has no record of
  // what was answered, replies again; every later run does the same, and asks the reviewers again.
  it('as a commit status there is no record: commands are not answered one by one (it could not remember having answered), the status comment lists them, and it carries no ledger', async () => {
    const repository = scenario();
    repository.canWriteChecks = false;
    repository.pulls.find((p) => p.number === 3)!.comments = [
      { user: { login: 'mallory', type: 'User' }, body: '/approve', created_at: minutesAgo(1) },
    ];
    const fake = await start(repository);
    const first = await run(fake, {
      eventName: 'issue_comment',
      payload: pullRequestCommentEvent(PULLS.hard, '/approve', 'mallory'),
      inputs: { mode: 'full' },
    });
    expect(first.outputs).toEqual({ tier: 'hard', state: 'blocked' });
    const own = () => ownComments(fake, 3);
    const replies = () => own().filter((c) => !c.body.includes('<!-- hitl-gate:status -->'));
    expect(replies()).toHaveLength(0);
    expect(own().find((c) => c.body.includes('<!-- hitl-gate:status -->'))?.body).toMatch(/mallory/);
    expect(own().every((c) => !/hitl-gate:(ledger|record) v1/.test(c.body))).toBe(true);
    expect(fake.checkRuns(PULLS.hard.headSha)).toEqual([]);

    const before = fake.writes().length;
    await run(fake, {
      eventName: 'issue_comment',
      payload: pullRequestCommentEvent(PULLS.hard, 'any news?', 'octocat'),
      inputs: { mode: 'full' },
    });
    expect(replies()).toHaveLength(0);
    // The reviewers were asked once for this head.
    expect(
      fake
        .writes()
        .slice(before)
        .filter((r) => r.path.endsWith('/requested_reviewers')),
    ).toEqual([]);
  });

  it('a veto recorded on an earlier head survives a force-push and the deletion of its comment: found by the search of earlier heads', async () => {
    const repository = scenario();
    repository.checkRuns.push(gateCheckRun(PULLS.vetoed.headSha, 60));
    const fake = await start(repository);
    const first = await run(fake, {
      eventName: 'pull_request',
      payload: pullRequestEvent(PULLS.vetoed, 'synchronize'),
      inputs: { mode: 'full' },
    });
    expect(first.outputs).toEqual({ tier: 'soft', state: 'blocked' });
    const recorded = hitlRuns(fake, PULLS.vetoed.headSha);
    expect(recorded.some((r) => readRecord(r.output.text, 4)?.vetoes.some((v) => v.by === 'alice'))).toBe(true);

    // The agent deletes the veto and force-pushes a new head; the old head is only in the timeline now.
    const newHead = 'f4'.repeat(20);
    fake.sim.deleteComment(fake.repo, fake.seededComments.get(VETO)!, PULLS.vetoed.user.login);
    fake.sim.forcePush(fake.repo, 4, { sha: newHead });
    const pull = { ...PULLS.vetoed, headSha: newHead };
    const second = await run(fake, { eventName: 'pull_request', payload: pullRequestEvent(pull, 'synchronize'), inputs: { mode: 'full' } });
    expect(second.outputs).toEqual({ tier: 'soft', state: 'blocked' });
    expect(second.summary).toContain('alice');
    expect(fake.writes().some((r) => r.method === 'PUT')).toBe(false);
    const graphql = fake.requests.filter((r) => r.path === '/graphql');
    expect(graphql.length).toBeGreaterThan(0);
    const onNewHead = hitlRuns(fake, newHead);
    expect(onNewHead).toHaveLength(1);
    expect(readRecord(onNewHead[0]!.output.text, 4)?.vetoes).toEqual([expect.objectContaining({ by: 'alice' })]);
  });

  it('fails with a way out when the token is read-only (a pull_request run from a fork)', async () => {
    const repository = scenario();
    repository.readOnly = true;
    const fake = await start(repository);
    const result = await run(fake, { eventName: 'pull_request', payload: pullRequestEvent(PULLS.hard), inputs: { mode: 'full' } });
    expect(result.code).toBe(1);
    expect(result.outputs.state).toBe('blocked');
    expect(result.annotations.some((a) => a.level === 'error' && a.message.includes('pull_request_target'))).toBe(true);
    expect(fake.writes().every((r) => r.status === 403)).toBe(true);
  });
});

describe('sweep mode', () => {
  it('merges the PRs whose window elapsed, holds the rest, and tables them all', async () => {
    const repository = scenario();
    repository.checkRuns.push(gateCheckRun(PULLS.soft.headSha, 20));
    const fake = await start(repository);
    const result = await run(fake, { eventName: 'schedule', inputs: { mode: 'sweep' } });
    expect(result.code).toBe(0);
    expect(result.outputs).toEqual({});
    const merged = fake
      .writes()
      .filter((r) => r.method === 'PUT')
      .map((r) => r.path);
    expect(merged).toContain('/repos/Codertocat/Hello-World/pulls/2/merge');
    expect(merged).not.toContain('/repos/Codertocat/Hello-World/pulls/3/merge');
    expect(merged).not.toContain('/repos/Codertocat/Hello-World/pulls/4/merge');
    for (const number of [2, 3, 4]) expect(result.summary).toContain(`| #${number} |`);
    expect(result.summary).toMatch(/\| #2 \|.*\| merged \|/);
    // The human PR is not the gate's business: not reconciled, not listed.
    expect(result.summary).not.toContain('| #5 |');
    expect(fake.requests.some((r) => r.path.endsWith('/pulls/5'))).toBe(false);
  });

  it.each(['unstable', 'blocked'])(
    "merges a soft PR whose window elapsed in this very run when GitHub says %s only because of the gate's own check",
    async (state) => {
      // `unstable`: `hitl` is not a required check but still in progress; `blocked`: it is required.
      const repository = scenario();
      repository.checkRuns.push(gateCheckRun(PULLS.soft.headSha, 20));
      // What GitHub says `unstable` or `blocked` for: `hitl` in progress, not required or required.
      if (state === 'blocked') repository.requiredChecks = ['hitl'];
      const fake = await start(repository);
      const result = await run(fake, { eventName: 'schedule', inputs: { mode: 'sweep' } });
      expect(result.code).toBe(0);
      const writes = fake.writes().filter((r) => r.path.includes('/check-runs') || r.path.endsWith('/pulls/2/merge'));
      const merge = writes.findIndex((r) => r.path.endsWith('/pulls/2/merge'));
      expect(merge).toBeGreaterThan(0);
      // The gate's check turned green before the merge, in the same run.
      expect(writes.slice(0, merge).some((r) => (r.body as { conclusion?: string }).conclusion === 'success')).toBe(true);
    },
  );

  it('a merge classic protection refuses: said in the check and the comment, and not asked again by the next sweep', async () => {
    const repository = scenario();
    repository.checkRuns.push(gateCheckRun(PULLS.soft.headSha, 20));
    repository.requiredReviews = 1;
    const fake = await start(repository);
    const first = await run(fake, { eventName: 'schedule', inputs: { mode: 'sweep' } });
    expect(first.code).toBe(0);
    const merges = () => fake.writes().filter((r) => r.path.endsWith('/pulls/2/merge'));
    expect(merges()).toHaveLength(1);
    const check = hitlRuns(fake, PULLS.soft.headSha).at(-1)!;
    expect(check.conclusion).toBe('success');
    expect(check.output.summary).toContain('At least 1 approving review is required');
    const own = ownComments(fake, 2);
    expect(own).toHaveLength(1);
    expect(own[0]!.body).toContain('GitHub still needs');
    expect(fake.unhandled()).toEqual([]);

    const second = await run(fake, { eventName: 'schedule', inputs: { mode: 'sweep' } });
    expect(second.code).toBe(0);
    expect(merges()).toHaveLength(1);
  });

  it('blocks every agent PR under a broken policy and annotates the policy once', async () => {
    const repository = scenario({ policy: BROKEN_POLICY });
    repository.checkRuns.push(gateCheckRun(PULLS.soft.headSha, 20));
    const fake = await start(repository);
    const result = await run(fake, { eventName: 'schedule', inputs: { mode: 'sweep' } });
    expect(result.code).toBe(0);
    expect(fake.writes().some((r) => r.method === 'PUT')).toBe(false);
    for (const number of [1, 2, 3, 4]) expect(result.summary).toMatch(new RegExp(`\\| #${number} \\| \`hard\` \\| \`blocked\` \\|`));
    const onLine = result.annotations.filter((a) => a.properties.file === '.github/hitl.yml' && a.properties.line === String(BROKEN_LINE));
    expect(onLine).toHaveLength(1);
  });

  it('runs on workflow_dispatch too', async () => {
    const fake = await start(scenario({ pulls: [] }));
    const result = await run(fake, { eventName: 'workflow_dispatch', payload: workflowDispatchEvent(), inputs: { mode: 'sweep' } });
    expect(result.code).toBe(0);
    expect(result.summary).toContain('No open pull request');
  });
});

describe('events and inputs', () => {
  it('notes a comment on a plain issue and exits 0 without calling GitHub', async () => {
    const fake = await start(scenario());
    const result = await run(fake, { eventName: 'issue_comment', payload: issueCommentEvent() });
    expect(result.code).toBe(0);
    expect(result.annotations).toEqual([
      expect.objectContaining({ level: 'notice', message: expect.stringContaining('not on a pull request') }),
    ]);
    expect(result.outputs).toEqual({});
    expect(fake.requests).toEqual([]);
  });

  it('talks to GitHub Enterprise Server at GITHUB_API_URL, path included', async () => {
    const fake = await start(scenario(), { ghes: true });
    const result = await run(fake, { eventName: 'pull_request', payload: pullRequestEvent(PULLS.hard) });
    expect(result.outputs).toEqual({ tier: 'hard', state: 'blocked' });
    expect(result.summary).toContain('Database migrations');
    expect(fake.requests.length).toBeGreaterThan(0);
    expect(fake.requests.every((r) => r.status !== 404 || r.path.includes('/contents/'))).toBe(true);
  });

  it('fails clearly on an event it does not handle', async () => {
    const fake = await start(scenario());
    const result = await run(fake, { eventName: 'push', payload: {} });
    expect(result.code).toBe(1);
    expect(result.annotations[0]!.message).toContain('does not handle the `push` event');
    expect(fake.requests).toEqual([]);
  });

  it('fails clearly on a mode it does not know', async () => {
    const fake = await start(scenario());
    const result = await run(fake, {
      eventName: 'pull_request',
      payload: pullRequestEvent(PULLS.fyi),
      inputs: { mode: 'merge-everything' },
    });
    expect(result.code).toBe(1);
    expect(result.annotations[0]!.message).toContain('expected one of: check, full, sweep, test');
    expect(fake.requests).toEqual([]);
  });

  it('fails closed when GitHub is down: blocked, not ready', async () => {
    const fake = await start(scenario());
    const result = await run(fake, { eventName: 'pull_request', payload: pullRequestEvent(PULLS.fyi), repository: 'Codertocat/Gone' });
    expect(result.code).toBe(1);
    expect(result.outputs.state).toBe('blocked');
    expect(fake.writes()).toEqual([]);
  });
});
