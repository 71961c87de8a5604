// The App's chat: sends after the fact, retries with back-off, gives up on what a retry cannot fix,
// counts everything, keeps a PR's messages in one Slack thread; and the signed webhook.
import { createHmac } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import type { Notification, NotifyMessage } from '../../src/core/notify.js';
import { Metrics } from '../../src/app/metrics.js';
import { silentLog } from '../../src/app/log.js';
import { Notifier, type NotifierOptions } from '../../src/app/notifier.js';
import { readNotifyEnv } from '../../src/app/notify-config.js';
import type { SlackSender } from '../../src/app/notify-slack.js';
import { WebhookSender } from '../../src/app/notify-webhook.js';

const ref = { installationId: 1, owner: 'acme', repo: 'widgets', number: 7 };
const message: NotifyMessage = {
  event: 'hard',
  repository: 'acme/widgets',
  number: 7,
  url: 'https://github.com/acme/widgets/pull/7',
  title: 'Add index',
  tier: 'hard',
  state: 'blocked',
  reasons: 'rule Database migrations',
  action: 'Needs 1 approval',
  headSha: 'a'.repeat(40),
};
const slackN = (event: Notification['event'], threadTs?: string): Notification => ({
  channel: 'slack',
  event,
  key: event,
  slackChannel: '#agent-prs',
  ...(threadTs ? { threadTs } : {}),
  message: { ...message, event },
});
const hookN = (event: Notification['event']): Notification => ({ channel: 'webhook', event, key: event, message: { ...message, event } });

async function count(metrics: Metrics, labels: string): Promise<number> {
  const text = await metrics.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`hitl_notifications_total{${labels}}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

function notifier(o: { slack?: Partial<SlackSender>; webhook?: WebhookSender; recordThread?: NotifierOptions['recordThread'] }) {
  const metrics = new Metrics({ defaultMetrics: false });
  const n = new Notifier({
    ...(o.slack ? { slack: o.slack as SlackSender } : {}),
    ...(o.webhook ? { webhook: o.webhook } : {}),
    webUrl: 'https://github.com',
    metrics,
    log: silentLog,
    retries: 3,
    minBackoffMs: 5,
    maxBackoffMs: 10,
    ...(o.recordThread ? { recordThread: o.recordThread } : {}),
  });
  return { n, metrics };
}

describe('Notifier', () => {
  it('returns at once, whatever the chat service does', async () => {
    const post = vi.fn(() => new Promise<string>(() => undefined));
    const { n } = notifier({ slack: { post } });
    const started = Date.now();
    n.dispatch(ref, [slackN('hard')]);
    expect(Date.now() - started).toBeLessThan(50);
    await vi.waitFor(() => expect(post).toHaveBeenCalledTimes(1));
  });

  it('retries a failing Slack with back-off, counts it, then posts; later messages go into the thread, which is kept', async () => {
    let calls = 0;
    const post = vi.fn(async () => {
      calls += 1;
      if (calls < 3)
        throw Object.assign(new Error('An HTTP protocol error occurred: statusCode = 503'), { code: 'slack_webapi_http_error' });
      return `17000.00${calls}`;
    });
    const recordThread = vi.fn(async () => undefined);
    const { n, metrics } = notifier({ slack: { post }, recordThread });
    n.dispatch(ref, [slackN('hard')]);
    n.dispatch(ref, [slackN('merged')]);
    await n.idle();
    expect(post.mock.calls.map((c) => (c as unknown[])[2])).toEqual([undefined, undefined, undefined, '17000.003']);
    expect(recordThread).toHaveBeenCalledWith(ref, { channel: '#agent-prs', ts: '17000.003' });
    expect(await count(metrics, 'channel="slack",event="hard",result="retried"')).toBe(2);
    expect(await count(metrics, 'channel="slack",event="hard",result="sent"')).toBe(1);
    expect(await count(metrics, 'channel="slack",event="merged",result="sent"')).toBe(1);
  });

  it('gives up at once on what a retry cannot fix, and after its retries on the rest; both counted as failed', async () => {
    const refused = vi.fn(async () => {
      throw Object.assign(new Error('channel_not_found'), { code: 'slack_webapi_platform_error' });
    });
    const a = notifier({ slack: { post: refused } });
    a.n.dispatch(ref, [slackN('veto')]);
    await a.n.idle();
    expect(refused).toHaveBeenCalledTimes(1);
    expect(await count(a.metrics, 'channel="slack",event="veto",result="failed"')).toBe(1);

    const down = vi.fn(async () => {
      throw new Error('connect ECONNREFUSED');
    });
    const b = notifier({ slack: { post: down } });
    b.n.dispatch(ref, [slackN('veto')]);
    await b.n.idle();
    expect(down).toHaveBeenCalledTimes(4);
    expect(await count(b.metrics, 'channel="slack",event="veto",result="failed"')).toBe(1);
  });
});

describe('WebhookSender', () => {
  it('POSTs the message as JSON with an HMAC-SHA256 signature of the exact body', async () => {
    const fetch = vi.fn(async () => new Response('ok', { status: 200 }));
    await new WebhookSender({ url: 'https://hooks.example/hitl', secret: 's3cret', fetch }).post(message, new Date('2026-11-22T14:00:00Z'));
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit & { headers: Record<string, string>; body: string }];
    expect(url).toBe('https://hooks.example/hitl');
    expect(JSON.parse(init.body)).toMatchObject({ event: 'hard', url: message.url, sentAt: '2026-11-22T14:00:00.000Z' });
    expect(init.headers['x-hitl-signature-256']).toBe(`sha256=${createHmac('sha256', 's3cret').update(init.body).digest('hex')}`);
  });

  it('is retried on 5xx and not on 4xx', async () => {
    let status = 503;
    const fetch = vi.fn(async () => new Response('', { status }));
    const webhook = new WebhookSender({ url: 'https://hooks.example/hitl', secret: 's', fetch });
    const { n, metrics } = notifier({ webhook });
    n.dispatch(ref, [hookN('hard')]);
    await n.idle();
    expect(fetch).toHaveBeenCalledTimes(4);
    status = 404;
    n.dispatch(ref, [hookN('veto')]);
    await n.idle();
    expect(fetch).toHaveBeenCalledTimes(5);
    expect(await count(metrics, 'channel="webhook",event="veto",result="failed"')).toBe(1);
  });
});

describe('readNotifyEnv', () => {
  it('takes secrets from the environment and refuses half a configuration', () => {
    expect(readNotifyEnv({})).toEqual({ ok: true, value: { webUrl: 'https://github.com' } });
    expect(readNotifyEnv({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_API_URL: 'http://127.0.0.1:9/api/', GHE_HOST: 'ghe.acme.test' })).toEqual({
      ok: true,
      value: { slack: { token: 'xoxb-1', apiUrl: 'http://127.0.0.1:9/api/' }, webUrl: 'https://ghe.acme.test' },
    });
    const bad = readNotifyEnv({ HITL_NOTIFY_URL: 'https://hooks.example/x', SLACK_API_URL: 'ftp://x' });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.errors.join('\n')).toMatch(/HITL_NOTIFY_SECRET[\s\S]*|SLACK_API_URL/);
    expect(!bad.ok && bad.errors).toHaveLength(3);
  });
});

describe('SlackSender against a local Slack Web API', () => {
  it('posts with the official client, in a thread when asked; an outage is retryable, a bad token is not', async () => {
    const { SlackSimulator } = await import('../sim/slack.js');
    const { SlackSender, isPermanentSlackError } = await import('../../src/app/notify-slack.js');
    const slack = await new SlackSimulator().start();
    try {
      const sender = new SlackSender({ token: slack.token, apiUrl: slack.apiUrl, timeoutMs: 2_000 });
      const ts = await sender.post('#agent-prs', 'first');
      await sender.post('#agent-prs', 'second', ts);
      expect(slack.posts.map((p) => [p.channel, p.text, p.threadTs])).toEqual([
        ['#agent-prs', 'first', undefined],
        ['#agent-prs', 'second', ts],
      ]);
      slack.fault = 'error';
      const outage = await sender.post('#agent-prs', 'x').catch((e: unknown) => e);
      expect(outage).toBeInstanceOf(Error);
      expect(isPermanentSlackError(outage)).toBe(false);
      slack.fault = 'none';
      const refused = await new SlackSender({ token: 'xoxb-wrong', apiUrl: slack.apiUrl }).post('#agent-prs', 'x').catch((e: unknown) => e);
      expect(isPermanentSlackError(refused)).toBe(true);
    } finally {
      await slack.stop();
    }
  });
});
