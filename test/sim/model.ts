// The simulator's state: what a GitHub instance holds for the endpoints hitl-gate uses. Plain data,
// mutated by the control API (people acting) and by the REST handlers (the App acting).
import { createHash } from 'node:crypto';
import type { SimMergeQueue } from './merge-queue.js';

export type SimPermission = 'read' | 'triage' | 'write' | 'maintain' | 'admin';

export interface SimUser {
  login: string;
  id: number;
  type: 'User' | 'Bot' | 'Organization';
}

export interface SimApp {
  id: number;
  slug: string;
  name: string;
  owner: SimUser;
  /** The `<slug>[bot]` account that authors whatever the App writes. */
  bot: SimUser;
}

export interface SimCommit {
  sha: string;
  parents: string[];
  message: string;
  author: SimUser | null;
  committer: SimUser | null;
  date: string;
  /** Full snapshot of the tree: path -> content. */
  tree: Map<string, string>;
}

export interface SimFileChange {
  filename: string;
  status: 'added' | 'removed' | 'modified' | 'renamed' | 'copied' | 'changed' | 'unchanged';
  additions: number;
  deletions: number;
  previousFilename?: string;
  /** New content (added, modified, renamed); absent for removed files or synthetic ones. */
  content?: string;
}

export interface SimReaction {
  id: number;
  content: string;
  user: SimUser;
  createdAt: string;
}

export interface SimComment {
  id: number;
  number: number;
  body: string;
  user: SimUser;
  createdAt: string;
  updatedAt: string;
  viaApp?: SimApp;
  reactions: SimReaction[];
  /** Who last edited the comment and when (GraphQL `editor`, `lastEditedAt`); absent when never edited. */
  lastEditedBy?: SimUser;
  lastEditedAt?: string;
}

export interface SimReview {
  id: number;
  user: SimUser;
  body: string;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';
  commitId: string;
  submittedAt: string;
}

export interface SimCheckRun {
  id: number;
  name: string;
  headSha: string;
  status: 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending';
  conclusion: string | null;
  startedAt: string;
  completedAt: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  externalId: string | null;
  detailsUrl: string | null;
  app: SimApp;
  /** Buttons the App asked for (check-run `actions`), which people may click. */
  actions?: { label: string; description: string; identifier: string }[];
}

export interface SimStatus {
  id: number;
  sha: string;
  context: string;
  state: 'error' | 'failure' | 'pending' | 'success';
  description: string | null;
  targetUrl: string | null;
  creator: SimUser;
  createdAt: string;
  updatedAt: string;
}

export interface SimPull {
  id: number;
  number: number;
  title: string;
  body: string | null;
  user: SimUser;
  state: 'open' | 'closed';
  draft: boolean;
  locked: boolean;
  merged: boolean;
  mergedAt: string | null;
  mergedBy: SimUser | null;
  mergeCommitSha: string | null;
  headRef: string;
  headSha: string;
  baseRef: string;
  baseSha: string;
  labels: string[];
  files: SimFileChange[];
  /** Commit shas of the PR, oldest first. */
  commits: string[];
  /** Force-pushes to the head branch (the timeline's `HeadRefForcePushedEvent`s), oldest first. */
  forcePushes?: { id: number; before: string; after: string; at: string; actor: SimUser; beforeGone?: boolean }[];
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  /** What GitHub reports; null while it "computes" (see Simulator.setMergeable). */
  mergeable: boolean | null;
  /** GitHub answers `mergeable: null` to the first reads after a push while it computes; this counts them down. */
  unknownReads: number;
  reviews: SimReview[];
  /** Logins and team keys (org/slug, lower case) whose review is requested (POST …/requested_reviewers). */
  requestedReviewers?: string[];
  requestedTeams?: string[];
}

/** An issue that is not a pull request (the gate opens one: the repository's dashboard). */
export interface SimIssue {
  id: number;
  number: number;
  title: string;
  body: string | null;
  user: SimUser;
  state: 'open' | 'closed';
  stateReason: 'completed' | 'not_planned' | 'reopened' | null;
  labels: string[];
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  viaApp?: SimApp;
}

export interface SimLabel {
  id: number;
  name: string;
  color: string;
  description: string | null;
}

export interface SimRepo {
  id: number;
  owner: SimUser;
  name: string;
  fullName: string;
  private: boolean;
  defaultBranch: string;
  createdAt: string;
  installationId: number;
  branches: Map<string, string>;
  commits: Map<string, SimCommit>;
  /** login (lower case) -> permission. The owner is admin. */
  collaborators: Map<string, SimPermission>;
  labels: Map<string, SimLabel>;
  pulls: Map<number, SimPull>;
  /** Issues that are not pull requests; they share the pull requests' numbers. */
  issues: Map<number, SimIssue>;
  /** Numbers of issues a person deleted (GitHub answers 410 Gone for them). */
  deletedIssues: Set<number>;
  comments: Map<number, SimComment>;
  checkRuns: SimCheckRun[];
  statuses: SimStatus[];
  /** Branch protection on the default branch: contexts that must succeed before a merge. */
  requiredChecks: string[];
  nextNumber: number;
  /** A ruleset's `merge_queue` rule on one branch: merges into it go through the queue (merge-queue.ts). */
  mergeQueue?: SimMergeQueue;
}

export interface SimInstallation {
  id: number;
  account: SimUser;
  repos: Set<number>;
  createdAt: string;
}

export interface SimTeam {
  org: string;
  slug: string;
  /** login (lower case) -> membership state */
  members: Map<string, 'active' | 'pending'>;
}

/** What a workflow may grant its `GITHUB_TOKEN`; a scope left out is read-only. */
export type TokenScope = 'checks' | 'contents' | 'issues' | 'pull_requests' | 'statuses';

export interface SimToken {
  token: string;
  installationId: number;
  expiresAt: number;
  /** A workflow's `GITHUB_TOKEN`: it writes as this App (GitHub Actions), not as the installed App. */
  actsAs?: SimApp;
  /** A workflow's token reaches only its own repository. */
  repositoryId?: number;
  /** The scopes it may write (a workflow's `permissions:`); undefined: every scope (the App's own token). */
  writes?: ReadonlySet<TokenScope>;
}

/** Ids grow from distinct bases so a comment id is never mistaken for a review id in a test. */
export class Ids {
  private readonly counters = new Map<string, number>();
  next(kind: string): number {
    const base =
      {
        user: 1_000,
        repo: 50_000,
        installation: 700,
        pull: 900_000,
        issue: 950_000,
        comment: 2_000_000,
        review: 3_000_000,
        check: 4_000_000,
        status: 5_000_000,
        reaction: 6_000_000,
        label: 7_000_000,
        suite: 8_000_000,
      }[kind] ?? 10_000_000;
    const n = (this.counters.get(kind) ?? base) + 1;
    this.counters.set(kind, n);
    return n;
  }
}

let shaCounter = 0;
/** A 40-hex SHA that is unique within the process (content hashing is not needed for identity). */
export function newSha(seed: string): string {
  shaCounter += 1;
  return createHash('sha1').update(`${seed}:${shaCounter}:${process.pid}`).digest('hex');
}

export class World {
  readonly ids = new Ids();
  readonly users = new Map<string, SimUser>();
  readonly repos = new Map<string, SimRepo>();
  readonly installations = new Map<number, SimInstallation>();
  readonly teams = new Map<string, SimTeam>();
  readonly tokens = new Map<string, SimToken>();
  /** Personal access tokens: what people (and their agents) use outside the App. Token -> user. */
  readonly personalTokens = new Map<string, SimUser>();
  /** A check suite per App and head SHA, as GitHub groups check runs. */
  private readonly suites = new Map<string, number>();
  app: SimApp;
  /** Another App, standing for CI, that owns the check runs people's workflows create. */
  readonly ciApp: SimApp;

  constructor(
    appId: number,
    appSlug: string,
    private readonly clock: () => Date,
  ) {
    const owner = this.user('hitl-gate-dev', 'Organization');
    this.app = { id: appId, slug: appSlug, name: appSlug, owner, bot: this.user(`${appSlug}[bot]`, 'Bot') };
    this.ciApp = {
      id: 15368,
      slug: 'github-actions',
      name: 'GitHub Actions',
      owner: this.user('github', 'Organization'),
      bot: this.user('github-actions[bot]', 'Bot'),
    };
  }

  suiteId(appId: number, sha: string): number {
    const key = `${appId}:${sha}`;
    let id = this.suites.get(key);
    if (id === undefined) {
      id = this.ids.next('suite');
      this.suites.set(key, id);
    }
    return id;
  }

  now(): string {
    return this.clock()
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
  }

  nowMs(): number {
    return this.clock().getTime();
  }

  /** The user with this login, created on first mention. Logins ending in `[bot]` are bots. */
  user(login: string, type?: SimUser['type']): SimUser {
    const key = login.toLowerCase();
    let u = this.users.get(key);
    if (!u) {
      u = { login, id: this.ids.next('user'), type: type ?? (login.endsWith('[bot]') ? 'Bot' : 'User') };
      this.users.set(key, u);
    }
    return u;
  }

  repo(fullName: string): SimRepo {
    const r = this.repos.get(fullName.toLowerCase());
    if (!r) throw new Error(`simulator: no repository ${fullName}`);
    return r;
  }

  findRepo(owner: string, name: string): SimRepo | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase());
  }

  pull(fullName: string, number: number): SimPull {
    const p = this.repo(fullName).pulls.get(number);
    if (!p) throw new Error(`simulator: no pull request ${fullName}#${number}`);
    return p;
  }

  team(org: string, slug: string): SimTeam {
    const key = `${org}/${slug}`.toLowerCase();
    let t = this.teams.get(key);
    if (!t) {
      t = { org, slug, members: new Map() };
      this.teams.set(key, t);
    }
    return t;
  }

  installationFor(account: SimUser): SimInstallation {
    for (const inst of this.installations.values()) if (inst.account.id === account.id) return inst;
    const inst: SimInstallation = { id: this.ids.next('installation'), account, repos: new Set(), createdAt: this.now() };
    this.installations.set(inst.id, inst);
    return inst;
  }

  /** Repository permission of a login, as GitHub would compute it (owner is admin, others none). */
  permissionOf(repo: SimRepo, login: string): SimPermission | 'none' {
    if (login.toLowerCase() === repo.owner.login.toLowerCase()) return 'admin';
    return repo.collaborators.get(login.toLowerCase()) ?? 'none';
  }

  label(repo: SimRepo, name: string): SimLabel {
    let l = repo.labels.get(name.toLowerCase());
    if (!l) {
      l = { id: this.ids.next('label'), name, color: 'ededed', description: '' };
      repo.labels.set(name.toLowerCase(), l);
    }
    return l;
  }
}
