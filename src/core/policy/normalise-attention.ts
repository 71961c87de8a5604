// Normalisation of the keys that route human attention (the data is valid; ajv filled the defaults).
import { parseDuration } from '../duration.js';
import type { Policy, Rule, RuleReviewers, Weekday } from '../model/policy.js';
import { parseClock } from '../time-zone.js';
import { isRecord, type Raw } from './raw.js';

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);

export function normaliseAttention(raw: Raw, policy: Policy): Policy {
  const tiers = raw.tiers as { hard: Raw };
  const hard = tiers.hard;
  const escalate = isRecord(hard.escalate_to) ? hard.escalate_to : undefined;
  const wh = isRecord(raw.working_hours) ? raw.working_hours : undefined;
  const rawRules = Array.isArray(raw.rules) ? raw.rules : [];
  return {
    ...policy,
    tiers: {
      ...policy.tiers,
      hard: {
        ...policy.tiers.hard,
        // Absent means true: written only when a policy turns review requests off.
        ...(hard.request_review === false ? { requestReview: false } : {}),
        ...(Array.isArray(hard.remind) ? { remindMs: strings(hard.remind).map((d) => parseDuration(d) as number) } : {}),
        ...(escalate ? { escalateTo: { users: strings(escalate.users), teams: strings(escalate.teams) } } : {}),
      },
    },
    rules: policy.rules.map((rule, i) => withApprovers(rule, rawRules[i])),
    ...(wh
      ? {
          workingHours: {
            timezone: wh.timezone as string,
            days: strings(wh.days) as Weekday[],
            fromMinutes: parseClock(wh.from as string) as number,
            toMinutes: parseClock(wh.to as string) as number,
            holidays: strings(wh.holidays),
          },
        }
      : {}),
  };
}

function withApprovers(rule: Rule, raw: unknown): Rule {
  if (!isRecord(raw)) return rule;
  const out: Rule = { ...rule };
  if (isRecord(raw.reviewers)) {
    const reviewers: RuleReviewers = { users: strings(raw.reviewers.users), teams: strings(raw.reviewers.teams) };
    if (typeof raw.reviewers.permission === 'string')
      reviewers.permission = raw.reviewers.permission as RuleReviewers['permission'] & string;
    out.reviewers = reviewers;
  }
  if (typeof raw.approvals === 'number') out.approvals = raw.approvals;
  return out;
}
