// Signed webhook deliveries, with GitHub's headers and payload shapes, and the faults real deliveries
// suffer: drops, duplicates, reordering, delay.
import { createHmac, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { WebhookDefinition } from '@octokit/webhooks-examples';
import type { WebhookFaults } from './faults.js';
import type { SimRepo, SimUser, World } from './model.js';
import type { Random } from './random.js';
import * as shape from './shapes.js';

// The package is CommonJS JSON; require keeps its shape exact under NodeNext.
const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as WebhookDefinition[];

export interface Delivery {
  id: string;
  event: string;
  action?: string;
  payload: Record<string, unknown>;
  queuedAt: number;
  /** HTTP status of each attempt (a duplicate is a second attempt); empty when dropped or unsent. */
  responses: number[];
  dropped: boolean;
  duplicated: boolean;
  delayedBy: number;
  /** Set when the App could not be reached. */
  error?: string;
  /** Milliseconds from sending to the App's answer, per attempt. */
  durations: number[];
}

export function sign(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Top-level keys of GitHub's own example payload for an event/action, so ours carry the same keys. */
function template(event: string, action?: string): Record<string, unknown> {
  const def = examples.find((d) => d.name === event);
  const ex = (def?.examples ?? []).find((e: unknown) => !action || (e as { action?: string }).action === action) ?? def?.examples[0];
  const copy = ex ? (structuredClone(ex) as Record<string, unknown>) : {};
  // Organisation and enterprise blocks name Codertocat's world; ours has neither.
  delete copy.organization;
  delete copy.enterprise;
  return copy;
}

export interface WebhookOptions {
  world: World;
  secret: () => string;
  url: () => string | undefined;
  urls: () => shape.Urls;
  faults: () => WebhookFaults;
  random: Random;
}

export class Webhooks {
  readonly deliveries: Delivery[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  /** Deliveries queued but not yet sent (held back for reorder or delay). */
  private pending = 0;

  constructor(private readonly options: WebhookOptions) {}

  /** Build the payload of `event` and send it (subject to faults). */
  send(event: string, action: string | undefined, repo: SimRepo, sender: SimUser, body: Record<string, unknown>): Delivery {
    const urls = this.options.urls();
    const payload: Record<string, unknown> = {
      ...template(event, action),
      ...(action ? { action } : {}),
      ...body,
      repository: shape.repoShape(repo, urls),
      sender: shape.userShape(sender, urls),
      installation: { id: repo.installationId, node_id: Buffer.from(`Installation${repo.installationId}`).toString('base64') },
    };
    if (!action) delete payload.action;
    const delivery: Delivery = { id: randomUUID(), event, action, payload, queuedAt: Date.now(), responses: [], dropped: false, duplicated: false, delayedBy: 0, durations: [] };
    this.deliveries.push(delivery);
    this.schedule(delivery);
    return delivery;
  }

  /** Send a delivery again as GitHub's "Redeliver" button does: same id, same payload. */
  redeliver(delivery: Delivery): void {
    this.track(this.post(delivery));
  }

  /** Resolves once every queued delivery has been answered by the App (or failed). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0 || this.pending > 0) {
      if (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
      else await new Promise((r) => setTimeout(r, 5));
    }
  }

  private schedule(delivery: Delivery): void {
    const f = this.options.faults();
    const rnd = this.options.random;
    if ((f.dropRate ?? 0) > 0 && rnd() < (f.dropRate ?? 0)) {
      delivery.dropped = true;
      return;
    }
    let delay = f.delayMs ?? 0;
    if ((f.reorderRate ?? 0) > 0 && rnd() < (f.reorderRate ?? 0)) delay += f.reorderDelayMs ?? 300;
    delivery.duplicated = (f.duplicateRate ?? 0) > 0 && rnd() < (f.duplicateRate ?? 0);
    delivery.delayedBy = delay;
    const go = (): void => {
      this.track(this.post(delivery));
      if (delivery.duplicated) this.track(this.post(delivery));
    };
    if (delay <= 0) {
      go();
      return;
    }
    this.pending += 1;
    setTimeout(() => {
      this.pending -= 1;
      go();
    }, delay);
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private async post(delivery: Delivery): Promise<void> {
    const url = this.options.url();
    if (!url) return;
    const body = JSON.stringify(delivery.payload);
    const started = performance.now();
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'GitHub-Hookshot/sim',
          'x-github-event': delivery.event,
          'x-github-delivery': delivery.id,
          'x-github-hook-id': '1',
          'x-github-hook-installation-target-type': 'integration',
          'x-github-hook-installation-target-id': String(this.options.world.app.id),
          'x-hub-signature-256': sign(this.options.secret(), body),
        },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer();
      delivery.responses.push(res.status);
    } catch (err) {
      delivery.error = String(err);
    }
    delivery.durations.push(performance.now() - started);
  }
}
