// Who said what on the PR: issue comments, reviews, and the commits (for their committers, who may
// never approve their own work).
import type { Commit, IssueComment, Review } from '../core/types.js';
import { reading } from './errors.js';
import type { Session } from './session.js';
import type { PullRequestRef } from './types.js';

/** An issue comment with the raw fields identity checks need. */
export interface RawComment extends IssueComment {
  user?: { login: string; type?: string } | null;
  performed_via_github_app?: { id: number } | null;
}

export async function gatherComments(session: Session, ref: PullRequestRef): Promise<RawComment[]> {
  return reading('the comments', async () => {
    const comments: RawComment[] = [];
    const pages = session.client.paginate.iterator(session.client.rest.issues.listComments, {
      owner: ref.owner, repo: ref.repo, issue_number: ref.number, per_page: 100,
    });
    for await (const page of pages) {
      session.requests += 1;
      for (const c of page.data) {
        const viaAppId = c.performed_via_github_app?.id;
        comments.push({
          id: c.id,
          // A deleted account shows as no user: treat it as nobody's (a ghost cannot be authorized).
          author: { login: c.user?.login ?? 'ghost', type: c.user?.type ?? 'User' },
          body: c.body ?? '',
          createdAt: c.created_at,
          updatedAt: c.updated_at,
          ...(viaAppId !== undefined ? { viaAppId } : {}),
          user: c.user ? { login: c.user.login, type: c.user.type } : null,
          performed_via_github_app: viaAppId !== undefined ? { id: viaAppId } : null,
        });
      }
    }
    return comments;
  });
}

export async function gatherReviews(session: Session, ref: PullRequestRef): Promise<Review[]> {
  return reading('the reviews', async () => {
    const reviews: Review[] = [];
    const pages = session.client.paginate.iterator(session.client.rest.pulls.listReviews, {
      owner: ref.owner, repo: ref.repo, pull_number: ref.number, per_page: 100,
    });
    for await (const page of pages) {
      session.requests += 1;
      for (const r of page.data) {
        // A pending review is a draft only its author sees: it has said nothing yet.
        if (!r.submitted_at || r.state === 'PENDING') continue;
        reviews.push({
          id: r.id,
          author: { login: r.user?.login ?? 'ghost', type: r.user?.type ?? 'User' },
          state: r.state,
          body: r.body ?? '',
          commitId: r.commit_id ?? '',
          submittedAt: r.submitted_at,
        });
      }
    }
    return reviews;
  });
}

export async function gatherCommits(session: Session, ref: PullRequestRef): Promise<Commit[]> {
  return reading('the commits', async () => {
    const commits: Commit[] = [];
    const pages = session.client.paginate.iterator(session.client.rest.pulls.listCommits, {
      owner: ref.owner, repo: ref.repo, pull_number: ref.number, per_page: 100,
    });
    for await (const page of pages) {
      session.requests += 1;
      for (const c of page.data) {
        commits.push({
          sha: c.sha,
          ...(c.author?.login ? { authorLogin: c.author.login } : {}),
          ...(c.committer?.login ? { committerLogin: c.committer.login } : {}),
        });
      }
    }
    return commits;
  });
}
