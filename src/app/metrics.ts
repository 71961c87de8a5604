// Prometheus metrics of the app, on a registry of its own (several app instances in one process,
// as in tests, must not collide in prom-client's global registry).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ReconcileOutcome } from '../github/index.js';

export interface MetricsSources {
  queueDepth: () => number | Promise<number>;
  /** Reconciles allowed at once now: below HITL_CONCURRENCY while the process is saturated. */
  queueWidth?: () => number;
  pendingTimers: () => number | Promise<number>;
}

export class Metrics {
  readonly registry = new Registry();
  readonly reconciles: Counter<'outcome'>;
  readonly requests: Counter;
  readonly timerLateness: Histogram;
  readonly sweeps: Counter<'result'>;
  readonly sweepSeconds: Histogram;
  readonly clicks: Counter<'action' | 'result'>;
  readonly notifications: Counter<'channel' | 'event' | 'result'>;
  readonly tampering: Counter<'kind'>;
  #sources: MetricsSources = { queueDepth: () => 0, pendingTimers: () => 0 };

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.reconciles = new Counter({
      name: 'hitl_reconciles_total',
      help: 'Reconciles by outcome: merged, ready, waiting, blocked, ignored, error (GitHub failed), exception (the app failed).',
      labelNames: ['outcome'],
      registers,
    });
    this.requests = new Counter({ name: 'hitl_github_requests_total', help: 'REST requests made by reconciles and sweeps.', registers });
    this.timerLateness = new Histogram({
      name: 'hitl_timer_lateness_seconds',
      help: 'How long after its time a veto-window wake-up fired.',
      buckets: [0.01, 0.1, 0.5, 1, 5, 30, 120, 600],
      registers,
    });
    this.sweeps = new Counter({
      name: 'hitl_sweeps_total',
      help: 'Sweeps of all installations by result: done, failed, skipped (another replica or sweep holds it).',
      labelNames: ['result'],
      registers,
    });
    this.sweepSeconds = new Histogram({
      name: 'hitl_sweep_duration_seconds',
      help: 'Duration of a sweep of all installations.',
      buckets: [1, 5, 15, 60, 300, 900],
      registers,
    });
    this.clicks = new Counter({
      name: 'hitl_clicks_total',
      help: "Clicks on the check run's Approve / Veto by result: recorded, ignored, failed (not recorded, so not counted).",
      labelNames: ['action', 'result'],
      registers,
    });
    this.notifications = new Counter({
      name: 'hitl_notifications_total',
      help: 'Chat notifications by channel (slack, webhook), event and result: sent, retried, failed (given up after retries), skipped.',
      labelNames: ['channel', 'event', 'result'],
      registers,
    });
    this.tampering = new Counter({
      name: 'hitl_record_tampering_total',
      help: "What the gate noticed about its status comment, by kind: comment-edited, comment-deleted (by someone else; restored), legacy-untrusted (an earlier version's ledger edited by someone else) and record-unreadable (a replaced head GitHub no longer shows): the PR is held as hard.",
      labelNames: ['kind'],
      registers,
    });
    const sources = () => this.#sources;
    new Gauge({
      name: 'hitl_queue_depth',
      help: 'Pull requests waiting for or in a reconcile.',
      registers,
      async collect() {
        this.set(await sources().queueDepth());
      },
    });
    new Gauge({
      name: 'hitl_queue_width',
      help: 'Reconciles allowed at once: HITL_CONCURRENCY, narrowed while the event loop is saturated.',
      registers,
      collect() {
        const width = sources().queueWidth;
        if (width) this.set(width());
      },
    });
    new Gauge({
      name: 'hitl_pending_timers',
      help: 'Veto-window wake-ups scheduled.',
      registers,
      async collect() {
        this.set(await sources().pendingTimers());
      },
    });
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'hitl_' });
  }

  watch(sources: MetricsSources): void {
    this.#sources = sources;
  }

  recordOutcome(outcome: ReconcileOutcome): void {
    const label = outcome.error ? 'error' : outcome.merged ? 'merged' : outcome.decision.state;
    this.reconciles.inc({ outcome: label });
    this.requests.inc(outcome.requests);
    if (outcome.notice) this.tampering.inc({ kind: outcome.notice.kind });
  }
}
