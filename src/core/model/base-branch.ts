// What the shell read about the base branch, as plain data: its rules (branch-rules.ts turns GitHub's
// rule list into them) and what merge-blockers.ts needs beyond the PR's mergeability.
import type { MergeRefusalRecord } from './ledger.js';
import type { MergeMethod } from './policy.js';

export interface RulesetRef {
  id: number;
  /** The ruleset's name when it could be read, else `ruleset <id>`. */
  name: string;
  /** Whether the gate's identity may merge past this ruleset's rules in a pull request. */
  canBypass: boolean;
}

export interface RequiredCheck {
  context: string;
  /** The app that must report it, when the rule pins one. */
  integrationId?: number;
  ruleset: RulesetRef;
}

export interface BranchRules {
  /** Approving reviews required, the highest count over every ruleset, with the ruleset that asks it. */
  reviews?: {
    count: number;
    ruleset: RulesetRef;
    dismissStaleOnPush: boolean;
    codeOwners: boolean;
    lastPushApproval: boolean;
    threadResolution: boolean;
  };
  requiredChecks: RequiredCheck[];
  /** The branch must be up to date with its base before merging (`strict_required_status_checks_policy`). */
  upToDate?: RulesetRef;
  /** No merge commits (`required_linear_history`). */
  linearHistory?: RulesetRef;
  /** Merge methods every `pull_request` rule allows; undefined = no rule restricts them. */
  allowedMethods?: MergeMethod[];
  /** The (first) ruleset that restricts the merge methods. */
  allowedMethodsFrom?: RulesetRef;
  /** Merges go through a merge queue: the gate enqueues instead of merging. */
  mergeQueue?: { ruleset: RulesetRef; method?: MergeMethod };
  /** Commits must be signed (a merge by the API is signed by GitHub; a rebase may not be). */
  signatures?: RulesetRef;
  /** Rule types the gate does not know: listed so an explanation can name them. */
  other: { type: string; ruleset: RulesetRef }[];
}

/** What the shell read about the base branch, beyond `GitHubView`'s mergeability. */
export interface BaseBranchView {
  /** The rules GitHub applies to the base branch; undefined when not read. */
  rules?: BranchRules;
  /** Why they could not be read. */
  rulesError?: string;
  /** The repository's allowed merge methods; undefined when the token may not see them. */
  repositoryMethods?: MergeMethod[];
  /** Every other check run and commit status on the head, by name (not the gate's own). */
  checks?: Record<string, 'success' | 'pending' | 'failure'>;
  /** Only check runs were read into `checks` (one was still running or failed): a required check not
   * among them may be a commit status nobody looked at yet. */
  statusesUnread?: true;
  /** The last merge GitHub refused, when it was of this head. */
  refusal?: MergeRefusalRecord;
}
