// The policy (`.github/hitl.yml`), normalised: every default filled in. Data only: parsing and
// checking it is policy/, compiling it for matching compile.ts.
import type { Tier } from './tier.js';
import type { AfterMergePolicy } from './after-merge.js';

export const PERMISSIONS = ['read', 'triage', 'write', 'maintain', 'admin'] as const;
export type Permission = (typeof PERMISSIONS)[number];

export type MergeMethod = 'merge' | 'squash' | 'rebase';

/** `enforce`: the gate acts on its decisions. `observe`: it decides the same and acts on nothing. */
export type Mode = 'enforce' | 'observe';

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

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** `working_hours` (working-hours.ts counts time with it). */
export interface WorkingHours {
  /** IANA time zone name, e.g. Europe/Berlin. */
  timezone: string;
  days: Weekday[];
  /** Minutes after local midnight at which a working day starts and ends (`to` may be 24:00). */
  fromMinutes: number;
  toMinutes: number;
  /** Local calendar dates (YYYY-MM-DD) that are not working days. */
  holidays: string[];
}

export const NOTIFY_EVENTS = ['hard', 'soft', 'veto', 'merged', 'stale', 'after_merge'] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

/** `notify` in the policy. Secrets (tokens, URLs, signing keys) never come from here. */
export interface NotifyPolicy {
  slack?: { channel: string; on: NotifyEvent[] };
  webhook?: { on: NotifyEvent[] };
}

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
  notify?: NotifyPolicy;
  /** Review after merge (model/after-merge.ts). Absent: nothing is sampled, no dashboard. */
  afterMerge?: AfterMergePolicy;
}

/** One problem in a policy file, positioned for `FILE:LINE:COL: message` (1-based). */
export interface PolicyError {
  file: string;
  line: number;
  column: number;
  message: string;
  /** The key or value it is about, as a path into the policy (`['rules', 2, 'paths', 0]`); absent when
   * the text itself is at fault (YAML syntax, size, tags, nesting). Code branches on this, never on `message`. */
  path?: (string | number)[];
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
