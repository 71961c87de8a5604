// Review requests (`POST /repos/{o}/{r}/pulls/{n}/requested_reviewers`) and reminder comments: the
// gate asking people. Neither may block or delay a decision: a request GitHub refuses (a user who is
// not a collaborator, a team of another organisation) is logged and the rest goes ahead.
import type { Effect } from '../core/model/effects.js';
import { describeError, httpStatus } from './errors.js';
import { request, type Session } from './session.js';
import type { PullRequestRef } from './types.js';

export interface ReviewRequest {
  users: string[];
  /** org/slug; only teams of the repository's own organisation can be requested. */
  teams: string[];
}

/** Team slugs GitHub can request on this repository, and the teams it cannot. */
function teamSlugs(ref: PullRequestRef, teams: string[]): { slugs: string[]; foreign: string[] } {
  const slugs: string[] = [];
  const foreign: string[] = [];
  for (const t of teams) {
    const [org, slug] = t.split('/');
    if (org && slug && org.toLowerCase() === ref.owner.toLowerCase()) slugs.push(slug);
    else foreign.push(t);
  }
  return { slugs, foreign };
}

/** Requests reviews; returns who was requested. Never throws. */
export async function requestReviews(session: Session, ref: PullRequestRef, wanted: ReviewRequest): Promise<ReviewRequest> {
  const { slugs, foreign } = teamSlugs(ref, wanted.teams);
  if (foreign.length)
    session.log.warn({ pr: ref, teams: foreign }, 'review requests: teams of another organisation cannot be requested; skipped');
  const ask = async (reviewers: string[], teamReviewers: string[]): Promise<boolean> => {
    try {
      await request(session, (c) =>
        c.rest.pulls.requestReviewers({
          owner: ref.owner,
          repo: ref.repo,
          pull_number: ref.number,
          reviewers,
          team_reviewers: teamReviewers,
        }),
      );
      return true;
    } catch (error) {
      session.log.warn(
        { pr: ref, reviewers, teams: teamReviewers, status: httpStatus(error), error: describeError(error) },
        'review request refused; the decision is unaffected',
      );
      return false;
    }
  };
  if (wanted.users.length + slugs.length === 0) return { users: [], teams: [] };
  if (await ask(wanted.users, slugs)) return { users: wanted.users, teams: slugs };
  // One refused reviewer makes GitHub refuse the whole request (422): ask the others one by one.
  const done: ReviewRequest = { users: [], teams: [] };
  if (wanted.users.length + slugs.length === 1) return done;
  for (const u of wanted.users) if (await ask([u], [])) done.users.push(u);
  for (const t of slugs) if (await ask([], [t])) done.teams.push(t);
  return done;
}

type AttentionEffect = Extract<Effect, { kind: 'request-reviews' | 'reminder' }>;

/** Applies a review request or a reminder. Returns whether it (its comment, for a reminder) was made. */
export async function applyAttention(session: Session, ref: PullRequestRef, e: AttentionEffect): Promise<boolean> {
  if (e.kind === 'request-reviews') {
    const done = await requestReviews(session, ref, e);
    if (done.users.length || done.teams.length)
      session.log.info({ pr: ref, users: done.users, teams: done.teams, reason: e.reason }, 'review requested');
    return done.users.length + done.teams.length > 0;
  }
  try {
    await request(session, (c) =>
      c.rest.issues.createComment({ owner: ref.owner, repo: ref.repo, issue_number: ref.number, body: e.body }),
    );
    session.log.info({ pr: ref, step: e.step, steps: e.steps }, 'reminder posted');
  } catch (error) {
    session.log.warn(
      { pr: ref, step: e.step, error: describeError(error) },
      'reminder could not be posted; the step stays recorded and is not repeated',
    );
    return false;
  }
  if (e.requestReviewers) await requestReviews(session, ref, e.requestReviewers);
  return true;
}
