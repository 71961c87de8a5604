// The gate's record of one pull request, as data. Reading, writing and merging it is ledger.ts.
import type { Tier } from './tier.js';
import type { AfterMergeRecord } from './after-merge.js';

export interface VetoRecord {
  by: string;
  at: string;
  commentId: number;
  reason?: string;
}

/** Something that withdrew a person's earlier approvals: an `/approve cancel`, a change request, an
 * edited comment. Kept so that deleting that comment or dismissing that review (which anyone with
 * write access can do, an agent too) never brings an approval back. */
export interface WithdrawalRecord {
  by: string;
  at: string;
  sourceId: number;
}

export const CLICK_ACTIONS = ['approve', 'veto'] as const;
export type ClickAction = (typeof CLICK_ACTIONS)[number];

/** One click as the gate recorded it (clicks.ts). `at` is the gate's own clock when the webhook
 * arrived (a trusted time, like the window's start), `headSha` the head of the check run that was clicked. */
export interface ClickRecord {
  /** Unique within the ledger, and in a range no comment or review id reaches (see `nextClickId`). */
  id: number;
  by: string;
  /** GitHub's account type of the person who clicked ('User', 'Bot'...). */
  byType: string;
  at: string;
  action: ClickAction;
  headSha: string;
  checkRunId: number;
}

/** What the ledger remembers per chat channel (notify.ts): the events sent (a `stale` step as
 * `stale:N`) and, for Slack, the thread every later message of the PR goes into. */
export interface NotifiedRecord {
  slack?: { sent: string[]; channel?: string; ts?: string };
  webhook?: { sent: string[] };
}

/** A merge GitHub refused for a reason waiting will not fix, with its head. */
export interface MergeRefusalRecord {
  sha: string;
  message: string;
  at: string;
}

export interface StatusCommentRecord {
  id: number;
  sha256: string;
}

export interface RecordNotice {
  kind: 'comment-edited' | 'comment-deleted' | 'legacy-untrusted' | 'record-unreadable';
  /** When the gate noticed it (its own clock). */
  at: string;
  commentId: number;
  /** Who, when GitHub says (an edit's `editor`); GitHub does not say who deleted a comment. */
  by?: string;
  /** When GitHub says it happened (an edit's `lastEditedAt`). */
  happenedAt?: string;
}

/** The gate's record, kept in its own check runs so that what GitHub forgets is not forgotten (a
 * `/veto` comment that is later edited or deleted still holds, an escalation stays) and nobody else
 * can write it (ledger.ts, docs/security.md). */
export interface Ledger {
  vetoes: VetoRecord[];
  escalation?: Tier;
  /** Comment and review ids the gate has already answered (reaction or reply): answered once. */
  answered: number[];
  /** Review requests already made for a head: asked once per head (see attention.ts). */
  requested?: { head: string; users: string[]; teams: string[] };
  /** Reminder steps already posted for a head: never repeated; a push starts the ladder over. */
  reminded?: { head: string; steps: number };
  withdrawals?: WithdrawalRecord[];
  /** One-click decisions on the check run (clicks.ts), recorded before they count. */
  clicks?: ClickRecord[];
  /** Chat messages already sent, and the PR's Slack thread (notify.ts). */
  notified?: NotifiedRecord;
  /** The last merge GitHub refused for a reason waiting will not fix, with its head: GitHub keeps no
   * record of a refused merge, and asking again on every look would cost a write to learn nothing. */
  mergeRefusal?: MergeRefusalRecord;
  /** The status comment the gate last wrote, and a digest of its body: an edit by anyone else shows as
   * a body with another digest, a deletion as a comment that is gone. */
  comment?: StatusCommentRecord;
  /** What the gate noticed about its status comment (edited or deleted by someone else): said once,
   * kept so the comment and the check keep saying it. */
  notices?: RecordNotice[];
  /** The review after merge of a sampled merged PR (model/after-merge.ts). */
  afterMerge?: AfterMergeRecord;
}
