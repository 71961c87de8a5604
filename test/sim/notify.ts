// What a state change tells the world: a line in the timeline and, as on GitHub, a webhook.
import type { SimCheckRun, SimComment, SimPull, SimRepo, SimReview, SimStatus, SimUser } from './model.js';

export interface TimelineEntry {
  /** Epoch ms. */
  at: number;
  actor: string;
  repo: string;
  number?: number;
  kind:
    | 'opened'
    | 'pushed'
    | 'commented'
    | 'comment-edited'
    | 'comment-deleted'
    | 'reviewed'
    | 'labeled'
    | 'unlabeled'
    | 'check-run'
    | 'status'
    | 'merged'
    | 'merge-refused'
    | 'reaction'
    | 'closed'
    | 'permission'
    | 'mergeable'
    | 'clicked'
    | 'rerun'
    | 'review-requested'
    | 'enqueued'
    | 'dequeued'
    | 'merge-group'
    | 'revert-opened'
    | 'revert-refused'
    | 'issue-opened'
    | 'issue-edited'
    | 'issue-deleted';
  detail: string;
  /** Ids and values tests may want (comment id, check run conclusion, merge sha...). */
  data?: Record<string, unknown>;
}

export interface Notify {
  timeline(entry: Omit<TimelineEntry, 'at' | 'actor' | 'repo'> & { actor: SimUser; repo: SimRepo }): void;
  pullRequest(action: string, repo: SimRepo, pr: SimPull, sender: SimUser, extra?: Record<string, unknown>): void;
  issueComment(
    action: 'created' | 'edited' | 'deleted',
    repo: SimRepo,
    pr: SimPull,
    comment: SimComment,
    sender: SimUser,
    extra?: Record<string, unknown>,
  ): void;
  review(action: 'submitted' | 'dismissed' | 'edited', repo: SimRepo, pr: SimPull, review: SimReview, sender: SimUser): void;
  checkRun(action: 'created' | 'completed' | 'rerequested', repo: SimRepo, run: SimCheckRun, sender: SimUser): void;
  /** A person clicked one of a check run's actions: `check_run.requested_action`. */
  requestedAction?(repo: SimRepo, run: SimCheckRun, identifier: string, sender: SimUser): void;
  status(repo: SimRepo, status: SimStatus, sender: SimUser): void;
  /** `merge_group` webhooks: `checks_requested` when a group is built, `destroyed` (with a reason) when it goes. */
  mergeGroup(
    action: 'checks_requested' | 'destroyed',
    repo: SimRepo,
    group: Record<string, unknown>,
    sender: SimUser,
    extra?: Record<string, unknown>,
  ): void;
}
