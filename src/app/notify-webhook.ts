// The generic signed webhook: a JSON body POSTed to HITL_NOTIFY_URL with
// `X-Hitl-Signature-256: sha256=<hex HMAC-SHA256 of the body with HITL_NOTIFY_SECRET>`, the scheme of
// GitHub's own webhooks, so receivers can reuse their verification code.
import { createHmac } from 'node:crypto';
import type { NotifyMessage } from '../core/notify.js';

export interface WebhookOptions {
  url: string;
  secret: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export class WebhookHttpError extends Error {
  constructor(readonly status: number) {
    super(`the notification webhook answered ${status}`);
    this.name = 'WebhookHttpError';
  }
}

export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export class WebhookSender {
  constructor(private readonly options: WebhookOptions) {}

  async post(message: NotifyMessage, sentAt: Date): Promise<void> {
    await this.send(message.event, { ...message }, sentAt);
  }

  /** Any event's JSON body (the daily digest's too), signed the same way. */
  async send(event: string, payload: Record<string, unknown>, sentAt: Date): Promise<void> {
    const body = JSON.stringify({ ...payload, sentAt: sentAt.toISOString() });
    const res = await (this.options.fetch ?? fetch)(this.options.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'hitl-gate',
        'x-hitl-event': event,
        'x-hitl-signature-256': signature(this.options.secret, body),
      },
      body,
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
    });
    // Drain the body so the connection can be reused.
    await res.arrayBuffer().catch(() => undefined);
    if (res.status < 200 || res.status >= 300) throw new WebhookHttpError(res.status);
  }
}

/** A 4xx other than 408 and 429 will be refused again: no retry. */
export function isPermanentWebhookError(error: unknown): boolean {
  return error instanceof WebhookHttpError && error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429;
}
