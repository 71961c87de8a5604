// Chat: which moments of a PR are worth a message (the policy's `notify`), what the message says,
// and which were already sent. What was sent is kept in the gate's ledger (inside its status
// comment), claimed in the same write that records the decision: so a restart or a second replica
// never sends one twice, and a message is only sent once its claim is on GitHub. Pure: the shell
// sends, after the decision and its merge, never before or instead of them.
import { reasonLine } from './reason-text.js';
import { formatUtc, parseTime } from './time.js';
import type { Ledger, NotifiedRecord } from './model/ledger.js';
import type { NotifyEvent, NotifyPolicy } from './model/policy.js';
import type { PullRequestFacts } from './model/pull-request.js';
import type { Decision } from './model/decision.js';

export type NotifyChannel = 'slack' | 'webhook';

/** One message to send. `key` is what the ledger records (`hard`, `veto`, `stale:2`...). */
export interface Notification {
  channel: NotifyChannel;
  event: NotifyEvent;
  key: string;
  /** Slack: the channel to post in, and the PR's thread when there is one. */
  slackChannel?: string;
  threadTs?: string;
  message: NotifyMessage;
}

/** The message, as data (the webhook's JSON body) and as one line of text (Slack). */
export interface NotifyMessage {
  event: NotifyEvent;
  repository: string;
  number: number;
  url: string;
  title: string;
  tier: Decision['tier'];
  state: Decision['state'];
  /** The reasons for the tier, in one line. */
  reasons: string;
  /** ISO time: the end of a veto window; absent when nothing is due at a time. */
  deadline?: string;
  /** What a person can do now. */
  action: string;
  headSha: string;
}

export function notifiedOf(ledger: Ledger | undefined): NotifiedRecord | undefined {
  return ledger?.notified;
}

/** The moments the decision itself shows (`merged` comes from the merge, `stale` from a reminder). */
export function dueEvents(decision: Decision): NotifyEvent[] {
  if (!decision.governed || decision.state === 'ignored') return [];
  const due: NotifyEvent[] = [];
  if (
    decision.tier === 'hard' &&
    decision.state === 'blocked' &&
    decision.vetoes.length === 0 &&
    decision.approvals.length < decision.approvalsRequired &&
    decision.policy.kind === 'ok'
  )
    due.push('hard');
  if (decision.tier === 'soft' && decision.state === 'waiting' && decision.window && decision.wakeAt) due.push('soft');
  if (decision.vetoes.length > 0) due.push('veto');
  return due;
}

function reasonsLine(decision: Decision): string {
  const top = decision.classification.reasons.filter((r) => r.tier === decision.classification.tier);
  const shown = (top.length ? top : decision.classification.reasons).slice(0, 3).map((r) => reasonLine(r, 2));
  const more = decision.classification.reasons.length - shown.length;
  return `${shown.join('; ')}${more > 0 && top.length > shown.length ? `; and ${top.length - shown.length} more` : ''}`.slice(0, 300);
}

function actionLine(event: NotifyEvent, decision: Decision, now: Date): string {
  const nowMs = now.getTime();
  switch (event) {
    case 'hard':
    case 'stale': {
      const missing = Math.max(1, decision.approvalsRequired - decision.approvals.length);
      return `Needs ${missing} approval${missing === 1 ? '' : 's'}: an authorized reviewer comments /approve or clicks Approve on the hitl check.`;
    }
    case 'soft': {
      const end = parseTime(decision.window?.end);
      return `Merges at ${end !== undefined ? formatUtc(end, nowMs) : 'the end of its window'} unless an authorized reviewer comments /veto or clicks Veto.`;
    }
    case 'veto':
      return `Vetoed by ${[...new Set(decision.vetoes.map((v) => `@${v.by}`))].join(', ')}; held until the veto is withdrawn (/veto cancel) or overruled by approvals.`;
    case 'merged':
      return 'Merged by hitl-gate; nothing to do.';
    case 'after_merge':
      return 'Merged without a human and sampled for a review after merge: an authorized reviewer answers /reviewed, /concern <reason> or /revert on the pull request.';
  }
}

export function renderNotification(
  event: NotifyEvent,
  decision: Decision,
  facts: Pick<PullRequestFacts, 'owner' | 'repo' | 'number' | 'title' | 'headSha'>,
  url: string,
  now: Date,
): NotifyMessage {
  // A review after merge is due by the date the gate recorded when it sampled the merge.
  const deadline = event === 'soft' ? decision.window?.end : event === 'after_merge' ? decision.ledger.afterMerge?.due : undefined;
  return {
    event,
    repository: `${facts.owner}/${facts.repo}`,
    number: facts.number,
    url,
    title: facts.title.slice(0, 200),
    tier: decision.tier,
    state: event === 'merged' ? 'ready' : decision.state,
    reasons: reasonsLine(decision),
    ...(deadline ? { deadline } : {}),
    action: actionLine(event, decision, now),
    headSha: facts.headSha,
  };
}

const HEADLINE: Record<NotifyEvent, string> = {
  hard: 'needs approval',
  soft: 'veto window open',
  veto: 'vetoed',
  merged: 'merged',
  stale: 'still waiting for approval',
  after_merge: 'review after merge',
};

/** Slack's mrkdwn: only &, < and > must be escaped. */
const slackEscape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The message as Slack text: the PR link and title, tier and reasons, deadline and what to do. */
export function slackText(m: NotifyMessage): string {
  const link = `<${m.url}|${slackEscape(`${m.repository}#${m.number}`)}>`;
  return [
    `*${HEADLINE[m.event]}* · ${link} ${slackEscape(m.title)}`,
    `Tier *${m.tier}*: ${slackEscape(m.reasons)}`,
    ...(m.deadline ? [`Deadline: ${m.deadline.replace(/\.\d{3}Z$/, 'Z')}`] : []),
    slackEscape(m.action),
  ].join('\n');
}

/** Channels the policy asks for an event and the App can send on. */
function channelsFor(event: NotifyEvent, policy: NotifyPolicy | undefined, available: readonly NotifyChannel[]): NotifyChannel[] {
  if (!policy) return [];
  const out: NotifyChannel[] = [];
  if (policy.slack?.on.includes(event) && available.includes('slack')) out.push('slack');
  if (policy.webhook?.on.includes(event) && available.includes('webhook')) out.push('webhook');
  return out;
}

export interface ClaimInput {
  decision: Decision;
  facts: Pick<PullRequestFacts, 'owner' | 'repo' | 'number' | 'title' | 'headSha' | 'ledger'>;
  policy: NotifyPolicy | undefined;
  /** Channels the App has credentials for (the environment, never the policy). */
  available: readonly NotifyChannel[];
  url: string;
  now: Date;
  /** Moments the caller knows of that the decision does not show: a reminder step (`stale`, key `stale:N`). */
  extra?: { event: NotifyEvent; key: string }[];
  /** Only the `extra` moments (a merged PR's review after merge: what the decision at merge showed was
   * claimed, or not, while the PR was open). */
  extraOnly?: boolean;
}

/**
 * The notifications due and not yet sent, and the decision's ledger with them claimed (and what was
 * sent before carried over). The caller writes the ledger first and sends only what it claimed.
 */
export function claimNotifications(input: ClaimInput): { ledger: Ledger; notifications: Notification[] } {
  const { decision, facts, policy, available, url, now } = input;
  const previous = notifiedOf(facts.ledger);
  const record: NotifiedRecord = structuredClone(previous ?? {});
  const notifications: Notification[] = [];
  const due = input.extraOnly ? [] : dueEvents(decision).map((event) => ({ event, key: event as string }));
  const moments = [...due, ...(input.extra ?? [])];
  for (const { event, key } of moments) {
    for (const channel of channelsFor(event, policy, available)) {
      const slot = channel === 'slack' ? (record.slack ??= { sent: [] }) : (record.webhook ??= { sent: [] });
      if (slot.sent.includes(key)) continue;
      slot.sent.push(key);
      const slack =
        channel === 'slack'
          ? { slackChannel: policy?.slack?.channel ?? '', ...(record.slack?.ts ? { threadTs: record.slack.ts } : {}) }
          : {};
      notifications.push({ channel, event, key, ...slack, message: renderNotification(event, decision, facts, url, now) });
    }
  }
  const changed = notifications.length > 0 || previous !== undefined;
  return { ledger: changed ? { ...decision.ledger, notified: record } : decision.ledger, notifications };
}

/** `merged` is not claimed: only the reconcile whose merge GitHub accepted sends it, and GitHub
 * merges a PR once. It goes into the PR's Slack thread when there is one. */
export function mergedNotifications(input: Omit<ClaimInput, 'extra'>): Notification[] {
  const { decision, facts, policy, available, url, now } = input;
  const ts = notifiedOf(facts.ledger)?.slack?.ts;
  return channelsFor('merged', policy, available).map((channel) => ({
    channel,
    event: 'merged' as const,
    key: 'merged',
    ...(channel === 'slack' ? { slackChannel: policy?.slack?.channel ?? '', ...(ts ? { threadTs: ts } : {}) } : {}),
    message: renderNotification('merged', decision, facts, url, now),
  }));
}
