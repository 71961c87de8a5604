// The review after merge of one PR, as the gate keeps it in its record (the `hitl` check run of the
// PR's last head, which only the gate can write). Data only: the policy, sampling, commands and the
// dashboard all read this one shape.

/** Marks a merged PR whose review after merge is still open; the dashboard finds them by it. The
 * label is an index, never the truth: the record decides, and the gate puts a removed label back. */
export const AFTER_MERGE_LABEL = 'hitl:review-after-merge';
/** Marks the revert PRs the gate opens on `/revert`. */
export const REVERT_LABEL = 'hitl:revert';
/** Marks the repository's dashboard issue. */
export const DASHBOARD_LABEL = 'hitl-dashboard';
export const DASHBOARD_TITLE = 'hitl-gate: what awaits a human';

export interface AfterMergeActorRecord {
  by: string;
  /** When the comment that said it was written (GitHub's time). */
  at: string;
  commentId: number;
}

export interface AfterMergeConcern extends AfterMergeActorRecord {
  reason: string;
}

export interface AfterMergeRevert extends AfterMergeActorRecord {
  reason?: string;
  /** The revert PR GitHub opened. */
  number?: number;
  /** Why GitHub refused to open it (a conflicting revert), said once; the item stays open. */
  refused?: string;
}

export interface AfterMergeRecord {
  /** Always true when present: an unsampled PR keeps no after-merge record. */
  sampled: true;
  /** When the gate merged it (or saw it merged). */
  mergedAt: string;
  /** Due by, ISO UTC. */
  due: string;
  /** Who may review it (logins and org/team slugs), as the policy said at merge. */
  reviewers: { users: string[]; teams: string[] };
  reviewed?: AfterMergeActorRecord;
  /** Why it was sampled ("every soft PR is"), as the status comment says it. */
  why?: string;
  /** The PR's tier when it merged. */
  tier?: 'fyi' | 'soft' | 'hard';
  concerns: AfterMergeConcern[];
  revert?: AfterMergeRevert;
}

/** Open until reviewed or reverted; a raised concern keeps it open. */
export function afterMergeOpen(record: AfterMergeRecord | undefined): boolean {
  return record !== undefined && record.reviewed === undefined && record.revert?.number === undefined;
}

/** `after_merge` of the policy, normalised. */
export interface AfterMergePolicy {
  /** Share (0..1) of the PRs of each tier merged with no human approval that are sampled. */
  sample: { fyi: number; soft: number };
  /** A risk score at or above this is always sampled. */
  alwaysAbove?: number;
  /** Due within this long after the merge (working time when the policy sets working hours). */
  withinMs: number;
  /** Who may answer; absent: the policy's top-level reviewers. */
  reviewers?: { users: string[]; teams: string[] };
  /** Keep the repository's dashboard issue. */
  dashboard: boolean;
}
