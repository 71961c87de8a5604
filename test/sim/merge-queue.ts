// A merge queue on a branch, as GitHub runs one: PRs enter it (GraphQL `enqueuePullRequest`, or a
// person), each entry gets a merge group (a commit on top of the entries ahead of it, on a
// `gh-readonly-queue/<base>/pr-<n>-<sha of the commit it is built on>` branch, as GitHub names it:
// docs/github.md#merge-group-branch; announced by `merge_group.checks_requested`), and
// the front entry merges once every required check passed on its group's head. A failing required
// check or a dequeue removes the entry and rebuilds the groups behind it. The GraphQL endpoint is
// executed against GitHub's published schema (@octokit/graphql-schema), so a query or mutation
// GitHub would reject is rejected here too.
import { commentByNodeId, forcePushEvents, pullCommits } from './graphql-records.js';
import { createHash } from 'node:crypto';
import { checkGraphqlAnswer } from './contract.js';
import { newSha, type SimPull, type SimRepo, type SimUser, type World } from './model.js';
import type { Notify } from './notify.js';
import { HttpError, type Reply, type Route, type SimRequest } from './rest.js';
import { checksFor } from './shapes.js';
import { revertPull, type RevertInput } from './revert.js';

export type QueueMergeMethod = 'MERGE' | 'SQUASH' | 'REBASE';
/** What GraphQL `MergeQueueEntry.headCommit` names (docs/github.md#merge-queue-entry-head): GitHub's
 * documentation does not say, so the simulator serves either reading. */
export type EntryHeadCommit = 'group-commit' | 'pull-request-head';

export interface SimQueueEntry {
  id: string;
  number: number;
  /** The PR's head when it was queued: the group is built from it. */
  prHeadSha: string;
  groupHeadSha: string;
  groupRef: string;
  /** The group's parent: the base branch or the group of the entry ahead. */
  groupBaseSha: string;
  enqueuer: SimUser;
  enqueuedAt: string;
}

export interface SimMergeQueue {
  branch: string;
  method: QueueMergeMethod;
  entryHeadCommit: EntryHeadCommit;
  rulesetId: number;
  entries: SimQueueEntry[];
  /** Every PR's entries into and removals from the queue: its timeline's merge queue events. */
  history: SimQueueEvent[];
}

export interface SimQueueEvent {
  id: number;
  number: number;
  kind: 'added' | 'removed';
  at: string;
  actor: SimUser;
  /** The PR's queued head (for a removal: GraphQL `beforeCommit`). */
  headSha: string;
  reason?: string;
}

const nodeId = (kind: string, id: number | string): string => Buffer.from(`0${kind.length}:${kind}${id}`).toString('base64');
export const pullNodeId = (pr: SimPull): string => nodeId('PullRequest', pr.id);

/** GitHub's GraphQL errors carry a `type` next to the message. */
export class GraphqlError extends Error {
  constructor(
    readonly type: 'NOT_FOUND' | 'UNPROCESSABLE' | 'FORBIDDEN',
    message: string,
  ) {
    super(message);
  }
}

export class MergeQueues {
  constructor(
    private readonly world: World,
    readonly notify: Notify,
  ) {}

  queueOf(repo: SimRepo, branch: string): SimMergeQueue | undefined {
    return repo.mergeQueue && repo.mergeQueue.branch === branch ? repo.mergeQueue : undefined;
  }

  entryOf(repo: SimRepo, pr: SimPull): SimQueueEntry | undefined {
    return this.queueOf(repo, pr.baseRef)?.entries.find((e) => e.number === pr.number);
  }

  /** Put a PR in its base branch's queue. `force`: an admin bypassing the requirements (people only). */
  enqueue(repo: SimRepo, pr: SimPull, by: SimUser, o: { expectedHeadOid?: string; force?: boolean } = {}): SimQueueEntry {
    const queue = this.queueOf(repo, pr.baseRef);
    if (!queue) throw new GraphqlError('UNPROCESSABLE', `Merge queue is not enabled for the branch ${pr.baseRef}`);
    if (pr.state !== 'open' || pr.merged) throw new GraphqlError('UNPROCESSABLE', 'Pull request is closed');
    if (o.expectedHeadOid !== undefined && o.expectedHeadOid !== pr.headSha)
      throw new GraphqlError('UNPROCESSABLE', 'Head branch was modified. Review and try the merge again.');
    if (queue.entries.some((e) => e.number === pr.number))
      throw new GraphqlError('UNPROCESSABLE', 'Pull request is already in the merge queue');
    if (pr.draft) throw new GraphqlError('UNPROCESSABLE', 'Pull request is in draft state');
    if (!o.force) {
      if (pr.mergeable !== true) throw new GraphqlError('UNPROCESSABLE', 'Pull request is not mergeable');
      const checks = checksFor(repo, pr.headSha);
      for (const name of repo.requiredChecks) {
        const v = checks.get(name);
        if (v !== 'success')
          throw new GraphqlError(
            'UNPROCESSABLE',
            `Required status check "${name}" is ${v === undefined ? 'expected' : v === 'pending' ? 'in progress' : 'failing'}.`,
          );
      }
    }
    const entry: SimQueueEntry = {
      id: nodeId('MergeQueueEntry', `${repo.id}:${pr.number}:${pr.headSha}`),
      number: pr.number,
      prHeadSha: pr.headSha,
      groupHeadSha: '',
      groupRef: '',
      groupBaseSha: '',
      enqueuer: by,
      enqueuedAt: this.world.now(),
    };
    queue.entries.push(entry);
    queue.history.push({
      id: this.world.ids.next('queue-event'),
      number: pr.number,
      kind: 'added',
      at: entry.enqueuedAt,
      actor: by,
      headSha: pr.headSha,
    });
    this.notify.timeline({
      actor: by,
      repo,
      number: pr.number,
      kind: 'enqueued',
      detail: `queued ${pr.headSha.slice(0, 7)} (position ${queue.entries.length})`,
      data: { sha: pr.headSha, expectedHeadOid: o.expectedHeadOid, position: queue.entries.length },
    });
    this.notify.pullRequest('enqueued', repo, pr, by);
    this.build(repo, queue, entry);
    return entry;
  }

  /** Take a PR out of the queue (a person, or `dequeuePullRequest`). */
  dequeue(repo: SimRepo, pr: SimPull, by: SimUser, reason = 'dequeued by request'): void {
    const queue = this.queueOf(repo, pr.baseRef);
    const entry = queue?.entries.find((e) => e.number === pr.number);
    if (!queue || !entry) throw new GraphqlError('UNPROCESSABLE', 'Pull request is not in the merge queue');
    this.remove(repo, queue, entry, by, reason);
  }

  /** Required checks on the groups changed: merge the front entry if its group passed, drop failed ones. */
  advance(repo: SimRepo): void {
    const queue = repo.mergeQueue;
    if (!queue) return;
    for (;;) {
      const failed = queue.entries.find((e) => [...this.required(repo, e.groupHeadSha)].some((v) => v === 'failure'));
      if (failed) {
        this.remove(
          repo,
          queue,
          failed,
          this.world.user('github-merge-queue[bot]'),
          'a required check failed on its merge group',
          'CI_FAILURE',
        );
        continue;
      }
      const front = queue.entries[0];
      if (
        !front ||
        ![...this.required(repo, front.groupHeadSha)].every((v) => v === 'success') ||
        this.required(repo, front.groupHeadSha).length < repo.requiredChecks.length
      )
        return;
      this.mergeFront(repo, queue, front);
    }
  }

  private required(repo: SimRepo, sha: string): ('success' | 'pending' | 'failure')[] {
    const checks = checksFor(repo, sha);
    return repo.requiredChecks.map((n) => checks.get(n)).filter((v): v is 'success' | 'pending' | 'failure' => v !== undefined);
  }

  private mergeFront(repo: SimRepo, queue: SimMergeQueue, entry: SimQueueEntry): void {
    const pr = repo.pulls.get(entry.number)!;
    const now = this.world.now();
    repo.branches.set(queue.branch, entry.groupHeadSha);
    repo.branches.delete(entry.groupRef.replace(/^refs\/heads\//, ''));
    queue.entries.shift();
    Object.assign(pr, {
      state: 'closed',
      merged: true,
      mergedAt: now,
      mergedBy: entry.enqueuer,
      mergeCommitSha: entry.groupHeadSha,
      closedAt: now,
      updatedAt: now,
    });
    this.notify.timeline({
      actor: entry.enqueuer,
      repo,
      number: pr.number,
      kind: 'merged',
      detail: `${queue.method.toLowerCase()} of ${entry.prHeadSha.slice(0, 7)} by the merge queue`,
      data: { sha: entry.prHeadSha, mergeCommitSha: entry.groupHeadSha, method: queue.method.toLowerCase(), via: 'merge-queue' },
    });
    this.notify.pullRequest('closed', repo, pr, entry.enqueuer);
    this.notify.mergeGroup('destroyed', repo, this.group(repo, queue, entry), entry.enqueuer, { reason: 'merged' });
  }

  private remove(
    repo: SimRepo,
    queue: SimMergeQueue,
    entry: SimQueueEntry,
    by: SimUser,
    why: string,
    code: 'MANUAL' | 'CI_FAILURE' = 'MANUAL',
  ): void {
    const i = queue.entries.indexOf(entry);
    queue.entries.splice(i, 1);
    repo.branches.delete(entry.groupRef.replace(/^refs\/heads\//, ''));
    const pr = repo.pulls.get(entry.number)!;
    queue.history.push({
      id: this.world.ids.next('queue-event'),
      number: entry.number,
      kind: 'removed',
      at: this.world.now(),
      actor: by,
      headSha: entry.prHeadSha,
      reason: code,
    });
    this.notify.timeline({
      actor: by,
      repo,
      number: entry.number,
      kind: 'dequeued',
      detail: why,
      data: { sha: entry.prHeadSha, groupHeadSha: entry.groupHeadSha },
    });
    this.notify.mergeGroup('destroyed', repo, this.group(repo, queue, entry), by, { reason: 'dequeued' });
    this.notify.pullRequest('dequeued', repo, pr, by, { reason: code });
    // Every group behind it held its changes: they are rebuilt without them.
    for (const later of queue.entries.slice(i)) {
      repo.branches.delete(later.groupRef.replace(/^refs\/heads\//, ''));
      this.notify.mergeGroup('destroyed', repo, this.group(repo, queue, later), by, { reason: 'invalidated' });
      this.build(repo, queue, later);
    }
  }

  /** The group commit of `entry`: the base (or the group ahead) with the PR's changes applied. */
  private build(repo: SimRepo, queue: SimMergeQueue, entry: SimQueueEntry): void {
    const pr = repo.pulls.get(entry.number)!;
    const i = queue.entries.indexOf(entry);
    const parent = i > 0 ? queue.entries[i - 1]!.groupHeadSha : repo.branches.get(queue.branch)!;
    const tree = new Map(repo.commits.get(parent)?.tree ?? []);
    const head = repo.commits.get(entry.prHeadSha)?.tree ?? new Map<string, string>();
    for (const f of pr.files) {
      if (f.previousFilename) tree.delete(f.previousFilename);
      if (f.status === 'removed') tree.delete(f.filename);
      else tree.set(f.filename, head.get(f.filename) ?? f.content ?? `content of ${f.filename}\n`);
    }
    const sha = newSha(`${repo.fullName}:merge-group:${pr.number}`);
    const bot = this.world.user('github-merge-queue[bot]');
    repo.commits.set(sha, {
      sha,
      parents: queue.method === 'MERGE' ? [parent, entry.prHeadSha] : [parent],
      message: `Merge pull request #${pr.number} from ${pr.headRef}\n\n${pr.title}`,
      author: entry.enqueuer,
      committer: bot,
      date: this.world.now(),
      tree,
    });
    // docs/github.md#merge-group-branch: the SHA in the name is the group's base, not the PR's head.
    const branch = `gh-readonly-queue/${queue.branch}/pr-${pr.number}-${parent}`;
    repo.branches.set(branch, sha);
    Object.assign(entry, { groupHeadSha: sha, groupRef: `refs/heads/${branch}`, groupBaseSha: parent });
    this.notify.timeline({
      actor: bot,
      repo,
      number: pr.number,
      kind: 'merge-group',
      detail: `group ${sha.slice(0, 7)} for ${entry.prHeadSha.slice(0, 7)}`,
      data: { headSha: sha, headRef: entry.groupRef, prHeadSha: entry.prHeadSha },
    });
    this.notify.mergeGroup('checks_requested', repo, this.group(repo, queue, entry), bot);
  }

  group(repo: SimRepo, queue: SimMergeQueue, entry: SimQueueEntry): Record<string, unknown> {
    const c = repo.commits.get(entry.groupHeadSha);
    const person = (u: SimUser | null | undefined) => ({
      name: u?.login ?? 'someone',
      email: `${u?.id ?? 0}+${u?.login ?? 'someone'}@users.noreply.github.com`,
    });
    return {
      head_sha: entry.groupHeadSha,
      head_ref: entry.groupRef,
      base_sha: entry.groupBaseSha,
      base_ref: `refs/heads/${queue.branch}`,
      head_commit: {
        id: entry.groupHeadSha,
        tree_id: createHash('sha1').update(`tree:${entry.groupHeadSha}`).digest('hex'),
        message: c?.message ?? '',
        timestamp: c?.date ?? this.world.now(),
        author: person(c?.author),
        committer: person(c?.committer),
      },
    };
  }
}

// --- REST: the rules of a branch with a merge queue --------------------------------------------------

/** The `merge_queue` rule (and the required checks beside it) as `rules/branches/{branch}` lists them: [] elsewhere. */
export function mergeQueueRules(repo: SimRepo, branch: string): unknown[] {
  const queue = repo.mergeQueue;
  if (!queue || queue.branch !== branch) return [];
  const source = { ruleset_source_type: 'Repository', ruleset_source: repo.fullName, ruleset_id: queue.rulesetId };
  const rules: unknown[] = [
    {
      type: 'merge_queue',
      parameters: {
        check_response_timeout_minutes: 60,
        grouping_strategy: 'ALLGREEN',
        max_entries_to_build: 5,
        max_entries_to_merge: 5,
        merge_method: queue.method,
        min_entries_to_merge: 1,
        min_entries_to_merge_wait_minutes: 5,
      },
      ...source,
    },
  ];
  if (repo.requiredChecks.length > 0) {
    rules.push({
      type: 'required_status_checks',
      parameters: {
        required_status_checks: repo.requiredChecks.map((context) => ({ context })),
        strict_required_status_checks_policy: false,
      },
      ...source,
    });
  }
  return rules;
}

// --- GraphQL ---------------------------------------------------------------------------------------

/** GitHub's custom scalars as its GraphQL reference describes them. */
const SCALARS: Record<string, (v: unknown) => boolean> = {
  GitObjectID: (v) => typeof v === 'string' && /^[0-9a-f]{40}$/.test(v),
  DateTime: (v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(v),
  URI: (v) => typeof v === 'string' && /^[a-z][a-z0-9+.-]*:/i.test(v),
};

type Executable = { schema: import('graphql').GraphQLSchema; graphql: typeof import('graphql').graphql };
let executable: Promise<Executable> | undefined;

/** GitHub's published schema, loaded on the first GraphQL request (it is large). */
function loadSchema(): Promise<Executable> {
  executable ??= (async () => {
    const [{ schema }, gql] = await Promise.all([import('@octokit/graphql-schema'), import('graphql')]);
    const built = gql.buildClientSchema(schema.json as unknown as import('graphql').IntrospectionQuery);
    // An introspected schema knows GitHub's custom scalars only by name and lets any value through:
    // hold the ones the simulator serves to the form GitHub documents, so a wrong value is an error
    // at its field (and a contract violation, contract.ts).
    for (const [name, valid] of Object.entries(SCALARS)) {
      const type = built.getType(name);
      if (type instanceof gql.GraphQLScalarType) {
        type.serialize = (value: unknown) => {
          if (!valid(value)) throw new TypeError(`${name} cannot represent ${JSON.stringify(value)}`);
          return value;
        };
      }
    }
    return { schema: built, graphql: gql.graphql };
  })();
  return executable;
}

export function mergeQueueRoutes(world: World, queues: MergeQueues): Route[] {
  const visible = (installationId: number | undefined, owner: string, name: string): SimRepo => {
    const repo = world.findRepo(owner, name);
    if (!repo || (installationId !== undefined && repo.installationId !== installationId))
      throw new GraphqlError('NOT_FOUND', `Could not resolve to a Repository with the name '${owner}/${name}'.`);
    return repo;
  };
  const byNodeId = (installationId: number | undefined, id: string): { repo: SimRepo; pr: SimPull } => {
    for (const repo of world.repos.values()) {
      if (installationId !== undefined && repo.installationId !== installationId) continue;
      for (const pr of repo.pulls.values()) if (pullNodeId(pr) === id) return { repo, pr };
    }
    throw new GraphqlError('NOT_FOUND', `Could not resolve to a node with the global id of '${id}'`);
  };
  const entryNode = (repo: SimRepo, queue: SimMergeQueue, e: SimQueueEntry): Record<string, unknown> => ({
    id: e.id,
    position: queue.entries.indexOf(e) + 1,
    state: 'AWAITING_CHECKS',
    enqueuedAt: e.enqueuedAt,
    jump: false,
    solo: false,
    headCommit: { oid: queue.entryHeadCommit === 'group-commit' ? e.groupHeadSha : e.prHeadSha },
    baseCommit: { oid: e.groupBaseSha },
    pullRequest: () => pullNode(repo, repo.pulls.get(e.number)!),
  });
  const pullNode = (repo: SimRepo, pr: SimPull): Record<string, unknown> => {
    const queue = queues.queueOf(repo, pr.baseRef);
    const entry = queue?.entries.find((e) => e.number === pr.number);
    return {
      id: pullNodeId(pr),
      number: pr.number,
      title: pr.title,
      headRefOid: pr.headSha,
      baseRefName: pr.baseRef,
      state: pr.merged ? 'MERGED' : pr.state.toUpperCase(),
      isInMergeQueue: entry !== undefined,
      mergeQueueEntry: entry && queue ? entryNode(repo, queue, entry) : null,
      commits: pullCommits(repo, pr),
      timelineItems: ({ last, first, itemTypes }: { last?: number; first?: number; itemTypes?: string[] }) => {
        const wanted = (t: string) => !itemTypes || itemTypes.includes(t);
        if (itemTypes?.length === 1 && itemTypes[0] === 'HEAD_REF_FORCE_PUSHED_EVENT') {
          const pushes = forcePushEvents(repo, pr);
          return { totalCount: pushes.length, nodes: last !== undefined ? pushes.slice(-last) : pushes.slice(0, first ?? 100) };
        }
        const events = (queue?.history ?? [])
          .filter((e) => e.number === pr.number)
          .filter((e) => wanted(e.kind === 'added' ? 'ADDED_TO_MERGE_QUEUE_EVENT' : 'REMOVED_FROM_MERGE_QUEUE_EVENT'));
        const nodes = (last !== undefined ? events.slice(-last) : events.slice(0, first ?? 100)).map((e) => ({
          __typename: e.kind === 'added' ? 'AddedToMergeQueueEvent' : 'RemovedFromMergeQueueEvent',
          id: nodeId(e.kind === 'added' ? 'AddedToMergeQueueEvent' : 'RemovedFromMergeQueueEvent', e.id),
          createdAt: e.at,
          actor: { __typename: e.actor.type === 'Bot' ? 'Bot' : 'User', login: e.actor.login },
          ...(e.kind === 'removed' ? { beforeCommit: { oid: e.headSha }, reason: e.reason ?? null } : {}),
        }));
        return { totalCount: events.length, nodes };
      },
    };
  };

  const handle = async (req: SimRequest): Promise<Reply> => {
    const { schema, graphql } = await loadSchema();
    const query = req.body.query;
    if (typeof query !== 'string') throw new HttpError(400, 'A query attribute must be specified and must be a string.');
    const installationId = req.installationId;
    const actor = world.app.bot;
    const root = {
      node: ({ id }: { id: string }) => commentByNodeId(world.repos.values(), id, installationId),
      repository: ({ owner, name }: { owner: string; name: string }) => {
        const repo = visible(installationId, owner, name);
        return {
          pullRequest: ({ number }: { number: number }) => {
            const pr = repo.pulls.get(number);
            if (!pr) throw new GraphqlError('NOT_FOUND', `Could not resolve to a PullRequest with the number of ${number}.`);
            return pullNode(repo, pr);
          },
          mergeQueue: ({ branch }: { branch?: string }) => {
            const queue = queues.queueOf(repo, branch ?? repo.defaultBranch);
            if (!queue) return null;
            return {
              id: nodeId('MergeQueue', `${repo.id}:${queue.branch}`),
              entries: ({ first }: { first?: number }) => {
                const nodes = queue.entries.slice(0, Math.min(first ?? 100, 100)).map((e) => entryNode(repo, queue, e));
                return { totalCount: queue.entries.length, nodes };
              },
            };
          },
        };
      },
      enqueuePullRequest: ({ input }: { input: { pullRequestId: string; expectedHeadOid?: string; jump?: boolean } }) => {
        const { repo, pr } = byNodeId(installationId, input.pullRequestId);
        const entry = queues.enqueue(repo, pr, actor, {
          ...(input.expectedHeadOid !== undefined ? { expectedHeadOid: input.expectedHeadOid } : {}),
        });
        return { mergeQueueEntry: entryNode(repo, repo.mergeQueue!, entry) };
      },
      revertPullRequest: ({ input }: { input: RevertInput }) => {
        const { repo, pr } = byNodeId(installationId, input.pullRequestId);
        const revert = revertPull(world, queues.notify, repo, pr, input);
        return { pullRequest: pullNode(repo, pr), revertPullRequest: pullNode(repo, revert) };
      },
      dequeuePullRequest: ({ input }: { input: { id: string } }) => {
        const { repo, pr } = byNodeId(installationId, input.id);
        const queue = queues.queueOf(repo, pr.baseRef);
        const entry = queue?.entries.find((e) => e.number === pr.number);
        const node = entry && queue ? entryNode(repo, queue, entry) : null;
        queues.dequeue(repo, pr, actor, `removed by ${actor.login}`);
        return { mergeQueueEntry: node };
      },
    };
    const variables =
      req.body.variables && typeof req.body.variables === 'object' ? (req.body.variables as Record<string, unknown>) : undefined;
    const result = await graphql({
      schema,
      source: query,
      rootValue: root,
      ...(variables ? { variableValues: variables } : {}),
      ...(typeof req.body.operationName === 'string' ? { operationName: req.body.operationName } : {}),
    });
    checkGraphqlAnswer(
      typeof req.body.operationName === 'string'
        ? req.body.operationName
        : (/^\s*(?:query|mutation)\s+(\w+)/.exec(query)?.[1] ?? 'anonymous operation'),
      (result.errors ?? []).map((e) => ({
        ...(e.path ? { path: e.path } : {}),
        message: e.message,
        deliberate: e.originalError instanceof GraphqlError,
      })),
    );
    const body: Record<string, unknown> = { data: result.data ?? null };
    if (result.errors?.length) {
      body.errors = result.errors.map((e) => ({
        ...(e.originalError instanceof GraphqlError ? { type: e.originalError.type } : {}),
        ...(e.path ? { path: e.path } : {}),
        ...(e.locations ? { locations: e.locations } : {}),
        message: e.message,
      }));
    }
    return { status: 200, body };
  };

  return [
    // GitHub.com serves GraphQL at /graphql, Enterprise Server at /api/graphql.
    { method: 'POST', path: '/graphql', auth: 'installation', handle },
    { method: 'POST', path: '/api/graphql', auth: 'installation', handle },
  ];
}

/** The merge queue's ruleset as `GET /repos/{o}/{r}/rulesets/{id}` shows it, when `id` is the queue's. */
export function mergeQueueRuleset(repo: SimRepo, id: number): Record<string, unknown> | undefined {
  const queue = repo.mergeQueue;
  if (!queue || id !== queue.rulesetId) return undefined;
  return {
    id: queue.rulesetId,
    name: queue.branch,
    target: 'branch',
    source_type: 'Repository',
    source: repo.fullName,
    enforcement: 'active',
    bypass_actors: [],
    current_user_can_bypass: 'never',
    conditions: { ref_name: { include: [`refs/heads/${queue.branch}`], exclude: [] } },
    rules: mergeQueueRules(repo, queue.branch).map((r) => {
      const { ruleset_id: _i, ruleset_source: _s, ruleset_source_type: _t, ...rule } = r as Record<string, unknown>;
      return rule;
    }),
    node_id: nodeId('RepositoryRuleset', queue.rulesetId),
    created_at: repo.createdAt,
    updated_at: repo.createdAt,
  };
}
