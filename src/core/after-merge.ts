// Which merged PRs are reviewed after merge, by whom and by when. Pure: the policy, what the decision
// at merge knew and the merge time in; the sampling verdict, the deadline and the reviewers out.
//
// Sampling is deterministic: a PR's draw is a hash of `owner/repo#number`, so the same PR is always
// sampled or not (whoever looks, however often), and nobody can re-roll it by pushing or re-running.
// Only a PR that merged without a person's approval is reviewed after merge: a human already looked
// at an approved one. A veto that its author lifted is not an approval (nobody said "this is fine",
// only "no longer blocked"), so such a PR is sampled like any other.
import { createHash } from 'node:crypto';
import type { AfterMergePolicy, AfterMergeRecord } from './model/after-merge.js';
import { delayEnd, formatDeadline } from './working-hours.js';
import { code, person } from './markdown.js';
import type { ClassifyInput } from './model/pull-request.js';
import { riskReason } from './risk-reason.js';
import type { Classification } from './model/decision.js';
import type { Policy } from './model/policy.js';
import type { Tier } from './model/tier.js';

/** The PR's draw in [0, 1): the first 48 bits of SHA-256 of `owner/repo#number` (case-insensitive,
 * as GitHub treats owner and repository names). */
export function sampleDraw(owner: string, repo: string, number: number): number {
  const digest = createHash('sha256').update(`${owner}/${repo}#${number}`.toLowerCase(), 'utf8').digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

export interface SamplingInput {
  policy: AfterMergePolicy;
  owner: string;
  repo: string;
  number: number;
  tier: Tier;
  /** The risk score the classification computed, when the policy scores risk. */
  risk?: number;
  /** People whose approval counted when it merged (none: merged without a human). */
  approvedBy: string[];
}

export interface Sampling {
  sampled: boolean;
  /** Why, in a few words a status comment can show ("sampled: 10% of fyi PRs"). */
  why: string;
}

const percent = (share: number): string => `${Math.round(share * 1000) / 10}%`;

export function sampling(input: SamplingInput): Sampling {
  const { policy, tier, risk } = input;
  if (input.approvedBy.length > 0)
    return { sampled: false, why: `approved by ${input.approvedBy.map((l) => person(l)).join(', ')} before merge` };
  // A hard PR merges only with approvals; one that merged without any went past the gate (an admin
  // merged it by hand): always looked at.
  if (tier === 'hard') return { sampled: true, why: 'a hard PR merged without an approval' };
  if (policy.alwaysAbove !== undefined && risk !== undefined && risk >= policy.alwaysAbove) {
    return { sampled: true, why: `risk score ${risk.toFixed(2)} is at least ${code('always_above')} ${policy.alwaysAbove}` };
  }
  const share = policy.sample[tier];
  if (share <= 0) return { sampled: false, why: `${tier} PRs are not sampled` };
  if (share >= 1) return { sampled: true, why: `every ${tier} PR is` };
  const sampled = sampleDraw(input.owner, input.repo, input.number) < share;
  return { sampled, why: `${sampled ? 'sampled' : 'not sampled'}: ${percent(share)} of ${tier} PRs are` };
}

/** The PR's risk score: the classification's when the policy scores risk, else the same score computed
 * here (`always_above` needs no `risk` thresholds). */
export function riskOf(classification: Classification, policy: Policy, input: ClassifyInput): number {
  const r = classification.reasons.find((x) => x.kind === 'risk');
  return r && r.kind === 'risk' ? r.score : riskReason(policy, input, classification.reasons).score;
}

/** Due by: `within` after the merge, in working time when the policy sets working hours. */
export function afterMergeDue(mergedAtMs: number, policy: Pick<Policy, 'workingHours'> & { afterMerge: AfterMergePolicy }): number {
  return delayEnd(mergedAtMs, policy.afterMerge.withinMs, policy.workingHours);
}

/** Who may answer: `after_merge.reviewers`, else the top-level reviewers (their logins and teams; the
 * permission that also admits people is checked when they answer, as for `/approve`). */
export function afterMergeReviewers(policy: Policy & { afterMerge: AfterMergePolicy }): AfterMergeRecord['reviewers'] {
  const r = policy.afterMerge.reviewers ?? policy.reviewers;
  return { users: r.users.map((u) => u.replace(/^@/, '')), teams: [...r.teams] };
}

/** A new record for a PR sampled when it merged. */
export function openAfterMerge(
  policy: Policy & { afterMerge: AfterMergePolicy },
  mergedAt: string,
  tier: Tier,
  why: string,
): AfterMergeRecord {
  const mergedAtMs = Date.parse(mergedAt);
  return {
    sampled: true,
    mergedAt,
    due: new Date(afterMergeDue(mergedAtMs, policy)).toISOString(),
    reviewers: afterMergeReviewers(policy),
    why,
    tier,
    concerns: [],
  };
}

/** "**alice** or members of `acme/maintainers`", and the permission when the top-level reviewers admit by it. */
export function describeReviewers(reviewers: AfterMergeRecord['reviewers'], permission?: string): string {
  const who = [
    ...reviewers.users.slice(0, 10).map((u) => person(u)),
    ...reviewers.teams.slice(0, 10).map((t) => `members of ${code(t, 100)}`),
    ...(permission ? [`anyone with ${code(permission)} permission or more`] : []),
  ];
  if (who.length === 0) return 'an authorized reviewer';
  return who.length === 1 ? who[0]! : `${who.slice(0, -1).join(', ')} or ${who[who.length - 1]}`;
}

/** The due time as the status comment says it: UTC and the policy's time zone. Rendered against the
 * merge time, so the text never changes as the clock moves. */
export function formatDue(record: AfterMergeRecord, timezone: string | undefined): string {
  return formatDeadline(Date.parse(record.due), Date.parse(record.mergedAt), timezone);
}

/** One line for an open PR's status comment: what happens after merge (undefined without `after_merge`). */
export function samplingNote(policy: Policy | undefined, input: Omit<SamplingInput, 'policy'>): string | undefined {
  if (!policy?.afterMerge) return undefined;
  const s = sampling({ ...input, policy: policy.afterMerge });
  if (input.approvedBy.length > 0) return `**After merge:** no review after merge (${s.why}).`;
  // A hard PR cannot merge without a person: nothing to say before it does.
  if (input.tier === 'hard') return undefined;
  return s.sampled
    ? `**After merge:** if merged without a human, it will be reviewed after merge (${s.why}).`
    : `**After merge:** if merged without a human, it will not be reviewed after merge (${s.why}).`;
}
