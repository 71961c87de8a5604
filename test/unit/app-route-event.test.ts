// Which work each webhook asks of the App, tried on GitHub's own example payloads for every event the
// App subscribes to, and on payloads that are malformed on purpose: those yield no job or a safe one
// (a reconcile that reads everything afresh), never a throw and never a job about another PR.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { WebhookDefinition } from '@octokit/webhooks-examples';
import { ROUTED_EVENTS, routeEvent, type GateJob } from '../../src/app/route-event.js';

const definitions = createRequire(import.meta.url)('@octokit/webhooks-examples') as WebhookDefinition[];
const IDENTITY = { appId: 4242, login: 'hitl-gate[bot]' };
const INSTALLATION = 31;
const SHA = 'a'.repeat(40);
const GROUP_REF = `refs/heads/gh-readonly-queue/main/pr-104-${'b'.repeat(40)}`;

type Payload = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Every example GitHub publishes for `name` (with `action`, when given), as delivered to an App installation. */
function examples(name: string, action?: string): Payload[] {
  const def = definitions.find((d) => d.name === name);
  if (!def) throw new Error(`no ${name} examples`);
  return def.examples
    .filter((e) => action === undefined || (e as Payload).action === action)
    .map((e) => {
      const payload = structuredClone(e) as Payload;
      payload.installation = { ...payload.installation, id: INSTALLATION };
      return payload;
    });
}

function example(name: string, action: string, adapt: (p: Payload) => void = () => undefined): Payload {
  // Some actions have no example of their own; another action of the same event carries the same objects.
  const found = examples(name, action)[0] ?? examples(name)[0]!;
  found.action = action;
  adapt(found);
  return found;
}

const reconciles = (jobs: GateJob[]) => jobs.flatMap((j) => (j.kind === 'reconcile' ? [j.job] : []));

/** The event names GitHub sends (`X-GitHub-Event`) with their actions, as the App subscribes to them. */
const routed = ROUTED_EVENTS.map((e) => {
  const [name, action] = e.split('.') as [string, string | undefined];
  return { event: e, name, action };
});

describe('routing every event the App subscribes to', () => {
  it.each(routed)("$event: GitHub's examples route to jobs without throwing", ({ name, action }) => {
    const payloads = action ? [example(name, action)] : examples(name);
    for (const payload of payloads) {
      expect(() => routeEvent(name, payload, { identity: IDENTITY })).not.toThrow();
      expect(() => routeEvent(name, payload)).not.toThrow();
    }
  });

  it('the events routed are exactly those app.yml subscribes to, plus the installation events every App receives', () => {
    const manifest = parse(readFileSync(new URL('../../app.yml', import.meta.url), 'utf8')) as { default_events: string[] };
    expect(new Set(routed.map((r) => r.name))).toEqual(new Set([...manifest.default_events, 'installation', 'installation_repositories']));
  });

  it('an event the App does not handle asks for nothing', () => {
    for (const action of ['closed', 'assigned', 'locked', 'converted_to_draft', 'review_requested']) {
      expect(routeEvent('pull_request', example('pull_request', action))).toEqual([]);
    }
    expect(routeEvent('check_run', example('check_run', 'created'), { identity: IDENTITY })).toEqual([]);
    expect(routeEvent('installation', example('installation', 'deleted'))).toEqual([]);
    expect(routeEvent('push', { ref: 'refs/heads/main', installation: { id: 1 } })).toEqual([]);
  });
});

describe('pull request events', () => {
  it('an opened PR is reconciled with its payload, as a new and first head', () => {
    const payload = example('pull_request', 'opened');
    const [job] = reconciles(routeEvent('pull_request', payload));
    expect(job).toEqual({
      installationId: INSTALLATION,
      owner: payload.repository.owner.login,
      repo: payload.repository.name,
      number: payload.pull_request.number,
      reason: 'pull_request.opened',
      pullRequest: payload.pull_request,
      headIsNew: true,
      firstHead: payload.pull_request.head.sha,
    });
  });

  it('a push is a new head (not the first) and may have moved the PR out of the merge queue', () => {
    const [job] = reconciles(routeEvent('pull_request', example('pull_request', 'synchronize')));
    expect(job).toMatchObject({ reason: 'pull_request.synchronize', headIsNew: true, mergeQueueHint: true });
    expect(job).not.toHaveProperty('firstHead');
  });

  it.each(['reopened', 'edited', 'labeled', 'unlabeled', 'ready_for_review'])(
    '%s: reconciled with the payload, the head unchanged',
    (action) => {
      const payload = example('pull_request', action);
      const [job] = reconciles(routeEvent('pull_request', payload));
      expect(job).toMatchObject({
        number: payload.pull_request.number,
        reason: `pull_request.${action}`,
        pullRequest: payload.pull_request,
        headIsNew: false,
      });
      expect(job).not.toHaveProperty('mergeQueueHint');
      expect(job).not.toHaveProperty('firstHead');
    },
  );

  it.each(['enqueued', 'dequeued'])('%s: the PR is reconciled from GitHub, looking at the merge queue', (action) => {
    const payload = example('pull_request', action);
    const [job] = reconciles(routeEvent('pull_request', payload));
    expect(job).toEqual({
      installationId: INSTALLATION,
      owner: payload.repository.owner.login,
      repo: payload.repository.name,
      number: payload.pull_request.number,
      reason: `pull_request.${action}`,
      mergeQueueHint: true,
    });
  });

  it.each(['submitted', 'dismissed'])('a review %s reconciles its PR', (action) => {
    for (const payload of examples('pull_request_review', action)) {
      expect(reconciles(routeEvent('pull_request_review', payload))).toEqual([
        expect.objectContaining({ number: payload.pull_request.number, reason: `pull_request_review.${action}` }),
      ]);
    }
  });

  it('an event without an installation is ignored with a warning, never reconciled under another', () => {
    const payload = example('pull_request', 'opened', (p) => delete p.installation);
    expect(routeEvent('pull_request', payload)).toEqual([
      { kind: 'ignore', event: 'pull_request.opened', why: expect.stringContaining('installation') },
    ]);
    const suite = examples('check_suite', 'completed')[0]!;
    suite.check_suite.pull_requests = [{ number: 7 }, { number: 8 }];
    delete suite.installation;
    expect(routeEvent('check_suite', suite)).toEqual([
      { kind: 'ignore', event: 'check_suite.completed', why: expect.stringContaining('installation') },
    ]);
  });
});

describe('comments', () => {
  const onPull = (action: string, over: { login?: string; type?: string; viaApp?: number; sender?: string } = {}) =>
    example('issue_comment', action, (p) => {
      p.issue.number = 7;
      p.issue.pull_request = { url: 'https://api.github.com/repos/o/r/pulls/7' };
      p.comment.user = { ...p.comment.user, login: over.login ?? 'alice', type: over.type ?? 'User' };
      p.comment.performed_via_github_app = over.viaApp ? { id: over.viaApp } : null;
      p.sender = { ...p.sender, login: over.sender ?? over.login ?? 'alice', type: over.type ?? 'User' };
    });

  it('a comment on an issue asks for nothing; on a pull request it reconciles that PR', () => {
    for (const payload of examples('issue_comment')) expect(routeEvent('issue_comment', payload, { identity: IDENTITY })).toEqual([]);
    for (const action of ['created', 'edited', 'deleted']) {
      expect(reconciles(routeEvent('issue_comment', onPull(action), { identity: IDENTITY }))).toEqual([
        expect.objectContaining({ number: 7, reason: `issue_comment.${action}` }),
      ]);
    }
  });

  it('the gate writing its own status comment does not wake it; a person editing that comment does', () => {
    const own = { login: 'hitl-gate[bot]', type: 'Bot', viaApp: IDENTITY.appId };
    expect(routeEvent('issue_comment', onPull('created', own), { identity: IDENTITY })).toEqual([]);
    expect(routeEvent('issue_comment', onPull('edited', own), { identity: IDENTITY })).toEqual([]);
    expect(reconciles(routeEvent('issue_comment', onPull('edited', { ...own, sender: 'mallory' }), { identity: IDENTITY }))).toHaveLength(
      1,
    );
    expect(reconciles(routeEvent('issue_comment', onPull('deleted', { ...own, sender: 'mallory' }), { identity: IDENTITY }))).toHaveLength(
      1,
    );
  });

  it("a comment that only looks like the gate's is not skipped: another bot, another app, or an unknown identity", () => {
    expect(
      reconciles(routeEvent('issue_comment', onPull('created', { login: 'hitl-gate', type: 'User' }), { identity: IDENTITY })),
    ).toHaveLength(1);
    expect(
      reconciles(routeEvent('issue_comment', onPull('created', { login: 'other[bot]', type: 'Bot', viaApp: 99 }), { identity: IDENTITY })),
    ).toHaveLength(1);
    expect(
      reconciles(routeEvent('issue_comment', onPull('created', { login: 'hitl-gate[bot]', type: 'Bot', viaApp: IDENTITY.appId }))),
    ).toHaveLength(1);
  });
});

describe('checks', () => {
  const ownRun = (action: string, adapt: (p: Payload) => void = () => undefined) =>
    example('check_run', action, (p) => {
      p.check_run.app = { ...p.check_run.app, id: IDENTITY.appId, slug: 'hitl-gate' };
      p.check_run.name = 'hitl';
      p.check_run.pull_requests = [{ number: 7 }, { number: 9 }];
      adapt(p);
    });

  it('"Re-run" on the gate\'s check reconciles each PR GitHub lists', () => {
    expect(reconciles(routeEvent('check_run', ownRun('rerequested'), { identity: IDENTITY })).map((j) => [j.number, j.reason])).toEqual([
      [7, 'check_run.rerequested'],
      [9, 'check_run.rerequested'],
    ]);
  });

  it('"Re-run" on another app\'s check asks for nothing, unless the gate does not know itself yet', () => {
    for (const payload of examples('check_run', 'rerequested')) {
      payload.check_run.pull_requests = [{ number: 7 }];
      expect(routeEvent('check_run', payload, { identity: IDENTITY })).toEqual([]);
      expect(reconciles(routeEvent('check_run', payload))).toHaveLength(1);
    }
  });

  it('"Re-run" on a merge group\'s commit answers the group again; with no PR and no group (a fork) the repository is swept', () => {
    const group = ownRun('rerequested', (p) => {
      p.check_run.pull_requests = [];
      p.check_run.head_sha = SHA;
      p.check_run.check_suite.head_branch = GROUP_REF.replace('refs/heads/', '');
    });
    expect(routeEvent('check_run', group, { identity: IDENTITY })).toEqual([
      {
        kind: 'answer-merge-group',
        repo: { installationId: INSTALLATION, owner: group.repository.owner.login, repo: group.repository.name },
        group: { head_sha: SHA, head_ref: group.check_run.check_suite.head_branch },
        reason: 'check_run.rerequested',
      },
    ]);
    const fork = ownRun('rerequested', (p) => (p.check_run.pull_requests = []));
    expect(routeEvent('check_run', fork, { identity: IDENTITY })).toEqual([
      {
        kind: 'sweep',
        repos: [{ installationId: INSTALLATION, owner: fork.repository.owner.login, repo: fork.repository.name }],
        reason: 'check_run.rerequested',
      },
    ]);
  });

  it('"Re-run all checks" of the gate\'s suite reconciles its PRs; another app\'s suite asks for nothing', () => {
    for (const payload of examples('check_suite', 'rerequested')) {
      expect(routeEvent('check_suite', payload, { identity: IDENTITY })).toEqual([]);
      payload.check_suite.app.id = IDENTITY.appId;
      expect(reconciles(routeEvent('check_suite', payload, { identity: IDENTITY })).map((j) => j.number)).toEqual(
        payload.check_suite.pull_requests.map((p: Payload) => p.number),
      );
    }
  });

  it("another app's suite completing reconciles its PRs; the gate's own completing asks for nothing", () => {
    for (const payload of examples('check_suite', 'completed')) {
      expect(reconciles(routeEvent('check_suite', payload, { identity: IDENTITY })).map((j) => j.reason)).toEqual(
        payload.check_suite.pull_requests.map(() => 'check_suite.completed'),
      );
      payload.check_suite.app.id = IDENTITY.appId;
      expect(routeEvent('check_suite', payload, { identity: IDENTITY })).toEqual([]);
    }
  });
});

describe("clicks on the check run's buttons", () => {
  const click = (identifier: string, adapt: (p: Payload) => void = () => undefined) =>
    example('check_run', 'requested_action', (p) => {
      p.check_run.app = { ...p.check_run.app, id: IDENTITY.appId, slug: 'hitl-gate' };
      p.check_run.name = 'hitl';
      p.check_run.head_sha = SHA;
      p.check_run.pull_requests = [{ number: 7 }];
      p.requested_action = { identifier };
      adapt(p);
    });

  it("a click on the gate's `hitl` run is recorded for the PRs GitHub links it to", () => {
    const payload = click('approve');
    expect(routeEvent('check_run', payload, { identity: IDENTITY })).toEqual([
      {
        kind: 'record-click',
        repo: { installationId: INSTALLATION, owner: payload.repository.owner.login, repo: payload.repository.name },
        numbers: [7],
        click: {
          identifier: 'approve',
          action: 'approve',
          sender: { login: payload.sender.login, type: payload.sender.type },
          checkRun: { id: payload.check_run.id, headSha: SHA },
        },
      },
    ]);
  });

  it("GitHub's example (another app's run), a run of the gate not named `hitl`, or an unknown identity count nothing", () => {
    expect(routeEvent('check_run', examples('check_run', 'requested_action')[0]!, { identity: IDENTITY })).toEqual([]);
    expect(
      routeEvent(
        'check_run',
        click('approve', (p) => (p.check_run.name = 'hitl-lookalike')),
        { identity: IDENTITY },
      ),
    ).toEqual([]);
    expect(routeEvent('check_run', click('approve'))).toEqual([]);
  });

  it('what a payload says verbatim never becomes a metrics label; a run linked to no PR is still reported', () => {
    const [job] = routeEvent(
      'check_run',
      click('x'.repeat(500), (p) => (p.check_run.pull_requests = [])),
      { identity: IDENTITY },
    );
    expect(job).toMatchObject({ kind: 'record-click', numbers: [], click: { action: 'other' } });
  });

  it('a click without a sender type is refused (a bot cannot be told from a person)', () => {
    expect(
      routeEvent(
        'check_run',
        click('veto', (p) => delete p.sender.type),
        { identity: IDENTITY },
      ),
    ).toEqual([expect.objectContaining({ kind: 'malformed' })]);
  });
});

describe('merge groups, statuses and installations', () => {
  it('a merge group asking for checks is answered with what GitHub said of it', () => {
    for (const payload of examples('merge_group', 'checks_requested')) {
      const { head_sha, head_ref, base_sha, base_ref } = payload.merge_group;
      expect(routeEvent('merge_group', payload)).toEqual([
        {
          kind: 'answer-merge-group',
          repo: { installationId: INSTALLATION, owner: payload.repository.owner.login, repo: payload.repository.name },
          group: { head_sha, head_ref, base_sha, base_ref },
          reason: 'merge_group.checks_requested',
        },
      ]);
    }
  });

  it("a group destroyed reconciles the PR it was built for, looking at the queue; a branch that is not the queue's asks for nothing", () => {
    const destroyed = example('merge_group', 'destroyed');
    expect(reconciles(routeEvent('merge_group', destroyed))).toEqual([
      expect.objectContaining({ number: 104, reason: 'merge_group.destroyed', mergeQueueHint: true }),
    ]);
    expect(
      routeEvent(
        'merge_group',
        example('merge_group', 'destroyed', (p) => (p.merge_group.head_ref = 'refs/heads/main')),
      ),
    ).toEqual([]);
  });

  it('a final commit status asks for the PR waiting on that commit; a pending one for nothing', () => {
    for (const payload of examples('status')) {
      expect(routeEvent('status', payload)).toEqual([
        {
          kind: 'reconcile-waiting-on-commit',
          owner: payload.repository.owner.login,
          repo: payload.repository.name,
          sha: payload.sha,
          reason: `status.${payload.state}`,
        },
      ]);
      expect(routeEvent('status', { ...payload, state: 'pending' })).toEqual([]);
    }
  });

  it('gaining repositories sweeps them; an installation listing none sweeps nothing', () => {
    for (const action of ['created', 'new_permissions_accepted']) {
      for (const payload of examples('installation', action)) {
        const repos = payload.repositories.map((r: Payload) => ({
          installationId: payload.installation.id,
          owner: r.full_name.split('/')[0],
          repo: r.name,
        }));
        expect(routeEvent('installation', payload)).toEqual([{ kind: 'sweep', repos, reason: `installation.${action}` }]);
      }
    }
    expect(routeEvent('installation', examples('installation', 'unsuspend')[0]!)).toEqual([]);
    const added = examples('installation_repositories', 'added')[0]!;
    expect(routeEvent('installation_repositories', added)).toEqual([
      {
        kind: 'sweep',
        repos: added.repositories_added.map((r: Payload) => ({
          installationId: added.installation.id,
          owner: r.full_name.split('/')[0],
          repo: r.name,
        })),
        reason: 'installation_repositories.added',
      },
    ]);
    expect(routeEvent('installation_repositories', examples('installation_repositories', 'removed')[0]!)).toEqual([]);
  });
});

describe('hostile and malformed payloads', () => {
  /** Every example of every routed event, with the identity the gate has or has not learnt. */
  const corpus: Array<{ name: string; payload: Payload }> = routed.flatMap(({ name, action }) =>
    (action ? [example(name, action)] : examples(name)).map((payload) => ({ name, payload })),
  );

  /** A job never names a PR or repository the payload did not, in the shape GitHub gives them. */
  function wellFormed(job: GateJob, _i: number, jobs: GateJob[]): void {
    const repoOk = (r: { installationId: number; owner: string; repo: string }) => {
      expect(Number.isSafeInteger(r.installationId) && r.installationId > 0).toBe(true);
      expect(typeof r.owner === 'string' && r.owner.length > 0).toBe(true);
      expect(typeof r.repo === 'string' && r.repo.length > 0).toBe(true);
    };
    if (job.kind === 'reconcile') {
      repoOk(job.job);
      expect(Number.isSafeInteger(job.job.number) && job.job.number > 0).toBe(true);
    }
    if (job.kind === 'sweep') job.repos.forEach(repoOk);
    if (job.kind === 'answer-merge-group' || job.kind === 'record-click') repoOk(job.repo);
    if (job.kind === 'malformed' || job.kind === 'ignore') expect(jobs).toHaveLength(1);
    if (job.kind === 'record-click') {
      expect(job.numbers.every((n) => Number.isSafeInteger(n) && n > 0)).toBe(true);
      expect(['approve', 'veto', 'other']).toContain(job.click.action);
      expect(typeof job.click.sender.type).toBe('string');
    }
  }

  /** Paths of every value in a payload, so any one can be replaced. */
  function paths(value: unknown, prefix: string[] = []): string[][] {
    if (typeof value !== 'object' || value === null) return [prefix];
    return [prefix, ...Object.entries(value).flatMap(([k, v]) => paths(v, [...prefix, k]))];
  }

  function replaced(payload: Payload, path: string[], value: unknown): unknown {
    if (path.length === 0) return value;
    const copy = structuredClone(payload);
    let at: Payload = copy;
    for (const key of path.slice(0, -1)) at = at[key];
    if (value === undefined) delete at[path.at(-1)!];
    else at[path.at(-1)!] = value;
    return copy;
  }

  const junk = fc.oneof(
    fc.constant(undefined),
    fc.constant(null),
    fc.integer(),
    fc.double(),
    fc.string(),
    fc.boolean(),
    fc.array(fc.anything(), { maxLength: 3 }),
    fc.dictionary(fc.string(), fc.anything(), { maxKeys: 3 }),
  );

  it('any one value of a real payload replaced by junk (or removed): no throw, and only well-formed jobs', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: corpus.length - 1 }), fc.nat(), junk, fc.boolean(), (which, where, value, knowsItself) => {
        const { name, payload } = corpus[which]!;
        const all = paths(payload);
        const mutated = replaced(payload, all[where % all.length]!, value);
        const jobs = routeEvent(name, mutated, knowsItself ? { identity: IDENTITY } : {});
        jobs.forEach(wellFormed);
      }),
      { numRuns: 3000 },
    );
  });

  it('any JSON at all, under any routed event name: no throw, and only well-formed jobs', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...new Set(routed.map((r) => r.name))),
        fc.oneof(
          fc.anything(),
          fc.dictionary(
            fc.constantFrom(
              'action',
              'installation',
              'repository',
              'pull_request',
              'issue',
              'check_run',
              'check_suite',
              'merge_group',
              'sender',
              'state',
              'sha',
              'repositories',
              'repositories_added',
            ),
            fc.anything(),
          ),
        ),
        (name, payload) => {
          routeEvent(name, payload, { identity: IDENTITY }).forEach(wellFormed);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('a PR number that is not a positive integer is refused, not reconciled', () => {
    for (const number of [0, -1, 1.5, '7', null, Number.MAX_SAFE_INTEGER + 2]) {
      const payload = example('pull_request', 'labeled', (p) => (p.pull_request.number = number));
      expect(routeEvent('pull_request', payload)).toEqual([{ kind: 'malformed', event: 'pull_request.labeled', why: expect.any(String) }]);
    }
  });

  it.each([
    ['pull_request', { action: 'opened' }],
    ['pull_request', { action: 'enqueued' }],
    ['pull_request_review', { action: 'submitted' }],
    ['issue_comment', { action: 'created' }],
    ['check_run', { action: 'rerequested' }],
    ['check_run', { action: 'rerequested', check_run: { app: { id: IDENTITY.appId }, pull_requests: 'all' } }],
    ['check_run', { action: 'requested_action' }],
    ['check_suite', { action: 'completed', check_suite: {} }],
    ['check_suite', { action: 'rerequested', check_suite: { app: { id: IDENTITY.appId }, pull_requests: [{ number: -3 }] } }],
    ['merge_group', { action: 'checks_requested' }],
    ['merge_group', { action: 'destroyed' }],
    ['status', { state: 'success' }],
    ['installation_repositories', { action: 'added' }],
    ['installation_repositories', { action: 'added', repositories_added: [{ name: 'x' }] }],
  ])('%s %j lacks what its event always carries: refused, so the delivery fails', (name, body) => {
    const payload = { installation: { id: INSTALLATION }, repository: { name: 'widgets', owner: { login: 'acme' } }, ...body };
    expect(routeEvent(name, payload, { identity: IDENTITY })).toEqual([
      { kind: 'malformed', event: expect.stringContaining(name), why: expect.any(String) },
    ]);
  });

  it('an event about a repository that does not name it is refused, never reconciled', () => {
    for (const [name, payload] of [
      ['pull_request', example('pull_request', 'labeled')],
      ['pull_request_review', example('pull_request_review', 'submitted')],
      ['merge_group', example('merge_group', 'checks_requested')],
    ] as const) {
      delete payload.repository.owner;
      expect(routeEvent(name, payload, { identity: IDENTITY })).toEqual([
        expect.objectContaining({ kind: 'malformed', why: expect.stringContaining('repository') }),
      ]);
    }
  });

  it('an installation event without its installation is refused', () => {
    expect(routeEvent('installation', { action: 'created', repositories: [] })).toEqual([expect.objectContaining({ kind: 'malformed' })]);
  });

  it("a comment whose author fields have the wrong types is never taken for the gate's own, and does not throw", () => {
    const payload = example('issue_comment', 'created', (p) => {
      p.issue.pull_request = { url: 'x' };
      p.comment.user = { login: 42, type: 'Bot' };
      p.comment.performed_via_github_app = { id: '4242' };
      p.comment.body = { toString: 1 };
      p.sender = { login: 'hitl-gate[bot]' };
    });
    expect(reconciles(routeEvent('issue_comment', payload, { identity: IDENTITY }))).toHaveLength(1);
  });
});
