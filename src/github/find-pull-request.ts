// The pull request itself: from the webhook payload when the caller has one, else `pulls.get`.
import type { PullRequestFacts } from '../core/model/pull-request.js';
import { reading } from './errors.js';
import { request, type Session } from './session.js';
import type { PullRequestRef } from './types.js';

/** What the gate needs from GitHub's pull request object: the facts' own fields, and a few more. */
export interface PullRequestSnapshot extends Pick<
  PullRequestFacts,
  | 'number'
  | 'title'
  | 'author'
  | 'state'
  | 'merged'
  | 'draft'
  | 'headSha'
  | 'headRef'
  | 'baseRef'
  | 'labels'
  | 'additions'
  | 'deletions'
  | 'changedFiles'
> {
  /** Base commit, for the compare fallback when a PR has more commits than GitHub lists. */
  baseSha?: string;
  /** GitHub's count of the PR's commits, when the source says. */
  commitCount?: number;
  /** Issue comments on the PR; undefined when the source did not say (then they are listed). */
  comments?: number;
  mergeable: boolean | null;
  mergeableState: string;
  /** When GitHub merged it (a merged PR's review after merge counts from then). */
  mergedAt?: string;
  /** Where it came from: a payload may be stale, a `pulls.get` in this reconcile is not. */
  source: 'payload' | 'api';
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * Read GitHub's pull request JSON (webhook payload or REST response). Returns undefined when the
 * object lacks anything the decision depends on, so a malformed payload is fetched again instead of
 * being trusted with defaults.
 */
export function readPullRequest(raw: unknown, source: PullRequestSnapshot['source']): PullRequestSnapshot | undefined {
  if (!isRecord(raw) || !isRecord(raw.user) || !isRecord(raw.head) || !isRecord(raw.base)) return undefined;
  const number = num(raw.number);
  const login = str(raw.user.login);
  const headSha = str(raw.head.sha);
  const headRef = str(raw.head.ref);
  const baseRef = str(raw.base.ref);
  const state = raw.state === 'open' || raw.state === 'closed' ? raw.state : undefined;
  const additions = num(raw.additions);
  const deletions = num(raw.deletions);
  const changedFiles = num(raw.changed_files);
  if (number === undefined || !login || !headSha || !headRef || !baseRef || !state) return undefined;
  // Counts decide tiers (changed_lines, truncation): without them the object is not the full PR.
  if (additions === undefined || deletions === undefined || changedFiles === undefined) return undefined;
  const labels = Array.isArray(raw.labels)
    ? raw.labels.map((l) => (isRecord(l) ? str(l.name) : str(l))).filter((l): l is string => !!l)
    : [];
  return {
    number,
    title: str(raw.title) ?? '',
    author: { login, type: str(raw.user.type) ?? 'User' },
    state,
    merged: raw.merged === true || (str(raw.merged_at) ?? '') !== '',
    ...(str(raw.merged_at) ? { mergedAt: str(raw.merged_at) } : {}),
    draft: raw.draft === true,
    headSha,
    headRef,
    baseRef,
    ...(str(raw.base.sha) ? { baseSha: str(raw.base.sha) } : {}),
    ...(num(raw.commits) !== undefined ? { commitCount: num(raw.commits) } : {}),
    labels,
    additions,
    deletions,
    changedFiles,
    comments: num(raw.comments),
    mergeable: typeof raw.mergeable === 'boolean' ? raw.mergeable : null,
    mergeableState: str(raw.mergeable_state) ?? 'unknown',
    source,
  };
}

export async function fetchPullRequest(session: Session, ref: PullRequestRef): Promise<PullRequestSnapshot> {
  return reading(`pull request #${ref.number}`, async () => {
    const { data } = await request(session, (c) => c.rest.pulls.get({ owner: ref.owner, repo: ref.repo, pull_number: ref.number }));
    const pr = readPullRequest(data, 'api');
    if (!pr) throw new Error('GitHub returned a pull request without head, base or author');
    return pr;
  });
}

/** A payload that names its repository must name this one (a PR number alone is not an identity). */
function sameRepository(raw: unknown, ref: PullRequestRef): boolean {
  const base = isRecord(raw) && isRecord(raw.base) ? raw.base : undefined;
  const fullName = base && isRecord(base.repo) ? str(base.repo.full_name) : undefined;
  return fullName === undefined || fullName.toLowerCase() === `${ref.owner}/${ref.repo}`.toLowerCase();
}

/** The payload when it is usable and about this PR, else a fresh `pulls.get`. */
export async function findPullRequest(session: Session, ref: PullRequestRef, payload: unknown): Promise<PullRequestSnapshot> {
  if (payload !== undefined) {
    const pr = readPullRequest(payload, 'payload');
    if (pr && pr.number === ref.number && sameRepository(payload, ref)) return pr;
    session.log.warn({ pr: ref }, 'pull_request payload unusable; fetching the pull request');
  }
  return fetchPullRequest(session, ref);
}
