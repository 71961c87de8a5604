// What GitHub says about merging right now: read only when the decision wants to merge (design.md, invariant 7:
// never bypass the repository's own protections, so the gate looks before it merges).
import { pinnedCheck } from '../core/merge-blockers.js';
import type { GitHubView } from '../core/model/effects.js';
import { reading } from './errors.js';
import { CHECK_NAME } from '../core/model/effects.js';
import { fetchPullRequest, type PullRequestSnapshot } from './find-pull-request.js';
import { isOwnCheckRun, type GateIdentity } from './identity.js';
import { request, type Session } from './session.js';
import type { PullRequestRef } from './types.js';

type Verdict = GitHubView['otherChecks'];

const FAILED = new Set(['failure', 'cancelled', 'timed_out', 'action_required', 'stale', 'startup_failure']);

/** Worst of two verdicts: failure > pending > success > none. */
function worst(a: Verdict, b: Verdict): Verdict {
  const order: Verdict[] = ['none', 'success', 'pending', 'failure'];
  return order.indexOf(a) >= order.indexOf(b) ? a : b;
}

type Named = Record<string, 'success' | 'pending' | 'failure'>;

async function otherCheckRuns(
  session: Session,
  ref: PullRequestRef,
  sha: string,
  identity: GateIdentity,
  ignore: readonly number[],
  named: Named = {},
): Promise<Verdict> {
  let verdict: Verdict = 'none';
  const pages = session.client.paginate.iterator(session.client.rest.checks.listForRef, {
    owner: ref.owner,
    repo: ref.repo,
    ref: sha,
    per_page: 100,
  });
  for await (const page of pages) {
    session.requests += 1;
    for (const run of page.data) {
      if (run.name === CHECK_NAME && isOwnCheckRun(run, identity)) continue;
      if (ignore.includes(run.id)) continue;
      const v: Verdict = run.status !== 'completed' ? 'pending' : run.conclusion && FAILED.has(run.conclusion) ? 'failure' : 'success';
      verdict = worst(verdict, v);
      // Two runs of one name (two apps): the worse one is what a required check of that name sees.
      named[run.name] = worst(named[run.name] ?? 'none', v) as Named[string];
      // A required check may be pinned to the app that must report it (`integration_id`).
      const pinned = pinnedCheck(run.name, run.app?.id);
      if (pinned) named[pinned] = worst(named[pinned] ?? 'none', v) as Named[string];
    }
    if (verdict === 'failure') break; // nothing later can make it better
  }
  return verdict;
}

async function otherStatuses(session: Session, ref: PullRequestRef, sha: string, ownStatus: boolean, named: Named = {}): Promise<Verdict> {
  const { data } = await request(session, (c) =>
    c.rest.repos.getCombinedStatusForRef({ owner: ref.owner, repo: ref.repo, ref: sha, per_page: 100 }),
  );
  let verdict: Verdict = 'none';
  for (const s of data.statuses) {
    // The combined view has no creator: when the gate itself writes a `hitl` status, that context is ours.
    if (ownStatus && s.context === CHECK_NAME) continue;
    const v: Verdict = s.state === 'success' ? 'success' : s.state === 'pending' ? 'pending' : 'failure';
    verdict = worst(verdict, v);
    named[s.context] = worst(named[s.context] ?? 'none', v) as Named[string];
  }
  if (data.total_count > data.statuses.length) verdict = worst(verdict, 'pending'); // unseen contexts: not known to pass
  return verdict;
}

export interface MergeView {
  view: Pick<GitHubView, 'mergeable' | 'mergeableState' | 'otherChecks'>;
  /** The PR as GitHub reports it now, when it was re-read: if it differs from what was decided on, the
   * decision is stale (a push, a label, a retarget since the event). */
  current?: PullRequestSnapshot;
  /** Every other check run and status seen, by name (required checks are looked up here). */
  checks: Named;
  /** Commit statuses were not read (a check run was still running or failed): a required check
   * missing from `checks` may be a status not looked at, not one that never reported. */
  statusesUnread?: true;
}

/** Whether the fresh PR differs from the decided one in anything the decision depends on. */
export function changedSince(decided: PullRequestSnapshot, now: PullRequestSnapshot): string | undefined {
  const labels = (p: PullRequestSnapshot) => [...new Set(p.labels.map((l) => l.toLowerCase()))].sort().join('\n');
  if (now.headSha !== decided.headSha) return 'head';
  if (now.baseRef !== decided.baseRef) return 'base';
  if (labels(now) !== labels(decided)) return 'labels';
  if (now.state !== decided.state || now.merged !== decided.merged || now.draft !== decided.draft) return 'state';
  if (now.author.login !== decided.author.login || now.headRef !== decided.headRef) return 'author';
  if (now.changedFiles !== decided.changedFiles || now.additions !== decided.additions || now.deletions !== decided.deletions)
    return 'size';
  return undefined;
}

/** Cheapest verdict first: other checks, then statuses, then (only if both pass) a fresh mergeability. */
export async function gatherMergeView(
  session: Session,
  ref: PullRequestRef,
  pr: PullRequestSnapshot,
  identity: GateIdentity,
  ownStatus: boolean,
  ignoreCheckRunIds: readonly number[] = [],
): Promise<MergeView> {
  return reading('the mergeability and other checks', async () => {
    const checks: Named = {};
    const runs = await otherCheckRuns(session, ref, pr.headSha, identity, ignoreCheckRunIds, checks);
    const notYet = { mergeable: null, mergeableState: 'unknown' };
    if (runs === 'failure' || runs === 'pending') return { view: { ...notYet, otherChecks: runs }, checks, statusesUnread: true };
    const statuses = await otherStatuses(session, ref, pr.headSha, ownStatus, checks);
    const otherChecks = worst(runs, statuses);
    if (otherChecks === 'failure' || otherChecks === 'pending') return { view: { ...notYet, otherChecks }, checks };
    // A payload's mergeability is as old as the event; a pulls.get in this reconcile is current.
    const fresh = pr.source === 'api' && pr.mergeable !== null ? pr : await fetchPullRequest(session, ref);
    return {
      view: { mergeable: fresh.mergeable, mergeableState: fresh.mergeableState, otherChecks },
      current: fresh,
      checks,
    };
  });
}
