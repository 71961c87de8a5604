import { describe, expect, it } from 'vitest';
import { decide } from '../../src/core/decide.js';
import { renderStatusComment } from '../../src/core/render.js';
import type { WorkingHours } from '../../src/core/model/policy.js';
import { addWorkingTime, isWorkingTime } from '../../src/core/working-hours.js';
import { makeFacts, makePolicy, okLoad } from './facts.js';

const BERLIN: WorkingHours = {
  timezone: 'Europe/Berlin',
  days: ['mon', 'tue', 'wed', 'thu', 'fri'],
  fromMinutes: 9 * 60,
  toMinutes: 18 * 60,
  holidays: ['2026-12-24', '2026-12-25'],
};
const MIN = 60_000;
const HOUR = 60 * MIN;
const ms = (iso: string): number => Date.parse(iso);
const iso = (n: number): string => new Date(n).toISOString();

describe('working time', () => {
  it('a 15m window opened at 02:00 on Saturday ends at 09:15 on Monday', () => {
    // Sat Dec 5 2026 02:00 in Berlin is 01:00 UTC; Mon Dec 7 09:15 Berlin is 08:15 UTC.
    expect(iso(addWorkingTime(ms('2026-12-05T01:00:00Z'), 15 * MIN, BERLIN))).toBe('2026-12-07T08:15:00.000Z');
  });

  it('inside working hours it is plain time, and a window may end exactly at the end of the day', () => {
    expect(iso(addWorkingTime(ms('2026-12-08T09:00:00Z'), 15 * MIN, BERLIN))).toBe('2026-12-08T09:15:00.000Z');
    expect(iso(addWorkingTime(ms('2026-12-08T16:00:00Z'), HOUR, BERLIN))).toBe('2026-12-08T17:00:00.000Z');
  });

  it('what is left at the end of a day carries over to the next working morning', () => {
    // Tue 17:50 Berlin + 15m: 10 minutes today, 5 tomorrow from 09:00.
    expect(iso(addWorkingTime(ms('2026-12-08T16:50:00Z'), 15 * MIN, BERLIN))).toBe('2026-12-09T08:05:00.000Z');
  });

  it('a window longer than a working day spans several days', () => {
    // 1d = 24h of working time = two 9h days and 6h: Monday 09:00 -> Wednesday 15:00 (Berlin).
    expect(iso(addWorkingTime(ms('2026-12-07T08:00:00Z'), 24 * HOUR, BERLIN))).toBe('2026-12-09T14:00:00.000Z');
  });

  it('holidays are skipped, and a holiday on a weekend changes nothing', () => {
    // Wed Dec 23 17:50 + 15m: Thu 24 and Fri 25 are holidays, Sat 26 (listed too) is a weekend: Mon Dec 28 09:05.
    const withWeekendHoliday = { ...BERLIN, holidays: [...BERLIN.holidays, '2026-12-26'] };
    expect(iso(addWorkingTime(ms('2026-12-23T16:50:00Z'), 15 * MIN, withWeekendHoliday))).toBe('2026-12-28T08:05:00.000Z');
    expect(iso(addWorkingTime(ms('2026-12-23T16:50:00Z'), 15 * MIN, BERLIN))).toBe('2026-12-28T08:05:00.000Z');
    // Without the holidays the window ends on Thursday morning.
    expect(iso(addWorkingTime(ms('2026-12-23T16:50:00Z'), 15 * MIN, { ...BERLIN, holidays: [] }))).toBe('2026-12-24T08:05:00.000Z');
  });

  it('counts the time that really elapses across the spring DST change (a day an hour shorter)', () => {
    // Sun Mar 29 2026, Berlin: 02:00 CET becomes 03:00 CEST. Work 01:00-05:00 holds 3 real hours that day.
    const nights: WorkingHours = { timezone: 'Europe/Berlin', days: ['sun', 'mon'], fromMinutes: 60, toMinutes: 5 * 60, holidays: [] };
    const start = ms('2026-03-29T00:00:00Z'); // 01:00 CET
    expect(iso(addWorkingTime(start, 3 * HOUR, nights))).toBe('2026-03-29T03:00:00.000Z'); // 05:00 CEST
    // One hour more runs into Monday: 01:00 CEST + 1h = 02:00 CEST = 00:00 UTC.
    expect(iso(addWorkingTime(start, 4 * HOUR, nights))).toBe('2026-03-30T00:00:00.000Z');
  });

  it('counts the time that really elapses across the autumn DST change (a day an hour longer)', () => {
    // Sun Oct 25 2026, Berlin: 03:00 CEST becomes 02:00 CET. Work 01:00-05:00 holds 5 real hours.
    const nights: WorkingHours = { timezone: 'Europe/Berlin', days: ['sun'], fromMinutes: 60, toMinutes: 5 * 60, holidays: [] };
    const start = ms('2026-10-24T23:00:00Z'); // 01:00 CEST
    expect(iso(addWorkingTime(start, 5 * HOUR, nights))).toBe('2026-10-25T04:00:00.000Z'); // 05:00 CET
  });

  it('a working day that starts inside the DST gap starts when the clock jumps', () => {
    // New York, Sun Mar 8 2026: 02:00 EST becomes 03:00 EDT; a day "from 02:30" starts at 03:30 EDT.
    const ny: WorkingHours = { timezone: 'America/New_York', days: ['sun'], fromMinutes: 150, toMinutes: 8 * 60, holidays: [] };
    const end = addWorkingTime(ms('2026-03-08T05:00:00Z'), MIN, ny);
    expect(end).toBeGreaterThan(ms('2026-03-08T07:00:00Z')); // not before 03:00 EDT
    expect(end).toBeLessThanOrEqual(ms('2026-03-08T07:31:00Z'));
  });

  it('a day may end at 24:00', () => {
    const late: WorkingHours = { timezone: 'UTC', days: ['mon'], fromMinutes: 22 * 60, toMinutes: 24 * 60, holidays: [] };
    expect(iso(addWorkingTime(ms('2026-12-07T23:00:00Z'), HOUR, late))).toBe('2026-12-08T00:00:00.000Z');
    expect(iso(addWorkingTime(ms('2026-12-07T23:00:00Z'), 2 * HOUR, late))).toBe('2026-12-14T23:00:00.000Z');
  });

  it('tells working time from the rest', () => {
    expect(isWorkingTime(ms('2026-12-07T08:30:00Z'), BERLIN)).toBe(true); // Mon 09:30 Berlin
    expect(isWorkingTime(ms('2026-12-07T07:30:00Z'), BERLIN)).toBe(false); // Mon 08:30 Berlin
    expect(isWorkingTime(ms('2026-12-05T10:00:00Z'), BERLIN)).toBe(false); // Saturday
    expect(isWorkingTime(ms('2026-12-24T10:00:00Z'), BERLIN)).toBe(false); // holiday
  });
});

describe('decide: veto windows in working hours (the clock is an argument)', () => {
  const policy = makePolicy({ workingHours: BERLIN });
  const facts = makeFacts({ headSeenAt: '2026-12-05T01:00:00Z' });

  it('a soft PR opened on Saturday night does not merge over the weekend', () => {
    const sunday = new Date('2026-12-06T15:00:00Z');
    const d = decide(okLoad(policy), facts, sunday);
    expect(d.tier).toBe('soft');
    expect(d.state).toBe('waiting');
    expect(d.window?.end).toBe('2026-12-07T08:15:00.000Z');
    expect(d.wakeAt).toBe('2026-12-07T08:15:00.000Z');
    expect(d.title).toContain('Dec 7 08:15 UTC (Mon Dec 7 09:15 Europe/Berlin)');
    const comment = renderStatusComment(d, facts, sunday, { reviewers: policy.reviewers });
    expect(comment).toContain('Mon Dec 7 09:15 Europe/Berlin');
  });

  it('merges once the working time has passed', () => {
    expect(decide(okLoad(policy), facts, new Date('2026-12-07T08:14:00Z')).state).toBe('waiting');
    const d = decide(okLoad(policy), facts, new Date('2026-12-07T08:15:00Z'));
    expect(d.state).toBe('ready');
    expect(d.merge).toBe(true);
  });

  it('without working hours the same window ends 15 minutes after it opened', () => {
    const d = decide(okLoad(makePolicy()), facts, new Date('2026-12-05T01:10:00Z'));
    expect(d.window?.end).toBe('2026-12-05T01:15:00.000Z');
    expect(d.title).not.toContain('Europe/Berlin');
  });
});
