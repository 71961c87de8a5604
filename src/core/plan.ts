// CONTRACT STUB — to be implemented (effects that move GitHub toward the decision).
import type { Decision, Effect, GitHubView, PullRequestFacts } from './types.js';

export interface PlanOptions {
  /** `check` plans nothing that writes (the Action's read-only mode). */
  mode: 'full' | 'check';
}

export function plan(_decision: Decision, _facts: PullRequestFacts, _view: GitHubView, _now: Date, _options: PlanOptions): Effect[] {
  throw new Error('not implemented');
}
