import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/core/policy/parse.js';

const errorsOf = (text: string): string[] => parsePolicy(text, '.github/hitl.yml').errors.map((e) => `${e.line}:${e.column}: ${e.message}`);

describe('policy: working_hours', () => {
  it('normalises a valid block', () => {
    const { policy, errors } = parsePolicy(
      'version: 1\nworking_hours:\n  timezone: Europe/Berlin\n  days: [mon, tue, wed, thu, fri]\n  from: "09:00"\n  to: "18:00"\n  holidays: ["2026-12-24"]\n',
      'f',
    );
    expect(errors).toEqual([]);
    expect(policy?.workingHours).toEqual({
      timezone: 'Europe/Berlin',
      days: ['mon', 'tue', 'wed', 'thu', 'fri'],
      fromMinutes: 540,
      toMinutes: 1080,
      holidays: ['2026-12-24'],
    });
  });

  it('is absent unless written', () => {
    expect(parsePolicy('version: 1\n', 'f').policy?.workingHours).toBeUndefined();
  });

  it('rejects an unknown time zone, from after to, an empty days list, bad times and dates, at line:column', () => {
    const errors = errorsOf(
      'version: 1\nworking_hours:\n  timezone: Europe/Berlim\n  days: []\n  from: "18:00"\n  to: "09:00"\n  holidays: ["2026-02-30", "24.12.2026"]\n',
    );
    expect(errors).toContain(
      '3:13: working_hours.timezone: unknown time zone "Europe/Berlim" (expected an IANA name such as Europe/Berlin, America/New_York or UTC)',
    );
    expect(errors).toContain('4:9: working_hours.days must name at least one working day (mon, tue, wed, thu, fri, sat or sun)');
    expect(errors).toContain('6:7: working_hours: "to" (09:00) must be after "from" (18:00); a working day cannot span midnight');
    expect(errors).toContain('7:14: working_hours.holidays[0]: "2026-02-30" is not a calendar date');
    expect(errors).toContain('7:28: working_hours.holidays[1]: bad date "24.12.2026" (expected YYYY-MM-DD)');
    expect(errorsOf('version: 1\nworking_hours: { timezone: UTC, days: [mon], from: "9:00", to: "17:00" }\n')[0]).toMatch(
      /working_hours\.from: bad time "9:00"/,
    );
    expect(errorsOf('version: 1\nworking_hours: { timezone: UTC, days: [mon, mon], from: "09:00", to: "17:00" }\n')[0]).toMatch(
      /working_hours\.days/,
    );
    expect(errorsOf('version: 1\nworking_hours: { timezone: UTC, days: [monday], from: "09:00", to: "17:00" }\n')[0]).toMatch(
      /working_hours\.days\[0\]: unknown value "monday"/,
    );
    expect(errorsOf('version: 1\nworking_hours: { timezone: UTC, days: [mon], from: "09:00" }\n')[0]).toMatch(
      /missing the required key "to"/,
    );
  });

  it('accepts 24:00 as the end of the day', () => {
    expect(errorsOf('version: 1\nworking_hours: { timezone: UTC, days: [mon], from: "20:00", to: "24:00" }\n')).toEqual([]);
  });
});

describe('policy: reminders, escalation and review requests', () => {
  it('normalises tiers.hard.remind, escalate_to and request_review', () => {
    const { policy, errors } = parsePolicy(
      'version: 1\ntiers:\n  hard:\n    remind: [4h, 1d]\n    escalate_to: { users: [carol], teams: [acme/leads] }\n',
      'f',
    );
    expect(errors).toEqual([]);
    expect(policy?.tiers.hard.remindMs).toEqual([4 * 3_600_000, 86_400_000]);
    expect(policy?.tiers.hard.escalateTo).toEqual({ users: ['carol'], teams: ['acme/leads'] });
    expect(policy?.tiers.hard.requestReview).toBeUndefined(); // absent means true
    expect(parsePolicy('version: 1\ntiers: { hard: { request_review: false } }\n', 'f').policy?.tiers.hard.requestReview).toBe(false);
  });

  it('rejects a reminder list that is not increasing, and bad durations', () => {
    expect(errorsOf('version: 1\ntiers:\n  hard:\n    remind: [1d, 4h]\n')).toEqual([
      '4:18: tiers.hard.remind[1]: 4h is not after the reminder before it; reminders must be increasing (e.g. [4h, 1d])',
    ]);
    expect(errorsOf('version: 1\ntiers:\n  hard:\n    remind: [4h, 4h]\n')[0]).toMatch(/remind\[1\]: 4h is not after/);
    expect(errorsOf('version: 1\ntiers:\n  hard:\n    remind: [4 hours]\n')[0]).toMatch(/tiers\.hard\.remind\[0\]: bad duration "4 hours"/);
    expect(errorsOf('version: 1\ntiers:\n  hard:\n    escalate_to: { teams: [leads] }\n')[0]).toMatch(/bad team "leads"/);
  });
});

describe('policy: per-rule approvers', () => {
  const rules = (rule: string) =>
    `version: 1\nrules:\n  - name: Database migrations\n    tier: hard\n    paths: ["db/migrations/**"]\n${rule}`;

  it('normalises rules[].reviewers and rules[].approvals', () => {
    const { policy, errors } = parsePolicy(rules('    reviewers: { teams: [acme/dba] }\n    approvals: 2\n'), 'f');
    expect(errors).toEqual([]);
    expect(policy?.rules[0]).toMatchObject({ reviewers: { users: [], teams: ['acme/dba'] }, approvals: 2 });
    expect(policy?.rules[0]?.reviewers?.permission).toBeUndefined();
  });

  it('rejects approvers on a rule that is not hard, and approvers that name nobody', () => {
    const soft = 'version: 1\nrules:\n  - name: App\n    tier: soft\n    paths: ["src/**"]\n    reviewers: { users: [bob] }\n';
    expect(errorsOf(soft)).toEqual([
      '6:16: rules[0].reviewers: rule "App" is soft, and only hard rules ask for approvals (make it hard or remove reviewers)',
    ]);
    expect(errorsOf(rules('    reviewers: {}\n'))[0]).toMatch(/rules\[0\]\.reviewers: names nobody/);
    expect(errorsOf(rules('    approvals: 0\n'))[0]).toMatch(/rules\[0\]\.approvals must be >= 1/);
  });
});
