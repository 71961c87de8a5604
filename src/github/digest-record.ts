// Where the gate keeps the day of the last daily digest it sent: a `hitl-digest` check run of its own
// on the tip of the default branch at the time. Only the App can write or change its check runs and
// nobody can delete one, so nobody else can make the gate believe a digest went out (or did not); a
// run another App or a workflow names `hitl-digest` is not the gate's and is ignored. The tip moves
// as PRs merge, so the record of today is looked for on the branch's most recent commits.
import { digestMarker, readDigestMarker } from '../core/digest.js';
import { reading } from './errors.js';
import { isOwnCheckRun, type GateIdentity } from './identity.js';
import { request, type Session } from './session.js';
import type { RepositoryRef } from './types.js';

export const DIGEST_CHECK = 'hitl-digest';
/** Commits of the default branch looked at for today's record: more merges than this between the
 * digest and a restart of every replica could send it twice. */
const LOOK_BACK = 20;

interface Run {
  app?: { id: number; slug?: string } | null;
  external_id?: string | null;
  output?: { text?: string | null };
}

async function defaultBranch(session: Session, repo: RepositoryRef): Promise<string> {
  const { data } = await reading('the repository', () => request(session, (c) => c.rest.repos.get({ owner: repo.owner, repo: repo.repo })));
  return data.default_branch;
}

/** Whether the gate recorded a digest of `day` on the default branch's recent commits; and its tip. */
export async function findDigestRecord(
  session: Session,
  repo: RepositoryRef,
  identity: GateIdentity,
  day: string,
): Promise<{ sent: boolean; tip?: string }> {
  const branch = await defaultBranch(session, repo);
  const { data: commits } = await reading("the default branch's commits", () =>
    request(session, (c) => c.rest.repos.listCommits({ owner: repo.owner, repo: repo.repo, sha: branch, per_page: LOOK_BACK })),
  );
  for (const commit of commits) {
    const { data } = await reading(`the ${DIGEST_CHECK} check runs`, () =>
      request(session, (c) =>
        c.rest.checks.listForRef({
          owner: repo.owner,
          repo: repo.repo,
          ref: commit.sha,
          check_name: DIGEST_CHECK,
          filter: 'all',
          per_page: 100,
          ...(identity.appId !== undefined ? { app_id: identity.appId } : {}),
        }),
      ),
    );
    if ((data.check_runs as Run[]).some((r) => isOwnCheckRun({ app: r.app ?? null }, identity) && readDigestMarker(r.output?.text) === day))
      return { sent: true, tip: commits[0]?.sha };
  }
  return { sent: false, ...(commits[0] ? { tip: commits[0].sha } : {}) };
}

/** Records that the digest of `day` is being sent, before it is: a digest is sent at most once. */
export async function writeDigestRecord(session: Session, repo: RepositoryRef, tip: string, day: string): Promise<void> {
  await request(session, (c) =>
    c.rest.checks.create({
      owner: repo.owner,
      repo: repo.repo,
      name: DIGEST_CHECK,
      head_sha: tip,
      status: 'completed',
      conclusion: 'neutral',
      output: {
        title: `Daily digest of ${day} sent`,
        summary:
          'hitl-gate keeps here the day of the last daily digest it sent to chat (docs/notify.md). It says nothing about this commit.',
        text: digestMarker(day),
      },
    }),
  );
}
