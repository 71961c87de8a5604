// The gate's evidence for one governed pull request, as `hitl-gate audit` prints it and `hitl-gate
// report` counts it. Data only: the shell builds it from the gate's own check runs (gather-audit-records.ts).
import type { Tier } from './model/tier.js';

/** One governed pull request, as `hitl-gate audit` prints it. Field names are an interface. */
export interface AuditRecord {
  repo: string;
  pr: number;
  url: string;
  title: string;
  author: string | null;
  head_sha: string;
  tier: Tier | null;
  /** `merged`, `closed`, or the gate's last verdict on the open PR's head (`ready`, `waiting`, `blocked`). */
  state: 'merged' | 'closed' | 'ready' | 'waiting' | 'blocked' | null;
  rules: string[] | null;
  approvals: { by: string; at: string; via: 'comment' | 'review' | 'click'; sha: string | null }[] | null;
  vetoes: { by: string; at: string; reason: string | null; withdrawn_at: string | null }[] | null;
  window_start: string | null;
  window_end: string | null;
  /** When the gate first decided on `head_sha` (its first check run there): from then on a hard PR waits for a human. */
  head_seen_at: string | null;
  merged: boolean;
  merge_sha: string | null;
  merged_at: string | null;
  merged_by: string | null;
  merged_by_gate: boolean | null;
  /** When the PR was merged or closed; null while open. */
  closed_at: string | null;
  /** SHA-256 of the policy text the gate decided with (`sha256sum` of the file at that commit). */
  policy_sha: string | null;
  /** `observe` when the gate only observed this PR (`mode: observe`): it acted on nothing. */
  mode: 'enforce' | 'observe' | null;
  /** What the gate would have done, when it observed the PR or rules in `mode: observe` matched. */
  would: string | null;
  /** The review after merge of a PR merged without a human and sampled for one (after-merge.ts); null
   * when it was not sampled (or the policy has no `after_merge`). */
  after_merge: AuditAfterMerge | null;
}

export interface AuditAfterMerge {
  sampled: true;
  /** Why it was sampled, as the status comment said. */
  why: string | null;
  due: string;
  reviewed_by: string | null;
  reviewed_at: string | null;
  /** Reviewed (or reverted) by the deadline; null while still open and not yet overdue. */
  within_sla: boolean | null;
  concerns: { by: string; at: string; reason: string }[];
  revert: { by: string; at: string; reason: string | null; pr: number | null; refused: string | null } | null;
}
