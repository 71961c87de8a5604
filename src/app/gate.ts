// The app: webhooks in, "reconcile PR X" out. Handlers only enqueue and return (GitHub gives a
// webhook 10 s); the queue serializes and coalesces per PR, timers wake a PR when its veto window
// ends, and the sweep re-derives everything from GitHub so nothing depends on this process surviving.
import type { Probot } from 'probot';
import { reconcile as defaultReconcile, sweep as defaultSweep, answerMergeGroup as defaultAnswerMergeGroup } from '../github/index.js';
import { gateNotifier, type GateNotifyOptions } from './gate-notify.js';
import { answerMergeGroupEvent } from './merge-group.js';
import type { Notifier } from './notifier.js';
import type { GateIdentity, GitHubClient, MergeGroupPayload, ReconcileOutcome, SweepMemo } from '../github/index.js';
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
import { AppIdentity } from './app-identity.js';
import { recordClicks } from './record-clicks.js';
import { ROUTED_EVENTS, routeEvent, type GateJob } from './route-event.js';
import { KeptAnswers } from '../github/kept-answers.js';
import { PolicyLoads } from '../core/policy/load.js';

export {
  PULL_REQUEST_EVENTS,
  COMMENT_EVENTS,
  REVIEW_EVENTS,
  QUEUE_EVENTS,
  MERGE_GROUP_EVENTS,
  INSTALLATION_EVENTS,
} from './route-event.js';

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
  /** Answers GitHub gave before (policy files, branch rules) with their ETags, for as long as the App
   * runs (default: a new one). */
  kept?: KeptAnswers;
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

/**
 * The App: every webhook becomes jobs, and the jobs run here.
 *
 * The algorithm, in the order the code follows it:
 *   1. Set up what lives as long as the App: who the gate is, the heads waiting to merge, the answers
 *      GitHub gave (for conditional reads), chat.
 *   2. A reconcile of one PR (`work`): read GitHub and move it toward the decision, with a client
 *      that sends nothing once the PR's lock (Redis) is lost; then record the outcome (`afterOutcome`):
 *      metrics, the head it waits on, chat, one log line, and the PR's next wake-up.
 *   3. The queue runs those reconciles, serialized and coalesced per PR; the timers put a PR back
 *      in the queue when its wake-up is due.
 *   4. A sweep of a repository reconciles every open PR of it while no reconcile of it runs; what
 *      failed goes back to the queue. The sweeper runs it over every installation periodically.
 *   5. Each webhook is routed (./route-event.ts) to jobs, which run in order: reconcile a PR,
 *      reconcile the PR waiting on a commit, answer a merge group, sweep repositories, record a click.
 *   6. Learn who the gate is now, and start the periodic sweep.
 */
export function createGate(app: Probot, options: GateOptions = {}): Gate {
  // 1. What lives as long as the App.
  const log: Log = options.log ?? app.log.child({ name: 'hitl-gate' });
  const reconcileFn = options.reconcile ?? defaultReconcile;
  const sweepFn = options.sweep ?? defaultSweep;
  const answerGroupFn = options.answerMergeGroup ?? defaultAnswerMergeGroup;
  const metrics = options.metrics ?? new Metrics();
  const now = options.now ?? (() => new Date());
  const sweepMemo = options.sweepMemo ?? new SharedCache({ maxBytes: 16 * 2 ** 20 });
  const kept = options.kept ?? new KeptAnswers();
  // The process outlives every reconcile: it keeps the policies it loaded, by content.
  const policyLoads = new PolicyLoads();
  const appIdentity = new AppIdentity(app, options.identity);
  const identity = () => appIdentity.get();
  const awaitingChecks = new AwaitingChecks();
  const notifier = options.notify
    ? gateNotifier(options.notify, {
        metrics,
        log,
        now,
        identity,
        queue: () => queue,
        auth: async (installationId) => (await app.auth(installationId)) as unknown as GitHubClient,
      })
    : undefined;
  const chat = notifier && notifier.channels.length ? { notify: { channels: notifier.channels, webUrl: notifier.webUrl } } : {};

  // 2. One reconcile, and what follows it.
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
      const outcome = await refreshDashboard(
        client,
        { owner: repo.owner, repo: repo.repo },
        { identity: await identity(), now, log, numbers: dashboardNumbers, ...digest },
      );
      if (outcome.kind !== 'off')
        log.info(
          { repo: `${repo.owner}/${repo.repo}`, dashboard: outcome.kind, digest: outcome.digest?.digest.day, requests: outcome.requests },
          'dashboard',
        );
      if (outcome.digest) notifier?.dispatchDigest(`${repo.owner}/${repo.repo}`, outcome.digest);
    },
  });

  /** `lockStillHeld` false: the PR's lock was lost during the reconcile, so its wake-up is the new
   * holder's to set or cancel. */
  const afterOutcome = async (outcome: ReconcileOutcome, ref: PullRef, { lockStillHeld }: { lockStillHeld: boolean }): Promise<void> => {
    metrics.recordOutcome(outcome);
    if (outcome.decision.governed || outcome.merged) dashboards.touch(ref);
    awaitingChecks.record(outcome, ref);
    // Chat goes out after the reconcile and is never awaited: it cannot delay or change a decision.
    if (notifier && outcome.notifications?.length) notifier.dispatch(ref, outcome.notifications);
    log.info(
      {
        pull: describePull(ref),
        tier: outcome.decision.tier,
        state: outcome.decision.state,
        merged: outcome.merged,
        wakeAt: outcome.wakeAt,
        requests: outcome.requests,
        error: outcome.error,
      },
      'reconciled',
    );
    if (!lockStillHeld) return;
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
      outcome = await reconcileFn(
        client,
        { owner: job.owner, repo: job.repo, number: job.number },
        {
          mode: 'full',
          identity: gateIdentity,
          now,
          log,
          checkRunActions: true,
          kept,
          policyLoads,
          ...chat,
          ...(job.pullRequest
            ? { pullRequest: job.pullRequest, headIsNew: job.headIsNew === true, ...(job.firstHead ? { firstHead: job.firstHead } : {}) }
            : {}),
          ...(job.mergeQueueHint ? { mergeQueueHint: true } : {}),
          ...held(hold),
        },
      );
    } catch (error) {
      metrics.reconciles.inc({ outcome: 'exception' });
      throw error;
    }
    const lockStillHeld = !hold || hold.stillHeld();
    await afterOutcome(outcome, ref, { lockStillHeld });
    // Retried once the lock is free: what this run could not write, the next one reads afresh and writes.
    if (!lockStillHeld) throw new Error("the PR's lock was lost during the reconcile");
    if (outcome.error) throw new Error(`GitHub failed the reconcile: ${outcome.error}`);
  };

  // 3. The queue and the timers.
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

  // 4. Sweeps.
  const sweepRepo = async (repo: RepoRef): Promise<void> => {
    const failed: PullRef[] = [];
    await queue.exclusive(repo, async (hold) => {
      const gateIdentity = await identity();
      const client = await installationClient(repo.installationId, hold);
      const outcomes = await sweepFn(
        client,
        { owner: repo.owner, repo: repo.repo },
        {
          mode: 'full',
          identity: gateIdentity,
          now,
          log,
          policyLoads,
          checkRunActions: true,
          kept,
          ...chat,
          memo: sweepMemo,
          ...held(hold),
        },
      );
      // A sweep that lost the repository's lock cannot tell which of its reconciles ended before the
      // loss: each PR is reconciled again, under its own lock.
      const lockStillHeld = !hold || hold.stillHeld();
      for (const outcome of outcomes) {
        const ref = { installationId: repo.installationId, owner: outcome.ref.owner, repo: outcome.ref.repo, number: outcome.ref.number };
        await afterOutcome(outcome, ref, { lockStillHeld });
        if (outcome.error || !lockStillHeld) failed.push(ref);
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

  // 5. Webhooks: routed to jobs, run in order.
  /** Answered outside the PR queue (the group's check is a write of its own, on a commit no PR owns),
   * and in the background: the webhook is acknowledged at once. */
  const answerGroup = (repo: RepoRef, group: MergeGroupPayload): void => {
    void answerMergeGroupEvent({ app, repo, group, identity, log, now, kept, policyLoads, answer: answerGroupFn, metrics });
  };

  const run = async (job: GateJob): Promise<void> => {
    switch (job.kind) {
      case 'reconcile':
        return enqueue(job.job);
      case 'reconcile-waiting-on-commit': {
        const ref = awaitingChecks.find(job.owner, job.repo, job.sha);
        if (ref) await enqueue({ ...ref, reason: job.reason });
        return;
      }
      case 'answer-merge-group':
        if (job.reason !== 'merge_group.checks_requested')
          log.info(
            { repo: `${job.repo.owner}/${job.repo.repo}`, group: job.group.head_ref, reason: job.reason },
            'answering the merge group again',
          );
        return answerGroup(job.repo, job.group);
      case 'sweep':
        if (job.repos.length === 0) return;
        log.info({ reason: job.reason, repositories: job.repos.length }, 'sweeping repositories');
        void sweeper.sweepRepos(job.repos);
        return;
      case 'record-click':
        return recordClicks(job.repo, job.numbers, job.click, { queue, installationClient, identity, enqueue, metrics, now, log });
      case 'ignore':
        log.warn({ event: job.event }, `${job.why}: ignored`);
        return;
      case 'malformed':
        // The delivery fails, so GitHub's log of deliveries shows it; nothing was done.
        throw new Error(`${job.event}: ${job.why}`);
      default: {
        // A new kind of job must be run here: the compiler says so before a webhook is dropped.
        const unhandled: never = job;
        throw new Error(`no way to run a job of kind ${(unhandled as GateJob).kind}`);
      }
    }
  };

  app.on([...ROUTED_EVENTS], async (context) => {
    const payload = context.payload as { action?: unknown };
    // A click counts only on the gate's own check run, so who the gate is must be known first (not
    // learning it fails the delivery); other events go by what is known.
    const known = context.name === 'check_run' && payload.action === 'requested_action' ? await identity() : appIdentity.known;
    for (const job of routeEvent(context.name, context.payload, { identity: known })) await run(job);
  });

  // 6. Learn who we are now, so the first webhooks can already recognise the gate's own comments.
  if (!options.identity)
    identity().catch((error: unknown) =>
      log.warn({ err: errorMessage(error) }, 'could not read the app identity yet (GET /app); retrying with the first reconcile'),
    );

  const intervalMs = options.sweepIntervalMs ?? 5 * 60_000;
  const stopSweeping =
    intervalMs > 0 ? every(intervalMs, () => sweeper.sweepAll(), { firstDelayMs: options.firstSweepDelayMs }) : () => undefined;

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
