// Apply the plan's effects in order. Stops at the first write GitHub refuses, so nothing after it
// (above all a merge) happens on a GitHub that does not look the way the plan assumed.
import { mergeRecords, readRecord, recordMarkerIn, withRecord } from '../core/ledger.js';
import { recordLedger } from '../core/plan.js';
import type { Effect } from '../core/model/effects.js';
import { describeError, httpStatus } from './errors.js';
import { CHECK_NAME } from '../core/model/effects.js';
import { EXTERNAL_ID } from './find-gate-check.js';
import { applyQueueStep } from './follow-merge-queue.js';
import { applyAttention } from './request-reviews.js';
import { request, type Session } from './session.js';
import type { PullRequestRef } from './types.js';

/** GitHub's limits: 65535 characters for check run summary/text, 65536 for a comment body. */
const MAX_TEXT = 65_000;
const clip = (s: string): string => (s.length <= MAX_TEXT ? s : `${s.slice(0, MAX_TEXT)}\n\n… (truncated)`);
/** Commit status descriptions are at most 140 characters. */
const clipDescription = (s: string): string => (s.length <= 140 ? s : `${s.slice(0, 139)}…`);

/** How soon to look again after GitHub refused a merge because something moved. */
export const REEVALUATE_MS = 30_000;

export interface ApplyContext {
  ref: PullRequestRef;
  checkRunAs: 'check-run' | 'status';
  /** Recorded in the check run's external_id, see EXTERNAL_ID. */
  governed: boolean;
  /** The gate's check run as GitHub shows it now (what the plan compared against). */
  currentCheckRun?: { id: number; status: string; conclusion: string | null; record?: string };
}

export interface ApplyResult {
  applied: Effect[];
  merged: boolean;
  wakeAt?: string;
  error?: string;
  /** GitHub refused the merge for a reason that waiting will not fix: said in the status comment and
   * the check, and asked again only when something changes (an event, the sweep), never on a timer. */
  refusal?: { sha: string; message: string };
  /** Ids of the check run and status comment this apply wrote (to plan against them again). */
  written?: { checkRunId?: number; statusCommentId?: number };
  /** The gate added the PR to its base branch's merge queue, or took it out. */
  mergeQueue?: 'enqueued' | 'dequeued';
}

/** A refusal that says the facts moved under the merge (a push, a base that moved): look again soon. */
export function isTransientRefusal(status: number | undefined, message: string): boolean {
  return status === 409 || /was modified/i.test(message);
}

/** GitHub's own words from a refused request. */
function refusalMessage(error: unknown): string {
  const data = (error as { response?: { data?: { message?: unknown } } }).response?.data;
  if (typeof data?.message === 'string' && data.message.trim()) return data.message.trim();
  return error instanceof Error ? error.message : String(error);
}

type CheckRunEffect = Extract<Effect, { kind: 'check-run' }>;

function statusState(e: CheckRunEffect): 'pending' | 'success' | 'failure' {
  if (e.status !== 'completed') return 'pending';
  // A commit status has no `neutral`: observe mode must never block, so it passes, its description
  // starting "Observe mode:".
  return e.conclusion === 'success' || e.conclusion === 'neutral' ? 'success' : 'failure';
}

/**
 * A commit status has no summary to compare, so the plan cannot see that it is unchanged: the same
 * state and description as the gate's latest status is a write with no effect. Leave it out.
 */
export function isUnchangedStatus(
  e: Effect,
  current: { status: string; conclusion: string | null; title: string | null } | undefined,
): boolean {
  if (e.kind !== 'check-run' || !current) return false;
  const state = statusState(e);
  const currentState = current.status !== 'completed' ? 'pending' : current.conclusion === 'success' ? 'success' : 'failure';
  return state === currentState && clipDescription(e.title) === current.title;
}

/**
 * GitHub does not let a completed check run change its status or conclusion (and marks runs left in
 * progress for 14 days `stale`, which is completed too). Such a change is a new run on the same head;
 * the window's start stays with the first run (see find-gate-check.ts).
 */
function mustReplace(e: CheckRunEffect, current: ApplyContext['currentCheckRun']): boolean {
  if (!current || current.id !== e.id || current.status !== 'completed') return false;
  return e.status !== 'completed' || (e.conclusion ?? 'failure') !== current.conclusion;
}

/**
 * The run's text with the record in it. Two writers of one PR's record (two replicas, the App and the
 * Action) must never lose each other's entries: when the run's record is no longer the one this
 * reconcile read, another writer came in between, and the two are merged (ledger.ts `mergeRecords`).
 */
async function textWithRecord(
  session: Session,
  ctx: ApplyContext,
  e: CheckRunEffect,
  written: NonNullable<ApplyResult['written']>,
  replacing: boolean,
): Promise<string | undefined> {
  if (!e.record) return e.text;
  let ledger = recordLedger(e.record, written.statusCommentId);
  const current = ctx.currentCheckRun;
  if (current !== undefined && e.id === current.id) {
    const { data } = await request(session, (c) =>
      c.rest.checks.get({ owner: ctx.ref.owner, repo: ctx.ref.repo, check_run_id: current.id }),
    );
    const now = recordMarkerIn(data.output?.text);
    if (now !== current.record) {
      ledger = mergeRecords(readRecord(data.output?.text, ctx.ref.number), ledger) ?? ledger;
      session.log.warn({ pr: ctx.ref, checkRun: current.id, replacing }, 'the record changed since it was read: another writer; merged');
    }
  }
  return withRecord(e.text, ledger, ctx.ref.number);
}

async function applyCheckRun(
  session: Session,
  ctx: ApplyContext,
  e: CheckRunEffect,
  written: NonNullable<ApplyResult['written']>,
): Promise<number | undefined> {
  const { owner, repo } = ctx.ref;
  if (ctx.checkRunAs === 'status') {
    await request(session, (c) =>
      c.rest.repos.createCommitStatus({
        owner,
        repo,
        sha: e.headSha,
        context: CHECK_NAME,
        state: statusState(e),
        description: clipDescription(e.title),
      }),
    );
    return undefined;
  }
  const replacing = mustReplace(e, ctx.currentCheckRun);
  const text = await textWithRecord(session, ctx, e, written, replacing);
  const output = { title: e.title, summary: clip(e.summary), ...(text !== undefined ? { text: clip(text) } : {}) };
  const conclusion = e.status === 'completed' ? { conclusion: e.conclusion ?? 'failure' } : {};
  const externalId = ctx.governed ? EXTERNAL_ID.governed : EXTERNAL_ID.ignored;
  const actions = e.actions ? { actions: e.actions } : {};
  if (e.id !== undefined && !replacing) {
    const id = e.id;
    // started_at is left alone: it is the trusted start of the veto window (design.md, invariant 6).
    await request(session, (c) =>
      c.rest.checks.update({
        owner,
        repo,
        check_run_id: id,
        status: e.status,
        ...conclusion,
        output,
        external_id: externalId,
        ...actions,
      }),
    );
    return id;
  }
  const { data } = await request(session, (c) =>
    c.rest.checks.create({
      owner,
      repo,
      name: CHECK_NAME,
      head_sha: e.headSha,
      status: e.status,
      ...conclusion,
      output,
      external_id: externalId,
      ...actions,
    }),
  );
  return typeof data?.id === 'number' ? data.id : undefined;
}

/** Returns false when the effect has no REST counterpart (a review cannot carry reactions). */
async function applyOne(
  session: Session,
  ctx: ApplyContext,
  e: Exclude<Effect, { kind: 'merge' | 'wake' | 'update-branch' | 'request-reviews' | 'reminder' | 'enqueue' | 'dequeue' }>,
  written: NonNullable<ApplyResult['written']>,
): Promise<boolean> {
  const { owner, repo, number } = ctx.ref;
  switch (e.kind) {
    case 'check-run': {
      const id = await applyCheckRun(session, ctx, e, written);
      if (id !== undefined) written.checkRunId = id;
      return true;
    }
    case 'status-comment': {
      const body = clip(e.body);
      if (e.id !== undefined) {
        const id = e.id;
        await request(session, (c) => c.rest.issues.updateComment({ owner, repo, comment_id: id, body }));
        written.statusCommentId = id;
      } else {
        const { data } = await request(session, (c) => c.rest.issues.createComment({ owner, repo, issue_number: number, body }));
        if (typeof data?.id === 'number') written.statusCommentId = data.id;
      }
      return true;
    }
    case 'react':
      if (e.target.type !== 'comment') return false;
      await request(session, (c) => c.rest.reactions.createForIssueComment({ owner, repo, comment_id: e.target.id, content: e.content }));
      return true;
    case 'reply':
      await request(session, (c) => c.rest.issues.createComment({ owner, repo, issue_number: number, body: clip(e.body) }));
      return true;
  }
}

const soon = (session: Session): string => new Date(session.now.getTime() + REEVALUATE_MS).toISOString();
const earliest = (a: string | undefined, b: string): string => (a !== undefined && a < b ? a : b);

export async function applyEffects(session: Session, ctx: ApplyContext, effects: Effect[]): Promise<ApplyResult> {
  const result: ApplyResult = { applied: [], merged: false, written: {} };
  // An answer GitHub refused (a command comment deleted meanwhile, a reply throttled) must not keep the
  // record and the verdict from being written: a veto whose comment the agent deletes at once is kept
  // that way. It does hold back a merge: GitHub no longer looks the way the plan assumed.
  let answerFailed: string | undefined;
  for (const e of effects) {
    if ((e.kind === 'merge' || e.kind === 'update-branch' || e.kind === 'enqueue') && answerFailed !== undefined) {
      session.log.warn({ pr: ctx.ref, effect: e.kind, error: answerFailed }, 'an answer failed; not merging on this pass');
      result.error = `${answerFailed}; ${e.kind} held back`;
      result.wakeAt = earliest(result.wakeAt, soon(session));
      return result;
    }
    if (e.kind === 'wake') {
      result.wakeAt = earliest(result.wakeAt, e.at);
      result.applied.push(e);
      continue;
    }
    if (e.kind === 'enqueue' || e.kind === 'dequeue') {
      const step =
        e.kind === 'enqueue'
          ? { kind: 'enqueue' as const, expectedHeadOid: e.expectedHeadOid }
          : { kind: 'dequeue' as const, reason: e.reason };
      const queued = await applyQueueStep(session, ctx.ref, { required: true, step, pullRequestId: e.pullRequestId });
      if (queued.applied) {
        result.mergeQueue = queued.applied;
        result.applied.push(e);
      }
      if (queued.retrySoon) result.wakeAt = earliest(result.wakeAt, soon(session));
      if (queued.error !== undefined) {
        // A dequeue GitHub refused must not keep the verdict from being written (the gate's check on the
        // merge group stops the PR meanwhile); an enqueue is the last write, like a merge.
        if (e.kind === 'enqueue') {
          result.error = queued.error;
          return result;
        }
        answerFailed = queued.error;
      }
      continue;
    }
    if (e.kind === 'request-reviews' || e.kind === 'reminder') {
      // Asking people never blocks what comes after, nor the decision (request-reviews.ts).
      if (await applyAttention(session, ctx.ref, e)) result.applied.push(e);
      continue;
    }
    if (e.kind === 'merge') {
      try {
        const { data } = await request(session, (c) =>
          c.rest.pulls.merge({
            owner: ctx.ref.owner,
            repo: ctx.ref.repo,
            pull_number: ctx.ref.number,
            sha: e.sha,
            merge_method: e.method,
          }),
        );
        result.merged = data.merged === true;
        if (!result.merged) throw Object.assign(new Error(data.message || 'GitHub did not merge'), { status: 405 });
        result.applied.push(e);
        session.log.info({ pr: ctx.ref, sha: e.sha, method: e.method }, 'merged');
      } catch (error) {
        const status = httpStatus(error);
        const message = refusalMessage(error);
        if ((status === 405 || status === 409) && isTransientRefusal(status, message)) {
          // The head or the base moved: the facts are stale. Look again soon rather than retry a merge
          // decided on a world that no longer exists.
          session.log.warn({ pr: ctx.ref, sha: e.sha, status, error: describeError(error) }, 'merge refused; re-evaluating');
          result.wakeAt = earliest(result.wakeAt, soon(session));
        } else if (status === 405) {
          // A protection stands in the way (reviews, a rule, a merge method). Waiting will not fix it:
          // the caller records it and says so; the next event or sweep looks again.
          session.log.warn(
            { pr: ctx.ref, sha: e.sha, method: e.method, status, refusal: message },
            'merge refused by GitHub; waiting for a change',
          );
          result.refusal = { sha: e.sha, message };
        } else {
          result.error = `merge failed: ${describeError(error)}`;
          session.log.error({ pr: ctx.ref, sha: e.sha, status, error: describeError(error) }, 'merge failed');
        }
        return result;
      }
      continue;
    }
    if (e.kind === 'update-branch') {
      try {
        await request(session, (c) =>
          c.rest.pulls.updateBranch({
            owner: ctx.ref.owner,
            repo: ctx.ref.repo,
            pull_number: ctx.ref.number,
            expected_head_sha: e.expectedHeadSha,
          }),
        );
        result.applied.push(e);
        session.log.info({ pr: ctx.ref, from: e.expectedHeadSha }, 'branch update requested');
      } catch (error) {
        const status = httpStatus(error);
        if (status === 422 || status === 409) {
          // The head moved since it was decided on (GitHub checks `expected_head_sha`), or GitHub cannot
          // update it (a conflict): look again soon, on fresh facts.
          session.log.warn(
            { pr: ctx.ref, sha: e.expectedHeadSha, status, error: refusalMessage(error) },
            'branch update refused; re-evaluating',
          );
          result.wakeAt = earliest(result.wakeAt, soon(session));
        } else {
          result.error = `update-branch failed: ${describeError(error)}`;
          session.log.error({ pr: ctx.ref, status, error: describeError(error) }, 'branch update failed');
        }
        return result;
      }
      continue;
    }
    try {
      if (await applyOne(session, ctx, e, result.written!)) result.applied.push(e);
      else session.log.info({ pr: ctx.ref, effect: e.kind }, 'effect has no GitHub counterpart; skipped');
    } catch (error) {
      if (e.kind === 'react' || e.kind === 'reply') {
        answerFailed = `${e.kind} failed: ${describeError(error)}`;
        session.log.warn(
          { pr: ctx.ref, effect: e.kind, error: describeError(error) },
          'answer failed; writing the record and the verdict all the same',
        );
        continue;
      }
      result.error = `${e.kind} failed: ${describeError(error)}`;
      session.log.error({ pr: ctx.ref, effect: e.kind, error: describeError(error) }, 'effect failed; stopping');
      return result;
    }
  }
  if (answerFailed !== undefined && result.error === undefined) result.error = answerFailed;
  return result;
}
