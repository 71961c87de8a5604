// What the base branch demands of this pull request, read only when the gate wants to merge and GitHub
// does not simply say `clean`: the rules (rulesets at every level), the repository's merge methods, the
// other checks by name, and the last refusal the gate recorded for this head. The pure core
// (merge-blockers.ts) turns them into how to merge and what GitHub still needs.
import { mergeRefusalOf } from '../core/ledger.js';
import type { BaseBranchView, MergeSettings } from '../core/merge-blockers.js';
import type { Ledger } from '../core/types.js';
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

/** Whether the rules are worth a read: GitHub says something stands in the way, or the method is a choice. */
export function needsBranchRules(view: MergeView['view'], settings: MergeSettings): boolean {
  if (settings.methods.length > 1) return true;
  if (view.mergeable === null) return false; // GitHub is still computing: look again first
  return !['clean', 'has_hooks'].includes(view.mergeableState);
}

export async function gatherBaseBranch(session: Session, ref: PullRequestRef, target: BaseBranchTarget, merge: MergeView, settings: MergeSettings): Promise<BaseBranchView> {
  const refusal = mergeRefusalOf(target.ledger);
  const base: BaseBranchView = { checks: merge.checks, ...(refusal && refusal.sha === target.headSha ? { refusal } : {}) };
  if (!needsBranchRules(merge.view, settings)) return base;
  const repo = { owner: ref.owner, repo: ref.repo };
  const [rules, repositoryMethods] = await Promise.all([
    readBranchRules(session, repo, target.baseRef).then((r) => ({ rules: r }), (error: unknown) => ({ error: describeError(error) })),
    readMergeSettings(session, repo),
  ]);
  if ('error' in rules) session.log.warn({ pr: ref, base: target.baseRef, error: rules.error }, 'branch rules unreadable; not merging');
  return {
    ...base,
    ...('rules' in rules ? { rules: rules.rules } : { rulesError: rules.error }),
    ...(repositoryMethods ? { repositoryMethods } : {}),
  };
}
