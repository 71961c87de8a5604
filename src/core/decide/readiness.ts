// Whether a governed PR may merge now, in this order: a policy that cannot be used blocks it; a veto
// that stands blocks it; otherwise its tier's step decides (tiers.ts); and a draft waits whatever
// that step said (vetoes and policy errors still block it, and are said first).
import type { ApproverStatus } from '../model/decision.js';
import type { Approval, Classification } from '../model/decision.js';
import type { Policy, PolicyLoad } from '../model/policy.js';
import type { PullRequestFacts } from '../model/pull-request.js';
import type { Tier } from '../model/tier.js';
import type { VetoRecord } from '../model/ledger.js';
import { blocked, decideFyi, decideHard, decideSoft, type Outcome } from './tiers.js';
import { capitalize, mentions } from './words.js';

export interface ReadinessInput {
  facts: PullRequestFacts;
  policy: Policy | undefined;
  load: PolicyLoad;
  classification: Classification;
  tier: Tier;
  approvals: Approval[];
  /** Approvals by the top-level reviewers: only these end a soft window early. */
  generalApprovals: Approval[];
  /** The vetoes that stand (not overruled). */
  vetoes: VetoRecord[];
  nowMs: number;
  approvers: ApproverStatus[];
}

export function mergeReadiness(s: ReadinessInput): Outcome {
  const { facts, policy, tier, vetoes, nowMs } = s;
  const policyError = policyProblem(s.load, s.classification);
  if (policyError || !policy) {
    const problem = policyError ?? 'the policy could not be used';
    return blocked(`Blocked: ${problem}`, [`Fix ${s.load.path}: ${problem}.`]);
  }
  if (vetoes.length) {
    const by = [...new Set(vetoes.map((v) => v.by))];
    return blocked(
      `Blocked: vetoed by ${mentions(by)}`,
      vetoes.map((v) => `Vetoed by @${v.by}${v.reason ? `: ${v.reason}` : ''}.`),
    );
  }
  const outcome =
    tier === 'hard'
      ? decideHard({ policy, approvals: s.approvals, approvers: s.approvers })
      : tier === 'soft'
        ? decideSoft({ policy, headSeenAt: facts.headSeenAt, generalApprovals: s.generalApprovals, nowMs })
        : decideFyi(policy);
  if (facts.draft) {
    // A draft is not up for review: nothing merges, and the window is no reason to wake up.
    const { wakeAt: _wakeAt, next: _next, ...rest } = outcome;
    return {
      ...rest,
      state: 'waiting',
      title: `Draft: waiting until ready for review (${tier})`,
      blockers: ['The PR is a draft.', ...outcome.blockers],
      merge: false,
    };
  }
  return { ...outcome, title: capitalize(outcome.title) };
}

function policyProblem(load: PolicyLoad, classification: Classification): string | undefined {
  // An unreadable policy also loads as `invalid`; say what really happened, not "error at 1:1".
  const unreadable = classification.reasons.find((r) => r.kind === 'policy-unreadable');
  if (unreadable) return `policy unreadable (${unreadable.message})`;
  if (load.kind === 'invalid') {
    const first = load.errors[0];
    return first ? `policy error at ${first.file}:${first.line}:${first.column}` : `policy error in ${load.path}`;
  }
  for (const r of classification.reasons) {
    if (r.kind === 'policy-error') {
      const first = r.errors[0];
      return first ? `policy error at ${first.file}:${first.line}:${first.column}` : `policy error in ${load.path}`;
    }
    if (r.kind === 'policy-unreadable') return `policy unreadable (${r.message})`;
  }
  return undefined;
}
