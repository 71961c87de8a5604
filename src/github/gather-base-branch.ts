// What the base branch demands of this pull request, read only when the gate wants to merge and GitHub
// does not simply say `clean`: the rules (rulesets at every level), the repository's merge methods, the
// other checks by name, and the last refusal the gate recorded for this head. The pure core
// (merge-blockers.ts) turns them into how to merge and what GitHub still needs.
import { mergeRefusalOf } from '../core/ledger.js';
import type { Ledger } from '../core/model/ledger.js';
import type { BaseBranchView } from '../core/model/base-branch.js';
import type { MergeSettings } from '../core/merge-blockers.js';
import { describeError } from './errors.js';
import type { MergeView } from './gather-merge-view.js';
import { readBranchRules, readMergeSettings } from './read-branch-rules.js';
import type { Session } from './session.js';
import type { PullRequestRef } from './types.js';

/** The PR the view is about: its base branch, decided head and the ledger from its status comment. */
export interface BaseBranchTarget {
  baseRef: string;
  headSha: string;
  ledger?: Ledger;
}

/** Whether the rules are worth a read: GitHub says something stands in the way (checks still running or
 * failed included), or the method is a choice. Never on a `clean` PR with one method. */
export function needsBranchRules(view: MergeView['view'], settings: MergeSettings): boolean {
  if (settings.methods.length > 1) return true;
  // The merge waits for checks: the rules say which of them are required, so the gate can name them.
  if (view.otherChecks === 'pending' || view.otherChecks === 'failure') return true;
  if (view.mergeable === null) return false; // GitHub is still computing: look again first
  return !['clean', 'has_hooks'].includes(view.mergeableState);
}

export async function gatherBaseBranch(
  session: Session,
  ref: PullRequestRef,
  target: BaseBranchTarget,
  merge: MergeView,
  settings: MergeSettings,
): Promise<BaseBranchView> {
  const refusal = mergeRefusalOf(target.ledger);
  const base: BaseBranchView = {
    checks: merge.checks,
    ...(merge.statusesUnread ? { statusesUnread: true } : {}),
    ...(refusal && refusal.sha === target.headSha ? { refusal } : {}),
  };
  if (!needsBranchRules(merge.view, settings)) return base;
  const repo = { owner: ref.owner, repo: ref.repo };
  // While other checks run or failed nothing merges in this pass: the rules name what it waits for, and
  // the merge methods can wait until a merge is in reach.
  const checksDone = merge.view.otherChecks === 'success' || merge.view.otherChecks === 'none';
  const [rules, repositoryMethods] = await Promise.all([
    readBranchRules(session, repo, target.baseRef).then(
      (r) => ({ rules: r }),
      (error: unknown) => ({ error: describeError(error) }),
    ),
    checksDone || settings.methods.length > 1 ? readMergeSettings(session, repo) : Promise.resolve(undefined),
  ]);
  if ('error' in rules) session.log.warn({ pr: ref, base: target.baseRef, error: rules.error }, 'branch rules unreadable; not merging');
  return {
    ...base,
    ...('rules' in rules ? { rules: rules.rules } : { rulesError: rules.error }),
    ...(repositoryMethods ? { repositoryMethods } : {}),
  };
}
