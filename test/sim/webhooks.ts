// Signed webhook deliveries, with GitHub's headers and payload shapes, and the faults real deliveries
// suffer: drops, duplicates, reordering, delay.
import { createHmac, randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import type { WebhookDefinition } from '@octokit/webhooks-examples';
import { checkWebhook } from './contract.js';
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

/** GitHub's own example payload for an event/action, looked up once and frozen: deliveries copy its
 * top-level keys and replace those they describe, and nothing may change the shared rest. */
const templates = new Map<string, Readonly<Record<string, unknown>>>();

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Top-level keys of GitHub's own example payload for an event/action, so ours carry the same keys. */
function template(event: string, action?: string): Record<string, unknown> {
  const key = `${event}.${action ?? ''}`;
  let cached = templates.get(key);
  if (!cached) {
    const def = examples.find((d) => d.name === event);
    const ex = (def?.examples ?? []).find((e: unknown) => !action || (e as { action?: string }).action === action) ?? def?.examples[0];
    const copy = ex ? (structuredClone(ex) as Record<string, unknown>) : {};
    // Organisation and enterprise blocks name Codertocat's world; ours has neither.
    delete copy.organization;
    delete copy.enterprise;
    cached = deepFreeze(copy);
    templates.set(key, cached);
  }
  return { ...cached };
}

export interface WebhookOptions {
  world: World;
  secret: () => string;
  url: () => string | undefined;
  urls: () => shape.Urls;
  faults: () => WebhookFaults;
  random: Random;
}

/** Deliveries in flight to the App at once. */
const MAX_IN_FLIGHT = 64;

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
    checkWebhook(event, action, payload);
    const delivery: Delivery = {
      id: randomUUID(),
      event,
      action,
      payload,
      queuedAt: Date.now(),
      responses: [],
      dropped: false,
      duplicated: false,
      delayedBy: 0,
      durations: [],
    };
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

  /** Like GitHub's sender: persistent connections, and a bounded number of deliveries in flight to
   * one App (the rest wait their turn), rather than a new connection per delivery. */
  private readonly agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: MAX_IN_FLIGHT }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: MAX_IN_FLIGHT }),
  };

  private async post(delivery: Delivery): Promise<void> {
    const url = this.options.url();
    if (!url) return;
    const body = JSON.stringify(delivery.payload);
    const headers = {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'user-agent': 'GitHub-Hookshot/sim',
      'x-github-event': delivery.event,
      'x-github-delivery': delivery.id,
      'x-github-hook-id': '1',
      'x-github-hook-installation-target-type': 'integration',
      'x-github-hook-installation-target-id': String(this.options.world.app.id),
      'x-hub-signature-256': sign(this.options.secret(), body),
    };
    for (let attempt = 0; ; attempt++) {
      const result = await this.request(url, headers, body);
      // A kept-alive connection the App closed just as it was reused: Node's documented remedy is to
      // send again. The App never saw the first attempt.
      if ('error' in result && result.reusedSocket && result.code === 'ECONNRESET' && attempt === 0) continue;
      if ('error' in result) delivery.error = result.error;
      else delivery.responses.push(result.status);
      delivery.durations.push(result.ms);
      return;
    }
  }

  /** One POST; the 10 s timeout (GitHub's) runs from when the delivery gets its connection. */
  private request(
    url: string,
    headers: Record<string, string>,
    body: string,
  ): Promise<{ status: number; ms: number } | { error: string; code?: string; reusedSocket: boolean; ms: number }> {
    return new Promise((resolve) => {
      const target = new URL(url);
      const client = target.protocol === 'https:' ? https : http;
      let started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      const req = client.request(target, { method: 'POST', headers, agent: this.agents[target.protocol as 'http:' | 'https:'] }, (res) => {
        res.resume();
        res.once('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, ms: performance.now() - started });
        });
        res.once('error', (err) => {
          clearTimeout(timer);
          resolve({ error: String(err), reusedSocket: false, ms: performance.now() - started });
        });
      });
      req.once('socket', () => {
        started = performance.now();
        timer = setTimeout(() => req.destroy(new Error('TimeoutError: the App did not answer within 10 s')), 10_000);
      });
      req.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        resolve({
          error: String(err),
          ...(err.code ? { code: err.code } : {}),
          reusedSocket: req.reusedSocket,
          ms: performance.now() - started,
        });
      });
      req.end(body);
    });
  }

  /** Closes the kept-alive connections (the simulator is stopping). */
  close(): void {
    this.agents['http:'].destroy();
    this.agents['https:'].destroy();
  }
}
