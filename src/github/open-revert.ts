// `/revert`: GitHub's own revert (GraphQL `revertPullRequest`), which makes the branch with the inverse
// change and opens the PR as the App. GitHub refuses a revert that does not apply cleanly; that is an
// answer to pass on, not an error to retry.
import { REVERT_LABEL } from '../core/model/after-merge.js';
import { revertMarker } from '../core/after-merge-render.js';
import { describeError } from './errors.js';
import type { GateIdentity } from './identity.js';
import { request, type Session } from './session.js';
import type { PullRequestRef } from './types.js';

const PULL_ID = `query hitlPullId($owner: String!, $repo: String!, $number: Int!) {
  repository(owner: $owner, name: $repo) { pullRequest(number: $number) { id } }
}`;

const REVERT = `mutation hitlRevert($input: RevertPullRequestInput!) {
  revertPullRequest(input: $input) { revertPullRequest { number } }
}`;

/** The documents sent, for the schema test. */
export const REVERT_OPERATIONS = { PULL_ID, REVERT };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** GitHub answered, with errors: a refusal (the revert conflicts, the PR cannot be reverted). */
function refusalOf(error: unknown): string | undefined {
  const errors = isRecord(error) && Array.isArray(error.errors) ? error.errors : undefined;
  if (!errors?.length || (isRecord(error) && typeof error.status === 'number' && error.status >= 500)) return undefined;
  const first = errors[0];
  return isRecord(first) && typeof first.message === 'string' ? first.message : describeError(error);
}

export type RevertOutcome = { number: number } | { refused: string };

/**
 * The revert the gate already opened for this PR, if any: a pass that opened it and then failed before
 * recording it must not open a second one. Only a PR the gate itself authored counts (anyone can copy
 * the marker into a PR of theirs).
 */
async function openedBefore(session: Session, ref: PullRequestRef, base: string, identity: GateIdentity): Promise<number | undefined> {
  const { data } = await request(session, (c) =>
    c.rest.pulls.list({ owner: ref.owner, repo: ref.repo, base, state: 'open', sort: 'created', direction: 'desc', per_page: 50 }),
  );
  const marker = revertMarker(ref.number);
  return data.find((p) => p.user?.login.toLowerCase() === identity.login.toLowerCase() && (p.body ?? '').includes(marker))?.number;
}

async function label(session: Session, ref: PullRequestRef, number: number): Promise<void> {
  // The label marks it as the gate's revert; a failure here is logged, the revert stands.
  try {
    await request(session, (c) =>
      c.rest.issues.addLabels({ owner: ref.owner, repo: ref.repo, issue_number: number, labels: [REVERT_LABEL] }),
    );
  } catch (error) {
    session.log.warn({ pr: `${ref.owner}/${ref.repo}#${number}`, error: describeError(error) }, 'could not label the revert PR');
  }
}

export async function openRevert(
  session: Session,
  ref: PullRequestRef,
  input: { title: string; body: string; base: string; identity: GateIdentity },
): Promise<RevertOutcome> {
  const earlier = await openedBefore(session, ref, input.base, input.identity);
  if (earlier !== undefined) {
    await label(session, ref, earlier);
    return { number: earlier };
  }
  const found = await request(session, (c) => c.graphql<unknown>(PULL_ID, { owner: ref.owner, repo: ref.repo, number: ref.number }));
  const id =
    isRecord(found) && isRecord(found.repository) && isRecord(found.repository.pullRequest) ? found.repository.pullRequest.id : undefined;
  if (typeof id !== 'string') throw new Error(`GitHub did not give the node id of #${ref.number}`);
  let data: unknown;
  try {
    data = await request(session, (c) =>
      c.graphql<unknown>(REVERT, { input: { pullRequestId: id, title: input.title, body: input.body, draft: false } }),
    );
  } catch (error) {
    const refused = refusalOf(error);
    if (refused !== undefined) return { refused };
    throw error;
  }
  const payload = isRecord(data) && isRecord(data.revertPullRequest) ? data.revertPullRequest.revertPullRequest : undefined;
  const number = isRecord(payload) ? payload.number : undefined;
  if (typeof number !== 'number') throw new Error('GitHub did not say which pull request reverts this one');
  await label(session, ref, number);
  return { number };
}
