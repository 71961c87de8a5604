// The risk score as a reason for the tier: the tier its thresholds reach, and every contribution.
import { riskScore } from './risk.js';
import type { ClassifyInput } from './model/pull-request.js';
import type { Tier } from './model/tier.js';
import type { Policy } from './model/policy.js';
import type { TierReason } from './model/decision.js';

export function riskReason(policy: Policy, input: ClassifyInput, reasons: TierReason[]): Extract<TierReason, { kind: 'risk' }> {
  const thresholds = policy.risk ?? {};
  // Each matching rule adds its weight once, however many files it matched.
  const matched = new Set(reasons.flatMap((r) => (r.kind === 'rule' ? [r.rule] : [])));
  const ruleWeight = policy.rules.filter((r) => r.risk !== undefined && matched.has(r.name)).reduce((sum, r) => sum + (r.risk ?? 0), 0);
  const { score, factors } = riskScore({
    files: input.files,
    changedFiles: input.changedFiles,
    additions: input.additions,
    deletions: input.deletions,
    ruleWeight,
  });
  const tier: Tier =
    thresholds.hard !== undefined && score >= thresholds.hard
      ? 'hard'
      : thresholds.soft !== undefined && score >= thresholds.soft
        ? 'soft'
        : 'fyi';
  return { kind: 'risk', tier, score, factors, ...thresholds };
}
