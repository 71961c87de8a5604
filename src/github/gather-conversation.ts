// Who said what on the PR: issue comments, reviews, and the commits (for their committers, who may
// never approve their own work, and their trailers, which may mark agent work).
import type { Commit, IssueComment, Review } from '../core/model/pull-request.js';
import { reading } from './errors.js';
import { gatherPages, request, type Session } from './session.js';
import type { PullRequestRef } from './types.js';

/** An issue comment with the raw fields identity checks need. */
export interface RawComment extends IssueComment {
  user?: { login: string; type?: string } | null;
  performed_via_github_app?: { id: number } | null;
  /** GraphQL's id, to ask who last edited the comment (find-status-comment.ts). */
  node_id?: string;
}

export async function gatherComments(session: Session, ref: PullRequestRef): Promise<RawComment[]> {
  return reading('the comments', async () => {
    const pages = session.client.paginate.iterator(session.client.rest.issues.listComments, {
      owner: ref.owner,
      repo: ref.repo,
      issue_number: ref.number,
      per_page: 100,
    });
    return gatherPages(session, pages, (c): RawComment => {
      const viaAppId = c.performed_via_github_app?.id;
      return {
        id: c.id,
        // A deleted account shows as no user: treat it as nobody's (a ghost cannot be authorized).
        author: { login: c.user?.login ?? 'ghost', type: c.user?.type ?? 'User' },
        body: c.body ?? '',
        createdAt: c.created_at,
        updatedAt: c.updated_at,
        ...(viaAppId !== undefined ? { viaAppId } : {}),
        user: c.user ? { login: c.user.login, type: c.user.type } : null,
        performed_via_github_app: viaAppId !== undefined ? { id: viaAppId } : null,
        ...(typeof c.node_id === 'string' ? { node_id: c.node_id } : {}),
      };
    });
  });
}

export async function gatherReviews(session: Session, ref: PullRequestRef): Promise<Review[]> {
  return reading('the reviews', async () => {
    const pages = session.client.paginate.iterator(session.client.rest.pulls.listReviews, {
      owner: ref.owner,
      repo: ref.repo,
      pull_number: ref.number,
      per_page: 100,
    });
    return gatherPages(session, pages, (r): Review | undefined => {
      // A pending review is a draft only its author sees: it has said nothing yet.
      if (!r.submitted_at || r.state === 'PENDING') return undefined;
      return {
        id: r.id,
        author: { login: r.user?.login ?? 'ghost', type: r.user?.type ?? 'User' },
        state: r.state,
        body: r.body ?? '',
        commitId: r.commit_id ?? '',
        submittedAt: r.submitted_at,
      };
    });
  });
}

/** GitHub lists at most 250 commits of a pull request. */
const LISTED_COMMITS = 250;
const MAX_COMPARE_PAGES = 100;

/** The GitHub accounts linked to a commit (GitHub sends `{}` or null when it could link none). */
const loginOf = (account: unknown): string | undefined =>
  typeof account === 'object' && account !== null && 'login' in account && typeof account.login === 'string' ? account.login : undefined;

const toCommit = (c: { sha: string; author?: unknown; committer?: unknown; commit?: { message?: string } }): Commit => {
  const authorLogin = loginOf(c.author);
  const committerLogin = loginOf(c.committer);
  const message = c.commit?.message;
  return {
    sha: c.sha,
    ...(authorLogin ? { authorLogin } : {}),
    ...(committerLogin ? { committerLogin } : {}),
    ...(message ? { message } : {}),
  };
};

/**
 * Every commit of the PR, for its committers (who may never approve their own work). Past GitHub's
 * 250, the compare API pages through the rest; if even that falls short, the reconcile stops rather
 * than let an unlisted committer approve.
 */
export async function gatherCommits(
  session: Session,
  ref: PullRequestRef,
  pr: { baseSha?: string; headSha: string; commitCount?: number },
): Promise<Commit[]> {
  return reading('the commits', async () => {
    const pages = session.client.paginate.iterator(session.client.rest.pulls.listCommits, {
      owner: ref.owner,
      repo: ref.repo,
      pull_number: ref.number,
      per_page: 100,
    });
    const commits = await gatherPages(session, pages, toCommit);
    const expected = pr.commitCount;
    if (expected === undefined || commits.length >= expected || commits.length < LISTED_COMMITS) return commits;
    if (!pr.baseSha) throw new Error(`the PR has ${expected} commits, GitHub listed ${commits.length}, and its base commit is unknown`);
    const all: Commit[] = [];
    for (let page = 1; page <= MAX_COMPARE_PAGES && all.length < expected; page++) {
      const { data } = await request(session, (c) =>
        c.rest.repos.compareCommitsWithBasehead({
          owner: ref.owner,
          repo: ref.repo,
          basehead: `${pr.baseSha}...${pr.headSha}`,
          per_page: 100,
          page,
        }),
      );
      if (data.commits.length === 0) break;
      all.push(...data.commits.map(toCommit));
    }
    if (all.length < expected) throw new Error(`the PR has ${expected} commits but GitHub listed only ${all.length}`);
    return all;
  });
}
