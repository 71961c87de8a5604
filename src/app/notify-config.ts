// Chat settings from the App's environment: SLACK_BOT_TOKEN (and SLACK_API_URL for a local or
// enterprise endpoint), HITL_NOTIFY_URL with HITL_NOTIFY_SECRET. Secrets never come from a
// repository's policy: a public repository would publish them.
import type { Result } from './config.js';

export interface NotifyEnv {
  slack?: { token: string; apiUrl?: string };
  webhook?: { url: string; secret: string };
  /** GitHub's web address for PR links: https://github.com, or the GHE_HOST. */
  webUrl: string;
}

const isHttpUrl = (s: string): boolean => {
  try {
    const u = new URL(s);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
};

export function readNotifyEnv(env: NodeJS.ProcessEnv): Result<NotifyEnv> {
  const errors: string[] = [];
  const token = env.SLACK_BOT_TOKEN?.trim() || undefined;
  const apiUrl = env.SLACK_API_URL?.trim() || undefined;
  if (apiUrl && !isHttpUrl(apiUrl)) errors.push(`SLACK_API_URL: "${apiUrl}" is not an http(s) URL`);
  if (apiUrl && !token) errors.push('SLACK_API_URL is set but SLACK_BOT_TOKEN is not: Slack needs the bot token (xoxb-...)');
  const url = env.HITL_NOTIFY_URL?.trim() || undefined;
  const secret = env.HITL_NOTIFY_SECRET || undefined;
  if (url && !isHttpUrl(url)) errors.push('HITL_NOTIFY_URL: not an http(s) URL');
  if (url && !secret) errors.push('HITL_NOTIFY_URL is set but HITL_NOTIFY_SECRET is not: the gate only sends signed webhooks');
  if (secret && !url) errors.push('HITL_NOTIFY_SECRET is set but HITL_NOTIFY_URL is not');
  if (errors.length) return { ok: false, errors };
  const protocol = env.GHE_PROTOCOL === 'http' ? 'http' : 'https';
  return {
    ok: true,
    value: {
      ...(token ? { slack: { token, ...(apiUrl ? { apiUrl } : {}) } } : {}),
      ...(url && secret ? { webhook: { url, secret } } : {}),
      webUrl: env.GHE_HOST ? `${protocol}://${env.GHE_HOST}` : 'https://github.com',
    },
  };
}
