// The chat senders the environment asks for (none when no chat variable is set).
import { readNotifyEnv } from './notify-config.js';
import { SlackSender } from './notify-slack.js';
import { WebhookSender } from './notify-webhook.js';
import type { GateNotifyOptions } from './gate-notify.js';

export function chatSenders(env: NodeJS.ProcessEnv): GateNotifyOptions | undefined {
  const config = readNotifyEnv(env);
  if (!config.ok) throw new Error(`hitl-gate configuration: ${config.errors.join('; ')}`);
  const { slack, webhook, webUrl } = config.value;
  if (!slack && !webhook) return undefined;
  return {
    webUrl,
    ...(slack ? { slack: new SlackSender(slack) } : {}),
    ...(webhook ? { webhook: new WebhookSender(webhook) } : {}),
  };
}
