// GitHub's GraphQL `revertPullRequest` (input `pullRequestId`, `title`, `body`, `draft`), as the
// simulator reads it (docs/simulator.md, docs/github.md#revert-pull-request): a branch
// `revert-<number>-<head branch>` off the base branch's tip with the inverse of the merged PR's change,
// and a PR from it opened by the caller (the App's bot). GitHub refuses a revert that does not apply
// cleanly; the simulator's stand-in for "does not apply" is a PR merged later into the same base that
// touched one of the same files.
import { newSha, type SimFileChange, type SimPull, type SimRepo, type World } from './model.js';
import type { Notify } from './notify.js';
import { GraphqlError } from './merge-queue.js';

export interface RevertInput {
  pullRequestId: string;
  title?: string | null;
  body?: string | null;
  draft?: boolean | null;
}

/** GitHub's words when it cannot revert a PR automatically (as its web page says them). */
export const REVERT_CONFLICT =
  'Sorry, this pull request couldn’t be reverted automatically. It may already have been reverted, or the content may have changed since it was merged.';

export function revertPull(world: World, notify: Notify, repo: SimRepo, pr: SimPull, input: RevertInput): SimPull {
  const actor = world.app.bot;
  if (!pr.merged || !pr.mergedAt) throw new GraphqlError('UNPROCESSABLE', 'Pull request must be merged to be reverted');
  const touched = new Set(pr.files.flatMap((f) => [f.filename, ...(f.previousFilename ? [f.previousFilename] : [])]));
  const later = [...repo.pulls.values()].find(
    (p) =>
      p !== pr && p.merged && p.baseRef === pr.baseRef && (p.mergedAt ?? '') > pr.mergedAt! && p.files.some((f) => touched.has(f.filename)),
  );
  if (later) {
    notify.timeline({ actor, repo, number: pr.number, kind: 'revert-refused', detail: `#${later.number} changed the same files since` });
    throw new GraphqlError('UNPROCESSABLE', REVERT_CONFLICT);
  }
  const baseTip = repo.branches.get(pr.baseRef);
  const before = repo.commits.get(pr.baseSha)?.tree ?? new Map<string, string>();
  const tip = baseTip ? repo.commits.get(baseTip) : undefined;
  if (!baseTip || !tip) throw new GraphqlError('UNPROCESSABLE', `The base branch ${pr.baseRef} is gone`);
  const tree = new Map(tip.tree);
  const files: SimFileChange[] = [];
  for (const f of pr.files) {
    const old = before.get(f.previousFilename ?? f.filename);
    if (f.previousFilename) {
      tree.delete(f.filename);
      tree.set(f.previousFilename, old ?? '');
      files.push({ filename: f.previousFilename, status: 'renamed', previousFilename: f.filename, additions: 0, deletions: 0 });
    } else if (old === undefined) {
      tree.delete(f.filename);
      files.push({ filename: f.filename, status: 'removed', additions: 0, deletions: f.additions });
    } else {
      tree.set(f.filename, old);
      files.push({
        filename: f.filename,
        status: f.status === 'removed' ? 'added' : 'modified',
        additions: f.deletions,
        deletions: f.additions,
        content: old,
      });
    }
  }
  const now = world.now();
  const title = input.title ?? `Revert "${pr.title}"`;
  const sha = newSha(`${repo.fullName}:revert:${pr.number}`);
  repo.commits.set(sha, { sha, parents: [baseTip], message: title, author: actor, committer: actor, date: now, tree });
  const headRef = `revert-${pr.number}-${pr.headRef}`;
  repo.branches.set(headRef, sha);
  const number = repo.nextNumber++;
  const revert: SimPull = {
    id: world.ids.next('pull'),
    number,
    title,
    body: input.body ?? `Reverts ${repo.fullName}#${pr.number}`,
    user: actor,
    state: 'open',
    draft: input.draft === true,
    locked: false,
    merged: false,
    mergedAt: null,
    mergedBy: null,
    mergeCommitSha: null,
    headRef,
    headSha: sha,
    baseRef: pr.baseRef,
    baseSha: baseTip,
    labels: [],
    files,
    commits: [sha],
    createdAt: now,
    updatedAt: now,
    closedAt: null,
    mergeable: true,
    unknownReads: 0,
    reviews: [],
  };
  repo.pulls.set(number, revert);
  notify.timeline({
    actor,
    repo,
    number: pr.number,
    kind: 'revert-opened',
    detail: `#${number} reverts #${pr.number}`,
    data: { revert: number },
  });
  notify.timeline({
    actor,
    repo,
    number,
    kind: 'opened',
    detail: `${title} (${files.length} file${files.length === 1 ? '' : 's'})`,
    data: { headSha: sha },
  });
  notify.pullRequest('opened', repo, revert, actor);
  return revert;
}
