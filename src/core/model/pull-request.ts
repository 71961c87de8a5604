// Facts: what GitHub holds about one pull request, as plain data. The shell (src/github/) fills them.
import type { Ledger } from './ledger.js';
import type { Permission } from './policy.js';

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

/** What classification reads of a pull request, or of a change described as one (change.ts). */
export interface ClassifyInput {
  author: Actor;
  labels: string[];
  headRef: string;
  baseRef: string;
  files: ChangedFile[];
  /** GitHub's `changed_files`; more than files.length means the list was truncated. */
  changedFiles: number;
  additions: number;
  deletions: number;
  /** The PR's commits with their messages, when known: their trailers may make the PR governed. */
  commits?: readonly { sha: string; message?: string }[];
}
