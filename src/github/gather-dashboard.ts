// What the dashboard shows, recomputed from GitHub on every refresh (nothing is kept elsewhere): the
// open PRs and the gate's record on each one's head (its own `hitl` check run, which only the gate can
// write), and the merged PRs the after-merge label marks, each checked against the record on its last
// head (the label is an index anyone can set; the record decides). Every read here is a GET the App
// sends conditionally, so an unchanged PR costs a 304, which GitHub does not charge.
import { afterMergeOpen, AFTER_MERGE_LABEL } from '../core/model/after-merge.js';
import type { AfterMergeItem, AwaitingApprovalItem, DashboardData, VetoWindowItem } from '../core/dashboard.js';
import { readDecisionRecord } from '../core/decision-record.js';
import { reading } from './errors.js';
import { listGovernedRuns, recordOfRuns, type RunLike } from './find-gate-check.js';
import type { GateIdentity } from './identity.js';
import { request, type Session } from './session.js';
import type { RepositoryRef } from './types.js';

interface Run {
  id: number;
  started_at?: string | null;
  external_id?: string | null;
  app?: { id: number; slug?: string } | null;
  output?: { text?: string | null };
}

interface ListedPull {
  number: number;
  title: string;
  html_url: string;
  draft?: boolean;
  head: { sha: string };
}

/** The gate's governed runs on a head, newest first. */
async function gateRuns(session: Session, repo: RepositoryRef, sha: string, identity: GateIdentity): Promise<Run[]> {
  return reading(`the hitl check runs of ${sha.slice(0, 7)}`, async () => {
    return (await listGovernedRuns(session, repo, sha, identity)) as Run[];
  });
}

type OpenItem = { awaiting: AwaitingApprovalItem } | { window: VetoWindowItem } | undefined;

/** Where an open PR belongs on the dashboard, from the decision the gate recorded on its head. */
async function openItem(session: Session, repo: RepositoryRef, pull: ListedPull, identity: GateIdentity): Promise<OpenItem> {
  if (pull.draft) return undefined;
  const runs = await gateRuns(session, repo, pull.head.sha, identity);
  const decision = readDecisionRecord(runs[0]?.output?.text);
  // Observe mode acts on nothing, so nothing awaits a person.
  if (!decision || decision.mode === 'observe') return undefined;
  const base = { number: pull.number, title: pull.title, url: pull.html_url };
  if (decision.tier === 'hard' && decision.state === 'blocked') {
    const since =
      runs
        .map((r) => r.started_at)
        .filter((t): t is string => !!t)
        .sort()[0] ?? '';
    const ledger = recordOfRuns(runs as RunLike[], pull.number);
    const reminded = ledger?.reminded?.head === pull.head.sha ? ledger.reminded.steps : 0;
    return {
      awaiting: {
        ...base,
        since,
        approvedBy: decision.approvals.map((a) => a.by),
        reminded,
        ...(decision.mayApprove ? { mayApprove: decision.mayApprove } : {}),
      },
    };
  }
  if (decision.tier === 'soft' && decision.state === 'waiting' && decision.window)
    return { window: { ...base, mergesAt: decision.window.end } };
  return undefined;
}

interface LabelledIssue {
  number: number;
  title: string;
  html_url: string;
  pull_request?: { merged_at?: string | null } | null;
}

/** A merged PR the label marks, when the record on its last head says its review after merge is open. */
async function afterMergeItem(
  session: Session,
  repo: RepositoryRef,
  issue: LabelledIssue,
  identity: GateIdentity,
): Promise<AfterMergeItem | undefined> {
  if (!issue.pull_request?.merged_at) return undefined;
  const { data: pull } = await reading(`pull request #${issue.number}`, () =>
    request(session, (c) => c.rest.pulls.get({ owner: repo.owner, repo: repo.repo, pull_number: issue.number })),
  );
  const runs = await gateRuns(session, repo, pull.head.sha, identity);
  const record = recordOfRuns(runs as RunLike[], issue.number)?.afterMerge;
  if (!record || !afterMergeOpen(record)) return undefined;
  // Open means not reviewed: every concern on record is still standing.
  return {
    number: issue.number,
    title: issue.title,
    url: issue.html_url,
    due: record.due,
    reviewers: record.reviewers,
    concern: record.concerns.length > 0,
  };
}

export async function gatherDashboard(
  session: Session,
  repo: RepositoryRef,
  identity: GateIdentity,
  timezone?: string,
): Promise<DashboardData> {
  const awaiting: AwaitingApprovalItem[] = [];
  const windows: VetoWindowItem[] = [];
  const afterMerge: AfterMergeItem[] = [];
  const pulls = session.client.paginate.iterator(session.client.rest.pulls.list, {
    owner: repo.owner,
    repo: repo.repo,
    state: 'open',
    per_page: 100,
  });
  for await (const page of pulls) {
    session.requests += 1;
    for (const pull of page.data as unknown as ListedPull[]) {
      const item = await openItem(session, repo, pull, identity);
      if (item && 'awaiting' in item) awaiting.push(item.awaiting);
      else if (item) windows.push(item.window);
    }
  }
  const labelled = session.client.paginate.iterator(session.client.rest.issues.listForRepo, {
    owner: repo.owner,
    repo: repo.repo,
    labels: AFTER_MERGE_LABEL,
    state: 'closed',
    per_page: 100,
  });
  for await (const page of labelled) {
    session.requests += 1;
    for (const issue of page.data as unknown as LabelledIssue[]) {
      const item = await afterMergeItem(session, repo, issue, identity);
      if (item) afterMerge.push(item);
    }
  }
  return { awaiting, windows, afterMerge, ...(timezone ? { timezone } : {}) };
}
