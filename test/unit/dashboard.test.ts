import { describe, expect, it } from 'vitest';
import { mergeAfterMerge, afterMergeRecordFrom as readAfterMerge } from '../../src/core/after-merge-read.js';
import type { AfterMergeRecord } from '../../src/core/model/after-merge.js';
import { DASHBOARD_MARKER, dashboardUnchanged, ISSUE_BODY_LIMIT, renderDashboard, type DashboardData } from '../../src/core/dashboard.js';
import { mergeRecords, readRecord, withRecord } from '../../src/core/ledger.js';

const NOW = new Date('2026-12-07T12:00:00Z');
const url = (n: number) => `https://github.com/acme/app/pull/${n}`;
const empty: DashboardData = { awaiting: [], windows: [], afterMerge: [] };

/** The section of the body under `## title`, up to the next section. */
const section = (body: string, title: string): string => body.split(/\n## /).find((s) => s.startsWith(title)) ?? '';
const numbers = (text: string): number[] => [...text.matchAll(/\[#(\d+)\]/g)].map((m) => Number(m[1]));

describe('dashboard body', () => {
  it('lists each section oldest deadline first, each line linking its PR', () => {
    const body = renderDashboard(
      {
        awaiting: [
          {
            number: 7,
            title: 'Newer migration',
            url: url(7),
            since: '2026-12-06T10:00:00Z',
            approvedBy: [],
            reminded: 0,
            mayApprove: 'members of acme/dba',
          },
          { number: 3, title: 'Older migration', url: url(3), since: '2026-12-05T10:00:00Z', approvedBy: ['alice'], reminded: 2 },
        ],
        windows: [
          { number: 9, title: 'Later', url: url(9), mergesAt: '2026-12-07T13:00:00Z' },
          { number: 8, title: 'Sooner', url: url(8), mergesAt: '2026-12-07T12:15:00Z' },
        ],
        afterMerge: [],
      },
      NOW,
    );
    const awaiting = section(body, 'Awaiting approval');
    expect(numbers(awaiting)).toEqual([3, 7]);
    expect(awaiting).toContain(`[#3](${url(3)}) Older migration`);
    expect(awaiting).toContain('waiting since Dec 5 2026 10:00 UTC');
    expect(awaiting).toContain('reminded 2×');
    expect(awaiting).toContain('approved by **alice**, needs more');
    expect(awaiting).toContain('may approve: members of acme\\/dba');
    expect(numbers(section(body, 'Veto windows open'))).toEqual([8, 9]);
    expect(section(body, 'Veto windows open')).toContain('merges at Dec 7 2026 12:15 UTC');
  });

  it('puts overdue reviews after merge first and marks them and raised concerns', () => {
    const body = renderDashboard(
      {
        ...empty,
        afterMerge: [
          {
            number: 21,
            title: 'Due later',
            url: url(21),
            due: '2026-12-09T00:00:00Z',
            reviewers: { users: ['alice'], teams: [] },
            concern: false,
          },
          {
            number: 20,
            title: 'Overdue',
            url: url(20),
            due: '2026-12-06T00:00:00Z',
            reviewers: { users: [], teams: ['acme/maintainers'] },
            concern: true,
          },
        ],
      },
      NOW,
    );
    const lines = section(body, 'Review after merge')
      .split('\n')
      .filter((l) => l.startsWith('- '));
    expect(numbers(lines.join('\n'))).toEqual([20, 21]);
    expect(lines[0]).toMatch(/^- \*\*overdue\*\* \[#20\]/);
    expect(lines[0]).toContain('concern raised');
    expect(lines[1]).not.toContain('overdue');
    expect(lines[1]).not.toContain('concern');
  });

  it('says so when a section is empty, and keeps the footer that it is a view', () => {
    const body = renderDashboard(empty, NOW);
    expect(body).toContain('No hard pull request is waiting for approval.');
    expect(body).toContain('No veto window is open.');
    expect(body).toContain('No review after merge is open.');
    expect(body).toContain('editing it changes nothing the gate decides');
    expect(body).toContain('an edit is overwritten at the next change');
    expect(body.endsWith(DASHBOARD_MARKER)).toBe(true);
  });

  it('does not change as the clock moves, only when an item becomes overdue', () => {
    const data: DashboardData = {
      ...empty,
      windows: [{ number: 1, title: 'x', url: url(1), mergesAt: '2026-12-07T12:30:00Z' }],
      afterMerge: [
        { number: 2, title: 'y', url: url(2), due: '2026-12-08T09:00:00Z', reviewers: { users: ['bob'], teams: [] }, concern: false },
      ],
    };
    expect(renderDashboard(data, new Date('2026-12-07T12:01:00Z'))).toBe(renderDashboard(data, new Date('2026-12-08T08:59:00Z')));
    expect(renderDashboard(data, new Date('2026-12-08T09:01:00Z'))).not.toBe(renderDashboard(data, new Date('2026-12-08T08:59:00Z')));
  });

  it('cannot mention anyone or break its layout with a PR title', () => {
    const body = renderDashboard(
      {
        ...empty,
        windows: [{ number: 1, title: '@everyone ## [click](http://x) <img src=x>', url: url(1), mergesAt: '2026-12-07T12:30:00Z' }],
      },
      NOW,
    );
    expect(body).not.toMatch(/@everyone/);
    expect(body).not.toContain('<img');
    expect(body).not.toContain('[click](http://x)');
  });

  it("stays within GitHub's issue body limit, each section keeping its most urgent lines and saying how many more", () => {
    const many = (n: number, from: number) =>
      Array.from({ length: n }, (_, i) => ({
        number: from + i,
        title: 'x'.repeat(100),
        url: url(from + i),
        mergesAt: new Date(Date.UTC(2026, 11, 7, 13, 0, i)).toISOString(),
      }));
    const body = renderDashboard({ ...empty, windows: many(2000, 1000) }, NOW);
    expect(body.length).toBeLessThanOrEqual(ISSUE_BODY_LIMIT);
    const windows = section(body, 'Veto windows open');
    expect(windows).toMatch(/^Veto windows open \(2000\)/);
    const shown = numbers(windows);
    expect(shown[0]).toBe(1000);
    expect(windows).toContain(`- and ${2000 - shown.length} more`);
    expect(body.endsWith(DASHBOARD_MARKER)).toBe(true);
  });

  it('compares bodies as GitHub keeps them (line endings, trailing space)', () => {
    const body = renderDashboard(empty, NOW);
    expect(dashboardUnchanged(body.replace(/\n/g, '\r\n') + '\n', body)).toBe(true);
    expect(dashboardUnchanged(`${body}\n\nedited by someone`, body)).toBe(false);
    expect(dashboardUnchanged(null, body)).toBe(false);
  });
});

describe("the review after merge in the gate's record", () => {
  const record: AfterMergeRecord = {
    sampled: true,
    mergedAt: '2026-12-07T10:00:00Z',
    due: '2026-12-10T10:00:00Z',
    reviewers: { users: ['alice'], teams: ['acme/maintainers'] },
    concerns: [{ by: 'bob', at: '2026-12-07T11:00:00Z', commentId: 5, reason: 'breaks x' }],
  };

  it("travels in the check run's record and reads back as written", () => {
    const text = withRecord('details', { vetoes: [], answered: [], afterMerge: record } as never, 12);
    expect(readRecord(text, 12)?.afterMerge).toEqual(record);
  });

  it('reads anything malformed as no review after merge, never an exception', () => {
    for (const bad of [null, 1, 'x', [], {}, { ...record, sampled: false }, { ...record, due: 'soon' }]) {
      expect(readAfterMerge(bad)).toBeUndefined();
    }
    expect(readAfterMerge({ ...record, concerns: [{ by: 'x' }, ...record.concerns] })?.concerns).toEqual(record.concerns);
  });

  it('two copies (two runs on the last head) lose nothing: a review in either stands, concerns are united', () => {
    const reviewed = { ...record, reviewed: { by: 'alice', at: '2026-12-08T09:00:00Z', commentId: 9 } };
    const more = { ...record, concerns: [{ by: 'carol', at: '2026-12-07T12:00:00Z', commentId: 6, reason: 'and y' }] };
    expect(mergeAfterMerge(more, reviewed)).toMatchObject({ reviewed: { by: 'alice' }, concerns: [{ commentId: 6 }, { commentId: 5 }] });
    expect(
      mergeRecords({ vetoes: [], answered: [], afterMerge: reviewed } as never, { vetoes: [], answered: [] })?.afterMerge?.reviewed?.by,
    ).toBe('alice');
    expect(
      mergeRecords({ vetoes: [], answered: [] }, { vetoes: [], answered: [], afterMerge: more } as never)?.afterMerge?.concerns,
    ).toHaveLength(1);
  });
});
