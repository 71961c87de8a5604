// The gate's own `hitl` check run (or commit status) on the head SHA: the trusted clock of the veto
// window (design.md, invariant 6) and what the plan compares against so writes are idempotent.
import type { Ledger } from '../core/model/ledger.js';
import { CHECK_NAME, type GitHubView } from '../core/model/effects.js';
import { mergeRecords, readRecord, recordMarkerIn } from '../core/ledger.js';
import { reading } from './errors.js';
import { EXTERNAL_ID, isOwnCheckRun, type GateIdentity } from './identity.js';
import { request, type Session } from './session.js';

/** `external_id` tells, later, whether a run was written for a governed PR (see identity.ts). */
export { EXTERNAL_ID };

export interface GateCheck {
  /** The run the plan should update; for a governed PR never an "ignored" one. */
  checkRun?: GitHubView['checkRun'];
  /** The newest own run of any kind (for an ungoverned PR). */
  anyRun?: GitHubView['checkRun'];
  /** `started_at` of the oldest governed run: when the gate first saw this head as governed. */
  headSeenAt?: string;
  /** Whether the gate had already written anything for this head. */
  seenBefore: boolean;
  /** The gate's record of this PR on this head: every own governed run's, merged. */
  record?: Ledger;
}

export interface RunLike {
  id: number;
  status: string;
  conclusion: string | null;
  started_at?: string | null;
  external_id?: string | null;
  app?: { id: number; slug?: string } | null;
  output?: { title?: string | null; summary?: string | null; text?: string | null };
}

const toView = (r: RunLike): NonNullable<GitHubView['checkRun']> => {
  const record = recordMarkerIn(r.output?.text);
  return {
    id: r.id,
    status: r.status,
    conclusion: r.conclusion,
    title: r.output?.title ?? null,
    summary: r.output?.summary ?? null,
    ...(record ? { record } : {}),
  };
};

/** The record of PR `number` that the gate's own runs hold, merged (a completed run cannot change its
 * conclusion, so a head may carry several). */
export function recordOfRuns(runs: readonly RunLike[], number: number): Ledger | undefined {
  let record: Ledger | undefined;
  for (const r of runs) record = mergeRecords(record, readRecord(r.output?.text, number));
  return record;
}

const newestFirst = (a: RunLike, b: RunLike) => (b.started_at ?? '').localeCompare(a.started_at ?? '') || b.id - a.id;

export async function findGateCheckRun(
  session: Session,
  repo: { owner: string; repo: string; number: number },
  headSha: string,
  identity: GateIdentity,
): Promise<GateCheck> {
  return reading('the hitl check run', async () => {
    const own = (await listOwnRuns(session, repo, headSha, identity)).sort(newestFirst);
    const governedRuns = own.filter((r) => r.external_id !== EXTERNAL_ID.ignored);
    const newest = governedRuns[0];
    // The window starts when the gate FIRST saw this head as governed. A completed run cannot change its
    // conclusion, so later verdicts may live in newer runs; they must not move the start.
    const first = governedRuns.filter((r) => r.started_at).at(-1);
    const record = recordOfRuns(governedRuns, repo.number);
    return {
      ...(record ? { record } : {}),
      ...(newest ? { checkRun: toView(newest) } : {}),
      ...(first?.started_at ? { headSeenAt: first.started_at } : {}),
      ...(own[0] ? { anyRun: toView(own[0]) } : {}),
      seenBefore: own.length > 0,
    };
  });
}

/** The Action's fallback when it may only write commit statuses: statuses with context `hitl` by the gate's login. */
export async function findGateStatus(
  session: Session,
  repo: { owner: string; repo: string },
  headSha: string,
  identity: GateIdentity,
): Promise<GateCheck> {
  return reading('the hitl commit status', async () => {
    const { data } = await request(session, (c) =>
      c.rest.repos.listCommitStatusesForRef({ owner: repo.owner, repo: repo.repo, ref: headSha, per_page: 100 }),
    );
    const own = data
      .filter((s) => s.context === CHECK_NAME && s.creator?.login.toLowerCase() === identity.login.toLowerCase())
      .sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id - a.id);
    const newest = own[0];
    const oldest = own[own.length - 1];
    if (!newest || !oldest) return { seenBefore: false };
    const view: NonNullable<GitHubView['checkRun']> = {
      id: newest.id,
      status: newest.state === 'pending' ? 'in_progress' : 'completed',
      conclusion: newest.state === 'pending' ? null : newest.state === 'success' ? 'success' : 'failure',
      title: newest.description ?? null,
      summary: null,
    };
    return { checkRun: view, anyRun: view, headSeenAt: oldest.created_at, seenBefore: true };
  });
}

/** The gate's own `hitl` runs on a commit (asked by the App's id when known; checked by who wrote them). */
export async function listOwnRuns(
  session: Session,
  repo: { owner: string; repo: string },
  headSha: string,
  identity: GateIdentity,
): Promise<RunLike[]> {
  const { data } = await request(session, (c) =>
    c.rest.checks.listForRef({
      owner: repo.owner,
      repo: repo.repo,
      ref: headSha,
      check_name: CHECK_NAME,
      filter: 'all',
      per_page: 100,
      ...(identity.appId !== undefined ? { app_id: identity.appId } : {}),
    }),
  );
  return (data.check_runs as RunLike[]).filter((r) => isOwnCheckRun(r, identity));
}

/** The gate's runs on a commit that governed it (not the ones that said "not an agent PR"), newest first. */
export async function listGovernedRuns(
  session: Session,
  repo: { owner: string; repo: string },
  headSha: string,
  identity: GateIdentity,
): Promise<RunLike[]> {
  return (await listOwnRuns(session, repo, headSha, identity)).filter((r) => r.external_id !== EXTERNAL_ID.ignored).sort(newestFirst);
}
