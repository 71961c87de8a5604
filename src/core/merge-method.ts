// Which merge method the gate asks for: the first of the policy's preferences that the repository
// (its `allow_*_merge` settings, when the token may read them) and the base branch's rules (a
// `pull_request` rule's allowed methods, `required_linear_history`) allow. GitHub's own refusal ("Squash
// merges are not allowed on this repository.") rules a method out too: it is what the gate learns when
// the repository's settings are not readable with its token.
import type { MergeMethod } from './model/policy.js';
import type { BranchRules } from './model/base-branch.js';

export interface MethodVerdict {
  method: MergeMethod;
  /** Why this method cannot be used; absent when it can. */
  refusedBy?: 'repository' | 'ruleset' | 'linear-history' | 'github';
  /** The ruleset that forbids it, when a ruleset does. */
  ruleset?: string;
}

export interface MethodChoice {
  /** The method to merge with; undefined when none of the preferences is allowed. */
  method?: MergeMethod;
  /** Every preference with its verdict, in the policy's order (for the explanation). */
  verdicts: MethodVerdict[];
}

const REFUSAL: Record<MergeMethod, RegExp> = {
  merge: /merge commits are not allowed/i,
  squash: /squash merges are not allowed/i,
  rebase: /rebase merges are not allowed/i,
};

/** Methods a refused merge's message says the repository does not allow. */
export function methodsRefusedIn(message: string | undefined): MergeMethod[] {
  if (!message) return [];
  return (Object.keys(REFUSAL) as MergeMethod[]).filter((m) => REFUSAL[m].test(message));
}

export function chooseMergeMethod(
  preferences: readonly MergeMethod[],
  repository: readonly MergeMethod[] | undefined,
  rules: BranchRules | undefined,
  refusedByGitHub: readonly MergeMethod[] = [],
): MethodChoice {
  const verdicts = [...new Set(preferences)].map((method): MethodVerdict => {
    if (repository && !repository.includes(method)) return { method, refusedBy: 'repository' };
    if (rules?.allowedMethods && !rules.allowedMethods.includes(method)) {
      return { method, refusedBy: 'ruleset', ...(rules.allowedMethodsFrom ? { ruleset: rules.allowedMethodsFrom.name } : {}) };
    }
    if (method === 'merge' && rules?.linearHistory) return { method, refusedBy: 'linear-history', ruleset: rules.linearHistory.name };
    if (refusedByGitHub.includes(method)) return { method, refusedBy: 'github' };
    return { method };
  });
  const chosen = verdicts.find((v) => v.refusedBy === undefined);
  return { ...(chosen ? { method: chosen.method } : {}), verdicts };
}
