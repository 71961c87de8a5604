// Observe mode (`mode: observe`, docs/policy.md): the gate decides exactly as it would and acts on
// nothing. The decision carries the fact (`mode`, `observed`); plan and render branch on it.
//
// Per rule: what enforcing rules demand is enforced; only what comes solely from observed rules is
// observed. The PR is decided twice, with and without the observed rules: the first decision is what
// the gate would do once they are enforced (shown), the second what it does now (acted on). An
// observed rule can therefore neither raise nor lower what is enforced, and leaving it out is what
// the policy said before the rule was added.
import type { Policy, PolicyLoad } from './model/policy.js';
import type { Decision, ObservedOutcome } from './model/decision.js';

// A memo, not state: the enforced policy is a pure function of a deep-frozen policy (normalise.ts),
// and the WeakMap lets it go with the policy (see compile.ts, which keeps the compiled form the same way).
const enforcedPolicies = new WeakMap<Policy, Policy>();

/** The policy without its observed rules (kept per policy object, like its compiled globs). */
function enforcedPolicy(policy: Policy): Policy {
  let p = enforcedPolicies.get(policy);
  if (!p) {
    p = { ...policy, rules: policy.rules.filter((r) => r.mode !== 'observe') };
    enforcedPolicies.set(policy, p);
  }
  return p;
}

/** What a decision would do, as the status comment shows it. `merge`: whether it merges once it is
 * ready (a soft PR in its window is not ready yet, but merges when the window ends if the tier says so). */
export function outcomeOf(d: Decision, policy?: Policy): ObservedOutcome {
  const tierMerges = policy && d.tier !== 'none' ? policy.tiers[d.tier].merge : d.merge;
  return {
    tier: d.tier,
    state: d.state,
    title: d.title,
    merge: d.state === 'waiting' && d.window ? tierMerges : d.merge,
    approvals: d.approvals.length,
    approvalsRequired: d.approvalsRequired,
    vetoes: d.vetoes.map((v) => v.by),
    ...(d.window ? { window: d.window } : {}),
    ...(d.approvers ? { approvers: d.approvers } : {}),
  };
}

/** `decideWith(load)` is the decision under a policy; this adds the policy's mode to it. */
export function withMode(load: PolicyLoad, decideWith: (load: PolicyLoad) => Decision): Decision {
  const full = decideWith(load);
  if (load.kind !== 'ok' || !full.governed) return full;
  const { policy } = load;
  if (policy.mode === 'observe') return { ...full, mode: 'observe', observed: { rules: [], ...outcomeOf(full, policy) } };
  const observedRules = new Set(policy.rules.filter((r) => r.mode === 'observe').map((r) => r.name));
  if (observedRules.size === 0) return full;
  const matched = full.classification.reasons.flatMap((r) => (r.kind === 'rule' && observedRules.has(r.rule) ? [r.rule] : []));
  if (matched.length === 0) return full;
  const enforced = decideWith({ ...load, policy: enforcedPolicy(policy) });
  return { ...enforced, observed: { rules: [...new Set(matched)], ...outcomeOf(full, policy) } };
}

/** Whether the gate acts on this decision (merges, asks, reminds, notifies). */
export const acts = (d: Pick<Decision, 'mode'>): boolean => d.mode !== 'observe';
