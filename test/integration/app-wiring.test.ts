// The app's wiring through Probot: which webhooks reach the queue (and which must not), that handlers
// return at once, per-PR serialization and coalescing, retries, and veto-window timers surviving a
// restart through the sweep. GitHub's side is a recording reconcile here; app-github.test.ts runs the
// real one against a nocked GitHub.
import { createRequire } from 'node:module';
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Probot } from 'probot';
import type { WebhookDefinition } from '@octokit/webhooks-examples';
import { createGate, type Gate, type GateOptions } from '../../src/app/gate.js';
import type { ReconcileOptions, ReconcileOutcome, PullRequestRef, RepositoryRef, SweepOptions } from '../../src/github/index.js';
import type { Decision } from '../../src/core/model/decision.js';
import { PolicyLoads } from '../../src/core/policy/load.js';

const definitions = createRequire(import.meta.url)('@octokit/webhooks-examples') as WebhookDefinition[];
const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const IDENTITY = { appId: 4242, login: 'hitl-gate[bot]' };
const INSTALLATION = 31;

type Payload = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A real example payload, moved to acme/widgets of installation 31. */
function example(name: string, action: string, adapt: (p: Payload) => void = () => undefined): Payload {
  const def = definitions.find((d) => d.name === name);
  const found = def?.examples.find((e) => (e as Payload).action === action);
  if (!found) throw new Error(`no ${name}.${action} example`);
  const payload = structuredClone(found) as Payload;
  payload.installation = { id: INSTALLATION, node_id: 'x' };
  if (payload.repository) {
    payload.repository.name = 'widgets';
    payload.repository.full_name = 'acme/widgets';
    payload.repository.owner.login = 'acme';
  }
  adapt(payload);
  return payload;
}

const pullRequestEvent = (action: string, number = 7, updatedAt = '2026-11-22T14:00:00Z') =>
  // The examples have no `edited`; an `opened` payload carries the same pull_request.
  example('pull_request', action === 'edited' ? 'opened' : action, (p) => {
    p.action = action;
    p.pull_request.number = number;
    p.number = number;
    p.pull_request.updated_at = updatedAt;
  });

const prComment = (action: string, over: { login?: string; type?: string; viaApp?: number; sender?: string } = {}) =>
  example('issue_comment', action, (p) => {
    p.issue.number = 7;
    p.issue.pull_request = { url: 'https://api.github.com/repos/acme/widgets/pulls/7' };
    p.comment.user = { ...p.comment.user, login: over.login ?? 'alice', type: over.type ?? 'User' };
    p.comment.performed_via_github_app = over.viaApp ? { id: over.viaApp } : null;
    p.sender = { ...p.sender, login: over.sender ?? over.login ?? 'alice', type: over.type ?? 'User' };
  });

/** A commit status of another CI (the example has no action) on `sha` of acme/widgets. */
function statusEvent(sha: string, state: string): Payload {
  const payload = structuredClone(definitions.find((d) => d.name === 'status')!.examples[0]) as Payload;
  payload.installation = { id: INSTALLATION, node_id: 'x' };
  Object.assign(payload.repository, { name: 'widgets', full_name: 'acme/widgets' });
  payload.repository.owner.login = 'acme';
  return { ...payload, sha, state };
}

function decision(state: Decision['state']): Decision {
  return {
    governed: true,
    tier: 'soft',
    state,
    classification: { governed: true, governedBy: [], tier: 'soft', reasons: [] },
    title: state,
    blockers: [],
    approvals: [],
    approvalsRequired: 0,
    vetoes: [],
    commands: [],
    merge: true,
    mergeMethod: 'squash',
    ledger: { vetoes: [], answered: [] },
    policy: { kind: 'ok', path: '.github/hitl.yml' },
  };
}

interface Call {
  ref: PullRequestRef;
  options: ReconcileOptions;
  at: number;
}

/** A recording reconcile; `behave` decides each outcome (default: ready, nothing to wake for). */
function recorder(behave: (call: Call, n: number) => Promise<Partial<ReconcileOutcome>> | Partial<ReconcileOutcome> = () => ({})) {
  const calls: Call[] = [];
  const reconcile = async (_client: unknown, ref: PullRequestRef, options: ReconcileOptions): Promise<ReconcileOutcome> => {
    const call = { ref, options, at: Date.now() };
    calls.push(call);
    const extra = await behave(call, calls.length);
    return { ref, decision: decision('ready'), effects: [], applied: [], merged: false, requests: 1, ...extra };
  };
  return { calls, reconcile: reconcile as unknown as GateOptions['reconcile'] & object };
}

/** A sweep that records the repositories it is asked to sweep, and reconciles nothing. */
function sweepRecorder() {
  const swept: RepositoryRef[] = [];
  const sweep = async (_c: unknown, repo: RepositoryRef): Promise<ReconcileOutcome[]> => {
    swept.push(repo);
    return [];
  };
  return { swept, sweep };
}

const gates: Gate[] = [];
async function start(options: GateOptions) {
  const probot = new Probot({ appId: IDENTITY.appId, privateKey, secret: 'test-secret', log: pino({ level: 'silent' }) });
  const gate = createGate(probot, { identity: IDENTITY, sweepIntervalMs: 0, retryBaseMs: 5, log: pino({ level: 'silent' }), ...options });
  gates.push(gate);
  let delivery = 0;
  const receive = (name: string, payload: Payload, id = `d-${++delivery}-${Math.random()}`) =>
    probot.receive({ id, name, payload } as never);
  return { probot, gate, receive };
}

afterEach(async () => {
  await Promise.all(gates.splice(0).map((g) => g.close(1000)));
});

describe('which webhooks reconcile which PR', () => {
  it.each(['opened', 'reopened', 'synchronize', 'edited', 'labeled', 'unlabeled', 'ready_for_review'])(
    'pull_request.%s reconciles that PR with its payload',
    async (action) => {
      const { calls, reconcile } = recorder();
      const { gate, receive } = await start({ reconcile });
      await receive('pull_request', pullRequestEvent(action));
      await gate.idle();
      expect(calls).toHaveLength(1);
      expect(calls[0]!.ref).toEqual({ owner: 'acme', repo: 'widgets', number: 7 });
      expect(calls[0]!.options).toMatchObject({
        mode: 'full',
        identity: IDENTITY,
        pullRequest: expect.objectContaining({ number: 7 }),
        headIsNew: action === 'opened' || action === 'synchronize',
      });
    },
  );

  it('ignores pull_request actions that cannot change the decision (assigned, closed without a merge)', async () => {
    const { calls, reconcile } = recorder();
    const { gate, receive } = await start({ reconcile });
    await receive('pull_request', pullRequestEvent('assigned'));
    const closed = pullRequestEvent('closed');
    closed.pull_request.merged = false;
    closed.pull_request.merged_at = null;
    await receive('pull_request', closed);
    await gate.idle();
    expect(calls).toHaveLength(0);
  });

  it('reconciles a PR that was merged: its review after merge may start', async () => {
    const { calls, reconcile } = recorder();
    const { gate, receive } = await start({ reconcile });
    const merged = pullRequestEvent('closed');
    merged.pull_request.merged = true;
    merged.pull_request.merged_at = '2026-11-22T14:00:00Z';
    await receive('pull_request', merged);
    await gate.idle();
    expect(calls).toHaveLength(1);
    expect(calls[0]!.options).toMatchObject({ pullRequest: expect.objectContaining({ number: 7, merged: true }) });
  });

  it.each(['created', 'edited', 'deleted'])('issue_comment.%s by a person on a PR reconciles it', async (action) => {
    const { calls, reconcile } = recorder();
    const { gate, receive } = await start({ reconcile });
    await receive('issue_comment', prComment(action));
    await gate.idle();
    expect(calls.map((c) => c.ref.number)).toEqual([7]);
  });

  it('a comment on an issue (not a PR) does nothing', async () => {
    const { calls, reconcile } = recorder();
    const { gate, receive } = await start({ reconcile });
    await receive('issue_comment', example('issue_comment', 'created'));
    await gate.idle();
    expect(calls).toHaveLength(0);
  });

  it("the gate's own status comment being posted or edited by the gate does not loop", async () => {
    const { calls, reconcile } = recorder();
    const { gate, receive } = await start({ reconcile });
    await receive('issue_comment', prComment('created', { login: 'hitl-gate[bot]', type: 'Bot', viaApp: 4242 }));
    await receive('issue_comment', prComment('edited', { login: 'hitl-gate[bot]', type: 'Bot', viaApp: 4242 }));
    await gate.idle();
    expect(calls).toHaveLength(0);
  });

  it("a person editing or deleting the gate's comment, or another bot commenting, is not ignored", async () => {
    const { calls, reconcile } = recorder();
    const { gate, receive } = await start({ reconcile });
    await receive('issue_comment', prComment('deleted', { login: 'hitl-gate[bot]', type: 'Bot', viaApp: 4242, sender: 'mallory' }));
    await gate.idle();
    await receive('issue_comment', prComment('created', { login: 'other-bot[bot]', type: 'Bot', viaApp: 99 }));
    await gate.idle();
    expect(calls).toHaveLength(2);
  });

  it.each(['submitted', 'dismissed'])('pull_request_review.%s reconciles the PR', async (action) => {
    const { calls, reconcile } = recorder();
    const { gate, receive } = await start({ reconcile });
    await receive(
      'pull_request_review',
      example('pull_request_review', action, (p) => (p.pull_request.number = 7)),
    );
    await gate.idle();
    expect(calls.map((c) => c.ref.number)).toEqual([7]);
  });

  it("check_run.rerequested of the gate's own check reconciles its PRs; someone else's check is not ours to redo", async () => {
    const { calls, reconcile } = recorder();
    const { gate, receive } = await start({ reconcile });
    const rerun = (appId: number) =>
      example('check_run', 'rerequested', (p) => {
        p.check_run.app = { ...p.check_run.app, id: appId };
        p.check_run.pull_requests = [
          { number: 7, id: 1, url: 'x', head: { ref: 'h', sha: 'a', repo: {} }, base: { ref: 'main', sha: 'b', repo: {} } },
        ];
      });
    await receive('check_run', rerun(4242));
    await receive('check_run', rerun(15368));
    await gate.idle();
    expect(calls.map((c) => c.ref.number)).toEqual([7]);
  });

  it("check_suite.rerequested of the gate's suite reconciles its PRs", async () => {
    const { calls, reconcile } = recorder();
    const { gate, receive } = await start({ reconcile });
    const rerun = (appId: number) =>
      example('check_suite', 'rerequested', (p) => {
        p.check_suite.app = { ...p.check_suite.app, id: appId };
        p.check_suite.pull_requests = [
          { number: 8, id: 1, url: 'x', head: { ref: 'h', sha: 'a', repo: {} }, base: { ref: 'main', sha: 'b', repo: {} } },
        ];
      });
    await receive('check_suite', rerun(4242));
    await receive('check_suite', rerun(15368));
    await gate.idle();
    expect(calls.map((c) => c.ref.number)).toEqual([8]);
  });

  it("check_suite.completed of CI reconciles its PRs (they may merge now); the gate's own suite completing does not", async () => {
    const { calls, reconcile } = recorder();
    const { gate, receive } = await start({ reconcile });
    const completed = (appId: number, number: number) =>
      example('check_suite', 'completed', (p) => {
        p.check_suite.app = { ...p.check_suite.app, id: appId };
        p.check_suite.pull_requests = [
          { number, id: 1, url: 'x', head: { ref: 'h', sha: 'a', repo: {} }, base: { ref: 'main', sha: 'b', repo: {} } },
        ];
      });
    await receive('check_suite', completed(15368, 9));
    await receive('check_suite', completed(4242, 10));
    await gate.idle();
    expect(calls.map((c) => c.ref.number)).toEqual([9]);
  });

  it('a final commit status on a head the gate waits to merge reconciles that PR; pending ones and other commits do not', async () => {
    const head = 'c0ffee'.padEnd(40, '0');
    // Decided "merge" but not merged: waiting for other CI (the recorder's outcome is ready, merge: true).
    const { calls, reconcile } = recorder(() => ({ facts: { headSha: head } as ReconcileOutcome['facts'] }));
    const { gate, receive } = await start({ reconcile });
    await receive('pull_request', pullRequestEvent('labeled'));
    await gate.idle();
    await receive('status', statusEvent(head, 'pending'));
    await receive('status', statusEvent('d'.repeat(40), 'success'));
    await gate.idle();
    expect(calls).toHaveLength(1);
    await receive('status', statusEvent(head, 'success'));
    await gate.idle();
    expect(calls.map((c) => c.ref.number)).toEqual([7, 7]);
  });

  it('forgets a head once its PR merged: a later status of it reconciles nothing', async () => {
    const head = 'beef'.padEnd(40, '0');
    const { calls, reconcile } = recorder((_call, n) => ({ facts: { headSha: head } as ReconcileOutcome['facts'], merged: n === 2 }));
    const { gate, receive } = await start({ reconcile });
    await receive('pull_request', pullRequestEvent('labeled'));
    await gate.idle();
    await receive('status', statusEvent(head, 'success')); // reconciles, and this time it merges
    await gate.idle();
    await receive('status', statusEvent(head, 'failure'));
    await gate.idle();
    expect(calls).toHaveLength(2);
  });

  it("a re-run of the gate's check or suite on a fork's PR (GitHub lists no PR) sweeps the repository instead", async () => {
    const { swept, sweep } = sweepRecorder();
    const { calls, reconcile } = recorder();
    const { receive } = await start({ sweep: sweep as never, reconcile });
    await receive(
      'check_run',
      example('check_run', 'rerequested', (p) => {
        p.check_run.app = { ...p.check_run.app, id: IDENTITY.appId };
        p.check_run.pull_requests = [];
      }),
    );
    await receive(
      'check_suite',
      example('check_suite', 'rerequested', (p) => {
        p.check_suite.app = { ...p.check_suite.app, id: IDENTITY.appId };
        p.check_suite.pull_requests = [];
      }),
    );
    await expect.poll(() => swept.length).toBe(2);
    expect(swept).toEqual([
      { owner: 'acme', repo: 'widgets' },
      { owner: 'acme', repo: 'widgets' },
    ]);
    expect(calls).toHaveLength(0);
  });

  it('installation.created sweeps the repositories it was installed on', async () => {
    const { swept, sweep } = sweepRecorder();
    const { receive } = await start({ sweep: sweep as never });
    const payload = example('installation', 'created');
    expect(payload.repositories.length).toBeGreaterThan(0);
    await receive('installation', payload);
    await expect.poll(() => swept.length).toBe(payload.repositories.length);
    expect(swept).toEqual(payload.repositories.map((r: Payload) => ({ owner: r.full_name.split('/')[0], repo: r.name })));
  });

  it('installation_repositories.added sweeps exactly the added repositories', async () => {
    const swept: Array<RepositoryRef & { installationId?: number }> = [];
    const sweep = async (_c: unknown, repo: RepositoryRef, _o: SweepOptions): Promise<ReconcileOutcome[]> => {
      swept.push(repo);
      return [];
    };
    const { receive } = await start({ sweep: sweep as never });
    const payload = example('installation_repositories', 'added');
    await receive('installation_repositories', payload);
    await expect.poll(() => swept.length).toBe(payload.repositories_added.length);
    expect(swept).toEqual(payload.repositories_added.map((r: Payload) => ({ owner: r.full_name.split('/')[0], repo: r.name })));
  });
});

describe('serialization and coalescing', () => {
  it('returns from the webhook at once, whatever the reconcile costs', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const { calls, reconcile } = recorder(async () => {
      await held;
      return {};
    });
    const { gate, receive } = await start({ reconcile });
    await receive('pull_request', pullRequestEvent('opened')); // resolves although the reconcile is held
    await expect.poll(() => calls.length).toBe(1);
    release();
    await gate.idle();
  });

  it('a burst of 15 events for one PR costs at most 2 reconciles, never two at once', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const { calls, reconcile } = recorder(async () => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await new Promise((r) => setTimeout(r, 30));
      inFlight--;
      return {};
    });
    const { gate, receive } = await start({ reconcile });
    const actions = ['opened', 'labeled', 'synchronize', 'edited', 'unlabeled'];
    await Promise.all(
      Array.from({ length: 15 }, (_, i) =>
        i % 3 === 0
          ? receive('issue_comment', prComment('created'))
          : receive('pull_request', pullRequestEvent(actions[i % actions.length]!, 7, `2026-11-22T14:00:${String(i).padStart(2, '0')}Z`)),
      ),
    );
    await gate.idle();
    expect(calls.length).toBeGreaterThanOrEqual(1);
    expect(calls.length).toBeLessThanOrEqual(2);
    expect(maxInFlight).toBe(1);
  });

  it('a replayed delivery (same id twice) is harmless: the same decision, no parallel run', async () => {
    const { calls, reconcile } = recorder();
    const { gate, receive } = await start({ reconcile });
    const payload = pullRequestEvent('synchronize');
    await receive('pull_request', payload, 'same-delivery');
    await gate.idle();
    await receive('pull_request', payload, 'same-delivery');
    await gate.idle();
    expect(calls).toHaveLength(2);
    expect(calls[1]!.options.pullRequest).toEqual(calls[0]!.options.pullRequest);
    expect(calls[1]!.ref).toEqual(calls[0]!.ref);
  });

  it('events for different PRs reconcile concurrently', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const { calls, reconcile } = recorder(async () => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await new Promise((r) => setTimeout(r, 50));
      inFlight--;
      return {};
    });
    const { gate, receive } = await start({ reconcile });
    await Promise.all([1, 2, 3, 4].map((n) => receive('pull_request', pullRequestEvent('opened', n))));
    await gate.idle();
    expect(calls).toHaveLength(4);
    expect(maxInFlight).toBe(4);
  });

  it('a reconcile that throws is logged and retried; the server keeps serving', async () => {
    const { calls, reconcile } = recorder((_c, n) => {
      if (n === 1) throw new Error('socket hang up');
      return {};
    });
    const { gate, receive } = await start({ reconcile });
    await receive('pull_request', pullRequestEvent('opened'));
    await gate.idle();
    expect(calls).toHaveLength(2);
    expect(calls[1]!.options.pullRequest).toBeUndefined(); // the retry reads GitHub afresh
    await receive('pull_request', pullRequestEvent('labeled', 8));
    await gate.idle();
    expect(calls.map((c) => c.ref.number)).toEqual([7, 7, 8]);
    const metrics = await gate.metrics.registry.getSingleMetricAsString('hitl_reconciles_total');
    expect(metrics).toMatch(/outcome="exception"} 1/);
  });

  it('an outcome that reports a GitHub failure is retried too, and gives up after the bound', async () => {
    const { calls, reconcile } = recorder(() => ({ error: 'GitHub 502' }));
    const { gate, receive } = await start({ reconcile, maxRetries: 2 });
    await receive('pull_request', pullRequestEvent('opened'));
    await gate.idle();
    expect(calls).toHaveLength(3);
  });
});

describe('veto windows', () => {
  /** A soft PR whose window ends `windowMs` after the first reconcile; merged once when over. */
  function softPR(windowMs: number) {
    const state = { windowEnd: 0, merges: 0 };
    const { calls, reconcile } = recorder(() => {
      const now = Date.now();
      if (state.merges > 0) return { decision: { ...decision('ignored'), governed: true } };
      if (state.windowEnd === 0) state.windowEnd = now + windowMs;
      if (now < state.windowEnd) return { decision: decision('waiting'), wakeAt: new Date(state.windowEnd).toISOString() };
      state.merges++;
      return { decision: decision('ready'), merged: true };
    });
    return { state, calls, reconcile };
  }

  it('merges after the window through the timer, with no further event', async () => {
    const pr = softPR(150);
    const { gate, receive } = await start({ reconcile: pr.reconcile });
    await receive('pull_request', pullRequestEvent('opened'));
    await gate.idle();
    expect(await gate.timers.pending()).toBe(1);
    await expect.poll(() => pr.state.merges, { timeout: 2000 }).toBe(1);
    expect(pr.calls).toHaveLength(2);
    expect(pr.calls[1]!.at).toBeGreaterThanOrEqual(pr.state.windowEnd);
    expect(await gate.timers.pending()).toBe(0);
  });

  it('after a restart (new app, no timers) the start-up sweep merges it exactly once', async () => {
    const pr = softPR(100);
    const first = await start({ reconcile: pr.reconcile });
    await first.receive('pull_request', pullRequestEvent('opened'));
    await first.gate.idle();
    await first.gate.close(1000); // the process dies with its timer
    await new Promise((r) => setTimeout(r, 150));
    expect(pr.state.merges).toBe(0);

    // The restarted app sweeps every installation and repository it can see.
    const sweep = async (client: unknown, repo: RepositoryRef, options: SweepOptions) => [
      await pr.reconcile(client as never, { ...repo, number: 7 }, options as ReconcileOptions),
    ];
    const second = await start({ reconcile: pr.reconcile, sweep: sweep as never, sweepIntervalMs: 60_000, firstSweepDelayMs: 0 });
    const app = second.probot as unknown as { auth: (id?: number) => Promise<unknown> };
    app.auth = async (id?: number) => ({
      paginate: async () =>
        id === undefined ? [{ id: INSTALLATION, suspended_at: null }] : [{ name: 'widgets', owner: { login: 'acme' }, archived: false }],
      rest: { apps: { listInstallations: 'installations', listReposAccessibleToInstallation: 'repos' } },
    });
    await expect.poll(() => pr.state.merges, { timeout: 2000 }).toBe(1);
    await second.gate.sweepAll();
    await second.gate.sweepAll();
    expect(pr.state.merges).toBe(1);
  });
});

describe('the policies the App loaded', () => {
  it('are kept by the App across events and pull requests, not parsed again for each', async () => {
    const { calls, reconcile } = recorder();
    const { gate, receive } = await start({ reconcile });
    await receive('pull_request', pullRequestEvent('opened', 7));
    await receive('pull_request', pullRequestEvent('opened', 8));
    await gate.idle();
    expect(calls).toHaveLength(2);
    expect(calls[0]!.options.policyLoads).toBeInstanceOf(PolicyLoads);
    expect(calls[1]!.options.policyLoads).toBe(calls[0]!.options.policyLoads);
  });
});
