// The App manifest asks for exactly what the App uses.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { COMMENT_EVENTS, MERGE_GROUP_EVENTS, PULL_REQUEST_EVENTS, QUEUE_EVENTS, REVIEW_EVENTS } from '../../src/app/gate.js';

const manifest = parse(readFileSync(new URL('../../app.yml', import.meta.url), 'utf8')) as {
  default_events: string[];
  default_permissions: Record<string, string>;
};

describe('app.yml', () => {
  it('subscribes to exactly the events the App handles (installation events come to every App)', () => {
    const handled = new Set(
      [
        ...PULL_REQUEST_EVENTS,
        ...QUEUE_EVENTS,
        ...MERGE_GROUP_EVENTS,
        ...COMMENT_EVENTS,
        ...REVIEW_EVENTS,
        'check_run.rerequested',
        'check_suite.rerequested',
        'check_suite.completed',
        'status',
      ].map((e) => e.split('.')[0]),
    );
    expect(new Set(manifest.default_events)).toEqual(handled);
  });

  it('asks for the least permissions: read everywhere except checks, comments, and contents to merge', () => {
    // statuses: read, because the merge waits for other CI's commit statuses (the combined status needs it).
    // merge_queues: write, to enqueue and dequeue on a branch with a merge queue (and read its merge_group events).
    expect(manifest.default_permissions).toEqual({
      checks: 'write',
      contents: 'write',
      issues: 'write',
      pull_requests: 'write',
      statuses: 'read',
      members: 'read',
      metadata: 'read',
      merge_queues: 'write',
    });
  });
});

/** The permission GitHub's REST reference names for each method the shell calls ("Permissions
 * required for GitHub Apps"; `apps.*` run on the App's JWT or need none). `action` marks the commit
 * status fallback only the Action uses; the App always writes check runs. */
const REQUIRED: Record<string, { permission?: [string, 'read' | 'write']; action?: true }> = {
  'apps.getAuthenticated': {},
  'apps.listInstallations': {},
  'apps.listReposAccessibleToInstallation': {},
  'checks.create': { permission: ['checks', 'write'] },
  // The clicked (or current) run, to add to the record it carries (amend-record.ts, apply-effects.ts).
  'checks.get': { permission: ['checks', 'read'] },
  'checks.listForRef': { permission: ['checks', 'read'] },
  'checks.update': { permission: ['checks', 'write'] },
  // The index label of an open review after merge, and `hitl:revert` on the gate's revert PRs.
  'issues.addLabels': { permission: ['issues', 'write'] },
  // The dashboard issue (find-dashboard.ts, upsert-dashboard.ts) and the merged PRs labelled for a review after merge.
  'issues.create': { permission: ['issues', 'write'] },
  'issues.createComment': { permission: ['issues', 'write'] },
  'issues.get': { permission: ['issues', 'read'] },
  'issues.listForRepo': { permission: ['issues', 'read'] },
  'issues.update': { permission: ['issues', 'write'] },
  'issues.listComments': { permission: ['issues', 'read'] },
  'issues.removeLabel': { permission: ['issues', 'write'] },
  'issues.updateComment': { permission: ['issues', 'write'] },
  'pulls.get': { permission: ['pull_requests', 'read'] },
  'pulls.list': { permission: ['pull_requests', 'read'] },
  'pulls.listCommits': { permission: ['pull_requests', 'read'] },
  'pulls.listFiles': { permission: ['pull_requests', 'read'] },
  'pulls.listReviews': { permission: ['pull_requests', 'read'] },
  'pulls.merge': { permission: ['contents', 'write'] },
  'pulls.requestReviewers': { permission: ['pull_requests', 'write'] },
  'pulls.updateBranch': { permission: ['pull_requests', 'write'] },
  'reactions.createForIssueComment': { permission: ['issues', 'write'] },
  'repos.compareCommitsWithBasehead': { permission: ['contents', 'read'] },
  'repos.createCommitStatus': { permission: ['statuses', 'write'], action: true },
  // The default branch and its recent commits, where the daily digest's record is (digest-record.ts).
  'repos.get': { permission: ['metadata', 'read'] },
  'repos.listCommits': { permission: ['contents', 'read'] },
  'repos.getCollaboratorPermissionLevel': { permission: ['metadata', 'read'] },
  'repos.getCombinedStatusForRef': { permission: ['statuses', 'read'] },
  'repos.getContent': { permission: ['contents', 'read'] },
  'repos.listCommitStatusesForRef': { permission: ['statuses', 'read'], action: true },
  'teams.getMembershipForUserInOrg': { permission: ['members', 'read'] },
};

describe('app.yml permissions against the REST methods the App calls', () => {
  const called = new Set<string>();
  for (const dir of ['src/github', 'src/app']) {
    for (const file of readdirSync(new URL(`../../${dir}/`, import.meta.url))) {
      if (!file.endsWith('.ts')) continue;
      const text = readFileSync(new URL(`../../${dir}/${file}`, import.meta.url), 'utf8');
      for (const m of text.matchAll(/\brest\.(\w+)\.(\w+)/g)) called.add(`${m[1]}.${m[2]}`);
    }
  }

  it('knows the permission of every method the shell calls (a new one must be added here)', () => {
    expect([...called].filter((m) => !(m in REQUIRED))).toEqual([]);
  });

  it('grants each of them, so GitHub does not answer 403 on a private repository', () => {
    const level = { read: 1, write: 2 } as const;
    const missing = [...called].flatMap((m) => {
      const need = REQUIRED[m];
      if (!need?.permission || need.action) return [];
      const [name, wanted] = need.permission;
      const granted = manifest.default_permissions[name] as 'read' | 'write' | undefined;
      return granted && level[granted] >= level[wanted] ? [] : [`${m} needs ${name}: ${wanted}`];
    });
    expect(missing).toEqual([]);
  });
});

/** Every file that speaks GraphQL, with the permissions its documents need (GitHub checks each field
 * against the installation's permissions: a field it may not read comes back as an error). */
const GRAPHQL: Record<string, { why: string; permissions: [string, 'read' | 'write'][] }> = {
  // enqueuePullRequest / dequeuePullRequest and the queue's entries.
  'src/github/merge-queue.ts': { why: 'the merge queue', permissions: [['merge_queues', 'write']] },
  // The PR's commits and the heads force-pushes replaced (timeline), with the gate's check suites and runs on them.
  'src/github/find-earlier-record.ts': {
    why: 'the record on earlier heads',
    permissions: [
      ['pull_requests', 'read'],
      ['checks', 'read'],
    ],
  },
  // `node(id)` of the status comment: an IssueComment's `lastEditedAt` and `editor`.
  'src/github/find-status-comment.ts': { why: 'who last edited the status comment', permissions: [['issues', 'read']] },
  // `/revert`: revertPullRequest makes a branch (contents) and opens a PR (pull requests).
  'src/github/open-revert.ts': {
    why: 'the revert of a merged PR',
    permissions: [
      ['contents', 'write'],
      ['pull_requests', 'write'],
    ],
  },
};

describe('GraphQL', () => {
  const users: string[] = [];
  for (const dir of ['src/github', 'src/app', 'src/core']) {
    for (const file of readdirSync(new URL(`../../${dir}/`, import.meta.url))) {
      if (!file.endsWith('.ts')) continue;
      const text = readFileSync(new URL(`../../${dir}/${file}`, import.meta.url), 'utf8');
      if (/\.graphql\b\s*[<(]/.test(text)) users.push(`${dir}/${file}`);
    }
  }

  it('is spoken only where this table says why (a new use must be added here)', () => {
    expect(users.sort()).toEqual(Object.keys(GRAPHQL).sort());
  });

  it('is granted what each use needs', () => {
    const level = { read: 1, write: 2 } as const;
    const missing = Object.entries(GRAPHQL).flatMap(([file, { why, permissions }]) =>
      permissions.flatMap(([name, wanted]) => {
        const granted = manifest.default_permissions[name] as 'read' | 'write' | undefined;
        return granted && level[granted] >= level[wanted] ? [] : [`${file} (${why}) needs ${name}: ${wanted}`];
      }),
    );
    expect(missing).toEqual([]);
    expect(manifest.default_events).toContain('merge_group');
  });

  it("every document the gate sends is valid against GitHub's published schema", async () => {
    const { validate } = await import('@octokit/graphql-schema');
    const { QUEUE_OPERATIONS } = await import('../../src/github/merge-queue.js');
    for (const [name, document] of Object.entries(QUEUE_OPERATIONS))
      expect(
        validate(document).map((e) => e.message),
        name,
      ).toEqual([]);
    const { REVERT_OPERATIONS } = await import('../../src/github/open-revert.js');
    for (const [name, document] of Object.entries(REVERT_OPERATIONS))
      expect(
        validate(document).map((e) => e.message),
        name,
      ).toEqual([]);
    // The documents the record's readers send, as they send them (with and without an App id to filter by).
    const { openSession } = await import('../../src/github/session.js');
    const { findEarlierRecord } = await import('../../src/github/find-earlier-record.js');
    const { lastEdit } = await import('../../src/github/find-status-comment.js');
    const sent: string[] = [];
    const client = {
      graphql: async (document: string) => {
        sent.push(document);
        return { repository: { pullRequest: { commits: { nodes: [] }, timelineItems: { nodes: [] } } }, node: null };
      },
    } as unknown as Parameters<typeof openSession>[0];
    const session = openSession(client, new Date('2026-11-22T14:00:00Z'), undefined);
    const ref = { owner: 'acme', repo: 'widgets', number: 7 };
    await findEarlierRecord(session, ref, 'a'.repeat(40), { appId: 9, login: 'hitl-gate[bot]' });
    await findEarlierRecord(session, ref, 'a'.repeat(40), { login: 'github-actions[bot]' });
    await lastEdit(session, 'IC_kwDOA');
    expect(sent).toHaveLength(3);
    for (const document of sent)
      expect(
        validate(document).map((e) => e.message),
        document,
      ).toEqual([]);
    // The check can fail: a field GitHub does not have is caught.
    expect(validate('query { repository(owner: "o", name: "r") { pullRequest(number: 1) { inMergeQueue } } }')).not.toEqual([]);
  });
});
