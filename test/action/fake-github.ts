// A small GitHub REST API on 127.0.0.1 for the Action's tests: one repository held in memory, canned
// GitHub-shaped answers for the routes the gate uses, and a record of every request so tests can assert
// what was written (and that nothing was, in check mode). Unknown routes answer 404 and are recorded.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeUser {
  login: string;
  type: 'User' | 'Bot';
}

export interface FakeFile {
  filename: string;
  status?: 'added' | 'removed' | 'modified' | 'renamed';
  previous_filename?: string;
  additions?: number;
  deletions?: number;
}

export interface FakeComment {
  id: number;
  user: FakeUser;
  body: string;
  created_at: string;
  updated_at?: string;
  performed_via_github_app?: { id: number; slug: string } | null;
  /** Who last edited it and when, as GraphQL's `node(id)` tells (unset: never edited). */
  lastEditedAt?: string;
  editor?: string;
}

export interface FakeReview {
  id: number;
  user: FakeUser;
  state: string;
  body: string;
  commit_id: string;
  submitted_at: string;
}

export interface FakePull {
  number: number;
  title: string;
  user: FakeUser;
  state?: 'open' | 'closed';
  draft?: boolean;
  merged?: boolean;
  headSha: string;
  headRef: string;
  baseRef?: string;
  labels?: string[];
  files: FakeFile[];
  comments?: FakeComment[];
  reviews?: FakeReview[];
  mergeable?: boolean | null;
  mergeableState?: string;
  /** GitHub refuses to merge it (405) with this message: a protection the workflow token cannot read. */
  mergeRefusal?: string;
  /** The PR's earlier commits (oldest first), besides its head: what GraphQL's `commits` lists. */
  earlierCommits?: string[];
  /** Heads that force-pushes replaced (the timeline's HeadRefForcePushedEvent beforeCommit). */
  forcePushedHeads?: string[];
}

export interface FakeCheckRun {
  id: number;
  head_sha: string;
  name: string;
  status: string;
  conclusion: string | null;
  started_at: string;
  completed_at?: string | null;
  external_id?: string | null;
  app: { id: number; slug: string };
  output: { title: string | null; summary: string | null; text?: string | null };
}

export interface FakeStatus {
  id: number;
  sha: string;
  context: string;
  state: string;
  description: string | null;
  target_url?: string | null;
  created_at: string;
  updated_at: string;
  creator: FakeUser;
}

export interface FakeRepository {
  owner: string;
  repo: string;
  defaultBranch: string;
  /** Files of each branch: only what the gate reads (the policy). */
  branches: Record<string, Record<string, string>>;
  pulls: FakePull[];
  /** Repository permission by login; everyone else is `read`. */
  permissions: Record<string, string>;
  checkRuns: FakeCheckRun[];
  statuses: FakeStatus[];
  /** The account the token writes as. */
  actor: FakeUser & { appId: number; appSlug: string };
  /** The token's `checks` permission: without it POST /check-runs answers 403 like GitHub does. */
  canWriteChecks: boolean;
  /** A read-only token (a `pull_request` run from a fork): every write answers 403. */
  readOnly?: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  authorization: string | undefined;
  status: number;
}

export const GITHUB_ACTIONS_APP = { id: 15368, slug: 'github-actions' };

export function emptyRepository(overrides: Partial<FakeRepository> = {}): FakeRepository {
  return {
    owner: 'Codertocat',
    repo: 'Hello-World',
    defaultBranch: 'main',
    branches: { main: {} },
    pulls: [],
    permissions: {},
    checkRuns: [],
    statuses: [],
    actor: { login: 'github-actions[bot]', type: 'Bot', appId: GITHUB_ACTIONS_APP.id, appSlug: GITHUB_ACTIONS_APP.slug },
    canWriteChecks: true,
    ...overrides,
  };
}

/** `raw` is sent as is (a file's bytes under the raw media type); `body` as JSON. */
type Reply = { status: number; body?: unknown; raw?: string; headers?: Record<string, string> };
type Handler = (match: RegExpExecArray, request: { query: URLSearchParams; body: unknown; accept: string }) => Reply;

export class FakeGitHub {
  readonly requests: RecordedRequest[] = [];
  private server: Server | undefined;
  private nextId = 9000;
  url = '';

  /** `prefix` serves the API under a path, as GitHub Enterprise Server does (`/api/v3`). */
  constructor(readonly repository: FakeRepository, private readonly prefix = '') {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}${this.prefix}`;
    return this.url;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** Requests that change something on GitHub (a GraphQL query reads: only a mutation writes). */
  writes(): RecordedRequest[] {
    return this.requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD' && !isGraphqlQuery(r));
  }

  /** Requests no canned route answered: the gate asked for something this fake does not know. */
  unhandled(): RecordedRequest[] {
    return this.requests.filter((r) => r.status === 404 && !r.path.includes('/contents/') && !r.path.startsWith('/apps/'));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown = undefined;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const path = decodeURIComponent(url.pathname);
    // GitHub Enterprise Server answers GraphQL at /api/graphql, beside the REST API's /api/v3.
    const graphqlPath = `${this.prefix.replace(/\/v3$/, '')}/graphql`;
    let reply: Reply;
    try {
      reply = this.prefix && path === graphqlPath
        ? this.route(method, '/graphql', url.searchParams, body, req.headers.accept ?? '')
        : path.startsWith(`${this.prefix}/`)
          ? this.route(method, path.slice(this.prefix.length), url.searchParams, body, req.headers.accept ?? '')
          : { status: 404, body: { message: 'Not Found' } };
    } catch (error) {
      reply = { status: 500, body: { message: (error as Error).message } };
    }
    this.requests.push({
      method,
      path: path === graphqlPath ? '/graphql' : path.slice(path.startsWith(`${this.prefix}/`) ? this.prefix.length : 0),
      query: Object.fromEntries(url.searchParams),
      body,
      authorization: req.headers.authorization,
      status: reply.status,
    });
    if (reply.raw !== undefined) {
      // What GitHub answers for the raw media type.
      res.writeHead(reply.status, { 'content-type': 'text/plain; charset=utf-8', ...reply.headers });
      res.end(reply.raw);
      return;
    }
    res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', ...reply.headers });
    res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
  }

  private route(method: string, path: string, query: URLSearchParams, body: unknown, accept: string): Reply {
    const repoPath = `/repos/${this.repository.owner}/${this.repository.repo}`;
    const reads = method === 'GET' || (path === '/graphql' && !/^\s*mutation\b/.test(String((body as { query?: unknown } | undefined)?.query ?? '')));
    if (this.repository.readOnly && !reads) return { status: 403, body: { message: 'Resource not accessible by integration' } };
    const routes: [string, RegExp, Handler][] = [
      ['GET', /^\/apps\/([^/]+)$/, (m) => this.getApp(m[1]!)],
      ['GET', /^\/user$/, () => ({ status: 403, body: { message: 'Resource not accessible by integration' } })],
      ['GET', re(repoPath, ''), () => ({ status: 200, body: this.repoShape() })],
      ['GET', re(repoPath, '/pulls'), (_m, r) => ({ status: 200, body: this.listPulls(r.query) })],
      ['GET', re(repoPath, '/pulls/(\\d+)'), (m) => this.withPull(m[1]!, (p) => ({ status: 200, body: this.pullShape(p) }))],
      ['GET', re(repoPath, '/pulls/(\\d+)/files'), (m) => this.withPull(m[1]!, (p) => ({ status: 200, body: p.files.map((f) => fileShape(f)) }))],
      ['GET', re(repoPath, '/pulls/(\\d+)/commits'), (m) => this.withPull(m[1]!, (p) => ({ status: 200, body: [commitShape(p)] }))],
      ['GET', re(repoPath, '/pulls/(\\d+)/reviews'), (m) => this.withPull(m[1]!, (p) => ({ status: 200, body: (p.reviews ?? []).map(reviewShape) }))],
      ['GET', re(repoPath, '/issues/(\\d+)/comments'), (m) => this.withPull(m[1]!, (p) => ({ status: 200, body: (p.comments ?? []).map(commentShape) }))],
      ['POST', re(repoPath, '/issues/(\\d+)/comments'), (m, r) => this.withPull(m[1]!, (p) => this.createComment(p, r.body))],
      ['PATCH', re(repoPath, '/issues/comments/(\\d+)'), (m, r) => this.updateComment(Number(m[1]), r.body)],
      ['GET', re(repoPath, '/issues/(\\d+)/labels'), (m) => this.withPull(m[1]!, (p) => ({ status: 200, body: (p.labels ?? []).map(labelShape) }))],
      ['POST', re(repoPath, '/issues/comments/(\\d+)/reactions'), () => ({ status: 201, body: { id: this.id(), content: '+1' } })],
      ['POST', re(repoPath, '/pulls/(\\d+)/reviews/(\\d+)/reactions'), () => ({ status: 201, body: { id: this.id(), content: '+1' } })],
      ['GET', re(repoPath, '/contents/(.+)'), (m, r) => this.getContent(m[1]!, r.query.get('ref') ?? this.repository.defaultBranch, r.accept)],
      ['GET', re(repoPath, '/collaborators/([^/]+)/permission'), (m) => this.getPermission(m[1]!)],
      ['GET', /^\/orgs\/([^/]+)\/teams\/([^/]+)\/memberships\/([^/]+)$/, () => ({ status: 404, body: { message: 'Not Found' } })],
      ['GET', re(repoPath, '/commits/([^/]+)/check-runs'), (m, r) => this.listCheckRuns(m[1]!, r.query)],
      ['GET', re(repoPath, '/commits/([^/]+)/check-suites'), () => ({ status: 200, body: { total_count: 0, check_suites: [] } })],
      ['POST', re(repoPath, '/check-runs'), (_m, r) => this.createCheckRun(r.body)],
      ['GET', re(repoPath, '/check-runs/(\\d+)'), (m) => this.getCheckRun(Number(m[1]))],
      ['PATCH', re(repoPath, '/check-runs/(\\d+)'), (m, r) => this.updateCheckRun(Number(m[1]), r.body)],
      ['POST', /^\/graphql$/, (_m, r) => this.graphql(r.body)],
      ['GET', re(repoPath, '/commits/([^/]+)/status'), (m) => this.combinedStatus(m[1]!)],
      ['GET', re(repoPath, '/commits/([^/]+)/statuses'), (m) => ({ status: 200, body: this.statusesFor(m[1]!).map(statusShape) })],
      ['POST', re(repoPath, '/statuses/([0-9a-f]+)'), (m, r) => this.createStatus(m[1]!, r.body)],
      ['POST', re(repoPath, '/pulls/(\\d+)/requested_reviewers'), (m) => this.withPull(m[1]!, (p) => ({ status: 201, body: this.pullShape(p) }))],
      ['PUT', re(repoPath, '/pulls/(\\d+)/merge'), (m, r) => this.withPull(m[1]!, (p) => this.merge(p, r.body))],
      // No rulesets here: what classic protection demands shows only in `mergeable_state` and refusals.
      ['GET', re(repoPath, '/rules/branches/(.+)'), () => ({ status: 200, body: [] })],
    ];
    for (const [verb, pattern, handler] of routes) {
      if (verb !== method) continue;
      const match = pattern.exec(path);
      if (match) return handler(match, { query, body, accept });
    }
    return { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } };
  }

  private id(): number {
    this.nextId += 1;
    return this.nextId;
  }

  private getApp(slug: string): Reply {
    const { actor } = this.repository;
    const known = [GITHUB_ACTIONS_APP, { id: actor.appId, slug: actor.appSlug }];
    const app = known.find((a) => a.slug === slug);
    if (!app) return { status: 404, body: { message: 'Not Found' } };
    return { status: 200, body: { id: app.id, slug: app.slug, name: app.slug, owner: { login: 'github', type: 'Organization' } } };
  }

  private repoShape(): Record<string, unknown> {
    const { owner, repo, defaultBranch } = this.repository;
    return { id: 1296269, name: repo, full_name: `${owner}/${repo}`, owner: { login: owner, type: 'User' }, private: false, default_branch: defaultBranch };
  }

  private withPull(number: string, then: (pull: FakePull) => Reply): Reply {
    const pull = this.repository.pulls.find((p) => p.number === Number(number));
    return pull ? then(pull) : { status: 404, body: { message: 'Not Found' } };
  }

  private listPulls(query: URLSearchParams): unknown[] {
    const state = query.get('state') ?? 'open';
    return this.repository.pulls.filter((p) => state === 'all' || (p.state ?? 'open') === state).map((p) => this.pullShape(p));
  }

  pullShape(p: FakePull): Record<string, unknown> {
    const { owner, repo, defaultBranch } = this.repository;
    const additions = p.files.reduce((n, f) => n + (f.additions ?? 1), 0);
    const deletions = p.files.reduce((n, f) => n + (f.deletions ?? 0), 0);
    return {
      url: `${this.url}/repos/${owner}/${repo}/pulls/${p.number}`,
      id: 1000 + p.number,
      number: p.number,
      state: p.state ?? 'open',
      locked: false,
      title: p.title,
      user: userShape(p.user),
      body: null,
      labels: (p.labels ?? []).map(labelShape),
      draft: p.draft ?? false,
      merged: p.merged ?? false,
      merged_at: p.merged ? '2026-01-01T00:00:00Z' : null,
      mergeable: p.mergeable === undefined ? true : p.mergeable,
      mergeable_state: p.mergeableState ?? 'clean',
      comments: (p.comments ?? []).length,
      review_comments: 0,
      commits: 1,
      additions,
      deletions,
      changed_files: p.files.length,
      head: { label: `${owner}:${p.headRef}`, ref: p.headRef, sha: p.headSha, user: userShape(p.user), repo: this.repoShape() },
      base: { label: `${owner}:${p.baseRef ?? defaultBranch}`, ref: p.baseRef ?? defaultBranch, sha: 'b'.repeat(40), user: { login: owner, type: 'User' }, repo: this.repoShape() },
      author_association: 'CONTRIBUTOR',
      auto_merge: null,
    };
  }

  private createComment(pull: FakePull, body: unknown): Reply {
    const text = (body as { body?: unknown })?.body;
    if (typeof text !== 'string') return { status: 422, body: { message: 'Invalid request: body is missing' } };
    const { actor } = this.repository;
    const now = new Date().toISOString();
    const comment: FakeComment = { id: this.id(), user: { login: actor.login, type: actor.type }, body: text, created_at: now, updated_at: now, performed_via_github_app: null };
    pull.comments = [...(pull.comments ?? []), comment];
    return { status: 201, body: commentShape(comment) };
  }

  private updateComment(id: number, body: unknown): Reply {
    const comment = this.repository.pulls.flatMap((p) => p.comments ?? []).find((c) => c.id === id);
    if (!comment) return { status: 404, body: { message: 'Not Found' } };
    if (comment.user.login !== this.repository.actor.login) return { status: 403, body: { message: 'Resource not accessible by integration' } };
    const text = (body as { body?: unknown })?.body;
    if (typeof text === 'string') comment.body = text;
    comment.updated_at = new Date().toISOString();
    return { status: 200, body: commentShape(comment) };
  }

  private getContent(path: string, ref: string, accept: string): Reply {
    const text = this.repository.branches[ref]?.[path];
    if (text === undefined) return { status: 404, body: { message: 'Not Found' } };
    if (/application\/vnd\.github(\.v3)?\.raw/.test(accept)) return { status: 200, raw: text };
    return {
      status: 200,
      body: { type: 'file', encoding: 'base64', size: Buffer.byteLength(text), name: path.split('/').pop(), path, sha: 'c'.repeat(40), content: Buffer.from(text).toString('base64') },
    };
  }

  private getPermission(login: string): Reply {
    const permission = this.repository.permissions[login.toLowerCase()] ?? 'read';
    const roleName = permission;
    const legacy = permission === 'maintain' ? 'write' : permission === 'triage' ? 'read' : permission;
    return { status: 200, body: { permission: legacy, role_name: roleName, user: { login, type: 'User', permissions: {} } } };
  }

  private listCheckRuns(ref: string, query: URLSearchParams): Reply {
    let runs = this.repository.checkRuns.filter((r) => r.head_sha === ref);
    const name = query.get('check_name');
    if (name) runs = runs.filter((r) => r.name === name);
    const appId = query.get('app_id');
    if (appId) runs = runs.filter((r) => r.app.id === Number(appId));
    return { status: 200, body: { total_count: runs.length, check_runs: runs.map(checkRunShape) } };
  }

  private createCheckRun(body: unknown): Reply {
    if (!this.repository.canWriteChecks) return { status: 403, body: { message: 'Resource not accessible by integration' } };
    const b = body as Record<string, unknown>;
    const output = (b.output ?? {}) as Record<string, string>;
    const run: FakeCheckRun = {
      id: this.id(),
      head_sha: String(b.head_sha),
      name: String(b.name),
      status: String(b.status ?? 'queued'),
      conclusion: (b.conclusion as string | undefined) ?? null,
      started_at: typeof b.started_at === 'string' ? b.started_at : new Date().toISOString(),
      external_id: typeof b.external_id === 'string' ? b.external_id : null,
      app: { id: this.repository.actor.appId, slug: this.repository.actor.appSlug },
      output: { title: output.title ?? null, summary: output.summary ?? null, text: output.text ?? null },
    };
    this.repository.checkRuns.push(run);
    return { status: 201, body: checkRunShape(run) };
  }

  private getCheckRun(id: number): Reply {
    const run = this.repository.checkRuns.find((r) => r.id === id);
    return run ? { status: 200, body: checkRunShape(run) } : { status: 404, body: { message: 'Not Found' } };
  }

  /**
   * The two GraphQL queries of the gate's record: the search of a PR's earlier heads (its commits and
   * the heads force-pushes replaced, each with its check suites and `hitl` runs), and who last edited
   * a comment (`node(id)`). Answered from this repository's own check runs, commits and comments.
   */
  private graphql(body: unknown): Reply {
    const { query, variables } = (body ?? {}) as { query?: string; variables?: Record<string, unknown> };
    if (typeof query !== 'string') return { status: 400, body: { message: 'A query attribute must be specified and must be a string.' } };
    if (/^\s*mutation\b/.test(query)) return { status: 200, body: { errors: [{ message: 'this fake GitHub runs no mutation' }] } };
    if (query.includes('lastEditedAt')) {
      const id = String(variables?.id ?? '');
      const comment = this.repository.pulls.flatMap((p) => p.comments ?? []).find((c) => `IC_${c.id}` === id);
      if (!comment) return { status: 200, body: { data: { node: null }, errors: [{ type: 'NOT_FOUND', message: `Could not resolve to a node with the global id of '${id}'` }] } };
      return { status: 200, body: { data: { node: { lastEditedAt: comment.lastEditedAt ?? null, editor: comment.editor ? { login: comment.editor } : null } } } };
    }
    if (query.includes('pullRequest(') && query.includes('checkSuites')) {
      const pull = this.repository.pulls.find((p) => p.number === Number(variables?.number));
      if (!pull) return { status: 200, body: { data: { repository: { pullRequest: null } }, errors: [{ type: 'NOT_FOUND', message: 'Could not resolve to a PullRequest' }] } };
      const appFilter = /appId:\s*(\d+)/.exec(query);
      const commit = (oid: string) => {
        const runs = this.repository.checkRuns.filter((r) => r.head_sha === oid && r.name === 'hitl' && (!appFilter || r.app.id === Number(appFilter[1])));
        const apps = [...new Set(runs.map((r) => r.app.id))];
        return {
          oid,
          checkSuites: { nodes: apps.map((app) => ({ app: { databaseId: app }, checkRuns: { nodes: runs.filter((r) => r.app.id === app).map((r) => ({ databaseId: r.id, externalId: r.external_id ?? null, text: r.output.text ?? null })) } })) },
        };
      };
      const commits = [...(pull.earlierCommits ?? []), pull.headSha];
      return { status: 200, body: { data: { repository: { pullRequest: {
        commits: { nodes: commits.map((oid) => ({ commit: commit(oid) })) },
        timelineItems: { nodes: (pull.forcePushedHeads ?? []).map((oid) => ({ beforeCommit: commit(oid) })) },
      } } } } };
    }
    return { status: 200, body: { errors: [{ message: 'this fake GitHub does not know this query' }] } };
  }

  private updateCheckRun(id: number, body: unknown): Reply {
    if (!this.repository.canWriteChecks) return { status: 403, body: { message: 'Resource not accessible by integration' } };
    const run = this.repository.checkRuns.find((r) => r.id === id);
    if (!run) return { status: 404, body: { message: 'Not Found' } };
    const b = body as Record<string, unknown>;
    if (typeof b.status === 'string') run.status = b.status;
    if (typeof b.conclusion === 'string') run.conclusion = b.conclusion;
    if (typeof b.external_id === 'string') run.external_id = b.external_id;
    if (b.output) Object.assign(run.output, b.output);
    return { status: 200, body: checkRunShape(run) };
  }

  private statusesFor(ref: string): FakeStatus[] {
    return this.repository.statuses.filter((s) => s.sha === ref).reverse();
  }

  private combinedStatus(ref: string): Reply {
    const latest = new Map<string, FakeStatus>();
    for (const s of this.statusesFor(ref)) if (!latest.has(s.context)) latest.set(s.context, s);
    const statuses = [...latest.values()];
    const state = statuses.some((s) => s.state === 'failure' || s.state === 'error') ? 'failure' : statuses.some((s) => s.state === 'pending') ? 'pending' : 'success';
    return { status: 200, body: { state: statuses.length === 0 ? 'pending' : state, sha: ref, total_count: statuses.length, statuses: statuses.map(statusShape) } };
  }

  private createStatus(sha: string, body: unknown): Reply {
    const b = body as Record<string, unknown>;
    const now = new Date().toISOString();
    const { actor } = this.repository;
    const status: FakeStatus = {
      id: this.id(),
      sha,
      context: String(b.context ?? 'default'),
      state: String(b.state),
      description: (b.description as string | undefined) ?? null,
      target_url: (b.target_url as string | undefined) ?? null,
      created_at: now,
      updated_at: now,
      creator: { login: actor.login, type: actor.type },
    };
    this.repository.statuses.push(status);
    return { status: 201, body: statusShape(status) };
  }

  private merge(pull: FakePull, body: unknown): Reply {
    const b = (body ?? {}) as Record<string, unknown>;
    if (pull.merged) return { status: 405, body: { message: 'Pull Request is not mergeable' } };
    if (b.sha !== undefined && b.sha !== pull.headSha) return { status: 409, body: { message: 'Head branch was modified. Review and try the merge again.' } };
    if (pull.mergeRefusal) return { status: 405, body: { message: pull.mergeRefusal } };
    pull.merged = true;
    pull.state = 'closed';
    return { status: 200, body: { sha: 'd'.repeat(40), merged: true, message: 'Pull Request successfully merged' } };
  }
}

function isGraphqlQuery(r: RecordedRequest): boolean {
  const query = (r.body as { query?: unknown } | undefined)?.query;
  return r.method === 'POST' && r.path === '/graphql' && typeof query === 'string' && !/^\s*mutation\b/.test(query);
}

function re(repoPath: string, rest: string): RegExp {
  return new RegExp(`^${repoPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}${rest}$`);
}

function userShape(u: FakeUser): Record<string, unknown> {
  return { login: u.login, id: hashId(u.login), type: u.type, site_admin: false };
}

function hashId(login: string): number {
  let h = 7;
  for (const ch of login) h = (h * 31 + ch.charCodeAt(0)) % 1_000_000;
  return h + 1;
}

function labelShape(name: string): Record<string, unknown> {
  return { id: hashId(name), name, color: 'ededed', default: false, description: null };
}

function fileShape(f: FakeFile): Record<string, unknown> {
  const additions = f.additions ?? 1;
  const deletions = f.deletions ?? 0;
  return {
    sha: 'e'.repeat(40),
    filename: f.filename,
    status: f.status ?? 'modified',
    additions,
    deletions,
    changes: additions + deletions,
    ...(f.previous_filename ? { previous_filename: f.previous_filename } : {}),
  };
}

function commitShape(p: FakePull): Record<string, unknown> {
  const person = { name: p.user.login, email: `${p.user.login}@example.com`, date: '2026-01-01T00:00:00Z' };
  return { sha: p.headSha, commit: { author: person, committer: person, message: p.title }, author: userShape(p.user), committer: userShape(p.user), parents: [] };
}

function commentShape(c: FakeComment): Record<string, unknown> {
  return {
    id: c.id,
    node_id: `IC_${c.id}`,
    user: userShape(c.user),
    body: c.body,
    created_at: c.created_at,
    updated_at: c.updated_at ?? c.created_at,
    author_association: 'MEMBER',
    performed_via_github_app: c.performed_via_github_app ?? null,
  };
}

function reviewShape(r: FakeReview): Record<string, unknown> {
  return { id: r.id, user: userShape(r.user), body: r.body, state: r.state, commit_id: r.commit_id, submitted_at: r.submitted_at, author_association: 'MEMBER' };
}

function checkRunShape(r: FakeCheckRun): Record<string, unknown> {
  return {
    id: r.id,
    head_sha: r.head_sha,
    name: r.name,
    status: r.status,
    conclusion: r.conclusion,
    started_at: r.started_at,
    completed_at: r.completed_at ?? (r.status === 'completed' ? r.started_at : null),
    external_id: r.external_id ?? null,
    output: { title: r.output.title, summary: r.output.summary, text: r.output.text ?? null, annotations_count: 0 },
    app: { id: r.app.id, slug: r.app.slug, name: r.app.slug, owner: { login: 'github', type: 'Organization' } },
    pull_requests: [],
  };
}

function statusShape(s: FakeStatus): Record<string, unknown> {
  return { id: s.id, state: s.state, context: s.context, description: s.description, target_url: s.target_url ?? null, created_at: s.created_at, updated_at: s.updated_at, creator: userShape(s.creator) };
}
