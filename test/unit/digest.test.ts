import { describe, expect, it } from 'vitest';
import type { DashboardData } from '../../src/core/dashboard.js';
import { buildDigest, digestDay, digestDue, digestMarker, digestPayload, digestText, readDigestMarker } from '../../src/core/digest.js';
import type { WorkingHours } from '../../src/core/model/policy.js';

const at = (iso: string) => Date.parse(iso);
const berlin: WorkingHours = {
  timezone: 'Europe/Berlin',
  days: ['mon', 'tue', 'wed', 'thu', 'fri'],
  fromMinutes: 8 * 60,
  toMinutes: 17 * 60,
  holidays: ['2026-12-24'],
};

describe('when the daily digest is due', () => {
  it('at 09:00 UTC on weekdays when the policy sets no working hours', () => {
    // Monday Dec 7 2026.
    expect(digestDue(at('2026-12-07T08:59:00Z'), undefined, undefined)).toBeUndefined();
    expect(digestDue(at('2026-12-07T09:00:00Z'), undefined, undefined)).toEqual({ day: '2026-12-07', at: at('2026-12-07T09:00:00Z') });
    expect(digestDay(at('2026-12-12T10:00:00Z'), undefined)).toBeUndefined(); // Saturday
  });

  it("at the start of working hours in the policy's time zone, never on a day off or a holiday", () => {
    // 08:00 in Berlin is 07:00 UTC in winter.
    expect(digestDue(at('2026-12-07T06:59:00Z'), berlin, undefined)).toBeUndefined();
    expect(digestDue(at('2026-12-07T07:00:00Z'), berlin, undefined)?.day).toBe('2026-12-07');
    expect(digestDue(at('2026-12-24T08:00:00Z'), berlin, undefined)).toBeUndefined();
    expect(digestDue(at('2026-12-13T08:00:00Z'), berlin, undefined)).toBeUndefined();
    // Late Sunday evening UTC is already Monday in Berlin; its digest is not due before 08:00 there.
    expect(digestDay(at('2026-12-06T23:30:00Z'), berlin)?.day).toBe('2026-12-07');
  });

  it('once a day: not again once the day is recorded, and not hours late', () => {
    expect(digestDue(at('2026-12-07T09:30:00Z'), undefined, '2026-12-07')).toBeUndefined();
    expect(digestDue(at('2026-12-08T09:30:00Z'), undefined, '2026-12-07')?.day).toBe('2026-12-08');
    expect(digestDue(at('2026-12-07T12:30:00Z'), undefined, undefined)).toBeUndefined();
  });
});

describe('what the digest says', () => {
  const now = at('2026-12-07T09:05:00Z');
  const day = digestDay(now, undefined)!;
  const item = (number: number, due: string, concern = false) => ({
    number,
    title: `PR ${number}`,
    url: `https://github.com/acme/app/pull/${number}`,
    due,
    reviewers: { users: ['alice'], teams: [] },
    concern,
  });
  const data: DashboardData = {
    awaiting: [
      {
        number: 5,
        title: 'migration',
        url: 'https://github.com/acme/app/pull/5',
        since: '2026-12-04T10:00:00Z',
        approvedBy: [],
        reminded: 1,
      },
    ],
    windows: [{ number: 6, title: 'soft', url: 'https://github.com/acme/app/pull/6', mergesAt: '2026-12-07T09:20:00Z' }],
    afterMerge: [
      item(1, '2026-12-08T10:00:00Z'),
      item(2, '2026-12-07T15:00:00Z'),
      item(3, '2026-12-06T10:00:00Z', true),
      item(4, '2026-12-05T10:00:00Z'),
    ],
  };

  it('lists what is overdue (oldest first), what is due today and the hard PRs waiting; not what is due later or veto windows', () => {
    const digest = buildDigest('acme/app', data, now, day, undefined)!;
    expect(digest.overdue.map((i) => i.number)).toEqual([4, 3]);
    expect(digest.dueToday.map((i) => i.number)).toEqual([2]);
    expect(digest.waiting.map((i) => i.number)).toEqual([5]);
    const text = digestText(digest);
    expect(text).toContain('acme/app · 2026-12-07');
    expect(text).toContain('<https://github.com/acme/app/pull/3|#3> PR 3: was due 2026-12-06 10:00 UTC · concern raised');
    expect(text).not.toContain('#1>');
    expect(text).not.toContain('#6>');
    expect(digestPayload(digest)).toMatchObject({ event: 'digest', repository: 'acme/app', day: '2026-12-07', due_today: [{ number: 2 }] });
  });

  it('is not sent when nothing awaits anyone', () => {
    expect(
      buildDigest('acme/app', { awaiting: [], windows: data.windows, afterMerge: [item(1, '2026-12-09T10:00:00Z')] }, now, day, undefined),
    ).toBeUndefined();
  });

  it('keeps its record as a day only the marker can carry', () => {
    expect(readDigestMarker(`x ${digestMarker('2026-12-07')} y`)).toBe('2026-12-07');
    expect(readDigestMarker('<!-- hitl-gate:digest v1 tomorrow -->')).toBeUndefined();
    expect(readDigestMarker(null)).toBeUndefined();
  });
});
