// main in-process, with a scripted engine: how outcomes become outputs, failures and annotations, and
// that whatever goes wrong reads as blocked, never as ready.
import { describe, expect, it } from 'vitest';
import type { PullRequestFacts } from '../../src/core/model/pull-request.js';
import type { Decision } from '../../src/core/model/decision.js';
import type { Effect } from '../../src/core/model/effects.js';
import type { GitHubClient, ReconcileOptions, ReconcileOutcome } from '../../src/github/index.js';
import type { ActionEnvironment, ActionInputs } from '../../action/inputs.js';
import { main, type Engine } from '../../action/main.js';

function decision(overrides: Partial<Decision> = {}): Decision {
  return {
    governed: true,
    tier: 'soft',
    state: 'waiting',
    classification: {
      governed: true,
      governedBy: [{ kind: 'author', login: 'copilot-swe-agent[bot]' }],
      tier: 'soft',
      reasons: [{ kind: 'default', tier: 'soft', files: ['src/a.ts'] }],
    },
    title: 'Merges at 14:32 UTC unless someone vetoes',
    blockers: [],
    approvals: [],
    approvalsRequired: 0,
    vetoes: [],
    commands: [],
    merge: true,
    mergeMethod: 'squash',
    ledger: { vetoes: [], answered: [] },
    policy: { kind: 'ok', path: '.github/hitl.yml' },
    ...overrides,
  };
}

function outcome(d: Decision, extra: Partial<ReconcileOutcome> = {}): ReconcileOutcome {
  return {
    ref: { owner: 'acme', repo: 'widgets', number: 12 },
    decision: d,
    effects: [],
    applied: [],
    merged: false,
    requests: 5,
    ...extra,
  };
}

/** A client that only answers GET /apps/{slug}; the engine is scripted, so nothing else is asked. */
function client(app: { id: number; slug: string } | 'down' = { id: 15368, slug: 'github-actions' }): GitHubClient {
  const getBySlug = async () => {
    if (app === 'down') throw Object.assign(new Error('Not Found'), { status: 404 });
    return { data: app };
  };
  return { rest: { apps: { getBySlug } } } as unknown as GitHubClient;
}

function engine(script: (options: ReconcileOptions) => ReconcileOutcome, calls: ReconcileOptions[] = []): Engine {
  return {
    reconcile: async (_c, _ref, options) => {
      calls.push(options);
      return script(options);
    },
    sweep: async (_c, _repo, options) => {
      calls.push(options as ReconcileOptions);
      return [script(options as ReconcileOptions)];
    },
  };
}

const silent = { info() {}, warn() {}, error() {} };
const inputs = (mode: ActionInputs['mode']): ActionInputs => ({
  token: 't',
  mode,
  policyPath: '.github/hitl.yml',
  testsPath: '.github/hitl-tests',
  appSlug: 'github-actions',
});
const prEvent: ActionEnvironment = {
  event: { name: 'pull_request', payload: { pull_request: { number: 12 } } },
  owner: 'acme',
  repo: 'widgets',
  apiUrl: 'https://api.github.com',
};
const deps = (e: Engine, c = client()) => ({ client: c, engine: e, now: () => new Date('2026-11-22T01:00:00Z'), log: silent });

describe('check mode', () => {
  it('fails exactly when the state is blocked', async () => {
    for (const state of ['ignored', 'ready', 'waiting', 'blocked'] as const) {
      const report = await main(
        inputs('check'),
        prEvent,
        deps(engine(() => outcome(decision({ state, blockers: state === 'blocked' ? ['needs 1 approval'] : [] })))),
      );
      expect(report.outputs).toEqual({ tier: 'soft', state });
      expect(report.failure !== undefined).toBe(state === 'blocked');
    }
  });

  it('never fails under a policy in mode: observe, even for a PR it would block', async () => {
    const report = await main(
      inputs('check'),
      prEvent,
      deps(engine(() => outcome(decision({ state: 'blocked', mode: 'observe', blockers: ['needs 1 approval'] })))),
    );
    expect(report.outputs).toEqual({ tier: 'soft', state: 'blocked' });
    expect(report.failure).toBeUndefined();
  });

  it('reconciles read-only, as the GitHub Actions app, with the policy input', async () => {
    const calls: ReconcileOptions[] = [];
    await main({ ...inputs('check'), policyPath: 'config/gate.yml' }, prEvent, deps(engine(() => outcome(decision()), calls)));
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      mode: 'check',
      identity: { appId: 15368, login: 'github-actions[bot]' },
      policyPath: 'config/gate.yml',
    });
  });

  it('reads as the hitl-gate App when app-slug names it (defence in depth beside the App)', async () => {
    const calls: ReconcileOptions[] = [];
    await main(
      { ...inputs('check'), appSlug: 'hitl-gate' },
      prEvent,
      deps(
        engine(() => outcome(decision()), calls),
        client({ id: 4242, slug: 'hitl-gate' }),
      ),
    );
    expect(calls[0]!.identity).toEqual({ appId: 4242, login: 'hitl-gate[bot]' });
  });

  it('puts each policy error on its line of the policy file', async () => {
    const errors = [{ file: '.github/hitl.yml', line: 9, column: 10, message: 'default must be one of fyi, soft, hard' }];
    const d = decision({
      tier: 'hard',
      state: 'blocked',
      policy: { kind: 'invalid', path: '.github/hitl.yml', errors },
      blockers: ['the policy is invalid'],
    });
    const report = await main(inputs('check'), prEvent, deps(engine(() => outcome(d))));
    expect(report.annotations).toEqual([
      {
        level: 'error',
        message: errors[0]!.message,
        file: '.github/hitl.yml',
        startLine: 9,
        startColumn: 10,
        title: 'hitl-gate policy error',
      },
    ]);
    expect(report.failure).toContain('the policy is invalid');
  });
});

describe('job summary', () => {
  it('explains with the core renderer when the engine hands back the facts', async () => {
    const facts: PullRequestFacts = {
      owner: 'acme',
      repo: 'widgets',
      number: 12,
      title: 'Refactor',
      author: { login: 'copilot-swe-agent[bot]', type: 'Bot' },
      state: 'open',
      merged: false,
      draft: false,
      headSha: 'abcdef1234567890abcdef1234567890abcdef12',
      headRef: 'copilot/x',
      baseRef: 'main',
      labels: [],
      additions: 3,
      deletions: 0,
      changedFiles: 1,
      files: [{ filename: 'src/a.ts', status: 'modified', additions: 3, deletions: 0 }],
      commits: [],
      comments: [],
      reviews: [],
      authorizations: {},
    };
    const report = await main(inputs('check'), prEvent, deps(engine(() => ({ ...outcome(decision()), facts }))));
    // The core's renderer names the commit it decided on; the Action's own fallback does not.
    expect(report.summary).toContain('abcdef1');
  });

  it('still explains without them', async () => {
    const report = await main(inputs('check'), prEvent, deps(engine(() => outcome(decision({ blockers: ['Vetoed by @alice'] })))));
    expect(report.summary).toContain('Vetoed by @alice');
    expect(report.summary).toContain('`soft`');
  });
});

describe('failing closed', () => {
  it('reports blocked when GitHub failed the reconcile part-way, whatever the decision said', async () => {
    const report = await main(
      inputs('check'),
      prEvent,
      deps(engine(() => outcome(decision({ state: 'ready' }), { error: 'could not read reviews: GitHub answered 502' }))),
    );
    expect(report.outputs).toEqual({ tier: 'soft', state: 'blocked' });
    expect(report.failure).toContain('GitHub answered 502');
  });

  it('reports blocked when the engine throws', async () => {
    const report = await main(
      inputs('full'),
      prEvent,
      deps({
        reconcile: async () => {
          throw new Error('socket hang up');
        },
        sweep: async () => [],
      }),
    );
    expect(report.outputs).toEqual({ tier: 'hard', state: 'blocked' });
    expect(report.failure).toBe('#12: socket hang up');
  });

  it('refuses to guess the gate identity on GitHub Enterprise Server', async () => {
    const ghes = { ...prEvent, apiUrl: 'https://ghe.example.com/api/v3' };
    const report = await main(
      inputs('check'),
      ghes,
      deps(
        engine(() => outcome(decision({ state: 'ready' }))),
        client('down'),
      ),
    );
    expect(report.outputs.state).toBe('blocked');
    expect(report.failure).toContain('GET /apps/github-actions');
  });

  it('falls back to the well-known GitHub Actions app id on github.com', async () => {
    const calls: ReconcileOptions[] = [];
    await main(
      inputs('check'),
      prEvent,
      deps(
        engine(() => outcome(decision()), calls),
        client('down'),
      ),
    );
    expect(calls[0]!.identity).toEqual({ appId: 15368, login: 'github-actions[bot]' });
  });
});

describe('full mode', () => {
  it('does not fail the step on a blocked PR (the hitl check says it)', async () => {
    const report = await main(inputs('full'), prEvent, deps(engine(() => outcome(decision({ tier: 'hard', state: 'blocked' })))));
    expect(report.failure).toBeUndefined();
    expect(report.outputs).toEqual({ tier: 'hard', state: 'blocked' });
  });

  it('retries as a commit status when the token may not write checks, and says how to fix it', async () => {
    const calls: ReconcileOptions[] = [];
    const check: Effect = {
      kind: 'check-run',
      headSha: 'a'.repeat(40),
      status: 'completed',
      conclusion: 'action_required',
      title: 'Needs approval',
      summary: '',
    };
    const report = await main(
      inputs('full'),
      prEvent,
      deps(
        engine(
          (options) =>
            options.checkRunAs === 'status'
              ? outcome(decision({ state: 'blocked' }), { effects: [check], applied: [check] })
              : outcome(decision({ state: 'blocked' }), {
                  effects: [check],
                  applied: [],
                  error: 'GitHub answered 403: Resource not accessible by integration',
                }),
          calls,
        ),
      ),
    );
    expect(calls.map((c) => c.checkRunAs)).toEqual(['check-run', 'status']);
    expect(report.failure).toBeUndefined();
    expect(report.annotations.map((a) => a.level)).toEqual(['warning']);
  });

  it('says the token is read-only when the commit status is refused too', async () => {
    const check: Effect = {
      kind: 'check-run',
      headSha: 'a'.repeat(40),
      status: 'completed',
      conclusion: 'action_required',
      title: 'Needs approval',
      summary: '',
    };
    const forbidden = outcome(decision({ state: 'blocked' }), {
      effects: [check],
      applied: [],
      error: 'check-run failed: GitHub answered 403: Resource not accessible by integration',
    });
    const report = await main(inputs('full'), prEvent, deps(engine(() => forbidden)));
    expect(report.failure).toContain('403');
    expect(report.outputs.state).toBe('blocked');
    expect(report.annotations).toEqual([
      expect.objectContaining({ level: 'error', message: expect.stringContaining('pull_request_target') }),
    ]);
  });

  it('does not retry other failures', async () => {
    const calls: ReconcileOptions[] = [];
    const report = await main(inputs('full'), prEvent, deps(engine(() => outcome(decision(), { error: 'GitHub answered 500' }), calls)));
    expect(calls).toHaveLength(1);
    expect(report.failure).toContain('500');
  });
});

describe('sweep mode', () => {
  it('sets no outputs and fails when any PR could not be reconciled', async () => {
    const report = await main(
      inputs('sweep'),
      { ...prEvent, event: { name: 'schedule', payload: {} } },
      deps(engine(() => outcome(decision(), { error: 'GitHub answered 502' }))),
    );
    expect(report.outputs).toEqual({});
    expect(report.failure).toContain('#12 (GitHub answered 502)');
    expect(report.summary).toContain('| #12 |');
  });
});

describe('merge_group', () => {
  const SHA = (c: string) => c.repeat(40);
  // As GitHub names it: #13's group is built on #12's group commit (8…8), which the branch names.
  const group = (n: number) => ({
    head_sha: SHA('9'),
    head_ref: `refs/heads/gh-readonly-queue/main/pr-${n}-${SHA('8')}`,
    base_ref: 'refs/heads/main',
    base_sha: SHA('8'),
  });
  const QUEUED_AT = '2026-01-01T00:10:00Z';
  const SEEN_AT = '2026-01-01T00:00:00Z';
  const groupEvent = (payload: Record<string, unknown>): ActionEnvironment => ({ ...prEvent, event: { name: 'merge_group', payload } });
  /** A client that knows the App and lists a queue of #12 (ahead) and #13 (the group's own entry). */
  function queueClient(writes: unknown[] = []): GitHubClient {
    const base = client() as unknown as { rest: Record<string, unknown> };
    const graphql = async () => ({
      repository: {
        mergeQueue: {
          entries: {
            totalCount: 2,
            nodes: [
              { position: 1, enqueuedAt: QUEUED_AT, headCommit: { oid: SHA('8') }, pullRequest: { number: 12, headRefOid: SHA('b') } },
              { position: 2, enqueuedAt: QUEUED_AT, headCommit: { oid: SHA('9') }, pullRequest: { number: 13, headRefOid: SHA('a') } },
            ],
          },
        },
      },
    });
    const create = async (params: unknown) => {
      writes.push(params);
      return { data: { id: 1 } };
    };
    return { ...base, rest: { ...base.rest, checks: { create } }, graphql } as unknown as GitHubClient;
  }
  const decideEach = (states: Record<number, Decision['state']>): Engine => ({
    reconcile: async (_c, ref) =>
      outcome(decision({ state: states[ref.number]!, title: `#${ref.number} is ${states[ref.number]}` }), {
        ref,
        facts: { headSha: ref.number === 13 ? SHA('a') : SHA('b'), headSeenAt: SEEN_AT, state: 'open' } as PullRequestFacts,
      }),
    sweep: async () => [],
  });

  it('check mode fails the step when the group adds a PR the gate would not merge, and names it', async () => {
    const report = await main(
      inputs('check'),
      groupEvent({ merge_group: group(13) }),
      deps(decideEach({ 12: 'ready', 13: 'blocked' }), queueClient()),
    );
    expect(report.failure).toMatch(/#13 may not merge/);
    expect(report.summary).toMatch(/must not merge/);
  });

  it('check mode passes a group whose every PR (the one ahead included) may merge; full mode writes the hitl check on its head', async () => {
    expect(
      (await main(inputs('check'), groupEvent({ merge_group: group(13) }), deps(decideEach({ 12: 'ready', 13: 'ready' }), queueClient())))
        .failure,
    ).toBeUndefined();
    expect(
      (await main(inputs('check'), groupEvent({ merge_group: group(13) }), deps(decideEach({ 12: 'waiting', 13: 'ready' }), queueClient())))
        .failure,
    ).toMatch(/#12/);
    const writes: unknown[] = [];
    const full = await main(
      inputs('full'),
      groupEvent({ merge_group: group(13) }),
      deps(decideEach({ 12: 'ready', 13: 'ready' }), queueClient(writes)),
    );
    expect(full.failure).toBeUndefined();
    expect(writes).toMatchObject([{ name: 'hitl', head_sha: SHA('9'), status: 'completed', conclusion: 'success' }]);
  });

  it("fails when the group's own PR has a newer head than the one that was queued (nobody decided on the queued one here)", async () => {
    const moved: Engine = {
      reconcile: async (_c, ref) =>
        outcome(decision({ state: 'ready' }), {
          ref,
          facts: { headSha: ref.number === 13 ? SHA('c') : SHA('b'), headSeenAt: SEEN_AT, state: 'open' } as PullRequestFacts,
        }),
      sweep: async () => [],
    };
    const report = await main(inputs('check'), groupEvent({ merge_group: group(13) }), deps(moved, queueClient()));
    expect(report.failure).toMatch(/#13/);
    expect(report.summary).toMatch(/head moved/);
  });

  it("fails when a PR ahead of the group's own got a head after it was queued, though the policy lets that head merge", async () => {
    const pushedAhead: Engine = {
      reconcile: async (_c, ref) =>
        outcome(decision({ state: 'ready' }), {
          ref,
          facts: {
            headSha: ref.number === 13 ? SHA('a') : SHA('b'),
            headSeenAt: ref.number === 12 ? '2026-01-01T00:10:05Z' : SEEN_AT,
            state: 'open',
          } as PullRequestFacts,
        }),
      sweep: async () => [],
    };
    const report = await main(inputs('check'), groupEvent({ merge_group: group(13) }), deps(pushedAhead, queueClient()));
    expect(report.failure).toMatch(/#12/);
    expect(report.summary).toMatch(/#12: could not be decided: .*after it was queued/);
  });

  it('a group whose PRs cannot be told fails; sweep mode refuses the event', async () => {
    const report = await main(
      inputs('check'),
      groupEvent({ merge_group: { head_sha: SHA('9'), head_ref: 'refs/heads/main' } }),
      deps(decideEach({}), queueClient()),
    );
    expect(report.failure).toMatch(/Cannot tell/);
    await expect(main(inputs('sweep'), groupEvent({ merge_group: group(13) }), deps(decideEach({}), queueClient()))).rejects.toThrow(
      /sweep/,
    );
  });
});
