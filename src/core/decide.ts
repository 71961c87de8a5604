// CONTRACT STUB — to be implemented (the decision).
import type { Decision, PolicyLoad, PullRequestFacts } from './types.js';

export function decide(_load: PolicyLoad, _facts: PullRequestFacts, _now: Date): Decision {
  throw new Error('not implemented');
}
