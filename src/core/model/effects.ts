// Plan: from a decision and what GitHub shows now, the writes that move GitHub toward it (plan.ts),
// as data the shell applies (src/github/apply-effects.ts).
import type { BaseBranchView } from './base-branch.js';
import type { Ledger } from './ledger.js';
import type { MergeMethod } from './policy.js';

/** The name of the gate's own check run (and of its commit status, where it may only post one): the
 * check branch rules require, and where its record lives. */
export const CHECK_NAME = 'hitl';

/** What GitHub shows now that the plan must compare against (so effects are idempotent). */
export interface GitHubView {
  /** The gate's own check run on the head SHA, if any. */
  checkRun?: { id: number; status: string; conclusion: string | null; title: string | null; summary: string | null; record?: string };
  /** The gate's own status comment, if any. */
  statusComment?: { id: number; body: string };
  /** GitHub's view of mergeability: `mergeable` may be null while GitHub computes it. */
  mergeable: boolean | null;
  mergeableState: string;
  /** Combined verdict of every other check and status on the head SHA. */
  otherChecks: 'success' | 'pending' | 'failure' | 'none';
  /** What the base branch demands and GitHub's last refusal: read only when the gate wants to merge. */
  base?: BaseBranchView;
}

/** The record as the plan hands it to the shell: the status comment's id may only be known once the
 * shell has created it. */
export interface RecordToWrite {
  ledger: Ledger;
  comment?: { id?: number; sha256: string };
}

export type Effect =
  | {
      kind: 'check-run';
      id?: number;
      headSha: string;
      status: 'in_progress' | 'completed';
      conclusion?: 'success' | 'failure' | 'action_required' | 'neutral';
      title: string;
      summary: string;
      text?: string;
      /** One-click buttons on the check run (clicks.ts); set only when the plan offers them. */
      actions?: { label: string; description: string; identifier: string }[];
      /** The gate's record of the PR, written into the run's text (ledger.ts); only for a governed PR.
       * Its `comment` names the status comment this plan leaves (id absent: the one it creates now). */
      record?: RecordToWrite;
    }
  | { kind: 'status-comment'; id?: number; body: string }
  | { kind: 'react'; target: { type: 'comment' | 'review'; id: number }; content: '+1' | 'eyes' | 'confused' }
  | { kind: 'reply'; inReplyTo: number; body: string }
  | { kind: 'merge'; sha: string; method: MergeMethod }
  /** GraphQL `enqueuePullRequest` with `expectedHeadOid`: the merge, on a base branch with a merge queue. */
  | { kind: 'enqueue'; pullRequestId: string; expectedHeadOid: string }
  /** GraphQL `dequeuePullRequest`: a queued PR the gate would no longer merge. Planned first. */
  | { kind: 'dequeue'; pullRequestId: string; reason: string }
  /** `PUT …/update-branch` with `expected_head_sha`: the branch is behind and must be up to date. */
  | { kind: 'update-branch'; expectedHeadSha: string }
  | { kind: 'wake'; at: string }
  /** Ask for reviews (`POST …/pulls/{n}/requested_reviewers`); teams as org/slug. A failure never blocks. */
  | { kind: 'request-reviews'; users: string[]; teams: string[]; reason: 'approvers' | 'escalation' }
  /** A new comment for reminder `step` of `steps` (a stale hard PR); after the last one, `requestReviewers`
   * are asked too. The step is what a chat `stale` notification would carry. */
  | { kind: 'reminder'; step: number; steps: number; body: string; requestReviewers?: { users: string[]; teams: string[] } };
