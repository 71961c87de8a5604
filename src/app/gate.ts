// The app: webhooks in, "reconcile PR X" out. Handlers only enqueue and return (GitHub gives a
// webhook 10 s); the queue serializes and coalesces per PR, timers wake a PR when its veto window
// ends, and the sweep re-derives everything from GitHub so nothing depends on this process surviving.
import type { Probot } from 'probot';
import { parseMergeGroupRef } from '../core/merge-group.js';
import { reconcile as defaultReconcile, sweep as defaultSweep, answerMergeGroup as defaultAnswerMergeGroup, isOwnCheckRun, isOwnComment } from '../github/index.js';
import { recordClick } from '../github/record-click.js';
import { gateNotifier, type GateNotifyOptions } from './gate-notify.js';
import { answerMergeGroupEvent } from './merge-group.js';
import type { Notifier } from './notifier.js';
import type { GateIdentity, GitHubClient, ReconcileOutcome, SweepMemo } from '../github/index.js';
import { SharedCache } from './shared-cache.js';
import { MemoryQueue, type ReconcileJob, type ReconcileQueue, type ReconcileWork, type RepoRef } from './queue.js';
import { MemoryTimers, type Timers, type WakeHandler } from './timers.js';
import { Sweeper, every, type SweepLease, type SweepReport } from './sweeper.js';
import { Metrics } from './metrics.js';
import { describePull, type PullRef } from './pull-ref.js';
import { errorMessage, type Log } from './log.js';
import { AwaitingChecks } from './awaiting-checks.js';
import { QueueWidth } from './queue-width.js';
import { DEFAULT_CONCURRENCY } from './config.js';
import { holdingClient } from './held-client.js';
import type { Hold } from './redis-lock.js';
import { DashboardScheduler, type DashboardTurns } from './dashboard-scheduler.js';
import { refreshDashboard } from '../github/refresh-dashboard.js';

export const PULL_REQUEST_EVENTS = [
  'pull_request.opened',
  'pull_request.reopened',
  'pull_request.synchronize',
  'pull_request.edited',
  'pull_request.labeled',
  'pull_request.unlabeled',
  'pull_request.ready_for_review',
] as const;
export const COMMENT_EVENTS = ['issue_comment.created', 'issue_comment.edited', 'issue_comment.deleted'] as const;
export const REVIEW_EVENTS = ['pull_request_review.submitted', 'pull_request_review.dismissed'] as const;
/** A PR entered or left a merge queue (delivered with the `pull_request` subscription). */
export const QUEUE_EVENTS = ['pull_request.enqueued', 'pull_request.dequeued'] as const;
/** The merge queue built a group (the gate answers with its `hitl` check) or removed one. */
export const MERGE_GROUP_EVENTS = ['merge_group.checks_requested', 'merge_group.destroyed'] as const;
/** Installation events after which the app may see repositories (and PRs) it could not see before. */
export const INSTALLATION_EVENTS = ['installation.created', 'installation.new_permissions_accepted', 'installation.unsuspend'] as const;

const MIN_WAKE_DELAY_MS = 1_000;

export interface GateOptions {
  reconcile?: typeof defaultReconcile;
  sweep?: typeof defaultSweep;
  answerMergeGroup?: typeof defaultAnswerMergeGroup;
  /** Known when the server read APP_ID; otherwise read from `GET /app` on first use. */
  identity?: GateIdentity;
  /** Default: in memory. The Redis implementation is given here by the server. */
  queue?: (work: ReconcileWork, log: Log, width: QueueWidth) => ReconcileQueue;
  timers?: (onWake: WakeHandler) => Timers;
  sweepLease?: SweepLease;
  /** Periodic sweep; 0 disables it (and the start-up sweep). */
  sweepIntervalMs?: number;
  /** Delay of the start-up sweep (default: up to a second, jittered). */
  firstSweepDelayMs?: number;
  sweepConcurrency?: number;
  /** Which PRs were quiet at the last sweep (default: in memory; the Redis backend shares it). */
  sweepMemo?: SweepMemo;
  /** The most reconciles at a time (HITL_CONCURRENCY); fewer while the process is saturated. */
  queueConcurrency?: number;
  /** How the queue's width follows load (tests fix it or drive it). */
  queueWidth?: QueueWidth;
  maxRetries?: number;
  retryBaseMs?: number;
  metrics?: Metrics;
  now?: () => Date;
  log?: Log;
  /** Chat (Slack, signed webhook) from the App's environment; absent: no chat. */
  notify?: GateNotifyOptions;
  /** The dashboard issue: at most one refresh per repository per interval (HITL_DASHBOARD_INTERVAL,
   * default 1m), the turn shared through Redis when replicas run. */
  dashboardIntervalMs?: number;
  dashboardTurns?: DashboardTurns;
}

export interface Gate {
  queue: ReconcileQueue;
  timers: Timers;
  metrics: Metrics;
  /** Chat, when configured. */
  notifier?: Notifier;
  dashboards: DashboardScheduler;
  sweepAll(): Promise<SweepReport | undefined>;
  /** Resolves once no reconcile waits or runs (tests). */
  idle(): Promise<void>;
  /** Stops sweeps and timers, lets reconciles in flight finish (at most `timeoutMs`). */
  close(timeoutMs?: number): Promise<void>;
  closed: boolean;
}

type InstallationPayload = { installation?: { id: number } };
type RepositoryPayload = { repository: { name: string; owner: { login: string } } };

export function createGate(app: Probot, options: GateOptions = {}): Gate {
  const log: Log = options.log ?? app.log.child({ name: 'hitl-gate' });
  const reconcileFn = options.reconcile ?? defaultReconcile;
  const sweepFn = options.sweep ?? defaultSweep;
  const metrics = options.metrics ?? new Metrics();
  const now = options.now ?? (() => new Date());
  const sweepMemo = options.sweepMemo ?? new SharedCache({ maxBytes: 16 * 2 ** 20 });

  let identityPromise: Promise<GateIdentity> | undefined;
  let knownIdentity: GateIdentity | undefined = options.identity;
  const identity = (): Promise<GateIdentity> => {
    if (options.identity) return Promise.resolve(options.identity);
    identityPromise ??= (async () => {
      const client = await app.auth();
      const { data } = await client.rest.apps.getAuthenticated();
      if (!data?.slug) throw new Error('GET /app did not say who the app is');
      knownIdentity = { appId: data.id, login: `${data.slug}[bot]` };
      return knownIdentity;
    })().catch((error: unknown) => {
      identityPromise = undefined;
      throw error;
    });
    return identityPromise;
  };

  const awaitingChecks = new AwaitingChecks();
  const notifier = options.notify
    ? gateNotifier(options.notify, {
        metrics, log, now, identity,
        queue: () => queue,
        auth: async (installationId) => (await app.auth(installationId)) as unknown as GitHubClient,
      })
    : undefined;
  const chat = notifier && notifier.channels.length ? { notify: { channels: notifier.channels, webUrl: notifier.webUrl } } : {};

  /** The installation's client. Given the lock its work holds, it sends nothing once that lock is lost. */
  const installationClient = async (installationId: number, hold?: Hold): Promise<GitHubClient> => {
    const octokit = await app.auth(installationId);
    return (hold ? holdingClient(octokit, hold) : octokit) as unknown as GitHubClient;
  };
  const held = (hold?: Hold) => (hold ? { stillHeld: () => hold.stillHeld() } : {});

  const dashboardNumbers = new Map<string, number>();
  /** The day of each repository's last daily digest, as its record on GitHub says (a cache). */
  const digestDays = new Map<string, string>();
  const dashboards = new DashboardScheduler({
    intervalMs: options.dashboardIntervalMs,
    turns: options.dashboardTurns,
    log,
    refresh: async (repo) => {
      const client = await installationClient(repo.installationId);
      const digest = notifier?.channels.length ? { digest: { channels: notifier.channels, sentDays: digestDays } } : {};
      const outcome = await refreshDashboard(client, { owner: repo.owner, repo: repo.repo }, { identity: await identity(), now, log, numbers: dashboardNumbers, ...digest });
      if (outcome.kind !== 'off') log.info({ repo: `${repo.owner}/${repo.repo}`, dashboard: outcome.kind, digest: outcome.digest?.digest.day, requests: outcome.requests }, 'dashboard');
      if (outcome.digest) notifier?.dispatchDigest(`${repo.owner}/${repo.repo}`, outcome.digest);
    },
  });

  /** `schedule` false: the PR's lock was lost during the reconcile, so its wake-up is the new holder's
   * to set or cancel. */
  const afterOutcome = async (outcome: ReconcileOutcome, ref: PullRef, schedule = true): Promise<void> => {
    metrics.recordOutcome(outcome);
    awaitingChecks.record(outcome, ref);
    if (outcome.decision.governed || outcome.merged) dashboards.touch(ref);
    // Chat goes out after the reconcile and is never awaited: it cannot delay or change a decision.
    if (notifier && outcome.notifications?.length) notifier.dispatch(ref, outcome.notifications);
    log.info(
      { pull: describePull(ref), tier: outcome.decision.tier, state: outcome.decision.state, merged: outcome.merged, wakeAt: outcome.wakeAt, requests: outcome.requests, error: outcome.error },
      'reconciled',
    );
    if (!schedule) return;
    if (outcome.wakeAt) {
      // At least a second away: a decision that keeps asking to be woken "now" must not spin
      // against GitHub's rate limit. A window's end is late by at most that second.
      const when = Math.max(Date.parse(outcome.wakeAt), Date.now() + MIN_WAKE_DELAY_MS);
      if (Number.isFinite(when)) await timers.at(ref, new Date(when));
      else log.error({ pull: describePull(ref), wakeAt: outcome.wakeAt }, 'unreadable wake-up time; the sweep will reconcile this PR');
    } else if (!outcome.error) await timers.cancel(ref);
  };

  const work: ReconcileWork = async (job: ReconcileJob, hold?: Hold) => {
    const ref: PullRef = { installationId: job.installationId, owner: job.owner, repo: job.repo, number: job.number };
    let outcome: ReconcileOutcome;
    try {
      const gateIdentity = await identity();
      const client = await installationClient(job.installationId, hold);
      outcome = await reconcileFn(client, { owner: job.owner, repo: job.repo, number: job.number }, {
        mode: 'full',
        identity: gateIdentity,
        now,
        log,
        checkRunActions: true,
        ...chat,
        ...(job.pullRequest ? { pullRequest: job.pullRequest, headIsNew: job.headIsNew === true, ...(job.firstHead ? { firstHead: job.firstHead } : {}) } : {}),
        ...(job.mergeQueueHint ? { mergeQueueHint: true } : {}),
        ...held(hold),
      });
    } catch (error) {
      metrics.reconciles.inc({ outcome: 'exception' });
      throw error;
    }
    const stillHeld = !hold || hold.stillHeld();
    await afterOutcome(outcome, ref, stillHeld);
    // Retried once the lock is free: what this run could not write, the next one reads afresh and writes.
    if (!stillHeld) throw new Error('the PR\'s lock was lost during the reconcile');
    if (outcome.error) throw new Error(`GitHub failed the reconcile: ${outcome.error}`);
  };

  const width = options.queueWidth ?? new QueueWidth({ max: options.queueConcurrency ?? DEFAULT_CONCURRENCY });
  width.start();
  const queue = options.queue
    ? options.queue(work, log, width)
    : new MemoryQueue({ work, log, width, maxRetries: options.maxRetries, retryBaseMs: options.retryBaseMs });

  const enqueue = (job: ReconcileJob): Promise<void> =>
    queue.enqueue(job).catch((error: unknown) => {
      // Redis may be down; the sweep still finds this PR.
      log.error({ pull: describePull(job), err: errorMessage(error) }, 'could not enqueue a reconcile');
    });

  const onWake: WakeHandler = (ref, lateMs) => {
    metrics.timerLateness.observe(lateMs / 1000);
    void enqueue({ ...ref, reason: 'timer' });
  };
  const timers = options.timers ? options.timers(onWake) : new MemoryTimers({ onWake });
  metrics.watch({ queueDepth: () => queue.depth(), queueWidth: () => width.current, pendingTimers: () => timers.pending() });

  const sweepRepo = async (repo: RepoRef): Promise<void> => {
    const failed: PullRef[] = [];
    await queue.exclusive(repo, async (hold) => {
      const gateIdentity = await identity();
      const client = await installationClient(repo.installationId, hold);
      const outcomes = await sweepFn(client, { owner: repo.owner, repo: repo.repo }, { mode: 'full', identity: gateIdentity, now, log, checkRunActions: true, ...chat, memo: sweepMemo, ...held(hold) });
      // A sweep that lost the repository's lock cannot tell which of its reconciles ended before the
      // loss: each PR is reconciled again, under its own lock.
      const stillHeld = !hold || hold.stillHeld();
      for (const outcome of outcomes) {
        const ref = { installationId: repo.installationId, owner: outcome.ref.owner, repo: outcome.ref.repo, number: outcome.ref.number };
        await afterOutcome(outcome, ref, stillHeld);
        if (outcome.error || !stillHeld) failed.push(ref);
      }
    });
    for (const ref of failed) await enqueue({ ...ref, reason: 'sweep-retry' });
    // Quiet PRs are passed over, but a review after merge may have become overdue meanwhile.
    dashboards.touch(repo);
  };

  const sweeper = new Sweeper({
    app,
    sweepRepo,
    lease: options.sweepLease,
    concurrency: options.sweepConcurrency,
    log,
    onDone: (result, seconds) => {
      metrics.sweeps.inc({ result });
      if (result !== 'skipped') metrics.sweepSeconds.observe(seconds);
    },
  });

  const repoOf = (payload: InstallationPayload & RepositoryPayload) => {
    const installationId = payload.installation?.id;
    if (!installationId) return undefined;
    return { installationId, owner: payload.repository.owner.login, repo: payload.repository.name };
  };

  const pull = (payload: InstallationPayload & RepositoryPayload, number: number, reason: string, pullRequest?: ReconcileJob['pullRequest'], headIsNew = false, mergeQueueHint = false, firstHead?: string): Promise<void> => {
    const repo = repoOf(payload);
    if (!repo) {
      log.warn({ reason }, 'event without an installation: ignored');
      return Promise.resolve();
    }
    return enqueue({ ...repo, number, reason, ...(pullRequest ? { pullRequest, headIsNew, ...(firstHead ? { firstHead } : {}) } : {}), ...(mergeQueueHint ? { mergeQueueHint } : {}) });
  };

  const sweepInBackground = (repos: RepoRef[], reason: string) => {
    if (repos.length === 0) return;
    log.info({ reason, repositories: repos.length }, 'sweeping repositories');
    void sweeper.sweepRepos(repos);
  };

  app.on([...PULL_REQUEST_EVENTS], async (context) => {
    const { payload } = context;
    const headIsNew = payload.action === 'opened' || payload.action === 'synchronize';
    // A push to a queued PR: the queued head is no longer the PR's, so the gate asks about the queue.
    // An opened PR's head is its first: no earlier head can carry a record of the gate's.
    const firstHead = payload.action === 'opened' ? payload.pull_request.head.sha : undefined;
    await pull(payload, payload.pull_request.number, `pull_request.${payload.action}`, payload.pull_request as unknown as ReconcileJob['pullRequest'], headIsNew, payload.action === 'synchronize', firstHead);
  });

  // Someone (or the gate) queued the PR, or GitHub took it out: a PR the gate would not merge leaves the queue.
  app.on([...QUEUE_EVENTS], async (context) => {
    const { payload } = context;
    await pull(payload, payload.pull_request.number, `pull_request.${payload.action}`, undefined, false, true);
  });

  // Answered outside the PR queue (the group's check is a write of its own, on a commit no PR owns),
  // and in the background: the webhook is acknowledged at once.
  app.on([...MERGE_GROUP_EVENTS], async (context) => {
    const { payload } = context;
    const repository = payload.repository;
    const repo = repository ? repoOf({ ...payload, repository }) : undefined;
    if (!repo || !repository) {
      log.warn({ event: `merge_group.${payload.action}` }, 'event without an installation or repository: ignored');
      return;
    }
    if (payload.action === 'destroyed') {
      // The PR the group was built for may have left the queue: its check and status comment follow.
      const number = parseMergeGroupRef(payload.merge_group.head_ref)?.number;
      if (number !== undefined) await pull({ ...payload, repository }, number, 'merge_group.destroyed', undefined, false, true);
      return;
    }
    void answerMergeGroupEvent({
      app, repo, group: payload.merge_group, identity, log, now, answer: options.answerMergeGroup ?? defaultAnswerMergeGroup, metrics,
    });
  });

  app.on([...COMMENT_EVENTS], async (context) => {
    const { payload } = context;
    if (!payload.issue.pull_request) return; // a comment on an issue, not on a pull request
    // Our own status comment being written or edited by us: reconciling again would only loop.
    // A human editing or deleting it is not ignored.
    if (knownIdentity && isOwnComment(payload.comment, knownIdentity) && payload.sender.login.toLowerCase() === knownIdentity.login.toLowerCase()) return;
    await pull(payload, payload.issue.number, `issue_comment.${payload.action}`);
  });

  app.on([...REVIEW_EVENTS], async (context) => {
    const { payload } = context;
    await pull(payload, payload.pull_request.number, `pull_request_review.${payload.action}`);
  });

  /** "Re-run" on the gate's check or suite: reconcile the PRs GitHub lists; on a merge group's commit
   * (GitHub lists no PR, the branch is the queue's), answer the group again; for forks (no PR
   * listed either), sweep the repository. */
  const rerun = async (payload: InstallationPayload & RepositoryPayload, pulls: { number: number }[], reason: string, commit: { sha: string; branch?: string | null }): Promise<void> => {
    if (pulls.length === 0 && commit.branch && parseMergeGroupRef(commit.branch)) {
      const repo = repoOf(payload);
      if (!repo) return;
      log.info({ repo: `${repo.owner}/${repo.repo}`, group: commit.branch, reason }, 'answering the merge group again');
      void answerMergeGroupEvent({
        app, repo, group: { head_sha: commit.sha, head_ref: commit.branch }, identity, log, now, answer: options.answerMergeGroup ?? defaultAnswerMergeGroup, metrics,
      });
      return;
    }
    if (pulls.length === 0) {
      const repo = repoOf(payload);
      if (repo) sweepInBackground([repo], reason);
      return;
    }
    for (const p of pulls) await pull(payload, p.number, reason);
  };

  app.on('check_run.rerequested', async (context) => {
    const { payload } = context;
    if (knownIdentity && !isOwnCheckRun(payload.check_run, knownIdentity)) return;
    await rerun(payload, payload.check_run.pull_requests, 'check_run.rerequested', { sha: payload.check_run.head_sha, branch: payload.check_run.check_suite?.head_branch });
  });

  // A click on the check run's `Approve` / `Veto`: recorded in the PR's ledger while no reconcile of
  // the repository runs (a reconcile rewrites the status comment from what it read), then decided
  // like the command. If the record cannot be written the click does not count, and the delivery fails.
  app.on('check_run.requested_action', async (context) => {
    const { payload } = context;
    const gateIdentity = await identity();
    const identifier = payload.requested_action?.identifier ?? '';
    // A metrics label never carries what a payload says verbatim.
    const action = identifier === 'approve' || identifier === 'veto' ? identifier : 'other';
    if (!isOwnCheckRun(payload.check_run, gateIdentity) || payload.check_run.name !== 'hitl') return;
    const repo = repoOf(payload);
    if (!repo) return;
    if (payload.check_run.pull_requests.length === 0) {
      metrics.clicks.inc({ action, result: 'ignored' });
      log.warn({ repo: `${repo.owner}/${repo.repo}`, checkRun: payload.check_run.id }, 'a click on a check run GitHub links to no pull request (a fork?): not counted');
      return;
    }
    const failures: string[] = [];
    for (const p of payload.check_run.pull_requests) {
      const ref = { owner: repo.owner, repo: repo.repo, number: p.number };
      const result = await queue.exclusive(repo, async (hold) => {
        const client = await installationClient(repo.installationId, hold);
        return recordClick(client, ref, {
          identifier,
          sender: { login: payload.sender.login, type: payload.sender.type },
          checkRun: { id: payload.check_run.id, headSha: payload.check_run.head_sha },
        }, { identity: gateIdentity, now: now(), log });
      });
      metrics.clicks.inc({ action, result: result.kind });
      if (result.kind === 'failed') failures.push(result.reason);
      else if (result.kind === 'ignored') log.info({ pull: describePull({ ...repo, number: p.number }), reason: result.reason }, 'click ignored');
      else await pull(payload, p.number, 'check_run.requested_action');
    }
    if (failures.length) throw new Error(`click not recorded, so not counted: ${failures.join('; ')}`);
  });

  app.on('check_suite.rerequested', async (context) => {
    const { payload } = context;
    if (knownIdentity?.appId !== undefined && payload.check_suite.app?.id !== knownIdentity.appId) return;
    await rerun(payload, payload.check_suite.pull_requests, 'check_suite.rerequested', { sha: payload.check_suite.head_sha, branch: payload.check_suite.head_branch });
  });

  // Another app's checks finished (CI): a PR that only waited for them may merge now instead of at
  // the next sweep. Same event type as above, so no extra subscription. The gate's own suite
  // completing is its own doing and is skipped.
  app.on('check_suite.completed', async (context) => {
    const { payload } = context;
    if (knownIdentity?.appId !== undefined && payload.check_suite.app?.id === knownIdentity.appId) return;
    for (const p of payload.check_suite.pull_requests) await pull(payload, p.number, 'check_suite.completed');
  });

  // Another CI's commit status reached a final state on a head the gate is waiting to merge: that PR
  // may merge now rather than at the next sweep. Pending statuses change nothing.
  app.on('status', async (context) => {
    const { payload } = context;
    if (payload.state === 'pending') return;
    const ref = awaitingChecks.find(payload.repository.owner.login, payload.repository.name, payload.sha);
    if (ref) await enqueue({ ...ref, reason: `status.${payload.state}` });
  });

  app.on([...INSTALLATION_EVENTS], async (context) => {
    const { payload } = context;
    const installationId = payload.installation.id;
    const repos = (payload.repositories ?? []).map((r) => ({ installationId, owner: r.full_name.split('/')[0]!, repo: r.name }));
    sweepInBackground(repos, `installation.${payload.action}`);
  });

  app.on('installation_repositories.added', async (context) => {
    const { payload } = context;
    const installationId = payload.installation.id;
    const repos = payload.repositories_added.map((r) => ({ installationId, owner: r.full_name.split('/')[0]!, repo: r.name }));
    sweepInBackground(repos, 'installation_repositories.added');
  });

  // Learn who we are now, so the first webhooks can already recognise the gate's own comments.
  if (!options.identity) identity().catch((error: unknown) => log.warn({ err: errorMessage(error) }, 'could not read the app identity yet (GET /app); retrying with the first reconcile'));

  const intervalMs = options.sweepIntervalMs ?? 5 * 60_000;
  const stopSweeping = intervalMs > 0 ? every(intervalMs, () => sweeper.sweepAll(), { firstDelayMs: options.firstSweepDelayMs }) : () => undefined;

  const gate: Gate = {
    queue,
    timers,
    metrics,
    ...(notifier ? { notifier } : {}),
    dashboards,
    closed: false,
    sweepAll: () => sweeper.sweepAll(),
    idle: () => queue.idle(),
    async close(timeoutMs = 25_000) {
      gate.closed = true;
      stopSweeping();
      width.stop();
      await timers.close();
      await dashboards.close();
      await queue.close(timeoutMs);
    },
  };
  return gate;
}
