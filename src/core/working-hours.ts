// Working hours (`working_hours` in the policy): veto windows and reminder delays count only the
// time people are at work, so silence at 3 a.m. on a Sunday is never taken for consent. Pure: the
// time zone rules come from luxon (the IANA database that ships with Node's Intl), the time is an
// argument, never the clock.
import { DateTime } from 'luxon';
import { formatUtc } from './time.js';
import { WEEKDAYS, type Weekday, type WorkingHours } from './model/policy.js';

/** Far enough that any real window ends before it; a calendar with no working time at all (every
 * day a holiday) ends here instead of looping: the window stays open, nothing merges (fail closed). */
const MAX_DAYS = 3 * 366;

export { isValidTimeZone, parseClock } from './time-zone.js';

interface Day {
  /** Start and end of the working part of this local day, in ms (absent on days off). */
  work?: { start: number; end: number };
  /** Start of the next local day, in ms. */
  next: number;
}

function dayAt(local: DateTime, hours: WorkingHours): Day {
  const midnight = local.startOf('day');
  const next = midnight.plus({ days: 1 }).toMillis();
  const weekday = WEEKDAYS[midnight.weekday - 1] as Weekday;
  const date = midnight.toISODate() ?? '';
  if (!hours.days.includes(weekday) || hours.holidays.includes(date)) return { next };
  // Wall-clock times resolved in the zone: a 09:00 that falls into a DST gap moves forward, and a
  // day's working time is what really elapses between `from` and `to` (an hour less in spring).
  const at = (minutes: number): number =>
    minutes >= 24 * 60 ? next : midnight.set({ hour: Math.floor(minutes / 60), minute: minutes % 60 }).toMillis();
  const start = at(hours.fromMinutes);
  const end = at(hours.toMinutes);
  return end > start ? { work: { start, end }, next } : { next };
}

/** The instant at which `durationMs` of working time has passed since `startMs`. */
export function addWorkingTime(startMs: number, durationMs: number, hours: WorkingHours): number {
  let cursor = startMs;
  let remaining = durationMs;
  let local = DateTime.fromMillis(startMs, { zone: hours.timezone });
  for (let i = 0; i < MAX_DAYS; i++) {
    const day = dayAt(local, hours);
    if (day.work && cursor < day.work.end) {
      const from = Math.max(cursor, day.work.start);
      const available = day.work.end - from;
      if (remaining <= available) return from + remaining;
      remaining -= available;
    }
    cursor = day.next;
    local = DateTime.fromMillis(day.next, { zone: hours.timezone });
  }
  return startMs + MAX_DAYS * 86_400_000;
}

/** Whether `ms` falls inside working hours. */
export function isWorkingTime(ms: number, hours: WorkingHours): boolean {
  const work = dayAt(DateTime.fromMillis(ms, { zone: hours.timezone }), hours).work;
  return work !== undefined && ms >= work.start && ms < work.end;
}

/** The end of a delay that starts at `startMs`: in working time when the policy has working hours. */
export function delayEnd(startMs: number, durationMs: number, hours: WorkingHours | undefined): number {
  return hours ? addWorkingTime(startMs, durationMs, hours) : startMs + durationMs;
}

/** "Mon Dec 7 10:15 Europe/Berlin": a deadline as the policy's people read it. */
export function formatLocal(ms: number, timezone: string): string {
  return `${DateTime.fromMillis(ms, { zone: timezone }).setLocale('en-US').toFormat('ccc LLL d HH:mm')} ${timezone}`;
}

/** "14:32 UTC", and with working hours also the policy's local time: "14:32 UTC (Mon Dec 7 15:32 Europe/Berlin)". */
export function formatDeadline(ms: number, nowMs: number, timezone: string | undefined): string {
  return timezone ? `${formatUtc(ms, nowMs)} (${formatLocal(ms, timezone)})` : formatUtc(ms, nowMs);
}
