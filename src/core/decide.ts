// The decision (design.md §3, step 2): from the policy, what GitHub holds about a PR and the time, whether the PR may merge
// now, and why. Pure. It replays the PR's command timeline (comments and reviews, oldest first)
// against the gate's own ledger, so the same facts always give the same decision.
//
// The algorithm, step by step (each a function of its own under decide/, taking and returning data):
//  1. A merged or closed PR is not gated.
//  2. Classify, with escalations counted first (decide/escalations.ts): they can only raise the
//     tier, and every other verdict depends on it. A PR that is not governed, and never was, stops here.
//  3. Replay the other commands (decide/replay.ts): each is judged (decide/verdicts.ts) against who
//     gave it and the commit it was given on; approvals, vetoes and withdrawals are counted.
//  4. Keep the vetoes that approvals of the current head have not overruled (decide/overrule.ts).
//  5. Merge readiness (decide/readiness.ts): a policy error or a standing veto blocks; otherwise the
//     tier's own step decides (decideFyi/decideSoft/decideHard in decide/tiers.ts); a draft waits.
//  6. Assemble: the next ledger (decide/next-ledger.ts), whom to ask and when to remind
//     (attention.ts), and the earliest time to decide again.
import type { ClassifyInput } from './model/pull-request.js';
import { keptClicks, withClicks } from './clicks.js';
import { timeline } from './timeline.js';
import { approverGroups, approverStatus } from './approvers.js';
import { attentionFor, nextReminder } from './attention.js';
import { withMode } from './observe.js';
import type { Approval, Classification, Decision } from './model/decision.js';
import type { Ledger } from './model/ledger.js';
import type { Policy, PolicyLoad } from './model/policy.js';
import type { PullRequestFacts } from './model/pull-request.js';
import type { Tier } from './model/tier.js';
import { maxTier } from './model/tier.js';
import { tierAfterEscalations } from './decide/escalations.js';
import { replayCommands } from './decide/replay.js';
import { byGeneralReviewer, requiredApprovals, standingVetoes } from './decide/overrule.js';
import { mergeReadiness } from './decide/readiness.js';
import { riskOf, samplingNote } from './after-merge.js';
import { nextLedger } from './decide/next-ledger.js';

export { commandText } from './decide/verdicts.js';

export function classifyInput(facts: PullRequestFacts): ClassifyInput {
  return {
    author: facts.author,
    labels: facts.labels,
    headRef: facts.headRef,
    baseRef: facts.baseRef,
    files: facts.files,
    changedFiles: facts.changedFiles,
    additions: facts.additions,
    deletions: facts.deletions,
    commits: facts.commits,
  };
}

/** The decision, in the policy's mode (observe.ts). */
export function decide(load: PolicyLoad, facts: PullRequestFacts, now: Date): Decision {
  return withMode(load, (l) => decideOnce(l, facts, now));
}

function decideOnce(load: PolicyLoad, facts: PullRequestFacts, now: Date): Decision {
  const nowMs = now.getTime();
  const policy = load.kind === 'ok' ? load.policy : undefined;
  const previous: Ledger = facts.ledger ?? { vetoes: [], answered: [] };
  const base = undecided(load, policy, previous);

  // 1.
  if (facts.merged || facts.state !== 'open') {
    return { ...base, title: facts.merged ? 'Merged: nothing to gate' : 'Closed: nothing to gate' };
  }

  // 2. Clicks on the check run are commands too, read from the ledger where the shell recorded them.
  const clicks = keptClicks(facts.ledger, facts.headSha);
  const entries = withClicks(timeline(facts), clicks);
  const escalated = tierAfterEscalations(load, classifyInput(facts), entries, previous);
  const { classification } = escalated;
  const ungoverned = notGoverned(load, facts, classification);
  if (ungoverned) return { ...base, classification, ...ungoverned };
  const tier = classification.tier;

  // 3.
  const replayed = replayCommands({
    entries,
    facts,
    policy,
    previous,
    binds: bindsApprovals(policy, classification),
    verdicts: escalated.verdicts,
  });
  const approvals: Approval[] = replayed.approvals.map(({ atMs: _atMs, bound: _bound, ...a }) => a);

  // 4.
  const general = byGeneralReviewer(policy, facts);
  const vetoes = standingVetoes(replayed.vetoes, replayed.approvals, policy, general);

  // 5.
  const approvers = policy ? approverStatus(approverGroups(policy, classification), approvals, facts.authorizations) : [];
  const outcome = mergeReadiness({
    facts,
    policy,
    load,
    classification,
    tier,
    approvals,
    generalApprovals: approvals.filter(general),
    vetoes,
    nowMs,
    approvers,
  });

  // 6.
  const ledger = nextLedger(previous, {
    escalation: escalated.escalation,
    vetoes: replayed.vetoes,
    withdrawals: replayed.withdrawals,
    clicks,
  });
  const attention = policy ? attentionFor(policy, facts, { tier, state: outcome.state, vetoes, approvals }, approvers, nowMs) : undefined;
  const reminderAt = nextReminder(attention, ledger, facts.headSha, nowMs);
  const wakeAt = reminderAt && (!outcome.wakeAt || reminderAt < outcome.wakeAt) ? reminderAt : outcome.wakeAt;
  return {
    ...base,
    governed: true,
    tier,
    classification,
    ...outcome,
    ...(wakeAt ? { wakeAt } : {}),
    approvals,
    approvalsRequired: tier === 'hard' ? Math.max(requiredApprovals(policy), ...approvers.map((g) => g.required)) : 0,
    vetoes,
    commands: entries.flatMap((e) => {
      const v = replayed.verdicts.get(e);
      return v ? [v] : [];
    }),
    ledger,
    ...(approvers.length ? { approvers } : {}),
    ...(attention ? { attention } : {}),
    ...afterMergeNote(policy, facts, tier, classification, approvals),
  };
}

/** Whether this PR would be reviewed after merge (with the policy's `after_merge`), for the status comment. */
function afterMergeNote(
  policy: Policy | undefined,
  facts: PullRequestFacts,
  tier: Tier,
  classification: Classification,
  approvals: Approval[],
): Pick<Decision, 'afterMergeNote'> {
  if (!policy?.afterMerge) return {};
  const note = samplingNote(policy, {
    owner: facts.owner,
    repo: facts.repo,
    number: facts.number,
    tier,
    risk: riskOf(classification, policy, classifyInput(facts)),
    approvedBy: approvals.map((a) => a.by),
  });
  return note ? { afterMergeNote: note } : {};
}

/** The decision before anything is known about the PR: not governed, nothing to do. */
export function undecided(load: PolicyLoad, policy: Policy | undefined, previous: Ledger): Decision {
  return {
    governed: false,
    tier: 'none',
    state: 'ignored',
    classification: { governed: false, governedBy: [], tier: 'fyi', reasons: [] },
    title: '',
    blockers: [],
    approvals: [],
    approvalsRequired: 0,
    vetoes: [],
    commands: [],
    merge: false,
    mergeMethod: policy?.merge.method ?? 'merge',
    ledger: { ...previous },
    policy: {
      kind: load.kind,
      path: load.path,
      ...(load.kind === 'invalid' ? { errors: load.errors } : {}),
      ...(load.kind === 'ok' ? { hash: load.hash } : {}),
    },
  };
}

/** The state and title of a PR the gate does not govern, or undefined when it governs it. */
function notGoverned(
  load: PolicyLoad,
  facts: PullRequestFacts,
  classification: Classification,
): Pick<Decision, 'state' | 'title'> | undefined {
  // Once the gate has posted its status comment (the ledger is in it), the PR stays governed: labels
  // and branch names that made it an agent PR are hints anyone can remove, and removing one must not
  // wave the PR through (design.md, invariant 5). Only removing the policy itself ends governance.
  const wasGoverned = facts.ledger !== undefined && load.kind !== 'missing';
  if (classification.governed || wasGoverned) return undefined;
  // Only the policy knows every agent (its own accounts, labels and branches). Without it, a green
  // check could wave an agent PR through branch protection: hold it pending until the policy is read.
  if (classification.reasons.some((r) => r.kind === 'policy-unreadable'))
    return { state: 'waiting', title: 'Policy unreadable: not decided yet' };
  return {
    state: 'ignored',
    title: load.kind === 'missing' ? `No policy at ${load.path}: nothing to gate` : 'Not an agent PR: nothing to gate',
  };
}

/** Approvals bind to the commit they were given on (design.md, invariant 3). Soft always binds: a push restarts
 * the window, so an approval of older code must not end the new window early. `invalidate_on_push:
 * false` applies only to PRs that the policy itself makes hard: a raise to hard (which anyone may
 * ask for) must never let older approvals count that the lower tier would have ignored. */
function bindsApprovals(policy: Policy | undefined, classification: Classification): boolean {
  const policyTier = classification.reasons.filter((r) => r.kind !== 'escalation').reduce<Tier>((t, r) => maxTier(t, r.tier), 'fyi');
  return policyTier !== 'hard' || (policy?.tiers.hard.invalidateOnPush ?? true);
}
