// What each tier asks of a PR no veto holds and no policy error blocks: fyi is ready at once, soft
// waits out its veto window unless a top-level reviewer approves sooner, hard waits for every
// approver group. Each step takes the facts it needs and returns the outcome; readiness.ts picks one.
import { missingLines } from '../approvers.js';
import type { ApproverStatus } from '../model/decision.js';
import { parseTime } from '../time.js';
import type { Approval, Decision } from '../model/decision.js';
import type { Policy } from '../model/policy.js';
import type { Tier } from '../model/tier.js';
import { delayEnd, formatDeadline } from '../working-hours.js';
import { mentions, plural } from './words.js';

export type Outcome = Pick<Decision, 'state' | 'title' | 'blockers' | 'merge' | 'window' | 'wakeAt' | 'next'>;

export const blocked = (title: string, blockers: string[]): Outcome => ({ state: 'blocked', title, blockers, merge: false });

/** Ready; whether the gate merges is the tier's `merge` setting. */
function ready(policy: Policy, tier: Tier, prefix: string): Outcome {
  const merge = policy.tiers[tier].merge;
  const title = merge ? `${prefix}ready to merge (${tier})` : `${prefix}ready; merging is left to a person (${tier})`;
  return { state: 'ready', title, blockers: [], merge };
}

export function decideFyi(policy: Policy): Outcome {
  return ready(policy, 'fyi', '');
}

export interface SoftInput {
  policy: Policy;
  /** When the gate first saw the current head (the window opens then), ISO. */
  headSeenAt: string | undefined;
  /** Approvals by the top-level reviewers: only these end a soft window early. */
  generalApprovals: Approval[];
  nowMs: number;
}

export function decideSoft({ policy, headSeenAt, generalApprovals, nowMs }: SoftInput): Outcome {
  const startMs = parseTime(headSeenAt) ?? nowMs;
  const hours = policy.workingHours;
  const endMs = delayEnd(startMs, policy.tiers.soft.windowMs, hours);
  const window = {
    start: new Date(startMs).toISOString(),
    end: new Date(endMs).toISOString(),
    ...(hours ? { timezone: hours.timezone } : {}),
  };
  if (generalApprovals.length) return { ...ready(policy, 'soft', `Approved by ${mentions(generalApprovals.map((a) => a.by))}: `), window };
  if (nowMs >= endMs) return { ...ready(policy, 'soft', 'Veto window over: '), window };
  const at = formatDeadline(endMs, nowMs, hours?.timezone);
  const merges = policy.tiers.soft.merge;
  const title = merges ? `Merges at ${at} unless someone vetoes (soft)` : `Veto window ends at ${at} (soft)`;
  const next = { kind: merges ? 'merge-at' : 'window-closes', at: window.end } as const;
  return { state: 'waiting', title, blockers: [`Veto window open until ${at}.`], merge: false, window, wakeAt: window.end, next };
}

export interface HardInput {
  policy: Policy;
  approvals: Approval[];
  /** Per approver group (rules that name their own approvers, and the top-level reviewers). */
  approvers: ApproverStatus[];
}

export function decideHard({ policy, approvals, approvers }: HardInput): Outcome {
  const missing = Math.max(0, ...approvers.map((g) => g.missing));
  if (missing === 0) return ready(policy, 'hard', approvals.length ? `Approved by ${mentions(approvals.map((a) => a.by))}: ` : '');
  if (approvers.every((g) => g.rule === undefined)) {
    return blocked(`Blocked: needs ${plural(missing, 'more approval')} (hard)`, [
      `Needs ${plural(missing, 'more approval')} from an authorized reviewer.`,
    ]);
  }
  const groups = approvers
    .filter((g) => g.missing > 0)
    .map((g) => g.rule ?? 'the hard tier')
    .join(', ');
  return blocked(`Blocked: needs approval for ${groups} (hard)`, missingLines(approvers));
}
