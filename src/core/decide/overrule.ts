// Which cast vetoes still stand. A veto stands until overruled by enough approvals of the current
// head given after it, by the top-level reviewers: a rule's own approvers (the DBA team for
// migrations) are trusted with that rule's PRs, not with overruling a veto on every PR.
import { meets } from '../approvers.js';
import type { Policy } from '../model/policy.js';
import type { PullRequestFacts } from '../model/pull-request.js';
import type { VetoRecord } from '../model/ledger.js';
import type { CastVeto, CountedApproval } from './replay.js';

/** A hard PR always needs a person: even a policy that asks for 0 approvals gets 1. Otherwise a raise
 * to hard (which anyone may ask for) could skip a soft veto window. */
export function requiredApprovals(policy: Policy | undefined): number {
  return Math.max(1, policy?.tiers.hard.approvals ?? 1);
}

/** Whether an approval is by a top-level reviewer (only those end a soft window early or overrule). */
export function byGeneralReviewer(
  policy: Policy | undefined,
  facts: Pick<PullRequestFacts, 'authorizations'>,
): (a: { by: string }) => boolean {
  return (a) => policy !== undefined && meets(a.by, facts.authorizations[a.by.toLowerCase()], policy.reviewers);
}

export function standingVetoes(
  vetoes: readonly CastVeto[],
  approvals: readonly CountedApproval[],
  policy: Policy | undefined,
  general: (a: { by: string }) => boolean,
): VetoRecord[] {
  const needed = requiredApprovals(policy);
  return vetoes
    .filter((v) => {
      if (!policy || v.atMs === undefined) return true;
      const vetoMs = v.atMs;
      return approvals.filter((a) => a.bound && a.atMs > vetoMs && general(a)).length < needed;
    })
    .map((v) => v.record);
}
