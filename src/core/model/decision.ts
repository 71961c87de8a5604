// Decision: the result tree that feeds the check run, the status comment, the CLI and the logs.
import type { Ledger, VetoRecord } from './ledger.js';
import type { MergeMethod, Mode, PolicyError, PolicyLoad, RuleReviewers } from './policy.js';
import type { Tier } from './tier.js';

/** `ignored`: not an agent PR (or closed). The rest is the gate's verdict on the current head. */
export type State = 'ignored' | 'ready' | 'waiting' | 'blocked';

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

/** Who must approve a hard PR, one group (approvers.ts). */
export interface ApproverGroup {
  /** The rule that asks for these approvers; absent for the top-level `reviewers`. */
  rule?: string;
  reviewers: RuleReviewers;
  required: number;
}

export interface ApproverStatus extends ApproverGroup {
  /** Who of the approvers approved (logins as they wrote). */
  by: string[];
  missing: number;
}

export interface People {
  users: string[];
  teams: string[];
}

/** What the decision says about routing attention (set only on a hard PR waiting for approvals; attention.ts). */
export interface Attention {
  /** Who can still act: the approvers of every group still missing approvals, never anyone excluded. */
  candidates: People;
  requestReview: boolean;
  /** When each reminder step is due (ISO), counted from when the PR started waiting. */
  reminders: string[];
  escalateTo?: People;
  /** The time zone of the policy's working hours, to show times in it. */
  timezone?: string;
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
  /** What ends the wait, as the fact renderers branch on (never the title's English). Absent: nothing
   * is scheduled (the state, vetoes, approvals and `merge` say the rest). */
  next?: NextStep;
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

/** A soft PR in its veto window: at `at` (ISO) the gate merges it (`merge-at`) or, when its tier
 * leaves merging to a person, only the window closes (`window-closes`). */
export type NextStep = { kind: 'merge-at'; at: string } | { kind: 'window-closes'; at: string };

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
