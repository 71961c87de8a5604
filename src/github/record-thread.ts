// Remember a PR's Slack thread in the gate's record, so that every later message of the PR (from
// this process, another replica or after a restart) goes into the same thread. Best effort: when the
// write fails, later messages start a thread of their own; nothing else depends on it.
// The caller must hold the PR's lock: the record is read, changed and written back.
import { notifiedOf } from '../core/notify.js';
import { amendRecord } from './amend-record.js';
import type { GitHubClient } from './client.js';
import { findGateCheckRun } from './find-gate-check.js';
import { findPullRequest } from './find-pull-request.js';
import type { GateIdentity } from './identity.js';
import { openSession } from './session.js';
import type { PullRequestRef } from './types.js';

export async function recordSlackThread(
  client: GitHubClient,
  ref: PullRequestRef,
  thread: { channel: string; ts: string },
  options: { identity: GateIdentity; now: Date },
): Promise<'recorded' | 'unchanged' | 'no-status-comment'> {
  const session = openSession(client, options.now, undefined);
  const pr = await findPullRequest(session, ref, undefined);
  const gate = await findGateCheckRun(session, ref, pr.headSha, options.identity);
  // Without a record there is nothing safe to write into.
  if (!gate.checkRun || !gate.record) return 'no-status-comment';
  const amended = await amendRecord(session, ref, gate.checkRun.id, pr.headSha, options.identity, (ledger) => {
    const notified = notifiedOf(ledger) ?? {};
    if (notified.slack?.ts) return undefined;
    return { ...ledger, notified: { ...notified, slack: { sent: notified.slack?.sent ?? [], channel: thread.channel, ts: thread.ts } } };
  });
  return amended.kind === 'amended' ? 'recorded' : amended.kind === 'unchanged' ? 'unchanged' : 'no-status-comment';
}
