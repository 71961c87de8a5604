// The approval log, rebuilt from GitHub alone: for every governed PR updated in a period, what the
// gate decided (the record it keeps in its own check run on the PR's head), the vetoes its status
// comment's ledger remembers, and how the PR ended (merged, by whom, which commit). Nothing is
// guessed: what GitHub does not show is null.
import { auditAfterMerge } from '../core/audit-after-merge.js';
import { readRecord } from '../core/ledger.js';
import { readDecisionRecord, type DecisionRecord } from '../core/decision-record.js';
import type { Tier } from '../core/model/tier.js';
import type { GitHubClient } from './client.js';
import { reading } from './errors.js';
import { listGovernedRuns } from './find-gate-check.js';
import { findStatusComment } from './find-status-comment.js';
import { gatherComments } from './gather-conversation.js';
import type { GateIdentity } from './identity.js';
import { openSession, request, type Session } from './session.js';
import type { RepositoryRef } from './types.js';
import type { AuditRecord } from '../core/audit-record.js';

export type { AuditRecord } from '../core/audit-record.js';

export interface AuditPeriod {
  /** Inclusive, ms since the epoch. */
  since?: number;
  /** Exclusive, ms since the epoch. */
  until?: number;
}

export interface AuditProgress {
  /** Pull requests looked at, and how many of them the gate governs. */
  seen: number;
  governed: number;
}

interface ListedPull {
  number: number;
  html_url: string;
  title: string;
  state: string;
  updated_at: string;
  merged_at: string | null;
  closed_at?: string | null;
  merge_commit_sha: string | null;
  user: { login: string } | null;
  head: { sha: string };
}

interface RunLike {
  id: number;
  started_at?: string | null;
  external_id?: string | null;
  app?: { id: number; slug?: string } | null;
  output?: { summary?: string | null; text?: string | null };
}

/** The gate's newest run for a governed head, if any, and when its first one there started. */
async function gateRuns(
  session: Session,
  repo: RepositoryRef,
  headSha: string,
  identity: GateIdentity,
): Promise<{ newest?: RunLike; firstStarted: string | null }> {
  return reading(`the hitl check runs of ${headSha.slice(0, 7)}`, async () => {
    const runs = await listGovernedRuns(session, repo, headSha, identity);
    const started = runs
      .map((r) => r.started_at)
      .filter((t): t is string => typeof t === 'string' && t !== '')
      .sort();
    return { ...(runs[0] ? { newest: runs[0] } : {}), firstStarted: started[0] ?? null };
  });
}

/** A run written before the gate kept its record still says the tier in its summary. */
function tierOfSummary(summary: string | null | undefined): Tier | null {
  const m = /\*\*Tier (fyi|soft|hard)\*\*/.exec(summary ?? '');
  return m ? (m[1] as Tier) : null;
}

async function auditOne(session: Session, repo: RepositoryRef, pull: ListedPull, identity: GateIdentity): Promise<AuditRecord | undefined> {
  const ref = { ...repo, number: pull.number };
  const [{ newest: run, firstStarted }, comments] = await Promise.all([
    gateRuns(session, repo, pull.head.sha, identity),
    gatherComments(session, ref),
  ]);
  const status = findStatusComment(comments, identity);
  if (!run && !status) return undefined;

  const record: DecisionRecord | undefined = readDecisionRecord(run?.output?.text);
  const merged = pull.merged_at !== null;
  let mergedBy: string | null = null;
  if (merged) {
    // The list does not say who merged: the PR itself does.
    const { data } = await reading(`pull request #${pull.number}`, () =>
      request(session, (c) => c.rest.pulls.get({ ...ref, pull_number: pull.number })),
    );
    mergedBy = data.merged_by?.login ?? null;
  }
  // Vetoes: the decision's history, plus any the gate's record remembers that the decision does not
  // (a decision written before the veto). Never the status comment: anyone can edit that.
  let vetoes: AuditRecord['vetoes'] = record
    ? record.vetoes.map((v) => ({ by: v.by, at: v.at, reason: v.reason, withdrawn_at: v.withdrawnAt }))
    : null;
  const kept = readRecord(run?.output?.text, pull.number);
  if (kept) {
    vetoes ??= [];
    for (const v of kept.vetoes) {
      if (!vetoes.some((r) => r.by.toLowerCase() === v.by.toLowerCase() && r.at === v.at))
        vetoes.push({ by: v.by, at: v.at, reason: v.reason ?? null, withdrawn_at: null });
    }
    vetoes.sort((a, b) => a.at.localeCompare(b.at));
  }
  return {
    repo: `${repo.owner}/${repo.repo}`,
    pr: pull.number,
    url: pull.html_url,
    title: pull.title,
    author: pull.user?.login ?? null,
    head_sha: pull.head.sha,
    tier: record?.tier ?? tierOfSummary(run?.output?.summary),
    state: merged ? 'merged' : pull.state === 'closed' ? 'closed' : record && record.state !== 'ignored' ? record.state : null,
    rules: record ? record.rules : null,
    approvals: record ? record.approvals : null,
    vetoes,
    window_start: record?.window?.start ?? null,
    window_end: record?.window?.end ?? null,
    head_seen_at: run ? firstStarted : null,
    merged,
    merge_sha: merged ? pull.merge_commit_sha : null,
    merged_at: pull.merged_at,
    merged_by: mergedBy,
    merged_by_gate: merged ? (mergedBy === null ? null : mergedBy.toLowerCase() === identity.login.toLowerCase()) : false,
    closed_at: pull.closed_at ?? (merged ? pull.merged_at : null),
    policy_sha: record?.policy.sha256 ?? null,
    mode: record ? (record.mode ?? 'enforce') : null,
    would: record?.would ?? null,
    after_merge: auditAfterMerge(kept?.afterMerge, session.now),
  };
}

/**
 * Every governed PR of the repository updated in the period, newest update first. Pages through the
 * PRs sorted by update time and stops at the first one older than the period.
 */
export async function* gatherAuditRecords(
  client: GitHubClient,
  repo: RepositoryRef,
  identity: GateIdentity,
  period: AuditPeriod,
  progress?: (p: AuditProgress) => void,
): AsyncGenerator<AuditRecord> {
  const session = openSession(client, new Date(), undefined);
  const counts: AuditProgress = { seen: 0, governed: 0 };
  const pages = client.paginate.iterator(client.rest.pulls.list, {
    owner: repo.owner,
    repo: repo.repo,
    state: 'all',
    sort: 'updated',
    direction: 'desc',
    per_page: 100,
  });
  for await (const page of pages) {
    for (const pull of page.data as unknown as ListedPull[]) {
      const updated = Date.parse(pull.updated_at);
      if (period.since !== undefined && updated < period.since) return;
      if (period.until !== undefined && updated >= period.until) continue;
      counts.seen += 1;
      const record = await auditOne(session, repo, pull, identity);
      if (record) counts.governed += 1;
      progress?.({ ...counts });
      if (record) yield record;
    }
  }
}
