// The gate's side of chat: a Notifier whose Slack threads are kept in the PR's ledger under the same
// lock a reconcile takes, and what reconcile needs to claim messages.
import type { GateIdentity, GitHubClient } from '../github/index.js';
import { recordSlackThread } from '../github/record-thread.js';
import type { Log } from './log.js';
import type { Metrics } from './metrics.js';
import { Notifier } from './notifier.js';
import type { SlackSender } from './notify-slack.js';
import type { WebhookSender } from './notify-webhook.js';
import type { ReconcileQueue } from './queue.js';

export interface GateNotifyOptions {
  slack?: SlackSender;
  webhook?: WebhookSender;
  webUrl: string;
  retries?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export function gateNotifier(
  o: GateNotifyOptions,
  deps: {
    metrics: Metrics;
    log: Log;
    queue: () => ReconcileQueue;
    auth: (installationId: number) => Promise<GitHubClient>;
    identity: () => Promise<GateIdentity>;
    now: () => Date;
  },
): Notifier {
  return new Notifier({
    ...o,
    metrics: deps.metrics,
    log: deps.log,
    now: deps.now,
    recordThread: async (ref, thread) => {
      const identity = await deps.identity();
      await deps.queue().exclusive({ installationId: ref.installationId, owner: ref.owner, repo: ref.repo }, async () => {
        const client = await deps.auth(ref.installationId);
        await recordSlackThread(client, ref, thread, { identity, now: deps.now() });
      });
    },
  });
}
