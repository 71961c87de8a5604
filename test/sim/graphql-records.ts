// GraphQL the gate reads its record with (src/github/find-earlier-record.ts, find-status-comment.ts),
// served as GitHub does: a PR's commits with their check suites and runs, the heads that force-pushes
// replaced (`HeadRefForcePushedEvent.beforeCommit`), and who last edited a comment
// (`IssueComment.editor`, `lastEditedAt`). The schema that checks them is GitHub's published one.
import type { SimComment, SimPull, SimRepo } from './model.js';

const nodeId = (kind: string, id: number | string): string => Buffer.from(`0${kind.length}:${kind}${id}`).toString('base64');

/** A commit and the check runs every App wrote on it, grouped in suites per App. */
export function commitNode(repo: SimRepo, sha: string): Record<string, unknown> {
  return {
    __typename: 'Commit',
    oid: sha,
    checkSuites: ({ first, filterBy }: { first?: number; filterBy?: { appId?: number; checkName?: string } }) => {
      const runs = repo.checkRuns.filter(
        (r) =>
          r.headSha === sha &&
          (filterBy?.appId === undefined || r.app.id === filterBy.appId) &&
          (filterBy?.checkName === undefined || r.name === filterBy.checkName),
      );
      const apps = [...new Map(runs.map((r) => [r.app.id, r.app])).values()];
      const nodes = apps.slice(0, first ?? 100).map((app) => ({
        app: { databaseId: app.id, slug: app.slug, name: app.name },
        checkRuns: ({ first: n, filterBy: f }: { first?: number; filterBy?: { checkName?: string } }) => {
          const own = runs.filter((r) => r.app.id === app.id && (f?.checkName === undefined || r.name === f.checkName));
          return {
            totalCount: own.length,
            nodes: own.slice(0, n ?? 100).map((r) => ({
              databaseId: r.id,
              name: r.name,
              externalId: r.externalId,
              text: r.output.text,
              title: r.output.title,
              summary: r.output.summary,
            })),
          };
        },
      }));
      return { totalCount: apps.length, nodes };
    },
  };
}

/** `PullRequest.commits`: the commits of the PR's current head, oldest first (as GitHub pages them). */
export function pullCommits(repo: SimRepo, pr: SimPull) {
  return ({ last, first }: { last?: number; first?: number }) => {
    const shas = last !== undefined ? pr.commits.slice(-last) : pr.commits.slice(0, first ?? 100);
    return { totalCount: pr.commits.length, nodes: shas.map((sha) => ({ commit: commitNode(repo, sha) })) };
  };
}

/** The PR's force-pushes as timeline items, oldest first. */
export function forcePushEvents(repo: SimRepo, pr: SimPull): Record<string, unknown>[] {
  return (pr.forcePushes ?? []).map((f) => ({
    __typename: 'HeadRefForcePushedEvent',
    id: nodeId('HeadRefForcePushedEvent', f.id),
    createdAt: f.at,
    actor: { __typename: f.actor.type === 'Bot' ? 'Bot' : 'User', login: f.actor.login },
    // GitHub's beforeCommit is nullable: a replaced head it no longer keeps (docs/github.md#force-push-before-commit).
    beforeCommit: f.beforeGone ? null : commitNode(repo, f.before),
    afterCommit: commitNode(repo, f.after),
  }));
}

/** `node(id:)` for an issue comment: who last edited it, when (null when never edited). */
export function commentByNodeId(repos: Iterable<SimRepo>, id: string, installationId: number | undefined): Record<string, unknown> | null {
  for (const repo of repos) {
    if (installationId !== undefined && repo.installationId !== installationId) continue;
    for (const c of repo.comments.values()) if (nodeId('IssueComment', c.id) === id) return commentNode(c);
  }
  return null;
}

function commentNode(c: SimComment): Record<string, unknown> {
  return {
    __typename: 'IssueComment',
    id: nodeId('IssueComment', c.id),
    databaseId: c.id,
    body: c.body,
    lastEditedAt: c.lastEditedAt ?? null,
    editor: c.lastEditedBy
      ? {
          __typename: c.lastEditedBy.type === 'Bot' ? 'Bot' : 'User',
          login: c.lastEditedBy.type === 'Bot' ? c.lastEditedBy.login.replace(/\[bot\]$/, '') : c.lastEditedBy.login,
        }
      : null,
  };
}
