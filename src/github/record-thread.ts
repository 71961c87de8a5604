// Remember a PR's Slack thread in the gate's ledger, so that every later message of the PR (from
// this process, another replica or after a restart) goes into the same thread. Best effort: when the
// write fails, later messages start a thread of their own; nothing else depends on it.
// The caller must hold the PR's lock: the status comment is read, changed and written back.
import { notifiedOf } from '../core/notify.js';
import { readLedger } from '../core/ledger.js';
import type { GitHubClient } from './client.js';
import { findStatusComment } from './find-status-comment.js';
import { gatherComments } from './gather-conversation.js';
import type { GateIdentity } from './identity.js';
import { withLedger } from './record-click.js';
import { openSession, request } from './session.js';
import type { PullRequestRef } from './types.js';

export async function recordSlackThread(client: GitHubClient, ref: PullRequestRef, thread: { channel: string; ts: string }, options: { identity: GateIdentity; now: Date }): Promise<'recorded' | 'unchanged' | 'no-status-comment'> {
  const session = openSession(client, options.now, undefined);
  const status = findStatusComment(await gatherComments(session, ref), options.identity);
  const ledger = status ? readLedger(status.body) : undefined;
  // Without a readable ledger there is nothing safe to write into.
  if (!status || !ledger) return 'no-status-comment';
  const notified = notifiedOf(ledger) ?? {};
  if (notified.slack?.ts) return 'unchanged';
  const next = { ...ledger, notified: { ...notified, slack: { sent: notified.slack?.sent ?? [], channel: thread.channel, ts: thread.ts } } };
  await request(session, (c) => c.rest.issues.updateComment({ owner: ref.owner, repo: ref.repo, comment_id: status.id, body: withLedger(status.body, next) }));
  return 'recorded';
}
