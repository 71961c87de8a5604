// Slack through its official Web API client. The bot token and the API address come from the App's
// environment (SLACK_BOT_TOKEN, SLACK_API_URL), never from a repository. Retries are the notifier's
// (one policy and one count for every channel), so the client's own are off.
import { WebClient, LogLevel } from '@slack/web-api';

export interface SlackOptions {
  token: string;
  /** e.g. `https://slack.com/api/` (the default) or a local or enterprise endpoint. */
  apiUrl?: string;
  timeoutMs?: number;
}

export class SlackSender {
  readonly #client: WebClient;

  constructor(options: SlackOptions) {
    const apiUrl = options.apiUrl ? (options.apiUrl.endsWith('/') ? options.apiUrl : `${options.apiUrl}/`) : undefined;
    this.#client = new WebClient(options.token, {
      ...(apiUrl ? { slackApiUrl: apiUrl } : {}),
      retryConfig: { retries: 0 },
      timeout: options.timeoutMs ?? 10_000,
      logLevel: LogLevel.ERROR,
      // A rate-limited call fails at once; the notifier's back-off decides when to try again.
      rejectRateLimitedCalls: true,
    });
  }

  /** Posts the text (into the thread when `threadTs` is set) and returns the message's ts. */
  async post(channel: string, text: string, threadTs?: string): Promise<string | undefined> {
    const res = await this.#client.chat.postMessage({
      channel,
      text,
      ...(threadTs ? { thread_ts: threadTs } : {}),
      unfurl_links: false,
      unfurl_media: false,
    });
    return typeof res.ts === 'string' ? res.ts : undefined;
  }
}

/** Slack said no for a reason a retry cannot fix (`channel_not_found`, `invalid_auth`...). */
export function isPermanentSlackError(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code;
  return code === 'slack_webapi_platform_error';
}
