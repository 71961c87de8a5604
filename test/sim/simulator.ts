// A local, stateful GitHub for the demo, the end-to-end tests and the load benchmark. Tests set up
// state and act as people through this class; the App talks to it over HTTP like to GitHub (Enterprise
// Server), and every state change is delivered to the App as a signed webhook.
import { EventEmitter } from 'node:events';
import { randomBytes, type KeyObject } from 'node:crypto';
import type { Faults, RateLimitEpisode, RestFaults, WebhookFaults } from './faults.js';
import {
  newSha,
  World,
  type TokenScope,
  type SimCheckRun,
  type SimComment,
  type SimIssue,
  type SimFileChange,
  type SimPermission,
  type SimPull,
  type SimRepo,
  type SimReview,
  type SimStatus,
  type SimUser,
} from './model.js';
import type { Notify, TimelineEntry } from './notify.js';
import { protectionOf, type SimProtection } from './protection.js';
import { seededRandom } from './random.js';
import { MergeQueues, type EntryHeadCommit, type QueueMergeMethod, type SimQueueEntry } from './merge-queue.js';
import { RestServer, type RecordedRequest } from './rest.js';
import { buildRoutes, createStatus, firstLine } from './routes.js';
import { GITHUB_CONTENT_LIMITS, type ContentLimits } from './content-limits.js';
import * as shape from './shapes.js';
import { Webhooks, type Delivery } from './webhooks.js';

export interface SimulatorOptions {
  appId?: number;
  appSlug?: string;
  webhookSecret?: string;
  /** The App's webhook URL; deliveries are only recorded until it is set. */
  webhookUrl?: string;
  /** JWTs are verified against this key when given. */
  appPublicKey?: KeyObject | string;
  /** Seed for fault injection, so a failing run can be replayed. */
  seed?: number;
  /** The time written into `created_at` and friends. Defaults to the real clock. */
  clock?: () => Date;
  /** Deliver webhooks for check runs (GitHub does, also for the App's own). Default true. */
  checkRunWebhooks?: boolean;
  /** Secondary limits on content-creating requests per installation (default GitHub's 80 a minute
   * and 500 an hour); `false` does not enforce them. */
  contentLimits?: ContentLimits | false;
}

export interface FileSpec {
  path: string;
  /** Default `added` (or `modified` when the path exists on the base branch). */
  status?: SimFileChange['status'];
  content?: string;
  additions?: number;
  deletions?: number;
  previousPath?: string;
}

export interface RepoSpec {
  /** `owner/name` */
  name: string;
  files?: Record<string, string>;
  /** Text of `.github/hitl.yml` on the default branch. */
  policy?: string;
  defaultBranch?: string;
  collaborators?: Record<string, SimPermission>;
  /** Checks that branch protection requires before a merge. */
  requiredChecks?: string[];
  /** A ruleset with a `merge_queue` rule on the default branch: merges go through the queue. */
  /** `entryHeadCommit`: what GraphQL `MergeQueueEntry.headCommit` names, which GitHub does not document
   * (docs/github.md#merge-queue-entry-head): the group's commit (default) or the PR's queued head. */
  mergeQueue?: { method?: QueueMergeMethod; entryHeadCommit?: EntryHeadCommit };
  ownerType?: 'User' | 'Organization';
  /** Rulesets, classic protection beyond `requiredChecks`, allowed merge methods (see protection.ts). */
  protection?: Partial<SimProtection>;
}

export interface PullSpec {
  author: string;
  title?: string;
  body?: string;
  head?: string;
  base?: string;
  files: FileSpec[];
  labels?: string[];
  draft?: boolean;
  /** Who authored and committed the first commit (default: the PR author). */
  committer?: string;
  /** The first commit's message (default: the title), e.g. with an agent's trailer. */
  message?: string;
  /** The head commit's SHA (default: a fresh one), for a test that names its heads. */
  sha?: string;
}

/** A check run some workflow job wrote (the GitHub Actions app), as it stands when the test begins. */
export interface WorkflowCheckRunSpec {
  name: string;
  status?: 'queued' | 'in_progress' | 'completed';
  conclusion?: string | null;
  startedAt?: string;
  externalId?: string | null;
  title?: string | null;
}

export class GitHubSimulator extends EventEmitter {
  readonly world: World;
  readonly timeline: TimelineEntry[] = [];
  readonly webhooks: Webhooks;
  readonly faults: Faults = { rest: {}, webhooks: {} };
  private readonly rest: RestServer;
  private secret: string;
  private webhookUrl?: string;
  private readonly checkRunWebhooks: boolean;
  readonly queues: MergeQueues;
  private contentLimits: ContentLimits | false;
  /** Webhook payload URLs follow the App's API root; GHES puts it under /api/v3. */
  ghes = true;

  constructor(options: SimulatorOptions = {}) {
    super();
    this.setMaxListeners(0);
    this.world = new World(options.appId ?? 4242, options.appSlug ?? 'hitl-gate', options.clock ?? (() => new Date()));
    this.secret = options.webhookSecret ?? 'sim-secret';
    this.webhookUrl = options.webhookUrl;
    this.checkRunWebhooks = options.checkRunWebhooks ?? true;
    this.contentLimits = options.contentLimits ?? GITHUB_CONTENT_LIMITS;
    const random = seededRandom(options.seed ?? 1);
    this.webhooks = new Webhooks({
      world: this.world,
      secret: () => this.secret,
      url: () => this.webhookUrl,
      urls: () => this.urls(),
      faults: () => this.faults.webhooks,
      random,
    });
    this.queues = new MergeQueues(this.world, this.notifier());
    this.rest = new RestServer({
      world: this.world,
      routes: buildRoutes(this.world, this.notifier(), this.queues),
      faults: () => this.faults,
      random,
      appPublicKey: options.appPublicKey,
      contentLimits: () => this.contentLimits || undefined,
    });
  }

  async start(): Promise<this> {
    await this.rest.listen();
    return this;
  }

  async stop(): Promise<void> {
    await this.webhooks.settled();
    this.webhooks.close();
    await this.rest.close();
  }

  get port(): number {
    return this.rest.port;
  }
  /** `host:port` for the App's `GHE_HOST` (with `GHE_PROTOCOL=http`). */
  get gheHost(): string {
    return `127.0.0.1:${this.port}`;
  }
  /** REST root as GitHub Enterprise Server serves it. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/v3`;
  }
  get requests(): RecordedRequest[] {
    return this.rest.requests;
  }
  get deliveries(): Delivery[] {
    return this.webhooks.deliveries;
  }
  get app(): { id: number; slug: string; botLogin: string } {
    return { id: this.world.app.id, slug: this.world.app.slug, botLogin: this.world.app.bot.login };
  }

  /** A personal access token acting as `login` (created on first mention): comments it posts are that
   * person's, as with `gh` or an agent's own token. */
  personalToken(login: string): string {
    const token = `ghp_sim${randomBytes(12).toString('hex')}`;
    this.world.personalTokens.set(token, this.world.user(login));
    return token;
  }

  /** A workflow's `GITHUB_TOKEN` on one repository: it writes as `github-actions[bot]` (the GitHub Actions
   * app) and only under the scopes its workflow granted (default: every one); anything else answers 403. */
  workflowToken(repoName: string, o: { token?: string; writes?: readonly TokenScope[] } = {}): string {
    const repo = this.world.repo(repoName);
    const token = o.token ?? `ghs_wf${randomBytes(12).toString('hex')}`;
    const writes = new Set<TokenScope>(o.writes ?? ['checks', 'contents', 'issues', 'pull_requests', 'statuses']);
    this.world.tokens.set(token, {
      token,
      installationId: repo.installationId,
      expiresAt: this.world.nowMs() + 6 * 3600_000,
      actsAs: this.world.ciApp,
      repositoryId: repo.id,
      writes,
    });
    return token;
  }

  configureApp(o: { webhookUrl?: string; webhookSecret?: string; publicKey?: KeyObject | string }): void {
    if (o.webhookUrl !== undefined) this.webhookUrl = o.webhookUrl;
    if (o.webhookSecret !== undefined) this.secret = o.webhookSecret;
    if (o.publicKey !== undefined) this.rest.setPublicKey(o.publicKey);
  }

  // --- Faults ----------------------------------------------------------------------------------
  setRestFaults(f: RestFaults): void {
    this.faults.rest = f;
  }
  setWebhookFaults(f: WebhookFaults): void {
    this.faults.webhooks = f;
  }
  /** The next `requests` REST requests are refused with a rate-limit answer. */
  rateLimitEpisode(e: RateLimitEpisode): void {
    this.faults.rateLimit = { ...e };
  }
  /** Secondary limits on content-creating requests from now on (`false`: not enforced). */
  setContentLimits(limits: ContentLimits | false): void {
    this.contentLimits = limits;
  }
  /** Secondary-limit answers (403 with retry-after) given so far. */
  get secondaryLimitAnswers(): number {
    return this.rest.content.refused;
  }

  clearFaults(): void {
    this.faults.rest = {};
    this.faults.webhooks = {};
    delete this.faults.rateLimit;
  }

  // --- Set-up ----------------------------------------------------------------------------------
  createRepo(spec: RepoSpec): string {
    const [ownerLogin, name] = spec.name.split('/');
    if (!ownerLogin || !name) throw new Error(`simulator: repository name must be owner/name, got ${spec.name}`);
    const owner = this.world.user(ownerLogin, spec.ownerType ?? 'Organization');
    const inst = this.world.installationFor(owner);
    const now = this.world.now();
    const tree = new Map(Object.entries(spec.files ?? { 'README.md': `# ${name}\n` }));
    if (spec.policy !== undefined) tree.set('.github/hitl.yml', spec.policy);
    const sha = newSha(`init:${spec.name}`);
    const branch = spec.defaultBranch ?? 'main';
    const repo: SimRepo = {
      id: this.world.ids.next('repo'),
      owner,
      name,
      fullName: `${owner.login}/${name}`,
      private: true,
      defaultBranch: branch,
      createdAt: now,
      installationId: inst.id,
      branches: new Map([[branch, sha]]),
      commits: new Map([[sha, { sha, parents: [], message: 'Initial commit', author: owner, committer: owner, date: now, tree }]]),
      collaborators: new Map(Object.entries(spec.collaborators ?? {}).map(([login, p]) => [login.toLowerCase(), p])),
      labels: new Map(),
      pulls: new Map(),
      issues: new Map(),
      deletedIssues: new Set(),
      comments: new Map(),
      checkRuns: [],
      statuses: [],
      requiredChecks: spec.requiredChecks ?? [],
      nextNumber: 1,
      ...(spec.mergeQueue
        ? {
            mergeQueue: {
              branch,
              method: spec.mergeQueue.method ?? 'SQUASH',
              entryHeadCommit: spec.mergeQueue.entryHeadCommit ?? 'group-commit',
              rulesetId: this.world.ids.next('ruleset'),
              entries: [],
              history: [],
            },
          }
        : {}),
    };
    for (const login of Object.keys(spec.collaborators ?? {})) this.world.user(login);
    this.world.repos.set(repo.fullName.toLowerCase(), repo);
    inst.repos.add(repo.id);
    if (spec.protection) this.protect(repo.fullName, spec.protection);
    return repo.fullName;
  }

  /** Replace parts of the repository's protection (rulesets, classic protection, merge methods). */
  protect(repoName: string, p: Partial<SimProtection>): void {
    const current = protectionOf(this.world.repo(repoName));
    if (p.rulesets) current.rulesets = p.rulesets;
    if (p.classic) current.classic = p.classic;
    if (p.methods) current.methods = p.methods;
  }

  /** Someone pushes to the base branch: open PRs on it fall behind. */
  advanceBase(repoName: string, o: { branch?: string; by?: string; files?: FileSpec[] } = {}): string {
    const repo = this.world.repo(repoName);
    const branch = o.branch ?? repo.defaultBranch;
    const parent = repo.branches.get(branch);
    if (!parent) throw new Error(`simulator: no branch ${branch}`);
    const by = this.world.user(o.by ?? repo.owner.login);
    const files = (o.files ?? [{ path: `base-${Date.now()}.txt`, content: 'moved\n' }]).map((f) => this.fileChange(repo, parent, f));
    const sha = this.commit(repo, parent, files, `Move ${branch}`, by, by);
    repo.branches.set(branch, sha);
    this.record({
      actor: by,
      repo,
      kind: 'pushed',
      detail: `${branch} ${parent.slice(0, 7)} -> ${sha.slice(0, 7)}`,
      data: { branch, before: parent, after: sha },
    });
    return sha;
  }

  setPermission(repo: string, login: string, permission: SimPermission | 'none'): void {
    const r = this.world.repo(repo);
    this.world.user(login);
    if (permission === 'none') r.collaborators.delete(login.toLowerCase());
    else r.collaborators.set(login.toLowerCase(), permission);
    this.record({ actor: r.owner, repo: r, kind: 'permission', detail: `${login} is ${permission}` });
  }

  addTeamMember(team: string, login: string, state: 'active' | 'pending' = 'active'): void {
    const [org, slug] = team.split('/');
    this.world.user(login);
    this.world.team(org ?? '', slug ?? '').members.set(login.toLowerCase(), state);
  }

  /** What GitHub will report as `mergeable` (null: still computing). */
  setMergeable(repo: string, number: number, mergeable: boolean | null): void {
    const r = this.world.repo(repo);
    this.world.pull(repo, number).mergeable = mergeable;
    this.record({ actor: r.owner, repo: r, number, kind: 'mergeable', detail: String(mergeable) });
  }

  /** The first `reads` GETs of the PR after this answer `mergeable: null`, as GitHub does after a push (docs/github.md#mergeable-null). */
  setMergeableComputing(repo: string, number: number, reads: number): void {
    this.world.pull(repo, number).unknownReads = reads;
  }

  // --- People acting -----------------------------------------------------------------------------
  openPullRequest(repoName: string, spec: PullSpec): number {
    const repo = this.world.repo(repoName);
    const author = this.world.user(spec.author);
    const baseRef = spec.base ?? repo.defaultBranch;
    const baseSha = repo.branches.get(baseRef);
    if (!baseSha) throw new Error(`simulator: no branch ${baseRef}`);
    const number = repo.nextNumber++;
    const headRef = spec.head ?? `agent/change-${number}`;
    const files = spec.files.map((f) => this.fileChange(repo, baseSha, f));
    const sha = this.commit(
      repo,
      baseSha,
      files,
      spec.message ?? spec.title ?? `Change ${number}`,
      author,
      spec.committer ? this.world.user(spec.committer) : author,
      baseSha,
      spec.sha,
    );
    repo.branches.set(headRef, sha);
    const now = this.world.now();
    const pr: SimPull = {
      id: this.world.ids.next('pull'),
      number,
      title: spec.title ?? `Change ${number}`,
      body: spec.body ?? null,
      user: author,
      state: 'open',
      draft: spec.draft ?? false,
      locked: false,
      merged: false,
      mergedAt: null,
      mergedBy: null,
      mergeCommitSha: null,
      headRef,
      headSha: sha,
      baseRef,
      baseSha,
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
    for (const l of spec.labels ?? []) pr.labels.push(this.world.label(repo, l).name);
    repo.pulls.set(number, pr);
    this.record({
      actor: author,
      repo,
      number,
      kind: 'opened',
      detail: `${pr.title} (${files.length} file${files.length === 1 ? '' : 's'}: ${files
        .slice(0, 3)
        .map((f) => f.filename)
        .join(', ')}${files.length > 3 ? ', ...' : ''})`,
      data: { headSha: sha },
    });
    this.notifier().pullRequest('opened', repo, pr, author);
    return number;
  }

  /** Push a commit to the PR's head branch. `files` is the PR's whole diff after the push when given. */
  push(repoName: string, number: number, o: { by?: string; files?: FileSpec[]; message?: string; committer?: string } = {}): string {
    const repo = this.world.repo(repoName);
    const pr = this.world.pull(repoName, number);
    const by = this.world.user(o.by ?? pr.user.login);
    const files = o.files ? o.files.map((f) => this.fileChange(repo, pr.baseSha, f)) : pr.files;
    const before = pr.headSha;
    const sha = this.commit(
      repo,
      pr.headSha,
      files,
      o.message ?? 'Follow-up',
      by,
      o.committer ? this.world.user(o.committer) : by,
      pr.baseSha,
    );
    repo.branches.set(pr.headRef, sha);
    Object.assign(pr, { headSha: sha, files, updatedAt: this.world.now() });
    pr.commits.push(sha);
    this.record({
      actor: by,
      repo,
      number,
      kind: 'pushed',
      detail: `${before.slice(0, 7)} -> ${sha.slice(0, 7)}`,
      data: { before, after: sha },
    });
    this.notifier().pullRequest('synchronize', repo, pr, by, { before, after: sha });
    return sha;
  }

  /** `at`: when it was written, for a conversation that was under way before the test began. */
  comment(repoName: string, number: number, login: string, body: string, o: { at?: string } = {}): number {
    const repo = this.world.repo(repoName);
    const pr = this.world.pull(repoName, number);
    const user = this.world.user(login);
    const now = o.at ?? this.world.now();
    const c: SimComment = { id: this.world.ids.next('comment'), number, body, user, createdAt: now, updatedAt: now, reactions: [] };
    repo.comments.set(c.id, c);
    pr.updatedAt = now; // GitHub moves a PR's updated_at on a new comment, review or label (not on checks)
    this.record({ actor: user, repo, number, kind: 'commented', detail: firstLine(body), data: { commentId: c.id, body } });
    this.notifier().issueComment('created', repo, pr, c, user);
    return c.id;
  }

  /** Edit a comment. `by`: who edits it (default its author); anyone with write access may edit any
   * comment of the repository on GitHub, the App's own included. */
  editComment(repoName: string, commentId: number, body: string, by?: string): void {
    const repo = this.world.repo(repoName);
    const c = repo.comments.get(commentId);
    if (!c) throw new Error(`simulator: no comment ${commentId}`);
    const editor = by ? this.world.user(by) : c.user;
    const from = c.body;
    Object.assign(c, { body, updatedAt: this.world.now(), lastEditedAt: this.world.now(), lastEditedBy: editor });
    this.record({
      actor: editor,
      repo,
      number: c.number,
      kind: 'comment-edited',
      detail: firstLine(body),
      data: { commentId, body, author: c.user.login },
    });
    this.notifier().issueComment('edited', repo, this.world.pull(repoName, c.number), c, editor, { changes: { body: { from } } });
  }

  /** Delete a comment. `by`: who deletes it (default its author); on GitHub anyone with write access may. */
  deleteComment(repoName: string, commentId: number, by?: string): void {
    const repo = this.world.repo(repoName);
    const c = repo.comments.get(commentId);
    if (!c) throw new Error(`simulator: no comment ${commentId}`);
    const actor = by ? this.world.user(by) : c.user;
    repo.comments.delete(commentId);
    this.record({
      actor,
      repo,
      number: c.number,
      kind: 'comment-deleted',
      detail: firstLine(c.body),
      data: { commentId, author: c.user.login },
    });
    this.notifier().issueComment('deleted', repo, this.world.pull(repoName, c.number), c, actor);
  }

  /** Force-push the PR's head branch to a new commit on the base (the earlier commits leave the PR, as
   * on GitHub; the timeline keeps a `HeadRefForcePushedEvent` naming the head it replaced). `deliver:
   * false` loses the `synchronize` webhook. */
  forcePush(
    repoName: string,
    number: number,
    o: { by?: string; files?: FileSpec[]; message?: string; deliver?: boolean; forgetBefore?: boolean; sha?: string } = {},
  ): string {
    const repo = this.world.repo(repoName);
    const pr = this.world.pull(repoName, number);
    const by = this.world.user(o.by ?? pr.user.login);
    const files = o.files ? o.files.map((f) => this.fileChange(repo, pr.baseSha, f)) : pr.files;
    const before = pr.headSha;
    const sha = this.commit(repo, pr.baseSha, files, o.message ?? 'Rewritten', by, by, pr.baseSha, o.sha);
    repo.branches.set(pr.headRef, sha);
    Object.assign(pr, { headSha: sha, files, updatedAt: this.world.now(), commits: [sha] });
    (pr.forcePushes ??= []).push({
      id: this.world.ids.next('event'),
      before,
      after: sha,
      at: this.world.now(),
      actor: by,
      ...(o.forgetBefore ? { beforeGone: true } : {}),
    });
    this.record({
      actor: by,
      repo,
      number,
      kind: 'pushed',
      detail: `${before.slice(0, 7)} -> ${sha.slice(0, 7)} (forced)`,
      data: { before, after: sha, forced: true },
    });
    if (o.deliver !== false) this.notifier().pullRequest('synchronize', repo, pr, by, { before, after: sha });
    return sha;
  }

  review(repoName: string, number: number, login: string, state: SimReview['state'], body = '', o: { at?: string } = {}): number {
    const repo = this.world.repo(repoName);
    const pr = this.world.pull(repoName, number);
    const user = this.world.user(login);
    const r: SimReview = {
      id: this.world.ids.next('review'),
      user,
      body,
      state,
      commitId: pr.headSha,
      submittedAt: o.at ?? this.world.now(),
    };
    pr.reviews.push(r);
    pr.updatedAt = r.submittedAt;
    this.record({
      actor: user,
      repo,
      number,
      kind: 'reviewed',
      detail: `${state}${body ? `: ${firstLine(body)}` : ''}`,
      data: { reviewId: r.id, state },
    });
    this.notifier().review('submitted', repo, pr, r, user);
    return r.id;
  }

  label(repoName: string, number: number, login: string, name: string): void {
    const repo = this.world.repo(repoName);
    const pr = this.world.pull(repoName, number);
    const user = this.world.user(login);
    if (pr.labels.some((l) => l.toLowerCase() === name.toLowerCase())) return;
    const l = this.world.label(repo, name);
    pr.labels.push(l.name);
    pr.updatedAt = this.world.now();
    this.record({ actor: user, repo, number, kind: 'labeled', detail: name });
    this.notifier().pullRequest('labeled', repo, pr, user, { label: shape.labelShape(repo, l, this.urls()) });
  }

  unlabel(repoName: string, number: number, login: string, name: string): void {
    const repo = this.world.repo(repoName);
    const pr = this.world.pull(repoName, number);
    const user = this.world.user(login);
    const i = pr.labels.findIndex((l) => l.toLowerCase() === name.toLowerCase());
    if (i < 0) return;
    pr.labels.splice(i, 1);
    pr.updatedAt = this.world.now();
    this.record({ actor: user, repo, number, kind: 'unlabeled', detail: name });
    this.notifier().pullRequest('unlabeled', repo, pr, user, { label: shape.labelShape(repo, this.world.label(repo, name), this.urls()) });
  }

  close(repoName: string, number: number, login: string): void {
    const repo = this.world.repo(repoName);
    const pr = this.world.pull(repoName, number);
    const user = this.world.user(login);
    Object.assign(pr, { state: 'closed', closedAt: this.world.now(), updatedAt: this.world.now() });
    this.record({ actor: user, repo, number, kind: 'closed', detail: 'closed without merging' });
    this.notifier().pullRequest('closed', repo, pr, user);
  }

  /** A check run a workflow job wrote earlier (started at `startedAt`, with its external id and title). */
  workflowCheckRun(repoName: string, sha: string, spec: WorkflowCheckRunSpec): number {
    const repo = this.world.repo(repoName);
    if (!repo.commits.has(sha)) throw new Error(`simulator: no commit ${sha}`);
    const startedAt = spec.startedAt ?? this.world.now();
    const status = spec.status ?? (spec.conclusion ? 'completed' : 'in_progress');
    const run: SimCheckRun = {
      id: this.world.ids.next('check'),
      name: spec.name,
      headSha: sha,
      status,
      conclusion: spec.conclusion ?? null,
      startedAt,
      completedAt: status === 'completed' ? startedAt : null,
      output: { title: spec.title ?? null, summary: null, text: null },
      externalId: spec.externalId ?? null,
      detailsUrl: null,
      app: this.world.ciApp,
    };
    repo.checkRuns.push(run);
    this.record({
      actor: this.world.ciApp.bot,
      repo,
      kind: 'check-run',
      detail: `${spec.name} ${run.conclusion ?? status}`,
      data: { checkRunId: run.id, name: spec.name, headSha: sha, conclusion: run.conclusion },
    });
    return run.id;
  }

  // Issues that are not pull requests. The App subscribes to no `issues` events (app.yml), so these
  // deliver no webhook: the gate sees them only when it reads them.

  /** A person opens an issue. */
  openIssue(repoName: string, o: { author: string; title: string; body?: string; labels?: string[] }): number {
    const repo = this.world.repo(repoName);
    const user = this.world.user(o.author);
    const now = this.world.now();
    const issue: SimIssue = {
      id: this.world.ids.next('issue'),
      number: repo.nextNumber++,
      title: o.title,
      body: o.body ?? null,
      user,
      state: 'open',
      stateReason: null,
      labels: (o.labels ?? []).map((n) => this.world.label(repo, n).name),
      createdAt: now,
      updatedAt: now,
      closedAt: null,
    };
    repo.issues.set(issue.number, issue);
    this.record({ actor: user, repo, number: issue.number, kind: 'issue-opened', detail: o.title, data: { body: issue.body } });
    return issue.number;
  }

  /** A person edits an issue's body or title, or closes or reopens it. */
  editIssue(
    repoName: string,
    number: number,
    login: string,
    change: { title?: string; body?: string; state?: 'open' | 'closed'; labels?: string[] },
  ): void {
    const repo = this.world.repo(repoName);
    const issue = this.issue(repoName, number);
    const user = this.world.user(login);
    const now = this.world.now();
    if (change.title !== undefined) issue.title = change.title;
    if (change.body !== undefined) issue.body = change.body;
    if (change.labels !== undefined) issue.labels = change.labels.map((n) => this.world.label(repo, n).name);
    if (change.state === 'closed' && issue.state === 'open')
      Object.assign(issue, { state: 'closed', stateReason: 'completed', closedAt: now });
    if (change.state === 'open' && issue.state === 'closed')
      Object.assign(issue, { state: 'open', stateReason: 'reopened', closedAt: null });
    issue.updatedAt = now;
    this.record({ actor: user, repo, number, kind: 'issue-edited', detail: issue.title, data: { body: issue.body, state: issue.state } });
  }

  /** An admin deletes an issue: its number answers 410 Gone from then on. */
  deleteIssue(repoName: string, number: number, login: string): void {
    const repo = this.world.repo(repoName);
    this.issue(repoName, number);
    repo.issues.delete(number);
    repo.deletedIssues.add(number);
    this.record({ actor: this.world.user(login), repo, number, kind: 'issue-deleted', detail: `#${number}` });
  }

  issue(repoName: string, number: number): SimIssue {
    const issue = this.world.repo(repoName).issues.get(number);
    if (!issue) throw new Error(`simulator: no issue ${repoName}#${number}`);
    return issue;
  }

  /** Issues (not pull requests) of a repository, oldest first. */
  issues(repoName: string): SimIssue[] {
    return [...this.world.repo(repoName).issues.values()].sort((a, b) => a.number - b.number);
  }

  /** A check run of another App (CI) on a commit. */
  ciCheck(repoName: string, sha: string, name: string, conclusion: 'success' | 'failure' | null): number {
    const repo = this.world.repo(repoName);
    const now = this.world.now();
    let run = repo.checkRuns.find((r) => r.headSha === sha && r.name === name && r.app.id === this.world.ciApp.id);
    const created = !run;
    if (!run) {
      run = {
        id: this.world.ids.next('check'),
        name,
        headSha: sha,
        status: 'in_progress',
        conclusion: null,
        startedAt: now,
        completedAt: null,
        output: { title: null, summary: null, text: null },
        externalId: '',
        detailsUrl: null,
        app: this.world.ciApp,
      };
      repo.checkRuns.push(run);
    }
    if (conclusion) Object.assign(run, { status: 'completed', conclusion, completedAt: now });
    this.record({
      actor: this.world.ciApp.bot,
      repo,
      kind: 'check-run',
      detail: `${name} ${conclusion ?? 'in_progress'}`,
      data: { checkRunId: run.id, name, headSha: sha, conclusion },
    });
    if (created) this.notifier().checkRun('created', repo, run, this.world.ciApp.bot);
    if (conclusion) this.notifier().checkRun('completed', repo, run, this.world.ciApp.bot);
    return run.id;
  }

  /** A person clicks one of the buttons (actions) the App put on a check run: GitHub sends the App
   * `check_run.requested_action`. Only buttons the run shows can be clicked. */
  clickCheckRunAction(repoName: string, checkRunId: number, login: string, identifier: string): void {
    const repo = this.world.repo(repoName);
    const run = repo.checkRuns.find((r) => r.id === checkRunId);
    if (!run) throw new Error(`no check run ${checkRunId} in ${repoName}`);
    if (!(run.actions ?? []).some((a) => a.identifier === identifier))
      throw new Error(`check run ${checkRunId} shows no button ${identifier}`);
    const user = this.world.user(login);
    const pr = [...repo.pulls.values()].find((p) => p.headSha === run.headSha);
    this.record({
      actor: user,
      repo,
      ...(pr ? { number: pr.number } : {}),
      kind: 'clicked',
      detail: `${identifier} on ${run.name}`,
      data: { checkRunId, identifier, headSha: run.headSha },
    });
    this.notifier().requestedAction?.(repo, run, identifier, user);
  }

  /** A person clicks "Re-run" on a check run: GitHub sends its App `check_run.rerequested`. */
  rerunCheckRun(repoName: string, checkRunId: number, login: string): void {
    const repo = this.world.repo(repoName);
    const run = repo.checkRuns.find((r) => r.id === checkRunId);
    if (!run) throw new Error(`no check run ${checkRunId} in ${repoName}`);
    const user = this.world.user(login);
    this.record({ actor: user, repo, kind: 'rerun', detail: run.name, data: { checkRunId, headSha: run.headSha } });
    this.notifier().checkRun('rerequested', repo, run, user);
  }

  /** A commit status from some CI (`POST /statuses/{sha}` by a person's token). */
  commitStatus(repoName: string, sha: string, context: string, state: SimStatus['state'], by = 'ci-bot[bot]'): void {
    const repo = this.world.repo(repoName);
    const creator = this.world.user(by);
    const s = createStatus(this.world, repo, sha, creator, { state, context, description: null, targetUrl: null });
    this.record({ actor: creator, repo, kind: 'status', detail: `${context}: ${state}`, data: { sha, context, state } });
    this.notifier().status(repo, s, creator);
  }

  /** A person adds the PR to its base branch's merge queue. `force`: an admin bypassing its requirements. */
  enqueue(repoName: string, number: number, login: string, o: { force?: boolean } = {}): SimQueueEntry {
    return this.queues.enqueue(this.world.repo(repoName), this.world.pull(repoName, number), this.world.user(login), o);
  }

  /** A person removes the PR from the merge queue. */
  dequeue(repoName: string, number: number, login: string): void {
    this.queues.dequeue(this.world.repo(repoName), this.world.pull(repoName, number), this.world.user(login), `removed by ${login}`);
  }

  /** The merge queue's entries, front first. */
  mergeQueue(repoName: string): SimQueueEntry[] {
    return [...(this.world.repo(repoName).mergeQueue?.entries ?? [])];
  }

  // --- Looking at the result ---------------------------------------------------------------------
  pull(repo: string, number: number): SimPull {
    return this.world.pull(repo, number);
  }
  comments(repo: string, number: number): SimComment[] {
    return [...this.world.repo(repo).comments.values()].filter((c) => c.number === number).sort((a, b) => a.id - b.id);
  }
  /** Comments the App wrote on a PR. */
  appComments(repo: string, number: number): SimComment[] {
    return this.comments(repo, number).filter((c) => c.viaApp?.id === this.world.app.id);
  }
  checkRuns(repo: string, sha?: string, name?: string): SimCheckRun[] {
    return this.world.repo(repo).checkRuns.filter((r) => (!sha || r.headSha === sha) && (!name || r.name === name));
  }
  /** Every merge the App made, in order. */
  merges(repo?: string): TimelineEntry[] {
    return this.timeline.filter((e) => e.kind === 'merged' && (!repo || e.repo.toLowerCase() === repo.toLowerCase()));
  }
  /** Requests GitHub charges to an installation's rate limit since a point in the log: every
   * installation request but a 304 answer to a conditional one. */
  chargedRequests(since = 0): number {
    return this.rest.requests.slice(since).filter((r) => r.installationId !== undefined && r.status !== 304).length;
  }

  /** REST requests by kind (`METHOD /template`), optionally only since a point in the log. */
  requestCounts(since = 0): Map<string, number> {
    const out = new Map<string, number>();
    for (const r of this.rest.requests.slice(since)) out.set(r.kind, (out.get(r.kind) ?? 0) + 1);
    return out;
  }

  /** Resolves with the first timeline entry (past or future) that matches, or rejects after timeoutMs. */
  waitFor(match: (e: TimelineEntry) => boolean, timeoutMs = 10_000, description = 'timeline entry'): Promise<TimelineEntry> {
    const found = this.timeline.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const onEntry = (e: TimelineEntry): void => {
        if (!match(e)) return;
        clearTimeout(timer);
        this.off('entry', onEntry);
        resolve(e);
      };
      const timer = setTimeout(() => {
        this.off('entry', onEntry);
        reject(new Error(`simulator: no ${description} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.on('entry', onEntry);
    });
  }

  /** Resolves when `condition` holds, polling state; rejects after timeoutMs. */
  async until(condition: () => boolean, timeoutMs = 10_000, description = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`simulator: ${description} did not hold within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  // --- Internals ----------------------------------------------------------------------------------
  private urls(): shape.Urls {
    const origin = `http://127.0.0.1:${this.port}`;
    return { api: this.ghes ? `${origin}/api/v3` : origin, web: origin };
  }

  private record(e: Omit<TimelineEntry, 'at' | 'actor' | 'repo'> & { actor: SimUser; repo: SimRepo }): void {
    const entry: TimelineEntry = { ...e, at: this.world.nowMs(), actor: e.actor.login, repo: e.repo.fullName };
    this.timeline.push(entry);
    this.emit('entry', entry);
    // A check or status may complete a merge group's required checks (or fail them).
    if (e.kind === 'check-run' || e.kind === 'status') this.queues.advance(e.repo);
  }

  private fileChange(repo: SimRepo, baseSha: string, f: FileSpec): SimFileChange {
    const exists = repo.commits.get(baseSha)?.tree.has(f.path) ?? false;
    const status = f.status ?? (f.previousPath ? 'renamed' : exists ? 'modified' : 'added');
    const lines = f.content === undefined ? 1 : f.content.split('\n').length;
    return {
      filename: f.path,
      status,
      additions: f.additions ?? (status === 'removed' ? 0 : lines),
      deletions: f.deletions ?? (status === 'removed' || status === 'modified' ? 1 : 0),
      ...(f.previousPath !== undefined ? { previousFilename: f.previousPath } : {}),
      ...(f.content !== undefined ? { content: f.content } : {}),
    };
  }

  /** A commit on top of `parent` whose tree is `diffBase`'s tree with `files` applied. */
  private commit(
    repo: SimRepo,
    parent: string,
    files: SimFileChange[],
    message: string,
    author: SimUser,
    committer: SimUser,
    diffBase = parent,
    given?: string,
  ): string {
    const tree = new Map(repo.commits.get(diffBase)?.tree ?? []);
    for (const f of files) {
      if (f.previousFilename) tree.delete(f.previousFilename);
      if (f.status === 'removed') tree.delete(f.filename);
      else tree.set(f.filename, f.content ?? `content of ${f.filename}\n`);
    }
    if (given !== undefined && repo.commits.has(given)) throw new Error(`simulator: commit ${given} exists already`);
    const sha = given ?? newSha(`${repo.fullName}:${message}`);
    repo.commits.set(sha, { sha, parents: [parent], message, author, committer, date: this.world.now(), tree });
    return sha;
  }

  private notifier(): Notify {
    const urls = (): shape.Urls => this.urls();
    const w = this.world;
    const hooks = this.webhooks;
    return {
      timeline: (e) => this.record(e),
      pullRequest: (action, repo, pr, sender, extra = {}) => {
        hooks.send('pull_request', action, repo, sender, {
          number: pr.number,
          pull_request: shape.pullShape(w, repo, pr, urls()),
          ...extra,
        });
      },
      issueComment: (action, repo, pr, comment, sender, extra = {}) => {
        hooks.send('issue_comment', action, repo, sender, {
          issue: shape.issueShape(w, repo, pr, urls()),
          comment: shape.commentShape(w, repo, comment, urls()),
          ...extra,
        });
      },
      review: (action, repo, pr, review, sender) => {
        hooks.send('pull_request_review', action, repo, sender, {
          review: shape.reviewShape(w, repo, pr, review, urls(), true),
          pull_request: shape.pullListShape(w, repo, pr, urls()),
        });
      },
      checkRun: (action, repo, run, sender) => {
        if (!this.checkRunWebhooks) return;
        const suiteId = w.suiteId(run.app.id, run.headSha);
        const suiteRuns = repo.checkRuns.filter((r) => r.app.id === run.app.id && r.headSha === run.headSha);
        const suite = shape.checkSuiteShape(repo, run.app, run.headSha, suiteRuns, suiteId, urls());
        hooks.send('check_run', action, repo, sender, {
          check_run: { ...shape.checkRunShape(repo, run, urls(), suiteId), check_suite: suite },
        });
        // GitHub completes the suite when its last run completes, and says so.
        if (action === 'completed' && suite.status === 'completed')
          hooks.send('check_suite', 'completed', repo, sender, { check_suite: suite });
      },
      requestedAction: (repo, run, identifier, sender) => {
        const suiteId = w.suiteId(run.app.id, run.headSha);
        const suiteRuns = repo.checkRuns.filter((r) => r.app.id === run.app.id && r.headSha === run.headSha);
        const suite = shape.checkSuiteShape(repo, run.app, run.headSha, suiteRuns, suiteId, urls());
        hooks.send('check_run', 'requested_action', repo, sender, {
          check_run: { ...shape.checkRunShape(repo, run, urls(), suiteId), check_suite: suite },
          requested_action: { identifier },
        });
      },
      mergeGroup: (action, repo, group, sender, extra = {}) => {
        hooks.send('merge_group', action, repo, sender, { merge_group: group, ...extra });
      },
      status: (repo, s, sender) => {
        hooks.send('status', undefined, repo, sender, {
          id: s.id,
          sha: s.sha,
          name: repo.fullName,
          target_url: s.targetUrl,
          context: s.context,
          description: s.description,
          state: s.state,
          commit: shape.commitShape(repo, repo.commits.get(s.sha)!, urls()),
          branches: [],
          created_at: s.createdAt,
          updated_at: s.updatedAt,
        });
      },
    };
  }
}
