// Builders for tests: a `PullRequestFacts` of an open agent PR with sensible defaults, comments,
// reviews, authorizations and a complete `Policy`, each overridable. Times are ISO strings.
import type { Actor, Authorization, ChangedFile, IssueComment, Policy, PolicyLoad, PullRequestFacts, Review } from '../../src/core/types.js';

export const AGENT: Actor = { login: 'copilot-swe-agent[bot]', type: 'Bot' };
export const HEAD = 'a'.repeat(40);
export const T0 = '2026-11-22T14:00:00Z';

/** `T0` plus some minutes, as an ISO string. */
export function at(minutes: number, from = T0): string {
  return new Date(Date.parse(from) + minutes * 60_000).toISOString();
}

export function human(login: string): Actor {
  return { login, type: 'User' };
}

export function file(filename: string, extra: Partial<ChangedFile> = {}): ChangedFile {
  return { filename, status: 'modified', additions: 1, deletions: 1, ...extra };
}

let nextId = 1000;
/** A comment created at `createdAt` (never edited unless `updatedAt` says so). */
export function comment(author: string | Actor, body: string, createdAt: string, extra: Partial<IssueComment> = {}): IssueComment {
  return { id: nextId++, author: typeof author === 'string' ? human(author) : author, body, createdAt, updatedAt: createdAt, ...extra };
}

export function review(author: string | Actor, state: string, commitId: string, submittedAt: string, extra: Partial<Review> = {}): Review {
  return { id: nextId++, author: typeof author === 'string' ? human(author) : author, state, body: '', commitId, submittedAt, ...extra };
}

export function writer(teams: string[] = []): Authorization {
  return { permission: 'write', teams };
}

export function reader(teams: string[] = []): Authorization {
  return { permission: 'read', teams };
}

export function makeFacts(over: Partial<PullRequestFacts> = {}): PullRequestFacts {
  return {
    owner: 'acme',
    repo: 'widgets',
    number: 7,
    title: 'Agent change',
    author: AGENT,
    state: 'open',
    merged: false,
    draft: false,
    headSha: HEAD,
    headRef: 'copilot/fix-thing',
    baseRef: 'main',
    labels: [],
    additions: 2,
    deletions: 1,
    changedFiles: 1,
    files: [file('src/index.ts')],
    commits: [{ sha: HEAD, authorLogin: 'copilot-swe-agent[bot]', committerLogin: 'web-flow' }],
    comments: [],
    reviews: [],
    authorizations: {},
    headSeenAt: T0,
    ...over,
    ...(over.files && over.changedFiles === undefined ? { changedFiles: over.files.length } : {}),
  };
}

export function makePolicy(over: Partial<Policy> = {}): Policy {
  return {
    version: 1,
    agents: { authors: ['copilot-swe-agent[bot]', 'Copilot', 'devin-*'], labels: ['ai-generated'], branches: ['copilot/**', 'codex/**'] },
    reviewers: { users: ['alice'], teams: ['acme/maintainers'], permission: 'write' },
    default: 'soft',
    tiers: {
      fyi: { merge: true },
      soft: { windowMs: 15 * 60_000, merge: true },
      hard: { approvals: 1, merge: true, invalidateOnPush: true },
    },
    merge: { method: 'squash' },
    rules: [
      { name: 'Documentation', tier: 'fyi', paths: ['docs/**', '**/*.md'] },
      { name: 'Database migrations', tier: 'hard', paths: ['db/migrations/**'] },
      { name: 'Marked irreversible', tier: 'hard', labels: ['irreversible'] },
    ],
    ...over,
  };
}

export function okLoad(policy: Policy = makePolicy()): PolicyLoad {
  return { kind: 'ok', path: '.github/hitl.yml', policy, hash: 'test' };
}
