// Sends the chat messages a reconcile claimed, after it: never awaited by the reconcile, the queue
// or a merge, so a chat service that is down, slow or refusing changes no decision and delays no
// merge. Failures are logged and counted (hitl_notifications_total) and retried with back-off.
// Messages of one PR go out in order, so later ones land in the thread of the first.
import pRetry, { AbortError } from 'p-retry';
import type { Notification, NotifyChannel } from '../core/notify.js';
import { slackText } from '../core/notify.js';
import { digestPayload, digestText, type Digest } from '../core/digest.js';
import type { PullRequestRef } from '../github/types.js';
import { errorMessage, type Log } from './log.js';
import type { Metrics } from './metrics.js';
import { isPermanentSlackError, type SlackSender } from './notify-slack.js';
import { isPermanentWebhookError, type WebhookSender } from './notify-webhook.js';

export interface NotifierOptions {
  slack?: SlackSender;
  webhook?: WebhookSender;
  /** GitHub's web address, for PR links. */
  webUrl: string;
  metrics: Metrics;
  log: Log;
  /** Keeps the PR's Slack thread in its ledger (the App does it under the PR's lock). */
  recordThread?: (ref: PullRequestRef & { installationId: number }, thread: { channel: string; ts: string }) => Promise<void>;
  retries?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  now?: () => Date;
}

export class Notifier {
  readonly #options: NotifierOptions;
  /** Per PR: the tail of its chain of sends, and the thread its first Slack message started. */
  readonly #chains = new Map<string, Promise<void>>();
  readonly #threads = new Map<string, string>();
  readonly #inFlight = new Set<Promise<void>>();

  constructor(options: NotifierOptions) {
    this.#options = options;
  }

  get channels(): NotifyChannel[] {
    return [...(this.#options.slack ? ['slack' as const] : []), ...(this.#options.webhook ? ['webhook' as const] : [])];
  }

  get webUrl(): string {
    return this.#options.webUrl;
  }

  /** Queues the messages and returns at once. */
  dispatch(ref: PullRequestRef & { installationId: number }, notifications: readonly Notification[]): void {
    if (notifications.length === 0) return;
    const key = `${ref.installationId}/${ref.owner}/${ref.repo}#${ref.number}`.toLowerCase();
    const previous = this.#chains.get(key) ?? Promise.resolve();
    const next = previous.then(async () => {
      for (const n of notifications) await this.#sendOne(key, ref, n);
    });
    this.#chains.set(key, next);
    const tracked = next.finally(() => {
      this.#inFlight.delete(tracked);
      if (this.#chains.get(key) === next) this.#chains.delete(key);
    });
    this.#inFlight.add(tracked);
  }

  /** Sends a repository's daily digest on each channel, in the background, retried like the rest.
   * Its record is already on GitHub: a digest given up is not sent again. */
  dispatchDigest(repository: string, due: { digest: Digest; channels: readonly NotifyChannel[]; slackChannel?: string }): void {
    const { metrics, log } = this.#options;
    for (const channel of due.channels) {
      const labels = { channel, event: 'digest' };
      const deliver = async (): Promise<void> => {
        try {
          if (channel === 'webhook')
            await this.#options.webhook?.send('digest', digestPayload(due.digest), (this.#options.now ?? (() => new Date()))());
          else if (due.slackChannel) await this.#options.slack?.post(due.slackChannel, digestText(due.digest));
        } catch (error) {
          const permanent = channel === 'slack' ? isPermanentSlackError(error) : isPermanentWebhookError(error);
          throw permanent ? new AbortError(errorMessage(error)) : error;
        }
      };
      const sent = pRetry(deliver, {
        retries: this.#options.retries ?? 5,
        minTimeout: this.#options.minBackoffMs ?? 1_000,
        maxTimeout: this.#options.maxBackoffMs ?? 60_000,
        factor: 2,
        randomize: true,
      }).then(
        () => metrics.notifications.inc({ ...labels, result: 'sent' }),
        (error: unknown) => {
          metrics.notifications.inc({ ...labels, result: 'failed' });
          log.error({ repo: repository, channel, event: 'digest', err: errorMessage(error) }, 'daily digest given up');
        },
      );
      const tracked: Promise<void> = sent.finally(() => this.#inFlight.delete(tracked));
      this.#inFlight.add(tracked);
    }
  }

  /** Resolves once every queued message was sent or given up (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#inFlight.size) await Promise.allSettled([...this.#inFlight]);
  }

  async #sendOne(key: string, ref: PullRequestRef & { installationId: number }, n: Notification): Promise<void> {
    const { metrics, log } = this.#options;
    const labels = { channel: n.channel, event: n.event };
    const attempt = async (): Promise<void> => {
      try {
        await this.#deliver(key, ref, n);
      } catch (error) {
        const permanent = n.channel === 'slack' ? isPermanentSlackError(error) : isPermanentWebhookError(error);
        throw permanent ? new AbortError(errorMessage(error)) : error;
      }
    };
    try {
      await pRetry(attempt, {
        retries: this.#options.retries ?? 5,
        minTimeout: this.#options.minBackoffMs ?? 1_000,
        maxTimeout: this.#options.maxBackoffMs ?? 60_000,
        factor: 2,
        randomize: true,
        onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
          if (retriesLeft > 0) {
            metrics.notifications.inc({ ...labels, result: 'retried' });
            log.warn(
              { pull: key, channel: n.channel, event: n.event, attempt: attemptNumber, err: errorMessage(error) },
              'chat notification failed; retrying',
            );
          }
        },
      });
      metrics.notifications.inc({ ...labels, result: 'sent' });
    } catch (error) {
      metrics.notifications.inc({ ...labels, result: 'failed' });
      log.error({ pull: key, channel: n.channel, event: n.event, err: errorMessage(error) }, 'chat notification given up');
    }
  }

  async #deliver(key: string, ref: PullRequestRef & { installationId: number }, n: Notification): Promise<void> {
    const now = (this.#options.now ?? (() => new Date()))();
    if (n.channel === 'webhook') {
      await this.#options.webhook?.post(n.message, now);
      return;
    }
    const slack = this.#options.slack;
    if (!slack || !n.slackChannel) return;
    const thread = n.threadTs ?? this.#threads.get(key);
    const ts = await slack.post(n.slackChannel, slackText(n.message), thread);
    // A merged PR says nothing more: its thread need not be remembered here.
    if (n.event === 'merged') this.#threads.delete(key);
    if (!thread && ts) {
      this.#threads.set(key, ts);
      this.#options.recordThread?.(ref, { channel: n.slackChannel, ts }).catch((error: unknown) => {
        log(this.#options.log, key, error);
      });
    }
  }
}

function log(l: Log, key: string, error: unknown): void {
  l.warn({ pull: key, err: errorMessage(error) }, 'could not keep the Slack thread in the ledger; later messages start their own');
}
