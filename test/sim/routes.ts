// The REST endpoints hitl-gate uses, each with GitHub's semantics (pagination, caps, status codes).
import { randomBytes } from 'node:crypto';
import {
  newSha,
  type SimApp,
  type SimCheckRun,
  type SimComment,
  type SimIssue,
  type SimPull,
  type SimRepo,
  type SimStatus,
  type SimUser,
  type World,
} from './model.js';
import type { Notify } from './notify.js';
import { mergeQueueRoutes, mergeQueueRules, mergeQueueRuleset, type MergeQueues } from './merge-queue.js';
import { HttpError, type Reply, type Route, type SimRequest } from './rest.js';
import { mergeRefusal, protectionOf, rulesetShape, rulesForBranch, type SimMergeMethod } from './protection.js';
import * as shape from './shapes.js';

/** GitHub lists at most this many files of a pull request (docs/github.md#list-caps). */
export const PR_FILES_CAP = 3000;

function paginate<T>(req: SimRequest, items: T[], cap = Infinity): { items: T[]; headers: Record<string, string> } {
  const perPage = Math.min(100, Math.max(1, Number(req.query.get('per_page') ?? 30) || 30));
  const pageNo = Math.max(1, Number(req.query.get('page') ?? 1) || 1);
  const total = Math.min(items.length, cap);
  const last = Math.max(1, Math.ceil(total / perPage));
  const slice = items.slice((pageNo - 1) * perPage, Math.min(pageNo * perPage, total));
  const link = (p: number, rel: string): string => {
    const u = new URL(req.self);
    u.searchParams.set('page', String(p));
    return `<${u.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (pageNo > 1) links.push(link(Math.min(pageNo - 1, last), 'prev'));
  if (pageNo < last) links.push(link(pageNo + 1, 'next'), link(last, 'last'));
  if (pageNo > 1) links.push(link(1, 'first'));
  return { items: slice, headers: links.length > 0 ? { link: links.join(', ') } : {} };
}

function list<T>(req: SimRequest, items: T[], toJson: (t: T) => unknown, cap?: number): Reply {
  const p = paginate(req, items, cap);
  return { status: 200, body: p.items.map(toJson), headers: p.headers };
}

export function buildRoutes(world: World, notify: Notify, queues?: MergeQueues): Route[] {
  /** The repository named in the path, if this installation may see it (else 404, as GitHub answers). */
  const repoOf = (req: SimRequest): SimRepo => {
    const repo = world.findRepo(req.params.owner ?? '', req.params.repo ?? '');
    if (!repo || (req.installationId !== undefined && repo.installationId !== req.installationId)) throw new HttpError(404, 'Not Found');
    return repo;
  };
  const pullOf = (req: SimRequest, repo: SimRepo): SimPull => {
    const pr = repo.pulls.get(Number(req.params.pull_number ?? req.params.issue_number));
    if (!pr) throw new HttpError(404, 'Not Found');
    return pr;
  };
  /** The issue (not a pull request) in the path; a deleted one is 410 Gone, as GitHub answers. */
  const issueOf = (req: SimRequest, repo: SimRepo): SimIssue | undefined => {
    const number = Number(req.params.issue_number);
    if (repo.deletedIssues.has(number)) throw new HttpError(410, 'This issue was deleted');
    return repo.issues.get(number);
  };
  const commentOf = (req: SimRequest, repo: SimRepo): SimComment => {
    const c = repo.comments.get(Number(req.params.comment_id));
    if (!c) throw new HttpError(404, 'Not Found');
    return c;
  };
  /** Who writes: a person's token acts as them, a workflow's token as GitHub Actions, else the App's bot. */
  const actor = (req: SimRequest): SimUser => req.user ?? req.app?.bot ?? world.app.bot;
  /** The App a check run is written by. */
  const appOf = (req: SimRequest): SimApp => req.app ?? world.app;
  const resolveRef = (repo: SimRepo, ref: string): string | undefined => {
    const name = ref.replace(/^refs\/heads\//, '');
    if (repo.branches.has(name)) return repo.branches.get(name);
    if (repo.commits.has(ref)) return ref;
    return undefined;
  };
  const requireString = (body: Record<string, unknown>, key: string): string => {
    const v = body[key];
    if (typeof v !== 'string' || v.length === 0) throw new HttpError(422, `Invalid request.\n\n"${key}" wasn't supplied.`);
    return v;
  };

  const routes: Route[] = [
    // --- App (JWT) ---------------------------------------------------------------------------
    {
      // Public: anyone may look an App up by its slug (the CLI resolves the gate's identity this way).
      method: 'GET',
      path: '/apps/{app_slug}',
      auth: 'none',
      handle: (req) => {
        const app = [world.app, world.ciApp].find((a) => a.slug === req.params.app_slug);
        if (!app) throw new HttpError(404, 'Not Found');
        return { status: 200, body: shape.appShape(app, req.urls, '2024-01-01T00:00:00Z') };
      },
    },
    {
      method: 'GET',
      path: '/app',
      auth: 'app',
      handle: (req) => ({
        status: 200,
        body: { ...shape.appShape(world.app, req.urls, '2024-01-01T00:00:00Z'), installations_count: world.installations.size },
      }),
    },
    {
      method: 'GET',
      path: '/app/installations',
      auth: 'app',
      handle: (req) => list(req, [...world.installations.values()], (i) => shape.installationShape(i, world, req.urls)),
    },
    {
      method: 'GET',
      path: '/app/installations/{installation_id}',
      auth: 'app',
      handle: (req) => {
        const inst = world.installations.get(Number(req.params.installation_id));
        if (!inst) throw new HttpError(404, 'Not Found');
        return { status: 200, body: shape.installationShape(inst, world, req.urls) };
      },
    },
    {
      method: 'POST',
      path: '/app/installations/{installation_id}/access_tokens',
      auth: 'app',
      handle: (req) => {
        const inst = world.installations.get(Number(req.params.installation_id));
        if (!inst) throw new HttpError(404, 'Not Found');
        const token = `ghs_${randomBytes(18).toString('base64url')}`;
        const expiresAt = world.nowMs() + 3600_000;
        world.tokens.set(token, { token, installationId: inst.id, expiresAt });
        return {
          status: 201,
          body: {
            token,
            expires_at: new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
            permissions: {
              checks: 'write',
              contents: 'write',
              issues: 'write',
              pull_requests: 'write',
              statuses: 'read',
              members: 'read',
              metadata: 'read',
              merge_queues: 'write',
            },
            repository_selection: 'selected',
          },
        };
      },
    },
    {
      method: 'GET',
      path: '/repos/{owner}/{repo}/installation',
      auth: 'app',
      handle: (req) => {
        const repo = repoOf(req);
        const inst = world.installations.get(repo.installationId);
        if (!inst) throw new HttpError(404, 'Not Found');
        return { status: 200, body: shape.installationShape(inst, world, req.urls) };
      },
    },
    // --- Installation ------------------------------------------------------------------------
    {
      method: 'GET',
      path: '/installation/repositories',
      auth: 'installation',
      handle: (req) => {
        const repos = [...world.repos.values()].filter((r) => r.installationId === req.installationId);
        const p = paginate(req, repos);
        return {
          status: 200,
          body: {
            total_count: repos.length,
            repository_selection: 'selected',
            repositories: p.items.map((r) => shape.repoShape(r, req.urls)),
          },
          headers: p.headers,
        };
      },
    },
    {
      method: 'GET',
      path: '/rate_limit',
      auth: 'installation',
      handle: () => {
        const core = { limit: 5000, used: 0, remaining: 5000, reset: Math.ceil(world.nowMs() / 1000) + 3600 };
        return { status: 200, body: { resources: { core, search: { ...core, limit: 30, remaining: 30 } }, rate: core } };
      },
    },
    {
      method: 'GET',
      path: '/repos/{owner}/{repo}',
      auth: 'installation',
      handle: (req) => ({ status: 200, body: shape.repoShape(repoOf(req), req.urls, true) }),
    },
    {
      method: 'GET',
      path: '/repos/{owner}/{repo}/contents/{path}',
      auth: 'installation',
      handle: (req) => {
        const repo = repoOf(req);
        const ref = req.query.get('ref') ?? repo.defaultBranch;
        const sha = resolveRef(repo, ref);
        if (!sha) throw new HttpError(404, `No commit found for the ref ${ref}`);
        const path = (req.params.path ?? '').replace(/^\/+/, '');
        const content = repo.commits.get(sha)?.tree.get(path);
        if (content === undefined) throw new HttpError(404, 'Not Found');
        // `Accept: application/vnd.github.raw` (Octokit's `mediaType: { format: 'raw' }`) gets the bytes.
        if (/application\/vnd\.github(\.v3)?\.raw/.test(String(req.headers.accept ?? ''))) {
          return { status: 200, text: content, headers: { 'content-type': 'application/vnd.github.raw; charset=utf-8' } };
        }
        return { status: 200, body: shape.contentShape(repo, path, content, ref, req.urls) };
      },
    },
    // --- Pull requests -----------------------------------------------------------------------
    {
      method: 'GET',
      path: '/repos/{owner}/{repo}/pulls',
      auth: 'installation',
      handle: (req) => {
        const repo = repoOf(req);
        const state = req.query.get('state') ?? 'open';
        const base = req.query.get('base');
        const head = req.query.get('head');
        let pulls = [...repo.pulls.values()].filter((p) => state === 'all' || p.state === state);
        if (base) pulls = pulls.filter((p) => p.baseRef === base);
        if (head) pulls = pulls.filter((p) => `${repo.owner.login}:${p.headRef}` === head);
        const asc = req.query.get('direction') === 'asc';
        if (req.query.get('sort') === 'updated')
          pulls.sort((a, b) => (asc ? 1 : -1) * (a.updatedAt.localeCompare(b.updatedAt) || a.number - b.number));
        else pulls.sort((a, b) => (asc ? a.number - b.number : b.number - a.number));
        return list(req, pulls, (p) => shape.pullListShape(world, repo, p, req.urls));
      },
    },
    {
      method: 'GET',
      path: '/repos/{owner}/{repo}/pulls/{pull_number}',
      auth: 'installation',
      handle: (req) => {
        const repo = repoOf(req);
        const pr = pullOf(req, repo);
        const body = shape.pullShape(world, repo, pr, req.urls);
        if (pr.state === 'open' && pr.unknownReads > 0) {
          pr.unknownReads -= 1;
          Object.assign(body, { mergeable: null, rebaseable: null, mergeable_state: 'unknown' });
        }
        return { status: 200, body };
      },
    },
    {
      method: 'GET',
      path: '/repos/{owner}/{repo}/pulls/{pull_number}/files',
      auth: 'installation',
      handle: (req) => {
        const repo = repoOf(req);
        const pr = pullOf(req, repo);
        return list(req, pr.files, (f) => shape.fileShape(repo, pr.headSha, f, req.urls), PR_FILES_CAP);
      },
    },
    {
      method: 'GET',
      path: '/repos/{owner}/{repo}/pulls/{pull_number}/commits',
      auth: 'installation',
      handle: (req) => {
        const repo = repoOf(req);
        const pr = pullOf(req, repo);
        // GitHub lists at most 250 commits of a pull request (docs/github.md#list-caps).
        return list(
          req,
          pr.commits.map((sha) => repo.commits.get(sha)!),
          (c) => shape.commitShape(repo, c, req.urls),
          250,
        );
      },
    },
    {
      method: 'GET',
      path: '/repos/{owner}/{repo}/pulls/{pull_number}/reviews',
      auth: 'installation',
      handle: (req) => {
        const repo = repoOf(req);
        const pr = pullOf(req, repo);
        return list(req, pr.reviews, (r) => shape.reviewShape(world, repo, pr, r, req.urls));
      },
    },
    { method: 'PUT', path: '/repos/{owner}/{repo}/pulls/{pull_number}/merge', auth: 'installation', handle: (req) => merge(req) },
    {
      method: 'PUT',
      path: '/repos/{owner}/{repo}/pulls/{pull_number}/update-branch',
      auth: 'installation',
      handle: (req) => updateBranch(req),
    },
    // --- What the base branch demands (metadata read) ------------------------------------------
    {
      method: 'GET',
      path: '/repos/{owner}/{repo}/rules/branches/{branch}',
      auth: 'installation',
      handle: (req) =>
        list(
          req,
          [...rulesForBranch(repoOf(req), req.params.branch ?? ''), ...mergeQueueRules(repoOf(req), req.params.branch ?? '')],
          (r) => r,
        ),
    },
    {
      method: 'GET',
      path: '/repos/{owner}/{repo}/rulesets/{ruleset_id}',
      auth: 'installation',
      handle: (req) => {
        const repo = repoOf(req);
        const rs = protectionOf(repo).rulesets.find((r) => r.id === Number(req.params.ruleset_id));
        const queue = rs ? undefined : mergeQueueRuleset(repo, Number(req.params.ruleset_id));
        if (queue) return { status: 200, body: queue };
        if (!rs) throw new HttpError(404, 'Not Found');
        return { status: 200, body: rulesetShape(repo, rs, req.urls.api, true) };
      },
    },
    // --- Issues: the PR's conversation, labels and reactions -------------------------------------
    {
      method: 'GET',
      path: '/repos/{owner}/{repo}/issues/{issue_number}',
      auth: 'installation',
      handle: (req) => {
        const repo = repoOf(req);
        const issue = issueOf(req, repo);
        if (issue) return { status: 200, body: shape.plainIssueShape(world, repo, issue, req.urls) };
        return { status: 200, body: shape.issueShape(world, repo, pullOf(req, repo), req.urls) };
      },
    },
    {
      // Issues and pull requests together, as GitHub lists them: `labels` (all of them), `state`
      // (default open), `creator`, `sort` (created, updated) and `direction` (default desc).
      method: 'GET',
      path: '/repos/{owner}/{repo}/issues',
      auth: 'installation',
      handle: (req) => {
        const repo = repoOf(req);
        const state = req.query.get('state') ?? 'open';
        const labels = (req.query.get('labels') ?? '')
          .split(',')
          .map((l) => l.trim().toLowerCase())
          .filter(Boolean);
        const creator = req.query.get('creator')?.toLowerCase();
        type Row = {
          number: number;
          state: string;
          labels: string[];
          user: SimUser;
          createdAt: string;
          updatedAt: string;
          json: () => unknown;
        };
        const rows: Row[] = [
          ...[...repo.issues.values()].map((i) => ({ ...i, json: () => shape.plainIssueShape(world, repo, i, req.urls) })),
          ...[...repo.pulls.values()].map((p) => ({ ...p, json: () => shape.issueShape(world, repo, p, req.urls) })),
        ];
        const key = req.query.get('sort') === 'updated' ? 'updatedAt' : 'createdAt';
        const sign = req.query.get('direction') === 'asc' ? 1 : -1;
        const chosen = rows
          .filter((r) => state === 'all' || r.state === state)
          .filter((r) => labels.every((l) => r.labels.some((x) => x.toLowerCase() === l)))
          .filter((r) => !creator || r.user.login.toLowerCase() === creator)
          .sort((a, b) => sign * (a[key].localeCompare(b[key]) || a.number - b.number));
        return list(req, chosen, (r) => r.json());
      },
    },
    {
      method: 'POST',
      path: '/repos/{owner}/{repo}/issues',
      auth: 'installation',
      handle: (req) => {
        const repo = repoOf(req);
        const title = requireString(req.body, 'title');
        const body = req.body.body;
        if (body !== undefined && body !== null && typeof body !== 'string') throw new HttpError(422, 'Validation Failed');
        if (typeof body === 'string' && body.length > 65536)
          throw new HttpError(422, 'Validation Failed: body is too long (maximum is 65536 characters)');
        const names = Array.isArray(req.body.labels)
          ? (req.body.labels as unknown[]).filter((n): n is string => typeof n === 'string')
          : [];
        const now = world.now();
        const by = req.user ?? actor(req);
        // A label that does not exist yet is created with the issue.
        const issue: SimIssue = {
          id: world.ids.next('issue'),
          number: repo.nextNumber++,
          title,
          body: typeof body === 'string' ? body : null,
          user: by,
          state: 'open',
          stateReason: null,
          labels: names.map((n) => world.label(repo, n).name),
          createdAt: now,
          updatedAt: now,
          closedAt: null,
          ...(req.user ? {} : { viaApp: world.app }),
        };
        repo.issues.set(issue.number, issue);
        notify.timeline({ actor: by, repo, number: issue.number, kind: 'issue-opened', detail: title, data: { body: issue.body } });
        return {
          status: 201,
          body: shape.plainIssueShape(world, repo, issue, req.urls),
          headers: { location: `${req.urls.api}/repos/${repo.fullName}/issues/${issue.number}` },
        };
      },
    },
    {
      method: 'PATCH',
      path: '/repos/{owner}/{repo}/issues/{issue_number}',
      auth: 'installation',
      handle: (req) => {
        const repo = repoOf(req);
        const issue = issueOf(req, repo);
        if (!issue) throw new HttpError(404, 'Not Found');
        const by = req.user ?? actor(req);
        const { title, body, state } = req.body;
        if (title !== undefined && (typeof title !== 'string' || title === '')) throw new HttpError(422, 'Validation Failed');
        if (body !== undefined && body !== null && typeof body !== 'string') throw new HttpError(422, 'Validation Failed');
        if (typeof body === 'string' && body.length > 65536)
          throw new HttpError(422, 'Validation Failed: body is too long (maximum is 65536 characters)');
        if (state !== undefined && state !== 'open' && state !== 'closed') throw new HttpError(422, 'Validation Failed');
        const now = world.now();
        if (typeof title === 'string') issue.title = title;
        if (body !== undefined) issue.body = body as string | null;
        if (state === 'closed' && issue.state === 'open')
          Object.assign(issue, { state: 'closed', stateReason: 'completed', closedAt: now });
        if (state === 'open' && issue.state === 'closed') Object.assign(issue, { state: 'open', stateReason: 'reopened', closedAt: null });
        issue.updatedAt = now;
        notify.timeline({
          actor: by,
          repo,
          number: issue.number,
          kind: 'issue-edited',
          detail: issue.title,
          data: { body: issue.body, state: issue.state },
        });
        return { status: 200, body: shape.plainIssueShape(world, repo, issue, req.urls) };
      },
    },
    {
      method: 'GET',
      path: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
      auth: 'installation',
      handle: (req) => {
        const repo = repoOf(req);
        const pr = pullOf(req, repo);
        const since = req.query.get('since');
        const comments = [...repo.comments.values()]
          .filter((c) => c.number === pr.number && (!since || c.updatedAt >= since))
          .sort((a, b) => a.id - b.id);
        return list(req, comments, (c) => shape.commentShape(world, repo, c, req.urls));
      },
    },
    {
      method: 'POST',
      path: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
      auth: 'installation',
      handle: (req) => {
        const repo = repoOf(req);
        const pr = pullOf(req, repo);
        const body = requireString(req.body, 'body');
        if (body.length > 65536) throw new HttpError(422, 'Validation Failed: body is too long (maximum is 65536 characters)');
        const now = world.now();
        // A personal token comments as its person; an installation token as the App's bot.
        const by = req.user ?? actor(req);
        const c: SimComment = {
          id: world.ids.next('comment'),
          number: pr.number,
          body,
          user: by,
          createdAt: now,
          updatedAt: now,
          ...(req.user || req.app ? {} : { viaApp: world.app }),
          reactions: [],
        };
        repo.comments.set(c.id, c);
        pr.updatedAt = now;
        notify.timeline({
          actor: by,
          repo,
          number: pr.number,
          kind: 'commented',
          detail: firstLine(body),
          data: { commentId: c.id, body },
        });
        notify.issueComment('created', repo, pr, c, by);
        return {
          status: 201,
          body: shape.commentShape(world, repo, c, req.urls),
          headers: { location: `${req.urls.api}/repos/${repo.fullName}/issues/comments/${c.id}` },
        };
      },
    },
    {
      method: 'GET',
      path: '/repos/{owner}/{repo}/issues/comments/{comment_id}',
      auth: 'installation',
      handle: (req) => {
        const repo = repoOf(req);
        return { status: 200, body: shape.commentShape(world, repo, commentOf(req, repo), req.urls) };
      },
    },
    {
      method: 'PATCH',
      path: '/repos/{owner}/{repo}/issues/comments/{comment_id}',
      auth: 'installation',
      handle: (req) => {
        const repo = repoOf(req);
        // An App with issues:write may edit anyone's comment on GitHub; the timeline shows whose it was.
        const c = commentOf(req, repo);
        const body = requireString(req.body, 'body');
        const from = c.body;
        c.body = body;
        c.updatedAt = world.now();
        c.lastEditedAt = c.updatedAt;
        c.lastEditedBy = actor(req);
        const pr = repo.pulls.get(c.number)!;
        notify.timeline({
          actor: actor(req),
          repo,
          number: c.number,
          kind: 'comment-edited',
          detail: firstLine(body),
          data: { commentId: c.id, body, author: c.user.login },
        });
        notify.issueComment('edited', repo, pr, c, actor(req), { changes: { body: { from } } });
        return { status: 200, body: shape.commentShape(world, repo, c, req.urls) };
      },
    },
    {
      method: 'DELETE',
      path: '/repos/{owner}/{repo}/issues/comments/{comment_id}',
      auth: 'installation',
      handle: (req) => {
        const repo = repoOf(req);
        const c = commentOf(req, repo);
        repo.comments.delete(c.id);
        notify.timeline({
          actor: actor(req),
          repo,
          number: c.number,
          kind: 'comment-deleted',
          detail: firstLine(c.body),
          data: { commentId: c.id, author: c.user.login },
        });
        notify.issueComment('deleted', repo, repo.pulls.get(c.number)!, c, actor(req));
        return { status: 204 };
      },
    },
    {
      method: 'GET',
      path: '/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions',
      auth: 'installation',
      handle: (req) => {
        const repo = repoOf(req);
        const content = req.query.get('content');
        return list(
          req,
          commentOf(req, repo).reactions.filter((r) => !content || r.content === content),
          (r) => shape.reactionShape(r, req.urls),
        );
      },
    },
    {
      method: 'POST',
      path: '/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions',
      auth: 'installation',
      handle: (req) => {
        const repo = repoOf(req);
        const c = commentOf(req, repo);
        const content = requireString(req.body, 'content');
        if (!['+1', '-1', 'laugh', 'confused', 'heart', 'hooray', 'rocket', 'eyes'].includes(content))
          throw new HttpError(422, 'Validation Failed: content is not included in the list');
        const existing = c.reactions.find((r) => r.user.id === actor(req).id && r.content === content);
        if (existing) return { status: 200, body: shape.reactionShape(existing, req.urls) };
        const r = { id: world.ids.next('reaction'), content, user: actor(req), createdAt: world.now() };
        c.reactions.push(r);
        notify.timeline({
          actor: actor(req),
          repo,
          number: c.number,
          kind: 'reaction',
          detail: `:${content}: on comment ${c.id}`,
          data: { commentId: c.id, content },
        });
        return { status: 201, body: shape.reactionShape(r, req.urls) };
      },
    },
    {
      method: 'GET',
      path: '/repos/{owner}/{repo}/issues/{issue_number}/labels',
      auth: 'installation',
      handle: (req) => {
        const repo = repoOf(req);
        return list(req, pullOf(req, repo).labels, (name) => shape.labelShape(repo, world.label(repo, name), req.urls));
      },
    },
    {
      method: 'POST',
      path: '/repos/{owner}/{repo}/issues/{issue_number}/labels',
      auth: 'installation',
      handle: (req) => {
        const repo = repoOf(req);
        const pr = pullOf(req, repo);
        const names = Array.isArray(req.body.labels) ? (req.body.labels as unknown[]) : [];
        for (const n of names) {
          if (typeof n !== 'string') throw new HttpError(422, 'Validation Failed');
          if (pr.labels.some((l) => l.toLowerCase() === n.toLowerCase())) continue;
          pr.labels.push(world.label(repo, n).name);
          notify.timeline({ actor: actor(req), repo, number: pr.number, kind: 'labeled', detail: n });
          notify.pullRequest('labeled', repo, pr, actor(req), { label: shape.labelShape(repo, world.label(repo, n), req.urls) });
        }
        return { status: 200, body: pr.labels.map((n) => shape.labelShape(repo, world.label(repo, n), req.urls)) };
      },
    },
    {
      method: 'DELETE',
      path: '/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}',
      auth: 'installation',
      handle: (req) => {
        const repo = repoOf(req);
        const pr = pullOf(req, repo);
        const name = req.params.name ?? '';
        const i = pr.labels.findIndex((l) => l.toLowerCase() === name.toLowerCase());
        if (i < 0) throw new HttpError(404, 'Label does not exist');
        pr.labels.splice(i, 1);
        notify.timeline({ actor: actor(req), repo, number: pr.number, kind: 'unlabeled', detail: name });
        notify.pullRequest('unlabeled', repo, pr, actor(req), { label: shape.labelShape(repo, world.label(repo, name), req.urls) });
        return { status: 200, body: pr.labels.map((n) => shape.labelShape(repo, world.label(repo, n), req.urls)) };
      },
    },
    // --- Checks and statuses -----------------------------------------------------------------
    {
      method: 'POST',
      path: '/repos/{owner}/{repo}/check-runs',
      auth: 'installation',
      handle: (req) => {
        const repo = repoOf(req);
        const name = requireString(req.body, 'name');
        const headSha = requireString(req.body, 'head_sha');
        if (!repo.commits.has(headSha)) throw new HttpError(422, 'Validation Failed: No commit found for SHA: ' + headSha);
        const now = world.now();
        const run: SimCheckRun = {
          id: world.ids.next('check'),
          name,
          headSha,
          status: 'queued',
          conclusion: null,
          startedAt: now,
          completedAt: null,
          output: { title: null, summary: null, text: null },
          externalId: '',
          detailsUrl: null,
          app: appOf(req),
        };
        applyCheckRun(run, req.body, now);
        repo.checkRuns.push(run);
        notify.timeline({
          actor: actor(req),
          repo,
          kind: 'check-run',
          detail: describeRun(run),
          data: { checkRunId: run.id, name, headSha, status: run.status, conclusion: run.conclusion, title: run.output.title },
        });
        notify.checkRun('created', repo, run, actor(req));
        if (run.status === 'completed') notify.checkRun('completed', repo, run, actor(req));
        return { status: 201, body: shape.checkRunShape(repo, run, req.urls, world.suiteId(run.app.id, run.headSha)) };
      },
    },
    {
      method: 'PATCH',
      path: '/repos/{owner}/{repo}/check-runs/{check_run_id}',
      auth: 'installation',
      handle: (req) => {
        const repo = repoOf(req);
        const run = repo.checkRuns.find((r) => r.id === Number(req.params.check_run_id));
        if (!run) throw new HttpError(404, 'Not Found');
        // docs/github.md#check-run-owner
        if (run.app.id !== appOf(req).id)
          throw new HttpError(
            403,
            'Invalid app_id `' + appOf(req).id + '` - check run can only be modified by the GitHub App that created it.',
          );
        const wasCompleted = run.status === 'completed';
        applyCheckRun(run, req.body, world.now());
        notify.timeline({
          actor: actor(req),
          repo,
          kind: 'check-run',
          detail: describeRun(run),
          data: {
            checkRunId: run.id,
            name: run.name,
            headSha: run.headSha,
            status: run.status,
            conclusion: run.conclusion,
            title: run.output.title,
          },
        });
        if (run.status === 'completed' && !wasCompleted) notify.checkRun('completed', repo, run, actor(req));
        return { status: 200, body: shape.checkRunShape(repo, run, req.urls, world.suiteId(run.app.id, run.headSha)) };
      },
    },
    {
      method: 'GET',
      path: '/repos/{owner}/{repo}/check-runs/{check_run_id}',
      auth: 'installation',
      handle: (req) => {
        const repo = repoOf(req);
        const run = repo.checkRuns.find((r) => r.id === Number(req.params.check_run_id));
        if (!run) throw new HttpError(404, 'Not Found');
        return { status: 200, body: shape.checkRunShape(repo, run, req.urls, world.suiteId(run.app.id, run.headSha)) };
      },
    },
    {
      // A branch's history, newest first, following first parents (`sha`: a branch or commit; default
      // the default branch).
      method: 'GET',
      path: '/repos/{owner}/{repo}/commits',
      auth: 'installation',
      handle: (req) => {
        const repo = repoOf(req);
        const start = resolveRef(repo, req.query.get('sha') ?? repo.defaultBranch);
        if (!start) throw new HttpError(404, 'Not Found');
        const history = [];
        for (let c = repo.commits.get(start); c && history.length < 10_000; c = c.parents[0] ? repo.commits.get(c.parents[0]) : undefined)
          history.push(c);
        return list(req, history, (c) => shape.commitShape(repo, c, req.urls));
      },
    },
    {
      method: 'GET',
      path: '/repos/{owner}/{repo}/commits/{ref}/check-runs',
      auth: 'installation',
      handle: (req) => {
        const repo = repoOf(req);
        const sha = resolveRef(repo, req.params.ref ?? '');
        if (!sha) throw new HttpError(422, `No commit found for SHA: ${req.params.ref}`);
        const name = req.query.get('check_name');
        const appId = req.query.get('app_id');
        const status = req.query.get('status');
        let runs = repo.checkRuns.filter(
          (r) =>
            r.headSha === sha && (!name || r.name === name) && (!appId || String(r.app.id) === appId) && (!status || r.status === status),
        );
        runs.sort((a, b) => b.id - a.id);
        if ((req.query.get('filter') ?? 'latest') === 'latest') {
          const seen = new Set<string>();
          runs = runs.filter((r) => !seen.has(`${r.app.id}/${r.name}`) && seen.add(`${r.app.id}/${r.name}`));
        }
        const p = paginate(req, runs);
        return {
          status: 200,
          body: {
            total_count: runs.length,
            check_runs: p.items.map((r) => shape.checkRunShape(repo, r, req.urls, world.suiteId(r.app.id, r.headSha))),
          },
          headers: p.headers,
        };
      },
    },
    {
      method: 'GET',
      path: '/repos/{owner}/{repo}/commits/{ref}/status',
      auth: 'installation',
      handle: (req) => {
        const repo = repoOf(req);
        const sha = resolveRef(repo, req.params.ref ?? '');
        if (!sha) throw new HttpError(404, `No commit found for SHA: ${req.params.ref}`);
        const latest = latestStatuses(repo, sha);
        const state =
          latest.length === 0
            ? 'pending'
            : latest.some((s) => s.state === 'error' || s.state === 'failure')
              ? 'failure'
              : latest.some((s) => s.state === 'pending')
                ? 'pending'
                : 'success';
        const p = paginate(req, latest);
        return {
          status: 200,
          body: {
            state,
            statuses: p.items.map((s) => shape.statusShape(s, req.urls)),
            sha,
            total_count: latest.length,
            repository: shape.repoShape(repo, req.urls),
            commit_url: `${req.urls.api}/repos/${repo.fullName}/commits/${sha}`,
            url: `${req.urls.api}/repos/${repo.fullName}/commits/${sha}/status`,
          },
          headers: p.headers,
        };
      },
    },
    {
      method: 'GET',
      path: '/repos/{owner}/{repo}/commits/{ref}/statuses',
      auth: 'installation',
      handle: (req) => {
        const repo = repoOf(req);
        const sha = resolveRef(repo, req.params.ref ?? '');
        if (!sha) throw new HttpError(404, `No commit found for SHA: ${req.params.ref}`);
        return list(
          req,
          repo.statuses.filter((s) => s.sha === sha).sort((a, b) => b.id - a.id),
          (s) => shape.statusShape(s, req.urls),
        );
      },
    },
    {
      method: 'POST',
      path: '/repos/{owner}/{repo}/statuses/{sha}',
      auth: 'installation',
      handle: (req) => {
        const repo = repoOf(req);
        const sha = req.params.sha ?? '';
        if (!repo.commits.has(sha)) throw new HttpError(422, `No commit found for SHA: ${sha}`);
        const state = requireString(req.body, 'state');
        if (!['error', 'failure', 'pending', 'success'].includes(state))
          throw new HttpError(422, 'Validation Failed: state is not included in the list');
        const s = createStatus(world, repo, sha, actor(req), {
          state: state as SimStatus['state'],
          context: typeof req.body.context === 'string' ? req.body.context : 'default',
          description: typeof req.body.description === 'string' ? req.body.description : null,
          targetUrl: typeof req.body.target_url === 'string' ? req.body.target_url : null,
        });
        notify.timeline({
          actor: actor(req),
          repo,
          kind: 'status',
          detail: `${s.context}: ${s.state}`,
          data: { sha, context: s.context, state: s.state },
        });
        notify.status(repo, s, actor(req));
        return { status: 201, body: shape.statusShape(s, req.urls) };
      },
    },
    {
      // GitHub refuses the whole request (422) when one reviewer cannot be asked: the author, a user
      // who is not a collaborator, a team that does not exist in the repository's organisation.
      method: 'POST',
      path: '/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers',
      auth: 'installation',
      handle: (req) => {
        const repo = repoOf(req);
        const pr = pullOf(req, repo);
        const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
        const users = strings(req.body.reviewers);
        const teams = strings(req.body.team_reviewers);
        if (users.length + teams.length === 0) throw new HttpError(422, 'Invalid request.\n\nNo subschema in "anyOf" matched.');
        if (users.some((u) => u.toLowerCase() === pr.user.login.toLowerCase()))
          throw new HttpError(422, 'Review cannot be requested from pull request author.');
        const notCollaborator =
          'Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the ' +
          repo.fullName +
          ' repository.';
        if (users.some((u) => world.permissionOf(repo, u) === 'none')) throw new HttpError(422, notCollaborator);
        const teamKeys = teams.map((slug) => `${repo.owner.login}/${slug}`.toLowerCase());
        if (teamKeys.some((k) => !world.teams.has(k))) throw new HttpError(422, notCollaborator);
        pr.requestedReviewers = [...new Set([...(pr.requestedReviewers ?? []), ...users.map((u) => world.user(u).login)])];
        pr.requestedTeams = [...new Set([...(pr.requestedTeams ?? []), ...teamKeys])];
        notify.timeline({
          actor: actor(req),
          repo,
          number: pr.number,
          kind: 'review-requested',
          detail: [...users.map((u) => `@${u}`), ...teamKeys].join(' '),
          data: { users, teams: teamKeys },
        });
        return { status: 201, body: shape.pullListShape(world, repo, pr, req.urls) };
      },
    },
    // --- Who may decide ----------------------------------------------------------------------
    {
      method: 'GET',
      path: '/repos/{owner}/{repo}/collaborators/{username}/permission',
      auth: 'installation',
      handle: (req) => {
        const repo = repoOf(req);
        const login = req.params.username ?? '';
        const u = world.users.get(login.toLowerCase());
        if (!u) throw new HttpError(404, `${login} is not a user`);
        const role = world.permissionOf(repo, login);
        // `permission` is the legacy field: maintain reads as write, triage as read.
        const permission = role === 'maintain' ? 'write' : role === 'triage' ? 'read' : role;
        return {
          status: 200,
          body: {
            permission,
            role_name: role,
            user: {
              ...shape.userShape(u, req.urls),
              permissions: {
                admin: role === 'admin',
                maintain: ['admin', 'maintain'].includes(role),
                push: ['admin', 'maintain', 'write'].includes(role),
                triage: role !== 'read' && role !== 'none',
                pull: role !== 'none',
              },
              role_name: role,
            },
          },
        };
      },
    },
    {
      method: 'GET',
      path: '/orgs/{org}/teams/{team_slug}/memberships/{username}',
      auth: 'installation',
      handle: (req) => {
        const team = world.teams.get(`${req.params.org}/${req.params.team_slug}`.toLowerCase());
        const state = team?.members.get((req.params.username ?? '').toLowerCase());
        if (!team || !state) throw new HttpError(404, 'Not Found');
        return {
          status: 200,
          body: { url: `${req.urls.api}/organizations/1/team/1/memberships/${req.params.username}`, role: 'member', state },
        };
      },
    },
  ];

  if (queues) routes.push(...mergeQueueRoutes(world, queues));

  function merge(req: SimRequest): Reply {
    const repo = repoOf(req);
    const pr = pullOf(req, repo);
    const method = (req.body.merge_method as string | undefined) ?? 'merge';
    const refuse = (status: number, message: string): never => {
      notify.timeline({
        actor: actor(req),
        repo,
        number: pr.number,
        kind: 'merge-refused',
        detail: `${status} ${message}`,
        data: { status, sha: req.body.sha },
      });
      throw new HttpError(status, message);
    };
    if (!['merge', 'squash', 'rebase'].includes(method)) refuse(422, 'Validation Failed: merge_method is not included in the list');
    if (pr.state !== 'open') refuse(405, 'Pull Request is not mergeable');
    // docs/github.md#merge-sha
    if (typeof req.body.sha === 'string' && req.body.sha !== pr.headSha)
      refuse(409, 'Head branch was modified. Review and try the merge again.');
    if (pr.mergeable !== true || pr.draft) refuse(405, 'Pull Request is not mergeable');
    // A branch whose rules include `merge_queue` takes no direct merge, as on GitHub.
    if (queues?.queueOf(repo, pr.baseRef))
      refuse(405, 'Repository rule violations found\n\nChanges must be made through the merge queue\n\n');
    // Classic protection, rulesets (a bypass actor skips its rulesets' rules) and the allowed methods.
    const refusal = mergeRefusal(world, repo, pr, method as SimMergeMethod, !req.app);
    if (refusal) refuse(405, refusal);
    const head = repo.commits.get(pr.headSha)!;
    const sha = newSha(`merge:${repo.fullName}#${pr.number}`);
    const now = world.now();
    repo.commits.set(sha, {
      sha,
      parents: [pr.baseSha, pr.headSha],
      message: `${pr.title} (#${pr.number})`,
      author: pr.user,
      committer: world.user('web-flow'),
      date: now,
      tree: new Map(head.tree),
    });
    repo.branches.set(pr.baseRef, sha);
    Object.assign(pr, {
      state: 'closed',
      merged: true,
      mergedAt: now,
      mergedBy: actor(req),
      mergeCommitSha: sha,
      closedAt: now,
      updatedAt: now,
    });
    notify.timeline({
      actor: actor(req),
      repo,
      number: pr.number,
      kind: 'merged',
      detail: `${method} of ${pr.headSha.slice(0, 7)}`,
      data: { sha: pr.headSha, mergeCommitSha: sha, method },
    });
    notify.pullRequest('closed', repo, pr, actor(req));
    return { status: 200, body: { sha, merged: true, message: 'Pull Request successfully merged' } };
  }

  /** GitHub merges the base into the head (a new head, committed by GitHub for the caller) when the head
   * is still `expected_head_sha`; the PR gets a `synchronize` like any push. */
  function updateBranch(req: SimRequest): Reply {
    const repo = repoOf(req);
    const pr = pullOf(req, repo);
    const expected = req.body.expected_head_sha;
    if (pr.state !== 'open') throw new HttpError(422, 'Validation Failed: pull request is closed');
    if (typeof expected === 'string' && expected !== pr.headSha)
      throw new HttpError(422, 'expected head sha didn’t match current head ref.');
    const baseSha = repo.branches.get(pr.baseRef)!;
    if (baseSha === pr.baseSha) throw new HttpError(422, 'There are no new commits on the base branch.');
    const tree = new Map(repo.commits.get(baseSha)!.tree);
    const head = repo.commits.get(pr.headSha)!;
    for (const f of pr.files) {
      if (f.previousFilename) tree.delete(f.previousFilename);
      if (f.status === 'removed') tree.delete(f.filename);
      else tree.set(f.filename, head.tree.get(f.filename) ?? '');
    }
    const before = pr.headSha;
    const sha = newSha(`update:${repo.fullName}#${pr.number}`);
    const now = world.now();
    repo.commits.set(sha, {
      sha,
      parents: [before, baseSha],
      message: `Merge branch '${pr.baseRef}' into ${pr.headRef}`,
      author: actor(req),
      committer: world.user('web-flow'),
      date: now,
      tree,
    });
    repo.branches.set(pr.headRef, sha);
    Object.assign(pr, { headSha: sha, baseSha, updatedAt: now });
    pr.commits.push(sha);
    notify.timeline({
      actor: actor(req),
      repo,
      number: pr.number,
      kind: 'pushed',
      detail: `update-branch ${before.slice(0, 7)} -> ${sha.slice(0, 7)}`,
      data: { before, after: sha, updateBranch: true },
    });
    notify.pullRequest('synchronize', repo, pr, actor(req), { before, after: sha });
    return { status: 202, body: { message: 'Updating pull request branch.', url: `${req.urls.web}/${repo.fullName}/pull/${pr.number}` } };
  }

  return routes;
}

/** GitHub's limits on check-run actions: at most 3; label <= 20, description <= 40, identifier <= 20 (docs/github.md#check-run-actions). */
function checkRunActions(value: unknown): SimCheckRun['actions'] {
  if (!Array.isArray(value)) throw new HttpError(422, "Invalid request.\n\nFor 'properties/actions', it is not an array.");
  if (value.length > 3) throw new HttpError(422, "Invalid request.\n\nFor 'properties/actions', it has more than 3 items.");
  return value.map((a: unknown) => {
    const { label, description, identifier } = (a ?? {}) as Record<string, unknown>;
    for (const [key, v, max] of [
      ['label', label, 20],
      ['description', description, 40],
      ['identifier', identifier, 20],
    ] as const) {
      if (typeof v !== 'string' || v.length === 0) throw new HttpError(422, `Invalid request.\n\n"${key}" wasn't supplied.`);
      if (v.length > max)
        throw new HttpError(422, `Invalid request.\n\nFor 'items/${key}', ${JSON.stringify(v)} is longer than ${max} characters.`);
    }
    return { label: label as string, description: description as string, identifier: identifier as string };
  });
}

function applyCheckRun(run: SimCheckRun, body: Record<string, unknown>, now: string): void {
  // Validated before anything changes: a refused request leaves the run as it was.
  const actions = body.actions !== undefined ? checkRunActions(body.actions) : undefined;
  if (actions) run.actions = actions;
  if (typeof body.status === 'string') run.status = body.status as SimCheckRun['status'];
  if (typeof body.conclusion === 'string') {
    run.conclusion = body.conclusion;
    run.status = 'completed';
  }
  if (typeof body.started_at === 'string') run.startedAt = body.started_at;
  if (run.status === 'completed') run.completedAt = typeof body.completed_at === 'string' ? body.completed_at : (run.completedAt ?? now);
  if (typeof body.external_id === 'string') run.externalId = body.external_id;
  if (typeof body.details_url === 'string') run.detailsUrl = body.details_url;
  const out = body.output as { title?: string; summary?: string; text?: string } | undefined;
  if (out)
    run.output = { title: out.title ?? run.output.title, summary: out.summary ?? run.output.summary, text: out.text ?? run.output.text };
}

function describeRun(run: SimCheckRun): string {
  return `${run.name} ${run.status === 'completed' ? run.conclusion : run.status}${run.output.title ? `: ${run.output.title}` : ''}`;
}

export function latestStatuses(repo: SimRepo, sha: string): SimStatus[] {
  const byContext = new Map<string, SimStatus>();
  for (const s of repo.statuses) if (s.sha === sha) byContext.set(s.context, s);
  return [...byContext.values()];
}

export function createStatus(
  world: World,
  repo: SimRepo,
  sha: string,
  creator: SimUser,
  s: Pick<SimStatus, 'state' | 'context' | 'description' | 'targetUrl'>,
): SimStatus {
  const now = world.now();
  const status: SimStatus = { id: world.ids.next('status'), sha, creator, createdAt: now, updatedAt: now, ...s };
  repo.statuses.push(status);
  return status;
}

export function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim().length > 0 && !l.startsWith('<!--')) ?? '';
  return line.length > 100 ? `${line.slice(0, 97)}...` : line;
}
