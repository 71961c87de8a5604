// The daily digest: one chat message per channel per working day, at the start of working hours
// (09:00 in the policy's time zone, or UTC, Monday to Friday, when the policy sets no working hours),
// saying which reviews after merge are overdue, which are due today, and which hard PRs still wait for
// approval. Batched on purpose: a ping per PR is what makes people stop reading. Pure: the time is an
// argument; the shell keeps the record of the day it was sent (docs/notify.md).
import { DateTime } from 'luxon';
import type { AfterMergeItem, AwaitingApprovalItem, DashboardData } from './dashboard.js';
import { WEEKDAYS, type Weekday, type WorkingHours } from './model/policy.js';

/** The digest of one local day, sent at `at` (ms) or a little later. */
export interface DigestDay {
  /** Local calendar date in the policy's time zone, YYYY-MM-DD. */
  day: string;
  at: number;
}

const DEFAULT_DAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri'];
const DEFAULT_FROM_MINUTES = 9 * 60;
/** A digest not sent within this long of its time (the App was down) is skipped: a digest at 4 p.m.
 * says less than the next morning's. */
export const DIGEST_GRACE_MS = 3 * 3_600_000;

/** Today's digest, when today is a working day (in the policy's zone; UTC without working hours). */
export function digestDay(nowMs: number, hours: WorkingHours | undefined): DigestDay | undefined {
  const zone = hours?.timezone ?? 'UTC';
  const midnight = DateTime.fromMillis(nowMs, { zone }).startOf('day');
  const day = midnight.toISODate() ?? '';
  const weekday = WEEKDAYS[midnight.weekday - 1] as Weekday;
  if (!(hours?.days ?? DEFAULT_DAYS).includes(weekday) || (hours?.holidays ?? []).includes(day)) return undefined;
  const minutes = hours?.fromMinutes ?? DEFAULT_FROM_MINUTES;
  return { day, at: midnight.set({ hour: Math.floor(minutes / 60), minute: minutes % 60 }).toMillis() };
}

/** The digest due now: today's, once its time has come (and not long ago), unless `sentDay` is today. */
export function digestDue(nowMs: number, hours: WorkingHours | undefined, sentDay: string | undefined): DigestDay | undefined {
  const today = digestDay(nowMs, hours);
  if (!today || nowMs < today.at || nowMs >= today.at + DIGEST_GRACE_MS || sentDay === today.day) return undefined;
  return today;
}

export interface Digest {
  repository: string;
  day: string;
  overdue: AfterMergeItem[];
  dueToday: AfterMergeItem[];
  waiting: AwaitingApprovalItem[];
}

/** What the digest of `day` says, or undefined when nothing awaits anyone (then nothing is sent). */
export function buildDigest(
  repository: string,
  data: DashboardData,
  nowMs: number,
  day: DigestDay,
  hours: WorkingHours | undefined,
): Digest | undefined {
  const zone = hours?.timezone ?? 'UTC';
  const endOfDay = DateTime.fromMillis(day.at, { zone }).endOf('day').toMillis();
  const byDue = (a: AfterMergeItem, b: AfterMergeItem) => Date.parse(a.due) - Date.parse(b.due);
  const overdue = data.afterMerge.filter((i) => Date.parse(i.due) < nowMs).sort(byDue);
  const dueToday = data.afterMerge.filter((i) => Date.parse(i.due) >= nowMs && Date.parse(i.due) <= endOfDay).sort(byDue);
  const waiting = [...data.awaiting].sort((a, b) => Date.parse(a.since) - Date.parse(b.since));
  if (overdue.length + dueToday.length + waiting.length === 0) return undefined;
  return { repository, day: day.day, overdue, dueToday, waiting };
}

const slackEscape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const MAX_LINES = 20;

function lines<T extends { number: number; title: string; url: string }>(items: T[], detail: (t: T) => string): string[] {
  const shown = items.slice(0, MAX_LINES).map((i) => `• <${i.url}|#${i.number}> ${slackEscape(i.title.slice(0, 100))}: ${detail(i)}`);
  return items.length > MAX_LINES ? [...shown, `• and ${items.length - MAX_LINES} more`] : shown;
}

const utc = (iso: string): string =>
  iso
    .replace(/\.\d{3}Z$/, 'Z')
    .replace('T', ' ')
    .replace(/:\d\dZ$/, ' UTC');

/** The digest as Slack text: one section per kind, each line linking its PR. */
export function digestText(d: Digest): string {
  return [
    `*hitl-gate daily digest* · ${slackEscape(d.repository)} · ${d.day}`,
    ...(d.overdue.length
      ? [
          `*Review after merge overdue (${d.overdue.length})*`,
          ...lines(d.overdue, (i) => `was due ${utc(i.due)}${i.concern ? ' · concern raised' : ''}`),
        ]
      : []),
    ...(d.dueToday.length
      ? [
          `*Review after merge due today (${d.dueToday.length})*`,
          ...lines(d.dueToday, (i) => `due ${utc(i.due)}${i.concern ? ' · concern raised' : ''}`),
        ]
      : []),
    ...(d.waiting.length ? [`*Waiting for approval (${d.waiting.length})*`, ...lines(d.waiting, (i) => `since ${utc(i.since)}`)] : []),
  ].join('\n');
}

/** The digest as the signed webhook's JSON body. */
export function digestPayload(d: Digest): Record<string, unknown> {
  const item = (i: AfterMergeItem) => ({ number: i.number, url: i.url, title: i.title, due: i.due, concern: i.concern });
  return {
    event: 'digest',
    repository: d.repository,
    day: d.day,
    overdue: d.overdue.map(item),
    due_today: d.dueToday.map(item),
    waiting: d.waiting.map((i) => ({ number: i.number, url: i.url, title: i.title, since: i.since })),
  };
}

// The record of the last digest sent: in the gate's own `hitl-digest` check run (docs/notify.md).
const DIGEST_RE = /<!-- hitl-gate:digest v1 ([0-9]{4}-[0-9]{2}-[0-9]{2}) -->/;

export function digestMarker(day: string): string {
  return `<!-- hitl-gate:digest v1 ${day} -->`;
}

/** The day a digest record says was sent, or undefined. Never throws. */
export function readDigestMarker(text: string | null | undefined): string | undefined {
  return typeof text === 'string' ? DIGEST_RE.exec(text)?.[1] : undefined;
}
