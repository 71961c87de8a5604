// Builders for tests: a `PullRequestFacts` of an open agent PR with sensible defaults, comments,
// reviews, authorizations and a complete `Policy`, each overridable. Times are ISO strings.
import type { Policy, PolicyLoad } from '../../src/core/model/policy.js';
import type { Ledger } from '../../src/core/model/ledger.js';
import type { Actor, Authorization, ChangedFile, IssueComment, PullRequestFacts, Review } from '../../src/core/model/pull-request.js';
import type { Effect, GitHubView } from '../../src/core/model/effects.js';
import { readRecord, recordMarker } from '../../src/core/ledger.js';
import { recordLedger } from '../../src/core/plan.js';

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

/**
 * The gate's record as the plan hands it to the shell (on its check-run effect), as the shell writes it
 * once the status comment's id is known: the ledger the next reconcile reads back. Undefined when the
 * plan writes no record (an ungoverned PR, or nothing changed).
 */
export function recordOf(effects: Effect[], commentId?: number): Ledger | undefined {
  for (const e of effects) if (e.kind === 'check-run' && e.record) return recordLedger(e.record, commentId);
  return undefined;
}

/**
 * What GitHub shows after the shell applied `effects` in order, and the facts the next reconcile would
 * read: the record is written into the check run (naming the status comment written before it) and read
 * back from there with `readRecord`, never from the status comment. New objects get ids 1 (check run)
 * and 2 (status comment) unless told otherwise.
 */
export function appliedView(
  facts: PullRequestFacts,
  view: GitHubView,
  effects: Effect[],
  ids: { checkRun?: number; comment?: number } = {},
): { facts: PullRequestFacts; view: GitHubView } {
  let next: GitHubView = { ...view };
  let ledger = facts.ledger;
  for (const e of effects) {
    if (e.kind === 'status-comment') next = { ...next, statusComment: { id: e.id ?? ids.comment ?? 2, body: e.body } };
    if (e.kind === 'check-run') {
      const record = e.record ? recordMarker(recordLedger(e.record, next.statusComment?.id), facts.number) : undefined;
      next = {
        ...next,
        checkRun: {
          id: e.id ?? ids.checkRun ?? 1,
          status: e.status,
          conclusion: e.conclusion ?? null,
          title: e.title,
          summary: e.summary,
          ...(record ? { record } : {}),
        },
      };
      if (record) ledger = readRecord(record, facts.number);
    }
  }
  return { facts: { ...facts, ...(ledger ? { ledger } : {}) }, view: next };
}
