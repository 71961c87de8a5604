// The decision reported when no decision could be made (GitHub failed while facts were gathered, or
// the engine threw): governed, hard, blocked, merging nothing. Callers that only look at `state`
// (the Action's check mode) therefore fail closed.
import { undecided } from '../core/decide.js';
import type { Decision } from '../core/model/decision.js';

export function unavailableDecision(reason: string, policyPath: string): Decision {
  return {
    ...undecided({ kind: 'missing', path: policyPath }, undefined, { vetoes: [], answered: [] }),
    governed: true,
    tier: 'hard',
    state: 'blocked',
    classification: { governed: true, governedBy: [], tier: 'hard', reasons: [] },
    title: 'hitl could not decide: GitHub did not answer',
    blockers: [reason],
    policy: { kind: 'invalid', path: policyPath },
  };
}
