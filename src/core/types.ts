// The domain of hitl-gate. Everything in src/core/ speaks these types; the shell (src/github/) fills
// `PullRequestFacts` from GitHub and applies the `Effect`s that `plan` returns.
import type { BaseBranchView } from './merge-blockers.js';

import type { WorkingHours } from './working-hours.js';
import type { ApproverStatus } from './approvers.js';
import type { Attention } from './attention.js';

export const TIERS = ['fyi', 'soft', 'hard'] as const;
export type Tier = (typeof TIERS)[number];

/** Tier order: a higher index asks more of a human. */
export const tierRank = (tier: Tier): number => TIERS.indexOf(tier);
export const maxTier = (a: Tier, b: Tier): Tier => (tierRank(a) >= tierRank(b) ? a : b);

export const PERMISSIONS = ['read', 'triage', 'write', 'maintain', 'admin'] as const;
export type Permission = (typeof PERMISSIONS)[number];

export type MergeMethod = 'merge' | 'squash' | 'rebase';

/** `ignored`: not an agent PR (or closed). The rest is the gate's verdict on the current head. */
export type State = 'ignored' | 'ready' | 'waiting' | 'blocked';

// ---------------------------------------------------------------------------------------------
// Policy (`.github/hitl.yml`, normalised: every default filled in)

export interface Rule {
  name: string;
  tier: Tier;
  paths?: string[];
  labels?: string[];
  authors?: string[];
  base?: string[];
  /** Matches when added + deleted lines are MORE than this. */
  changedLines?: number;
  /** Matches when the number of changed files is MORE than this. */
  changedFiles?: number;
  /** Hard rules only: who must approve a PR this rule matches (instead of the top-level `reviewers`). */
  reviewers?: RuleReviewers;
  /** How many approvals from `reviewers` (default: `tiers.hard.approvals`). */
  approvals?: number;
  /** Weight this rule adds to the risk score when it matches (see risk.ts). */
  risk?: number;
  /** Absent: the policy's mode. An observed rule's demands are shown, not enforced (observe.ts). */
  mode?: Mode;
}

/** A rule's own approvers. Unlike the top-level `reviewers`, `permission` has no default: a rule
 * that names a team means that team, not everyone with write access. */
export interface RuleReviewers {
  users: string[];
  teams: string[];
  permission?: Permission;
}

/** `enforce`: the gate acts on its decisions. `observe`: it decides the same and acts on nothing. */
export type Mode = 'enforce' | 'observe';

export interface Policy {
  version: 1;
  /** Absent: enforce. */
  mode?: Mode;
  agents: {
    authors: string[];
    labels: string[];
    branches: string[];
    /** `Key: value` patterns over commit trailer lines (trailers.ts); absent in a policy built by hand: none. */
    trailers?: string[];
  };
  reviewers: { users: string[]; teams: string[]; permission: Permission };
  default: Tier;
  tiers: {
    fyi: { merge: boolean };
    soft: { windowMs: number; merge: boolean };
    hard: {
      approvals: number;
      merge: boolean;
      invalidateOnPush: boolean;
      /** Request reviews from who may approve (default true). */
      requestReview?: boolean;
      /** Reminder delays from when the PR started waiting for approvals, increasing (ms). */
      remindMs?: number[];
      /** Asked (review request and mention) after the last reminder. */
      escalateTo?: { users: string[]; teams: string[] };
    };
  };
  merge: {
    method: MergeMethod;
    /** Every method in order of preference (`method: [squash, rebase]`); `method` is the first. */
    methods?: MergeMethod[];
    /** Bring a branch that is behind its base up to date before merging. Default false. */
    updateBranch?: boolean;
  };
  rules: Rule[];
  /** Veto windows and reminder delays count only working time (see working-hours.ts). */
  workingHours?: WorkingHours;
  /** Risk-score thresholds: a score at or above one makes the PR at least that tier. */
  risk?: { soft?: number; hard?: number };
  /** Chat (notify.ts): which events go to Slack and to the signed webhook. Absent: no chat. */
  notify?: import('./notify.js').NotifyPolicy;
  /** Review after merge (after-merge-record.ts). Absent: nothing is sampled, no dashboard. */
  afterMerge?: import('./after-merge-record.js').AfterMergePolicy;
}

/** One problem in a policy file, positioned for `FILE:LINE:COL: message` (1-based). */
export interface PolicyError {
  file: string;
  line: number;
  column: number;
  message: string;
}

/** What the shell found at the policy path on the base branch. */
export type PolicySource =
  | { kind: 'missing'; path: string }
  | { kind: 'text'; path: string; text: string }
  /** GitHub would not give us the file (5xx, 403…): fail closed. */
  | { kind: 'unreadable'; path: string; message: string };

export type PolicyLoad =
  | { kind: 'missing'; path: string }
  | { kind: 'ok'; path: string; policy: Policy; hash: string }
  | {
      kind: 'invalid';
      path: string;
      errors: PolicyError[];
      /** The `agents` section, when it was valid on its own: who is governed while the rest is broken. */
      agents?: Policy['agents'];
      /** Set when GitHub would not give us the file at all (as opposed to a file with errors). */
      unreadable?: string;
    };

// ---------------------------------------------------------------------------------------------
// Facts: what GitHub holds about one pull request, as plain data.

export interface Actor {
  login: string;
  /** GitHub's account type: 'User', 'Bot', 'Organization', 'Mannequin'. */
  type: string;
}

export interface ChangedFile {
  filename: string;
  /** Set for renames (and copies): the path the file had before. */
  previousFilename?: string;
  status: 'added' | 'removed' | 'modified' | 'renamed' | 'copied' | 'changed' | 'unchanged';
  additions: number;
  deletions: number;
}

export interface Commit {
  sha: string;
  /** GitHub logins linked to the commit's author and committer, when GitHub could link them. */
  authorLogin?: string;
  committerLogin?: string;
  /** The full commit message, when the shell read it (for `agents.trailers`). */
  message?: string;
}

export interface IssueComment {
  id: number;
  author: Actor;
  body: string;
  createdAt: string;
  updatedAt: string;
  /** The app that posted it, when a GitHub App did. */
  viaAppId?: number;
}

export interface Review {
  id: number;
  author: Actor;
  /** APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING */
  state: string;
  body: string;
  commitId: string;
  submittedAt: string;
}

/** What the shell learned about one person who issued a command. */
export interface Authorization {
  /** Repository permission, or 'none'. 'error' when GitHub would not say: fail closed. */
  permission: Permission | 'none' | 'error';
  /** `org/slug` of every policy team the user is an active member of. */
  teams: string[];
  /** Teams whose membership could not be read: fail closed. */
  teamErrors?: string[];
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
}

export interface VetoRecord {
  by: string;
  at: string;
  commentId: number;
  reason?: string;
}

export interface PullRequestFacts {
  owner: string;
  repo: string;
  number: number;
  title: string;
  author: Actor;
  state: 'open' | 'closed';
  merged: boolean;
  draft: boolean;
  headSha: string;
  headRef: string;
  baseRef: string;
  labels: string[];
  additions: number;
  deletions: number;
  /** `changed_files` as GitHub counts it; more than `files.length` means the list was truncated. */
  changedFiles: number;
  files: ChangedFile[];
  commits: Commit[];
  comments: IssueComment[];
  reviews: Review[];
  /** Keyed by login (lower case). The shell fills it for everyone `commandAuthors` names. */
  authorizations: Record<string, Authorization>;
  /** The trusted time at which the gate first saw `headSha`: its own check run's `started_at`.
   * Absent when no such check run exists yet (the gate is about to create it). */
  headSeenAt?: string;
  /** The gate's record of this PR, read from its own check runs (only the gate can write them), if
   * it has one: present exactly when the gate governed this PR on some head before. */
  ledger?: Ledger;
}

// ---------------------------------------------------------------------------------------------
// Decision: the result tree that feeds the check run, the status comment, the CLI and the logs.

export type TierReason =
  | { kind: 'rule'; rule: string; tier: Tier; files: string[]; detail: string }
  | { kind: 'default'; tier: Tier; files: string[] }
  | { kind: 'empty'; tier: Tier }
  | { kind: 'floor'; tier: 'hard'; floor: 'policy-file' | 'workflows' | 'codeowners' | 'agent-instructions'; files: string[] }
  | { kind: 'truncated'; tier: 'hard'; listed: number; changed: number }
  | { kind: 'policy-error'; tier: 'hard'; errors: PolicyError[] }
  | { kind: 'policy-unreadable'; tier: 'hard'; message: string }
  | { kind: 'escalation'; tier: Tier; by: string; via: 'label' | 'command' | 'ledger' }
  /** The policy's `risk` thresholds: `tier` is the one the score reaches (`fyi` when it reaches none). */
  | { kind: 'risk'; tier: Tier; score: number; factors: RiskFactor[]; soft?: number; hard?: number };

/** One signal of the risk score: its raw value and what it adds to the score. */
export interface RiskFactor {
  name: string;
  value: number;
  contribution: number;
}

export type GovernedReason =
  | { kind: 'author'; login: string }
  | { kind: 'label'; label: string }
  | { kind: 'branch'; branch: string; pattern: string }
  /** A commit of the PR carries a trailer that `agents.trailers` names (`line` as the commit has it). */
  | { kind: 'trailer'; sha: string; line: string; pattern: string };

export interface Classification {
  governed: boolean;
  governedBy: GovernedReason[];
  tier: Tier;
  reasons: TierReason[];
}

export type Command =
  | { kind: 'approve' }
  | { kind: 'approve-cancel' }
  /** `readFrom`: the words as written when they were read as a veto without being exactly `/veto`
   * (`/vetoo`, `/veto cancle`): a likely veto counts, and its author is told how it was read. */
  | { kind: 'veto'; reason?: string; readFrom?: string }
  | { kind: 'veto-cancel' }
  | { kind: 'escalate'; tier: Tier }
  | { kind: 'explain' }
  /** `/reviewed`, `/concern <reason>`, `/revert [reason]`: answers on a merged PR sampled for review
   * after merge (after-merge-commands.ts); refused anywhere else. */
  | { kind: 'after-merge'; action: 'reviewed' | 'concern' | 'revert'; reason?: string }
  /** A line that looks like a mistyped command (`/aprove`, `/approve please`): it decides nothing,
   * and its author is told what to type instead of being left to think it counted. */
  | { kind: 'unrecognized'; text: string; suggestion: string };

export type RefusalReason =
  | 'author'
  | 'committer'
  | 'agent'
  | 'bot'
  | 'not-reviewer'
  | 'permission-error'
  | 'edited'
  | 'before-push'
  | 'lowers-tier'
  | 'nothing-to-cancel'
  | 'unknown-command'
  /** An after-merge command on an open PR, on a merged PR that was not sampled, or on one whose
   * review after merge is over. */
  | 'not-after-merge';

export interface CommandVerdict {
  /** The comment or review that carried it, or the click on the check run (clicks.ts). */
  source: { type: 'comment' | 'review' | 'click'; id: number };
  by: string;
  at: string;
  command: Command;
  accepted: boolean;
  refusal?: RefusalReason;
  /** One sentence a person can read: why it was refused. */
  message?: string;
}

export interface Approval {
  by: string;
  at: string;
  via: 'comment' | 'review' | 'click';
  sourceId: number;
}

export interface Decision {
  governed: boolean;
  tier: Tier | 'none';
  state: State;
  classification: Classification;
  /** Title of the check run: one short line that says the state. */
  title: string;
  /** Why the PR cannot merge now (empty when ready). */
  blockers: string[];
  approvals: Approval[];
  approvalsRequired: number;
  vetoes: VetoRecord[];
  commands: CommandVerdict[];
  /** Soft tier: when the veto window opened and closes (ISO). */
  window?: { start: string; end: string; /** The policy's working-hours time zone, to show the end in it too. */ timezone?: string };
  /** Whether the gate should merge once GitHub reports the PR mergeable and checks green. */
  merge: boolean;
  mergeMethod: MergeMethod;
  /** When to reconcile again without an event (the window's end), ISO. */
  wakeAt?: string;
  ledger: Ledger;
  /** `hash`: SHA-256 of the policy text decided with (when it was valid), for the audit trail. */
  policy: { kind: PolicyLoad['kind']; path: string; errors?: PolicyError[]; hash?: string };
  /** Hard tier: every approver group (per rule that names approvers, and the top-level reviewers). */
  approvers?: ApproverStatus[];
  /** Hard PR waiting for approvals: whom to ask and when to remind (see attention.ts). */
  attention?: Attention;
  /** `observe` (the policy's `mode: observe`): decided as usual, acted on never (observe.ts). Absent: enforce. */
  mode?: Mode;
  /** What the gate would do: in observe mode the whole decision (`rules` empty); under enforce, set only
   * when rules in `mode: observe` matched (`rules`): what it would do if they were enforced, while the
   * rest of the decision is what enforcing rules demand, and is acted on. */
  observed?: ObservedOutcome & { rules: string[] };
  /** With the policy's `after_merge`: one line on whether this PR is reviewed after merge, and why (after-merge.ts). */
  afterMergeNote?: string;
}

/** What a decision would do, kept beside the one acted on (observe.ts). */
export interface ObservedOutcome {
  tier: Decision['tier'];
  state: State;
  title: string;
  merge: boolean;
  approvals: number;
  approvalsRequired: number;
  /** Logins of the vetoes that stand. */
  vetoes: string[];
  window?: Decision['window'];
  approvers?: ApproverStatus[];
}

// ---------------------------------------------------------------------------------------------
// Plan: from a decision and what GitHub shows now, the writes that move GitHub toward it.

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
  | { kind: 'check-run'; id?: number; headSha: string; status: 'in_progress' | 'completed'; conclusion?: 'success' | 'failure' | 'action_required' | 'neutral'; title: string; summary: string; text?: string;
      /** One-click buttons on the check run (clicks.ts); set only when the plan offers them. */
      actions?: { label: string; description: string; identifier: string }[];
      /** The gate's record of the PR, written into the run's text (ledger.ts); only for a governed PR.
       * Its `comment` names the status comment this plan leaves (id absent: the one it creates now). */
      record?: RecordToWrite }
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
