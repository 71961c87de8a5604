// GitHub's JSON shapes for the simulator's state. The same objects feed REST responses and webhook
// payloads, and the simulator's own tests validate them against GitHub's OpenAPI description.
import { createHash } from 'node:crypto';
import type {
  SimApp,
  SimCheckRun,
  SimComment,
  SimCommit,
  SimFileChange,
  SimInstallation,
  SimIssue,
  SimLabel,
  SimPull,
  SimReaction,
  SimRepo,
  SimReview,
  SimStatus,
  SimUser,
  World,
} from './model.js';
import { protectionOf, protectionState } from './protection.js';

/** Where the simulated GitHub lives: `api` is the REST root (with `/api/v3` for GHES), `web` the HTML root. */
export interface Urls {
  api: string;
  web: string;
}

const nodeId = (kind: string, id: number | string): string => Buffer.from(`0${kind.length}:${kind}${id}`).toString('base64');
const blobSha = (content: string): string =>
  createHash('sha1')
    .update(`blob ${Buffer.byteLength(content)}\0${content}`)
    .digest('hex');

export function userShape(u: SimUser, urls: Urls): Record<string, unknown> {
  const api = `${urls.api}/users/${encodeURIComponent(u.login)}`;
  return {
    login: u.login,
    id: u.id,
    node_id: nodeId(u.type, u.id),
    avatar_url: `${urls.web}/avatars/u/${u.id}?v=4`,
    gravatar_id: '',
    url: api,
    html_url: `${urls.web}/${u.login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: u.type,
    user_view_type: 'public',
    site_admin: false,
  };
}

const APP_PERMISSIONS = {
  checks: 'write',
  contents: 'write',
  issues: 'write',
  pull_requests: 'write',
  statuses: 'read',
  members: 'read',
  metadata: 'read',
};
const APP_EVENTS = ['check_run', 'issue_comment', 'label', 'pull_request', 'pull_request_review', 'status'];

export function appShape(app: SimApp, urls: Urls, created: string): Record<string, unknown> {
  return {
    id: app.id,
    slug: app.slug,
    node_id: nodeId('Integration', app.id),
    client_id: `Iv1.${app.id.toString(16).padStart(16, '0')}`,
    owner: userShape(app.owner, urls),
    name: app.name,
    description: null,
    external_url: `${urls.web}/apps/${app.slug}`,
    html_url: `${urls.web}/apps/${app.slug}`,
    created_at: created,
    updated_at: created,
    permissions: APP_PERMISSIONS,
    events: APP_EVENTS,
  };
}

export function installationShape(inst: SimInstallation, world: World, urls: Urls): Record<string, unknown> {
  return {
    id: inst.id,
    // GitHub's description of the list answer requires the account to be a user AND an enterprise
    // (allOf); the enterprise fields cost nothing, so the account carries both.
    account: {
      ...userShape(inst.account, urls),
      name: inst.account.login,
      slug: inst.account.login.toLowerCase(),
      created_at: inst.createdAt,
      updated_at: inst.createdAt,
      description: null,
      website_url: null,
    },
    repository_selection: 'selected',
    access_tokens_url: `${urls.api}/app/installations/${inst.id}/access_tokens`,
    repositories_url: `${urls.api}/installation/repositories`,
    html_url: `${urls.web}/organizations/${inst.account.login}/settings/installations/${inst.id}`,
    app_id: world.app.id,
    app_slug: world.app.slug,
    target_id: inst.account.id,
    target_type: inst.account.type,
    permissions: APP_PERMISSIONS,
    events: APP_EVENTS,
    created_at: inst.createdAt,
    updated_at: inst.createdAt,
    single_file_name: null,
    has_multiple_single_files: false,
    single_file_paths: [],
    suspended_by: null,
    suspended_at: null,
  };
}

export function repoShape(repo: SimRepo, urls: Urls, full = false): Record<string, unknown> {
  const api = `${urls.api}/repos/${repo.fullName}`;
  const openIssues = [...repo.pulls.values()].filter((p) => p.state === 'open').length;
  const shape: Record<string, unknown> = {
    id: repo.id,
    node_id: nodeId('Repository', repo.id),
    name: repo.name,
    full_name: repo.fullName,
    private: repo.private,
    owner: userShape(repo.owner, urls),
    html_url: `${urls.web}/${repo.fullName}`,
    description: null,
    fork: false,
    url: api,
    archive_url: `${api}/{archive_format}{/ref}`,
    assignees_url: `${api}/assignees{/user}`,
    blobs_url: `${api}/git/blobs{/sha}`,
    branches_url: `${api}/branches{/branch}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    comments_url: `${api}/comments{/number}`,
    commits_url: `${api}/commits{/sha}`,
    compare_url: `${api}/compare/{base}...{head}`,
    contents_url: `${api}/contents/{+path}`,
    contributors_url: `${api}/contributors`,
    deployments_url: `${api}/deployments`,
    downloads_url: `${api}/downloads`,
    events_url: `${api}/events`,
    forks_url: `${api}/forks`,
    git_commits_url: `${api}/git/commits{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    git_url: `git://${new URL(urls.web).host}/${repo.fullName}.git`,
    hooks_url: `${api}/hooks`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    issue_events_url: `${api}/issues/events{/number}`,
    issues_url: `${api}/issues{/number}`,
    keys_url: `${api}/keys{/key_id}`,
    labels_url: `${api}/labels{/name}`,
    languages_url: `${api}/languages`,
    merges_url: `${api}/merges`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    pulls_url: `${api}/pulls{/number}`,
    releases_url: `${api}/releases{/id}`,
    ssh_url: `git@${new URL(urls.web).hostname}:${repo.fullName}.git`,
    stargazers_url: `${api}/stargazers`,
    statuses_url: `${api}/statuses/{sha}`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    tags_url: `${api}/tags`,
    teams_url: `${api}/teams`,
    trees_url: `${api}/git/trees{/sha}`,
    clone_url: `${urls.web}/${repo.fullName}.git`,
    mirror_url: null,
    svn_url: `${urls.web}/${repo.fullName}`,
    homepage: null,
    language: 'TypeScript',
    forks_count: 0,
    forks: 0,
    stargazers_count: 0,
    watchers_count: 0,
    watchers: 0,
    size: 1,
    default_branch: repo.defaultBranch,
    open_issues_count: openIssues,
    open_issues: openIssues,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: true,
    has_wiki: true,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: repo.private ? 'private' : 'public',
    pushed_at: repo.createdAt,
    created_at: repo.createdAt,
    updated_at: repo.createdAt,
    allow_forking: true,
    web_commit_signoff_required: false,
    license: null,
    // GitHub sends it in webhook payloads (required by @octokit/webhooks-schemas) and in REST repositories.
    custom_properties: {},
  };
  if (full) {
    Object.assign(shape, {
      network_count: 0,
      subscribers_count: 0,
      allow_squash_merge: protectionOf(repo).methods.squash,
      allow_merge_commit: protectionOf(repo).methods.merge,
      allow_rebase_merge: protectionOf(repo).methods.rebase,
      allow_auto_merge: false,
      delete_branch_on_merge: false,
      permissions: { admin: false, maintain: false, push: true, triage: true, pull: true },
    });
  }
  return shape;
}

export function labelShape(repo: SimRepo, l: SimLabel, urls: Urls): Record<string, unknown> {
  return {
    id: l.id,
    node_id: nodeId('Label', l.id),
    url: `${urls.api}/repos/${repo.fullName}/labels/${encodeURIComponent(l.name)}`,
    name: l.name,
    color: l.color,
    description: l.description,
    default: false,
  };
}

function branchShape(repo: SimRepo, ref: string, sha: string, urls: Urls): Record<string, unknown> {
  return { label: `${repo.owner.login}:${ref}`, ref, sha, user: userShape(repo.owner, urls), repo: repoShape(repo, urls) };
}

/** What `mergeable_state` says, with the meanings of docs/github.md#mergeable-state. */
export function mergeableState(world: World, repo: SimRepo, pr: SimPull): string {
  if (pr.state === 'closed') return pr.merged ? 'unknown' : 'unknown';
  if (pr.mergeable === null) return 'unknown';
  if (pr.mergeable === false) return 'dirty';
  if (pr.draft) return 'draft';
  const checks = checksFor(repo, pr.headSha);
  const protection = protectionState(world, repo, pr);
  if (protection === 'behind') return 'behind';
  if (repo.requiredChecks.some((name) => checks.get(name) !== 'success')) return 'blocked';
  if (protection === 'blocked') return 'blocked';
  if ([...checks.values()].some((c) => c !== 'success')) return 'unstable';
  void world;
  return 'clean';
}

/** Latest verdict of every check run and commit status on a SHA, by name: success, pending or failure. */
export function checksFor(repo: SimRepo, sha: string): Map<string, 'success' | 'pending' | 'failure'> {
  const out = new Map<string, 'success' | 'pending' | 'failure'>();
  for (const run of repo.checkRuns) {
    if (run.headSha !== sha) continue;
    const v =
      run.status !== 'completed' ? 'pending' : ['success', 'neutral', 'skipped'].includes(run.conclusion ?? '') ? 'success' : 'failure';
    out.set(run.name, v);
  }
  for (const s of repo.statuses) {
    if (s.sha !== sha) continue;
    out.set(s.context, s.state === 'success' ? 'success' : s.state === 'pending' ? 'pending' : 'failure');
  }
  return out;
}

export function pullShape(world: World, repo: SimRepo, pr: SimPull, urls: Urls): Record<string, unknown> {
  const api = `${urls.api}/repos/${repo.fullName}`;
  const html = `${urls.web}/${repo.fullName}/pull/${pr.number}`;
  const additions = pr.files.reduce((n, f) => n + f.additions, 0);
  const deletions = pr.files.reduce((n, f) => n + f.deletions, 0);
  return {
    url: `${api}/pulls/${pr.number}`,
    id: pr.id,
    node_id: nodeId('PullRequest', pr.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: `${api}/issues/${pr.number}`,
    commits_url: `${api}/pulls/${pr.number}/commits`,
    review_comments_url: `${api}/pulls/${pr.number}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${api}/issues/${pr.number}/comments`,
    statuses_url: `${api}/statuses/${pr.headSha}`,
    number: pr.number,
    state: pr.state,
    locked: pr.locked,
    title: pr.title,
    user: userShape(pr.user, urls),
    body: pr.body,
    labels: pr.labels.map((name) => labelShape(repo, world.label(repo, name), urls)),
    milestone: null,
    active_lock_reason: null,
    created_at: pr.createdAt,
    updated_at: pr.updatedAt,
    closed_at: pr.closedAt,
    merged_at: pr.mergedAt,
    merge_commit_sha: pr.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: (pr.requestedReviewers ?? []).map((login) => userShape(world.user(login), urls)),
    requested_teams: (pr.requestedTeams ?? []).map((key) => teamShape(world, key, urls)),
    head: branchShape(repo, pr.headRef, pr.headSha, urls),
    base: branchShape(repo, pr.baseRef, pr.baseSha, urls),
    _links: {
      self: { href: `${api}/pulls/${pr.number}` },
      html: { href: html },
      issue: { href: `${api}/issues/${pr.number}` },
      comments: { href: `${api}/issues/${pr.number}/comments` },
      review_comments: { href: `${api}/pulls/${pr.number}/comments` },
      review_comment: { href: `${api}/pulls/comments{/number}` },
      commits: { href: `${api}/pulls/${pr.number}/commits` },
      statuses: { href: `${api}/statuses/${pr.headSha}` },
    },
    author_association: authorAssociation(world, repo, pr.user),
    auto_merge: null,
    draft: pr.draft,
    merged: pr.merged,
    mergeable: pr.state === 'open' ? pr.mergeable : null,
    rebaseable: pr.state === 'open' ? pr.mergeable : null,
    mergeable_state: mergeableState(world, repo, pr),
    merged_by: pr.mergedBy ? userShape(pr.mergedBy, urls) : null,
    comments: [...repo.comments.values()].filter((c) => c.number === pr.number).length,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: pr.commits.length,
    additions,
    deletions,
    changed_files: pr.files.length,
  };
}

/** The short form `GET /pulls` returns (no mergeability, no counts). */
export function pullListShape(world: World, repo: SimRepo, pr: SimPull, urls: Urls): Record<string, unknown> {
  const full = pullShape(world, repo, pr, urls);
  for (const k of [
    'merged',
    'mergeable',
    'rebaseable',
    'mergeable_state',
    'merged_by',
    'comments',
    'review_comments',
    'maintainer_can_modify',
    'commits',
    'additions',
    'deletions',
    'changed_files',
  ])
    delete full[k];
  return full;
}

export function issueShape(world: World, repo: SimRepo, pr: SimPull, urls: Urls): Record<string, unknown> {
  const api = `${urls.api}/repos/${repo.fullName}`;
  return {
    url: `${api}/issues/${pr.number}`,
    repository_url: api,
    labels_url: `${api}/issues/${pr.number}/labels{/name}`,
    comments_url: `${api}/issues/${pr.number}/comments`,
    events_url: `${api}/issues/${pr.number}/events`,
    html_url: `${urls.web}/${repo.fullName}/pull/${pr.number}`,
    id: pr.id + 1_000_000_000,
    node_id: nodeId('Issue', pr.id),
    number: pr.number,
    title: pr.title,
    user: userShape(pr.user, urls),
    labels: pr.labels.map((name) => labelShape(repo, world.label(repo, name), urls)),
    state: pr.state,
    locked: pr.locked,
    assignee: null,
    assignees: [],
    milestone: null,
    comments: [...repo.comments.values()].filter((c) => c.number === pr.number).length,
    created_at: pr.createdAt,
    updated_at: pr.updatedAt,
    closed_at: pr.closedAt,
    author_association: authorAssociation(world, repo, pr.user),
    active_lock_reason: null,
    draft: pr.draft,
    pull_request: {
      url: `${api}/pulls/${pr.number}`,
      html_url: `${urls.web}/${repo.fullName}/pull/${pr.number}`,
      diff_url: `${urls.web}/${repo.fullName}/pull/${pr.number}.diff`,
      patch_url: `${urls.web}/${repo.fullName}/pull/${pr.number}.patch`,
      merged_at: pr.mergedAt,
    },
    body: pr.body,
    reactions: reactionRollup(`${api}/issues/${pr.number}/reactions`, []),
    timeline_url: `${api}/issues/${pr.number}/timeline`,
    performed_via_github_app: null,
    state_reason: null,
  };
}

/** An issue that is not a pull request (no `pull_request` key, no `draft`). */
export function plainIssueShape(world: World, repo: SimRepo, issue: SimIssue, urls: Urls): Record<string, unknown> {
  const api = `${urls.api}/repos/${repo.fullName}`;
  return {
    url: `${api}/issues/${issue.number}`,
    repository_url: api,
    labels_url: `${api}/issues/${issue.number}/labels{/name}`,
    comments_url: `${api}/issues/${issue.number}/comments`,
    events_url: `${api}/issues/${issue.number}/events`,
    html_url: `${urls.web}/${repo.fullName}/issues/${issue.number}`,
    id: issue.id,
    node_id: nodeId('Issue', issue.id),
    number: issue.number,
    title: issue.title,
    user: userShape(issue.user, urls),
    labels: issue.labels.map((name) => labelShape(repo, world.label(repo, name), urls)),
    state: issue.state,
    locked: false,
    assignee: null,
    assignees: [],
    milestone: null,
    comments: 0,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_at: issue.closedAt,
    author_association: authorAssociation(world, repo, issue.user),
    active_lock_reason: null,
    body: issue.body,
    reactions: reactionRollup(`${api}/issues/${issue.number}/reactions`, []),
    timeline_url: `${api}/issues/${issue.number}/timeline`,
    performed_via_github_app: issue.viaApp ? appShape(issue.viaApp, urls, repo.createdAt) : null,
    state_reason: issue.stateReason,
  };
}

function reactionRollup(url: string, reactions: SimReaction[]): Record<string, unknown> {
  const count = (c: string): number => reactions.filter((r) => r.content === c).length;
  return {
    url,
    total_count: reactions.length,
    '+1': count('+1'),
    '-1': count('-1'),
    laugh: count('laugh'),
    confused: count('confused'),
    heart: count('heart'),
    hooray: count('hooray'),
    eyes: count('eyes'),
    rocket: count('rocket'),
  };
}

export function authorAssociation(world: World, repo: SimRepo, u: SimUser): string {
  if (u.id === repo.owner.id) return 'OWNER';
  const perm = world.permissionOf(repo, u.login);
  return perm === 'none' ? 'NONE' : perm === 'read' ? 'CONTRIBUTOR' : 'COLLABORATOR';
}

export function commentShape(world: World, repo: SimRepo, c: SimComment, urls: Urls): Record<string, unknown> {
  const api = `${urls.api}/repos/${repo.fullName}`;
  return {
    url: `${api}/issues/comments/${c.id}`,
    html_url: `${urls.web}/${repo.fullName}/pull/${c.number}#issuecomment-${c.id}`,
    issue_url: `${api}/issues/${c.number}`,
    id: c.id,
    node_id: nodeId('IssueComment', c.id),
    user: userShape(c.user, urls),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    author_association: authorAssociation(world, repo, c.user),
    body: c.body,
    reactions: reactionRollup(`${api}/issues/comments/${c.id}/reactions`, c.reactions),
    performed_via_github_app: c.viaApp ? appShape(c.viaApp, urls, repo.createdAt) : null,
  };
}

export function reactionShape(r: SimReaction, urls: Urls): Record<string, unknown> {
  return { id: r.id, node_id: nodeId('Reaction', r.id), user: userShape(r.user, urls), content: r.content, created_at: r.createdAt };
}

/** A review as REST lists it (`state` upper case: `APPROVED`) or, with `webhook`, as the
 * `pull_request_review` payload carries it (lower case: `approved`), docs/github.md#review-state-case. */
export function reviewShape(world: World, repo: SimRepo, pr: SimPull, r: SimReview, urls: Urls, webhook = false): Record<string, unknown> {
  const html = `${urls.web}/${repo.fullName}/pull/${pr.number}`;
  return {
    id: r.id,
    node_id: nodeId('PullRequestReview', r.id),
    user: userShape(r.user, urls),
    body: r.body,
    state: webhook ? r.state.toLowerCase() : r.state,
    html_url: `${html}#pullrequestreview-${r.id}`,
    pull_request_url: `${urls.api}/repos/${repo.fullName}/pulls/${pr.number}`,
    author_association: authorAssociation(world, repo, r.user),
    _links: {
      html: { href: `${html}#pullrequestreview-${r.id}` },
      pull_request: { href: `${urls.api}/repos/${repo.fullName}/pulls/${pr.number}` },
    },
    submitted_at: r.submittedAt,
    commit_id: r.commitId,
  };
}

export function fileShape(repo: SimRepo, headSha: string, f: SimFileChange, urls: Urls): Record<string, unknown> {
  const path = f.filename.split('/').map(encodeURIComponent).join('/');
  const shape: Record<string, unknown> = {
    sha: blobSha(f.content ?? f.filename),
    filename: f.filename,
    status: f.status,
    additions: f.additions,
    deletions: f.deletions,
    changes: f.additions + f.deletions,
    blob_url: `${urls.web}/${repo.fullName}/blob/${headSha}/${path}`,
    raw_url: `${urls.web}/${repo.fullName}/raw/${headSha}/${path}`,
    contents_url: `${urls.api}/repos/${repo.fullName}/contents/${path}?ref=${headSha}`,
    patch: `@@ -0,0 +1,${f.additions} @@`,
  };
  if (f.previousFilename !== undefined) shape.previous_filename = f.previousFilename;
  return shape;
}

function gitActor(u: SimUser | null, date: string): Record<string, unknown> {
  const login = u?.login ?? 'someone';
  return { name: login, email: `${u?.id ?? 0}+${login}@users.noreply.github.com`, date };
}

export function commitShape(repo: SimRepo, c: SimCommit, urls: Urls): Record<string, unknown> {
  const api = `${urls.api}/repos/${repo.fullName}`;
  return {
    url: `${api}/commits/${c.sha}`,
    sha: c.sha,
    node_id: nodeId('Commit', c.sha),
    html_url: `${urls.web}/${repo.fullName}/commit/${c.sha}`,
    comments_url: `${api}/commits/${c.sha}/comments`,
    commit: {
      url: `${api}/git/commits/${c.sha}`,
      author: gitActor(c.author, c.date),
      committer: gitActor(c.committer, c.date),
      message: c.message,
      comment_count: 0,
      tree: { sha: createHash('sha1').update(`tree:${c.sha}`).digest('hex'), url: `${api}/git/trees/${c.sha}` },
      verification: { verified: false, reason: 'unsigned', payload: null, signature: null, verified_at: null },
    },
    author: c.author ? userShape(c.author, urls) : null,
    committer: c.committer ? userShape(c.committer, urls) : null,
    parents: c.parents.map((sha) => ({ sha, url: `${api}/commits/${sha}`, html_url: `${urls.web}/${repo.fullName}/commit/${sha}` })),
  };
}

export function checkRunShape(repo: SimRepo, run: SimCheckRun, urls: Urls, suiteId: number): Record<string, unknown> {
  const api = `${urls.api}/repos/${repo.fullName}`;
  // As GitHub: open PRs whose head SHA or head branch matches the check, so a check on an older
  // commit of a PR's branch still names that PR (with its current head).
  const prs = [...repo.pulls.values()].filter((p) => p.state === 'open' && (p.headSha === run.headSha || p.commits.includes(run.headSha)));
  return {
    id: run.id,
    head_sha: run.headSha,
    node_id: nodeId('CheckRun', run.id),
    external_id: run.externalId,
    url: `${api}/check-runs/${run.id}`,
    html_url: `${urls.web}/${repo.fullName}/runs/${run.id}`,
    details_url: run.detailsUrl ?? `${urls.web}/${repo.fullName}/runs/${run.id}`,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.startedAt,
    completed_at: run.completedAt,
    output: {
      title: run.output.title,
      summary: run.output.summary,
      text: run.output.text,
      annotations_count: 0,
      annotations_url: `${api}/check-runs/${run.id}/annotations`,
    },
    name: run.name,
    check_suite: { id: suiteId },
    app: appShape(run.app, urls, repo.createdAt),
    pull_requests: prRefs(repo, prs, api),
  };
}

function prRefs(repo: SimRepo, prs: SimPull[], api: string): Record<string, unknown>[] {
  return prs.map((p) => ({
    url: `${api}/pulls/${p.number}`,
    id: p.id,
    number: p.number,
    head: { ref: p.headRef, sha: p.headSha, repo: { id: repo.id, url: api, name: repo.name } },
    base: { ref: p.baseRef, sha: p.baseSha, repo: { id: repo.id, url: api, name: repo.name } },
  }));
}

const CONCLUSION_ORDER = [
  'action_required',
  'cancelled',
  'timed_out',
  'failure',
  'neutral',
  'skipped',
  'stale',
  'startup_failure',
  'success',
];

/** A check suite: the check runs of one App on one commit; its conclusion is the most severe of theirs. */
export function checkSuiteShape(
  repo: SimRepo,
  app: SimApp,
  sha: string,
  runs: SimCheckRun[],
  suiteId: number,
  urls: Urls,
): Record<string, unknown> {
  const api = `${urls.api}/repos/${repo.fullName}`;
  const done = runs.every((r) => r.status === 'completed');
  const conclusion = done
    ? ([...runs.map((r) => r.conclusion ?? 'success')].sort((a, b) => CONCLUSION_ORDER.indexOf(a) - CONCLUSION_ORDER.indexOf(b))[0] ?? null)
    : null;
  const prs = [...repo.pulls.values()].filter((p) => p.state === 'open' && p.headSha === sha);
  const commit = repo.commits.get(sha);
  const created = runs[0]?.startedAt ?? repo.createdAt;
  const person = (u: SimUser | null | undefined) => ({
    name: u?.login ?? 'someone',
    email: `${u?.id ?? 0}+${u?.login ?? 'someone'}@users.noreply.github.com`,
  });
  return {
    id: suiteId,
    node_id: nodeId('CheckSuite', suiteId),
    // A merge group's suite is on its queue branch (`gh-readonly-queue/<base>/pr-<n>-<sha>`).
    head_branch:
      prs[0]?.headRef ?? [...repo.branches].find(([name, head]) => head === sha && name.startsWith('gh-readonly-queue/'))?.[0] ?? null,
    head_sha: sha,
    status: done ? 'completed' : 'in_progress',
    conclusion,
    url: `${api}/check-suites/${suiteId}`,
    before: commit?.parents[0] ?? null,
    after: sha,
    pull_requests: prRefs(repo, prs, api),
    app: appShape(app, urls, repo.createdAt),
    created_at: created,
    updated_at:
      runs
        .map((r) => r.completedAt ?? r.startedAt)
        .sort()
        .at(-1) ?? created,
    latest_check_runs_count: runs.length,
    check_runs_url: `${api}/check-suites/${suiteId}/check-runs`,
    rerequestable: true,
    runs_rerequestable: true,
    head_commit: {
      id: sha,
      tree_id: createHash('sha1').update(`tree:${sha}`).digest('hex'),
      message: commit?.message ?? '',
      timestamp: commit?.date ?? created,
      author: person(commit?.author),
      committer: person(commit?.committer),
    },
  };
}

export function statusShape(s: SimStatus, urls: Urls): Record<string, unknown> {
  return {
    url: `${urls.api}/statuses/${s.sha}`,
    avatar_url: `${urls.web}/avatars/u/${s.creator.id}?v=4`,
    id: s.id,
    node_id: nodeId('StatusContext', s.id),
    state: s.state,
    description: s.description,
    target_url: s.targetUrl,
    context: s.context,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
    creator: userShape(s.creator, urls),
  };
}

export function contentShape(repo: SimRepo, path: string, content: string, ref: string, urls: Urls): Record<string, unknown> {
  const api = `${urls.api}/repos/${repo.fullName}`;
  const sha = blobSha(content);
  const name = path.split('/').pop() ?? path;
  const self = `${api}/contents/${path}?ref=${encodeURIComponent(ref)}`;
  return {
    type: 'file',
    encoding: 'base64',
    size: Buffer.byteLength(content),
    name,
    path,
    content: Buffer.from(content)
      .toString('base64')
      .replace(/(.{60})/g, '$1\n'),
    sha,
    url: self,
    git_url: `${api}/git/blobs/${sha}`,
    html_url: `${urls.web}/${repo.fullName}/blob/${ref}/${path}`,
    download_url: `${urls.web}/${repo.fullName}/raw/${ref}/${path}`,
    _links: { self, git: `${api}/git/blobs/${sha}`, html: `${urls.web}/${repo.fullName}/blob/${ref}/${path}` },
  };
}

/** A team as GitHub shows it in a pull request's `requested_teams`. */
export function teamShape(world: World, key: string, urls: Urls): Record<string, unknown> {
  const team = world.teams.get(key);
  const [org, slug] = key.split('/') as [string, string];
  const id = 90_000 + [...world.teams.keys()].indexOf(key);
  const api = `${urls.api}/organizations/1/team/${id}`;
  return {
    id,
    node_id: `T_${id}`,
    url: api,
    html_url: `${urls.web}/orgs/${team?.org ?? org}/teams/${team?.slug ?? slug}`,
    name: team?.slug ?? slug,
    slug: team?.slug ?? slug,
    description: null,
    privacy: 'closed',
    notification_setting: 'notifications_enabled',
    permission: 'pull',
    members_url: `${api}/members{/member}`,
    repositories_url: `${api}/repos`,
    parent: null,
    type: 'organization',
  };
}
