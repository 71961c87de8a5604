// What the schema cannot say about the keys that route human attention: time zones, working days
// that end before they start, reminder ladders that go backwards, rule approvers on rules that ask
// for no approval. Each problem is positioned at the offending value.
import { parseDuration } from '../duration.js';
import { isValidTimeZone, parseClock } from '../time-zone.js';
import { isRecord, type Raw } from './raw.js';

type Path = (string | number)[];
/** An error at the node at `path` (the value, or its key when the value is missing). */
export type Report = (path: Path, message: string) => void;

export function attentionErrors(raw: Raw, report: Report): void {
  workingHoursErrors(raw.working_hours, report);
  const hard = isRecord(raw.tiers) && isRecord(raw.tiers.hard) ? raw.tiers.hard : undefined;
  remindErrors(hard?.remind, report);
  if (Array.isArray(raw.rules)) raw.rules.forEach((rule, i) => ruleApproverErrors(rule, i, report));
}

function workingHoursErrors(wh: unknown, report: Report): void {
  if (!isRecord(wh)) return;
  if (typeof wh.timezone === 'string' && wh.timezone !== '' && !isValidTimeZone(wh.timezone)) {
    report(
      ['working_hours', 'timezone'],
      `working_hours.timezone: unknown time zone "${wh.timezone}" (expected an IANA name such as Europe/Berlin, America/New_York or UTC)`,
    );
  }
  const from = typeof wh.from === 'string' ? parseClock(wh.from) : undefined;
  const to = typeof wh.to === 'string' ? parseClock(wh.to) : undefined;
  if (from !== undefined && to !== undefined && from >= to) {
    report(
      ['working_hours', 'to'],
      `working_hours: "to" (${String(wh.to)}) must be after "from" (${String(wh.from)}); a working day cannot span midnight`,
    );
  }
  if (Array.isArray(wh.holidays)) {
    wh.holidays.forEach((d, j) => {
      if (typeof d !== 'string' || !/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(d)) return; // the schema reports it
      const date = new Date(`${d}T00:00:00Z`);
      if (!Number.isFinite(date.getTime()) || date.toISOString().slice(0, 10) !== d) {
        report(['working_hours', 'holidays', j], `working_hours.holidays[${j}]: "${d}" is not a calendar date`);
      }
    });
  }
}

function remindErrors(remind: unknown, report: Report): void {
  if (!Array.isArray(remind)) return;
  let previous: number | undefined;
  remind.forEach((d, j) => {
    const ms = typeof d === 'string' ? parseDuration(d) : undefined;
    if (ms === undefined) return; // the schema reports it
    if (previous !== undefined && ms <= previous) {
      report(
        ['tiers', 'hard', 'remind', j],
        `tiers.hard.remind[${j}]: ${d} is not after the reminder before it; reminders must be increasing (e.g. [4h, 1d])`,
      );
    }
    previous = ms;
  });
}

function ruleApproverErrors(rule: unknown, i: number, report: Report): void {
  if (!isRecord(rule)) return;
  const name = typeof rule.name === 'string' ? ` "${rule.name}"` : '';
  for (const key of ['reviewers', 'approvals'] as const) {
    if (rule[key] !== undefined && rule.tier !== undefined && rule.tier !== 'hard') {
      report(
        ['rules', i, key],
        `rules[${i}].${key}: rule${name} is ${String(rule.tier)}, and only hard rules ask for approvals (make it hard or remove ${key})`,
      );
    }
  }
  const reviewers = rule.reviewers;
  if (isRecord(reviewers)) {
    const none = (k: string) => !Array.isArray(reviewers[k]) || (reviewers[k] as unknown[]).length === 0;
    if (none('users') && none('teams') && reviewers.permission === undefined) {
      report(
        ['rules', i, 'reviewers'],
        `rules[${i}].reviewers: names nobody (give users, teams or permission), so nobody could approve a PR this rule matches`,
      );
    }
  }
}
