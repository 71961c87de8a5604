// Record a click on the `hitl` check run's `Approve` / `Veto` action in the gate's record, on its run
// of the PR's current head (only the gate's App can write it: docs/security.md); the click stays bound
// to the head of the run that was clicked. GitHub keeps no
// trace of a click, so it counts only once this write succeeded: when it fails, the click decides
// nothing (fail closed) and the error goes back to the caller. The caller must hold the PR's lock.
import { CLICK_ACTIONS, type ClickAction, type ClickRecord } from '../core/model/ledger.js';
import { clicksOf, nextClickId } from '../core/clicks.js';
import { amendRecord } from './amend-record.js';
import { findGateCheckRun } from './find-gate-check.js';
import { findPullRequest } from './find-pull-request.js';
import type { GitHubClient } from './client.js';
import { describeError } from './errors.js';
import type { GateIdentity } from './identity.js';
import { openSession } from './session.js';
import type { PullRequestRef, ReconcileLog } from './types.js';

export interface Click {
  /** The `requested_action.identifier` of the webhook. */
  identifier: string;
  sender: { login: string; type: string };
  checkRun: { id: number; headSha: string };
}

export type ClickRecordResult =
  | { kind: 'recorded'; click: ClickRecord }
  /** Nothing to record: not one of our actions, or a run that is not the gate's record of this PR. */
  | { kind: 'ignored'; reason: string }
  /** The record could not be written (or read): the click does not count. */
  | { kind: 'failed'; reason: string };

export function isClickAction(identifier: string): identifier is ClickAction {
  return (CLICK_ACTIONS as readonly string[]).includes(identifier);
}

export async function recordClick(
  client: GitHubClient,
  ref: PullRequestRef,
  click: Click,
  options: { identity: GateIdentity; now: Date; log?: ReconcileLog },
): Promise<ClickRecordResult> {
  const session = openSession(client, options.now, options.log);
  const pr = `${ref.owner}/${ref.repo}#${ref.number}`;
  if (!isClickAction(click.identifier))
    return { kind: 'ignored', reason: `unknown action ${JSON.stringify(click.identifier.slice(0, 40))}` };
  let record: ClickRecord | undefined;
  try {
    // The click is kept where the next reconcile reads the record: on the gate's run of the PR's current
    // head (a click on an older head's check still counts for nothing, but its author is told).
    const pull = await findPullRequest(session, ref, undefined);
    const gate = await findGateCheckRun(session, ref, pull.headSha, options.identity);
    if (!gate.checkRun || !gate.record) {
      return { kind: 'failed', reason: "the gate has not written its record on this pull request's head yet; click again in a moment" };
    }
    const amended = await amendRecord(session, ref, gate.checkRun.id, pull.headSha, options.identity, (ledger) => {
      const clicks = clicksOf(ledger);
      record = {
        id: nextClickId(clicks, options.now.getTime()),
        by: click.sender.login,
        byType: click.sender.type,
        at: options.now.toISOString(),
        action: click.identifier as ClickAction,
        headSha: click.checkRun.headSha,
        checkRunId: click.checkRun.id,
      };
      return { ...ledger, clicks: [...clicks, record] };
    });
    if (amended.kind !== 'amended' || !record)
      return { kind: 'ignored', reason: amended.kind === 'refused' ? amended.reason : 'nothing to record' };
  } catch (error) {
    session.log.error(
      { pr, by: click.sender.login, action: click.identifier, error: describeError(error) },
      'could not record a click; it does not count',
    );
    return { kind: 'failed', reason: describeError(error) };
  }
  session.log.info({ pr, by: record.by, action: record.action, headSha: record.headSha }, 'click recorded');
  return { kind: 'recorded', click: record };
}
