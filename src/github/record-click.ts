// Record a click on the `hitl` check run's `Approve` / `Veto` action in the gate's ledger (inside its
// own status comment). GitHub keeps no trace of a click, so it counts only once this write succeeded:
// when it fails, the click decides nothing (fail closed) and the error goes back to the caller.
// The caller must hold the PR's lock: the status comment is read, changed and written back.
import { CLICK_ACTIONS, clicksOf, nextClickId, type ClickAction, type ClickRecord } from '../core/clicks.js';
import { hasLedgerMarker, ledgerMarker, readLedger, type GateLedger } from '../core/ledger.js';
import type { GitHubClient } from './client.js';
import { describeError } from './errors.js';
import { findStatusComment } from './find-status-comment.js';
import { gatherComments } from './gather-conversation.js';
import type { GateIdentity } from './identity.js';
import { openSession, request } from './session.js';
import type { PullRequestRef, ReconcileLog } from './types.js';

export interface Click {
  /** The `requested_action.identifier` of the webhook. */
  identifier: string;
  sender: { login: string; type: string };
  checkRun: { id: number; headSha: string };
}

export type ClickRecordResult =
  | { kind: 'recorded'; click: ClickRecord }
  /** Nothing to record: not one of our actions, or a PR the gate has no status comment on. */
  | { kind: 'ignored'; reason: string }
  /** The ledger could not be written (or read): the click does not count. */
  | { kind: 'failed'; reason: string };

export function isClickAction(identifier: string): identifier is ClickAction {
  return (CLICK_ACTIONS as readonly string[]).includes(identifier);
}

const MARKER_RE = /<!-- hitl-gate:ledger v1 [A-Za-z0-9+/=]* -->/g;

/** The status comment's body with its (last) ledger replaced; the text above it is left as it is. */
export function withLedger(body: string, ledger: GateLedger): string {
  const matches = [...body.matchAll(MARKER_RE)];
  const last = matches[matches.length - 1];
  if (!last || last.index === undefined) return `${body}\n\n${ledgerMarker(ledger)}`;
  return body.slice(0, last.index) + ledgerMarker(ledger) + body.slice(last.index + last[0].length);
}

export async function recordClick(
  client: GitHubClient,
  ref: PullRequestRef,
  click: Click,
  options: { identity: GateIdentity; now: Date; log?: ReconcileLog },
): Promise<ClickRecordResult> {
  const session = openSession(client, options.now, options.log);
  const pr = `${ref.owner}/${ref.repo}#${ref.number}`;
  if (!isClickAction(click.identifier)) return { kind: 'ignored', reason: `unknown action ${JSON.stringify(click.identifier.slice(0, 40))}` };
  let comments;
  try {
    comments = await gatherComments(session, ref);
  } catch (error) {
    return { kind: 'failed', reason: describeError(error) };
  }
  const status = findStatusComment(comments, options.identity);
  if (!status) return { kind: 'ignored', reason: 'the gate has no status comment on this pull request' };
  // A marker we cannot read must not be overwritten: it may hold vetoes.
  const ledger = readLedger(status.body);
  if (!ledger || !hasLedgerMarker(status.body)) return { kind: 'failed', reason: 'the ledger in the status comment could not be read' };
  const clicks = clicksOf(ledger);
  const record: ClickRecord = {
    id: nextClickId(clicks, options.now.getTime()),
    by: click.sender.login,
    byType: click.sender.type,
    at: options.now.toISOString(),
    action: click.identifier,
    headSha: click.checkRun.headSha,
    checkRunId: click.checkRun.id,
  };
  const body = withLedger(status.body, { ...ledger, clicks: [...clicks, record] });
  try {
    await request(session, (c) => c.rest.issues.updateComment({ owner: ref.owner, repo: ref.repo, comment_id: status.id, body }));
  } catch (error) {
    session.log.error({ pr, by: record.by, action: record.action, error: describeError(error) }, 'could not record a click; it does not count');
    return { kind: 'failed', reason: describeError(error) };
  }
  session.log.info({ pr, by: record.by, action: record.action, headSha: record.headSha }, 'click recorded');
  return { kind: 'recorded', click: record };
}
