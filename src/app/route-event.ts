// Which work a webhook asks of the App (design.md §3, "route"), decided from the event alone: its name, its payload and who
// the gate is (when known). Nothing here reads GitHub, a clock or the queue, so every event the App
// subscribes to can be tried against it, real and malformed, without a server.
//
// The algorithm, in the order the code follows it:
//   1. Read the event's action and its repository with its installation. A payload that lacks what
//      its event always carries is refused (the delivery fails, so GitHub's log shows it); one without
//      an installation is ignored with a warning. Never a throw, never a guess at another PR.
//   2. Events about one PR (pull_request, its reviews and comments) reconcile that PR. An opened or
//      pushed PR's payload travels with the job (it saves a read); a push or a queue event asks the
//      reconcile to look at the merge queue too.
//   3. The gate's own doings are skipped, so its writes do not wake it in a loop: its status comment
//      written by itself, its own check suite completing, a re-run of someone else's check.
//   4. A merge group asking for checks is answered; a group GitHub removed reconciles the PR it was
//      built for.
//   5. A "Re-run" names PRs (reconcile them), or a merge group's commit (answer the group again), or
//      nothing, as on a fork (sweep the repository).
//   6. A click on the gate's own check run's button is recorded for each PR GitHub links it to.
//   7. A final commit status reconciles the PR waiting on that commit, if one is known.
//   8. Gaining access to repositories sweeps them.
import { CHECK_NAME } from '../core/model/effects.js';
import { parseMergeGroupRef } from '../core/merge-group.js';
import type { MergeGroupPayload } from '../github/index.js';
import { isOwnCheckRun, isOwnComment, type CheckRunAuthor, type CommentAuthor, type GateIdentity } from '../github/identity.js';
import type { ReconcileJob, RepoRef } from './queue.js';

export const PULL_REQUEST_EVENTS = [
  'pull_request.opened',
  'pull_request.reopened',
  'pull_request.synchronize',
  'pull_request.edited',
  'pull_request.labeled',
  'pull_request.unlabeled',
  'pull_request.ready_for_review',
  // Only when merged (a closed PR that was not merged is ignored): its review after merge may start.
  'pull_request.closed',
] as const;
export const COMMENT_EVENTS = ['issue_comment.created', 'issue_comment.edited', 'issue_comment.deleted'] as const;
export const REVIEW_EVENTS = ['pull_request_review.submitted', 'pull_request_review.dismissed'] as const;
/** A PR entered or left a merge queue (delivered with the `pull_request` subscription). */
export const QUEUE_EVENTS = ['pull_request.enqueued', 'pull_request.dequeued'] as const;
/** The merge queue built a group (the gate answers with its `hitl` check) or removed one. */
export const MERGE_GROUP_EVENTS = ['merge_group.checks_requested', 'merge_group.destroyed'] as const;
/** Installation events after which the app may see repositories (and PRs) it could not see before. */
export const INSTALLATION_EVENTS = ['installation.created', 'installation.new_permissions_accepted', 'installation.unsuspend'] as const;
export const CHECK_EVENTS = [
  'check_run.rerequested',
  'check_run.requested_action',
  'check_suite.rerequested',
  'check_suite.completed',
] as const;

/** Every event the App handles; any other routes to no job. */
export const ROUTED_EVENTS = [
  ...PULL_REQUEST_EVENTS,
  ...QUEUE_EVENTS,
  ...MERGE_GROUP_EVENTS,
  ...COMMENT_EVENTS,
  ...REVIEW_EVENTS,
  ...CHECK_EVENTS,
  'status',
  ...INSTALLATION_EVENTS,
  'installation_repositories.added',
] as const;

/** A click on one of the check run's buttons, as recorded in the PR's ledger. */
export interface Click {
  /** What the button said; only `approve` and `veto` count (the ledger decides). */
  identifier: string;
  /** The metrics label: never what a payload says verbatim. */
  action: 'approve' | 'veto' | 'other';
  sender: { login: string; type: string };
  checkRun: { id: number; headSha: string };
}

export type GateJob =
  /** Reconcile one PR (through the queue: serialized and coalesced per PR). */
  | { kind: 'reconcile'; job: ReconcileJob }
  /** Reconcile the PR this replica knows to be waiting to merge on this commit, if any. */
  | { kind: 'reconcile-waiting-on-commit'; owner: string; repo: string; sha: string; reason: string }
  /** Write the gate's `hitl` check on a merge group's commit. */
  | { kind: 'answer-merge-group'; repo: RepoRef; group: MergeGroupPayload; reason: string }
  /** Reconcile every open PR of these repositories, in the background. */
  | { kind: 'sweep'; repos: RepoRef[]; reason: string }
  /** Record a click in the ledger of each PR (none: GitHub linked the run to no PR), then reconcile them. */
  | { kind: 'record-click'; repo: RepoRef; numbers: number[]; click: Click }
  /** Nothing to do, but worth a warning: the event cannot be acted on. */
  | { kind: 'ignore'; event: string; why: string }
  /** The payload lacks what its event always carries: nothing is done, and the delivery fails. */
  | { kind: 'malformed'; event: string; why: string };

/** What the App knows when the event arrives. */
export interface RouteContext {
  /** Who the gate is; unknown until `GET /app` answered (then nothing is skipped as the gate's own). */
  identity?: GateIdentity;
}

type Json = Record<string, unknown>;

const record = (value: unknown): Json | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const positive = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined;

/** The repository the event is about, with the installation that may act on it. */
function repoOf(payload: Json): RepoRef | undefined {
  const installationId = positive(record(payload.installation)?.id);
  const repository = record(payload.repository);
  const owner = text(record(repository?.owner)?.login);
  const repo = text(repository?.name);
  return installationId && owner && repo ? { installationId, owner, repo } : undefined;
}

/** The event's repository, or why there is none: a payload without its repository is malformed; one
 * without an installation (the gate could not act on it) is ignored with a warning. */
function located(event: string, payload: Json): { repo: RepoRef } | { jobs: GateJob[] } {
  const repository = record(payload.repository);
  if (!text(record(repository?.owner)?.login) || !text(repository?.name)) return { jobs: malformed(event, 'its repository') };
  const repo = repoOf(payload);
  return repo ? { repo } : { jobs: [{ kind: 'ignore', event, why: 'event without an installation' }] };
}

/** Who wrote a check run, as far as the payload says it in the expected shape. */
function checkRunAuthor(run: Json): CheckRunAuthor {
  const app = record(run.app);
  const id = positive(app?.id);
  return {
    ...(app && id !== undefined ? { app: { id, ...(text(app.slug) ? { slug: text(app.slug) } : {}) } } : {}),
    ...(text(run.external_id) ? { external_id: text(run.external_id) } : {}),
  };
}

/** Who wrote a comment, as far as the payload says it in the expected shape. */
function commentAuthor(comment: Json): CommentAuthor {
  const user = record(comment.user);
  const login = text(user?.login);
  const viaApp = positive(record(comment.performed_via_github_app)?.id);
  return {
    ...(login ? { user: { login, ...(typeof user?.type === 'string' ? { type: user.type } : {}) } } : {}),
    ...(viaApp !== undefined ? { performed_via_github_app: { id: viaApp } } : {}),
    ...(typeof comment.body === 'string' ? { body: comment.body } : {}),
  };
}

/** The numbers of the PRs a check run or suite lists (GitHub lists none for forks); undefined when
 * the list is not one. */
function pullNumbers(value: unknown): number[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const numbers = value.map((p) => positive(record(p)?.number));
  return numbers.every((n) => n !== undefined) ? (numbers as number[]) : undefined;
}

const malformed = (event: string, lacks: string): GateJob[] => [{ kind: 'malformed', event, why: `the payload lacks ${lacks}` }];

/** Repositories an installation event lists (`full_name` is `owner/name`). */
function listedRepos(installationId: number, value: unknown): RepoRef[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const repos: RepoRef[] = [];
  for (const item of value) {
    const r = record(item);
    const owner = text(text(r?.full_name)?.split('/')[0]);
    const repo = text(r?.name);
    if (!owner || !repo) return undefined;
    repos.push({ installationId, owner, repo });
  }
  return repos;
}

interface ReconcileWith {
  /** The webhook's `pull_request`: lets the reconcile skip reading it (it checks it is this PR's). */
  pullRequest?: Json;
  /** The event pushed a new head (opened, synchronize). */
  headIsNew?: boolean;
  /** The event opened the PR: this is its first head, which cannot carry an earlier record. */
  firstHead?: string;
  /** The PR's place in a merge queue may have changed. */
  mergeQueueHint?: boolean;
}

function reconcile(event: string, payload: Json, number: number | undefined, reason: string, options: ReconcileWith = {}): GateJob[] {
  const where = located(event, payload);
  if ('jobs' in where) return where.jobs;
  const { repo } = where;
  if (number === undefined) return malformed(event, 'a pull request number');
  const job: ReconcileJob = {
    ...repo,
    number,
    reason,
    ...(options.pullRequest
      ? {
          pullRequest: options.pullRequest as ReconcileJob['pullRequest'],
          headIsNew: options.headIsNew === true,
          ...(options.firstHead ? { firstHead: options.firstHead } : {}),
        }
      : {}),
    ...(options.mergeQueueHint ? { mergeQueueHint: true } : {}),
  };
  return [{ kind: 'reconcile', job }];
}

/** The PRs a check run or suite lists, each reconciled; one warning when the event has no installation. */
function reconcileEach(event: string, payload: Json, numbers: number[]): GateJob[] {
  const where = located(event, payload);
  if ('jobs' in where) return where.jobs;
  return numbers.flatMap((n) => reconcile(event, payload, n, event));
}

/** Which jobs the event `name` (GitHub's `X-GitHub-Event`) with this payload asks for. Never throws. */
export function routeEvent(name: string, payload: unknown, context: RouteContext = {}): GateJob[] {
  // 1. The action and the repository.
  const body = record(payload);
  if (!body) return [];
  const action = text(body.action);
  const event = action ? `${name}.${action}` : name;
  const identity = context.identity;

  switch (event) {
    // 2. One PR changed.
    case 'pull_request.opened':
    case 'pull_request.reopened':
    case 'pull_request.synchronize':
    case 'pull_request.edited':
    case 'pull_request.labeled':
    case 'pull_request.unlabeled':
    case 'pull_request.ready_for_review':
    case 'pull_request.closed': {
      const pr = record(body.pull_request);
      if (!pr) return malformed(event, 'its pull_request');
      if (action === 'closed' && pr.merged !== true) return [];
      return reconcile(event, body, positive(pr?.number), event, {
        pullRequest: pr,
        headIsNew: action === 'opened' || action === 'synchronize',
        ...(action === 'opened' ? { firstHead: text(record(pr.head)?.sha) } : {}),
        // A push to a queued PR: the queued head is no longer the PR's.
        mergeQueueHint: action === 'synchronize',
      });
    }
    // Someone (or the gate) queued the PR, or GitHub took it out: a PR the gate would not merge leaves the queue.
    case 'pull_request.enqueued':
    case 'pull_request.dequeued':
      if (!record(body.pull_request)) return malformed(event, 'its pull_request');
      return reconcile(event, body, positive(record(body.pull_request)?.number), event, { mergeQueueHint: true });
    case 'pull_request_review.submitted':
    case 'pull_request_review.dismissed':
      if (!record(body.pull_request)) return malformed(event, 'its pull_request');
      return reconcile(event, body, positive(record(body.pull_request)?.number), event);
    case 'issue_comment.created':
    case 'issue_comment.edited':
    case 'issue_comment.deleted': {
      const issue = record(body.issue);
      const comment = record(body.comment);
      if (!issue || !comment) return malformed(event, 'its issue or comment');
      if (!record(issue.pull_request)) return []; // a comment on an issue, not on a pull request
      // 3. The gate's status comment written or edited by the gate: reconciling again would only
      // loop. A human editing or deleting it is not skipped.
      const sender = text(record(body.sender)?.login);
      if (identity && sender && isOwnComment(commentAuthor(comment), identity) && sender.toLowerCase() === identity.login.toLowerCase())
        return [];
      return reconcile(event, body, positive(issue.number), event);
    }

    // 4. The merge queue.
    case 'merge_group.checks_requested': {
      const group = record(body.merge_group);
      if (!group) return malformed(event, 'its merge_group');
      const where = located(event, body);
      if ('jobs' in where) return where.jobs;
      return [
        {
          kind: 'answer-merge-group',
          repo: where.repo,
          group: { head_sha: group.head_sha, head_ref: group.head_ref, base_sha: group.base_sha, base_ref: group.base_ref },
          reason: event,
        },
      ];
    }
    case 'merge_group.destroyed': {
      // The PR the group was built for may have left the queue: its check and status comment follow.
      const group = record(body.merge_group);
      if (!group) return malformed(event, 'its merge_group');
      const headRef = text(group.head_ref);
      const number = headRef ? parseMergeGroupRef(headRef)?.number : undefined;
      const where = located(event, body);
      if ('jobs' in where) return where.jobs;
      return number === undefined ? [] : reconcile(event, body, number, event, { mergeQueueHint: true });
    }

    // 5. "Re-run" on the gate's check run, or on its suite.
    case 'check_run.rerequested': {
      const run = record(body.check_run);
      if (!run) return malformed(event, 'its check_run');
      if (identity && !isOwnCheckRun(checkRunAuthor(run), identity)) return [];
      const numbers = pullNumbers(run.pull_requests);
      if (!numbers) return malformed(event, "the check run's pull requests");
      return rerun(event, body, numbers, { sha: text(run.head_sha), branch: text(record(run.check_suite)?.head_branch) });
    }
    case 'check_suite.rerequested': {
      const suite = record(body.check_suite);
      if (!suite) return malformed(event, 'its check_suite');
      if (identity?.appId !== undefined && record(suite.app)?.id !== identity.appId) return [];
      const numbers = pullNumbers(suite.pull_requests);
      if (!numbers) return malformed(event, "the check suite's pull requests");
      return rerun(event, body, numbers, { sha: text(suite.head_sha), branch: text(suite.head_branch) });
    }
    // Another app's checks finished (CI): a PR that only waited for them may merge now instead of at
    // the next sweep. The gate's own suite completing is its own doing.
    case 'check_suite.completed': {
      const suite = record(body.check_suite);
      if (!suite) return malformed(event, 'its check_suite');
      if (identity?.appId !== undefined && record(suite.app)?.id === identity.appId) return [];
      const numbers = pullNumbers(suite.pull_requests);
      if (!numbers) return malformed(event, "the check suite's pull requests");
      return reconcileEach(event, body, numbers);
    }

    // 6. A click on the gate's check run: counted only when the gate knows itself and the run is its own.
    case 'check_run.requested_action': {
      const run = record(body.check_run);
      if (!run) return malformed(event, 'its check_run');
      if (!identity || !isOwnCheckRun(checkRunAuthor(run), identity) || run.name !== CHECK_NAME) return [];
      const id = positive(run.id);
      const headSha = text(run.head_sha);
      const sender = record(body.sender);
      const login = text(sender?.login);
      const type = typeof sender?.type === 'string' ? sender.type : undefined;
      const numbers = pullNumbers(run.pull_requests);
      if (id === undefined || !headSha || !numbers) return malformed(event, "the check run's id, head or pull requests");
      if (!login || type === undefined) return malformed(event, 'who clicked');
      const where = located(event, body);
      if ('jobs' in where) return where.jobs;
      const identifier =
        typeof record(body.requested_action)?.identifier === 'string' ? (record(body.requested_action)!.identifier as string) : '';
      const click: Click = {
        identifier,
        action: identifier === 'approve' || identifier === 'veto' ? identifier : 'other',
        sender: { login, type },
        checkRun: { id, headSha },
      };
      return [{ kind: 'record-click', repo: where.repo, numbers, click }];
    }

    // 7. Another CI's commit status reached a final state: pending statuses change nothing.
    case 'status': {
      const state = text(body.state);
      const sha = text(body.sha);
      const repository = record(body.repository);
      const owner = text(record(repository?.owner)?.login);
      const repo = text(repository?.name);
      if (!state || !sha || !owner || !repo) return malformed(event, 'its state, commit or repository');
      if (state === 'pending') return [];
      return [{ kind: 'reconcile-waiting-on-commit', owner, repo, sha, reason: `status.${state}` }];
    }

    // 8. New repositories to look at.
    case 'installation.created':
    case 'installation.new_permissions_accepted':
    case 'installation.unsuspend':
    case 'installation_repositories.added': {
      const installationId = positive(record(body.installation)?.id);
      if (!installationId) return malformed(event, 'its installation');
      const listed = event === 'installation_repositories.added' ? body.repositories_added : (body.repositories ?? []);
      const repos = listedRepos(installationId, listed);
      if (!repos) return malformed(event, 'a list of repositories');
      return repos.length ? [{ kind: 'sweep', repos, reason: event }] : [];
    }
    default:
      return [];
  }
}

/** Step 5: the PRs GitHub lists; on a merge group's commit (no PR listed, the branch is the queue's)
 * the group again; with nothing listed (a fork), the repository. */
function rerun(event: string, payload: Json, numbers: number[], commit: { sha?: string; branch?: string }): GateJob[] {
  if (numbers.length > 0) return reconcileEach(event, payload, numbers);
  const repo = repoOf(payload);
  if (!repo) return [];
  if (commit.branch && parseMergeGroupRef(commit.branch)) {
    return [{ kind: 'answer-merge-group', repo, group: { head_sha: commit.sha, head_ref: commit.branch }, reason: event }];
  }
  return [{ kind: 'sweep', repos: [repo], reason: event }];
}
