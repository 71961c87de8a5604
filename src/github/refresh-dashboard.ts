// One refresh of a repository's dashboard issue: the policy of the default branch says whether there
// is one (`after_merge.dashboard`); the issue is found first (a closed one ends the refresh before
// anything else is read), then what it shows is gathered from GitHub, rendered, and written only if
// it differs from what the issue says now.
import { loadPolicy, POLICY_PATH } from '../core/policy.js';
import { renderDashboard } from '../core/dashboard.js';
import { buildDigest, digestDue, type Digest } from '../core/digest.js';
import type { NotifyChannel } from '../core/notify.js';
import { findDigestRecord, writeDigestRecord } from './digest-record.js';
import type { GitHubClient } from './client.js';
import { describeError } from './errors.js';
import { findDashboard, type DashboardNumbers } from './find-dashboard.js';
import { gatherDashboard } from './gather-dashboard.js';
import type { GateIdentity } from './identity.js';
import { readPolicy } from './read-policy.js';
import { openSession } from './session.js';
import type { ReconcileLog, RepositoryRef } from './types.js';
import { upsertDashboard, type DashboardWrite } from './upsert-dashboard.js';

export interface DashboardOptions {
  identity: GateIdentity;
  now?: () => Date;
  log?: ReconcileLog;
  policyPath?: string;
  numbers?: DashboardNumbers;
  /** With several replicas: whether this process still holds the repository's dashboard turn. */
  stillHeld?: () => boolean;
  /** Chat the App can send on, and the day of the last digest each repository was sent (a cache of
   * the record on GitHub). Absent: no digest. */
  digest?: { channels: readonly NotifyChannel[]; sentDays: Map<string, string> };
}

/** A digest to send now: its record is on GitHub already. */
export interface DueDigest {
  digest: Digest;
  channels: NotifyChannel[];
  slackChannel?: string;
}

export type DashboardOutcome = (DashboardWrite | { kind: 'off' } | { kind: 'error'; error: string } | { kind: 'lost' }) & {
  requests: number;
  digest?: DueDigest;
};

export async function refreshDashboard(client: GitHubClient, repo: RepositoryRef, options: DashboardOptions): Promise<DashboardOutcome> {
  const now = options.now ? options.now() : new Date();
  const session = openSession(client, now, options.log);
  const done = <T extends object>(o: T): T & { requests: number } => ({ ...o, requests: session.requests });
  try {
    const read = await readPolicy(session, repo, undefined, options.policyPath ?? POLICY_PATH);
    const load = loadPolicy(read.source);
    // Only a valid policy that asks for it: a broken one must not open or rewrite anything.
    if (load.kind !== 'ok' || !load.policy.afterMerge) return done({ kind: 'off' as const });
    const policy = load.policy;
    const afterMerge = load.policy.afterMerge;
    const hours = policy.workingHours;
    const key = `${repo.owner}/${repo.repo}`.toLowerCase();
    const channels = (options.digest?.channels ?? []).filter(
      (c) => (c === 'slack' ? policy.notify?.slack : policy.notify?.webhook) !== undefined,
    );
    const digestDay = channels.length ? digestDue(now.getTime(), hours, options.digest?.sentDays.get(key)) : undefined;
    const found = afterMerge.dashboard ? await findDashboard(session, repo, options.identity, options.numbers) : undefined;
    const keepDashboard = afterMerge.dashboard && found?.state !== 'closed';
    if (!keepDashboard && !digestDay) return done(found ? { kind: 'closed' as const, number: found.number } : { kind: 'off' as const });
    const data = await gatherDashboard(session, repo, options.identity, hours?.timezone);
    let write: DashboardWrite | { kind: 'off' } = found ? { kind: 'closed', number: found.number } : { kind: 'off' };
    if (keepDashboard) {
      const body = renderDashboard(data, now);
      if (options.stillHeld && !options.stillHeld()) return done({ kind: 'lost' as const });
      write = await upsertDashboard(session, repo, found, body, options.numbers);
    }
    let due: DueDigest | undefined;
    const digest = digestDay && buildDigest(`${repo.owner}/${repo.repo}`, data, now.getTime(), digestDay, hours);
    // Nothing to say: nothing is read or written, and the next refresh within the grace time looks again.
    if (digestDay && digest && options.digest) {
      const record = await findDigestRecord(session, repo, options.identity, digestDay.day);
      // Claimed on GitHub before it is sent: a failure after this loses one digest, never sends two.
      if (!record.sent && record.tip && (!options.stillHeld || options.stillHeld())) {
        await writeDigestRecord(session, repo, record.tip, digestDay.day);
        due = { digest, channels, ...(policy.notify?.slack ? { slackChannel: policy.notify.slack.channel } : {}) };
      }
      if (record.sent || due) options.digest.sentDays.set(key, digestDay.day);
    }
    return done({ ...write, ...(due ? { digest: due } : {}) });
  } catch (error) {
    session.log.warn({ repo, error: describeError(error) }, 'could not refresh the dashboard issue');
    return done({ kind: 'error' as const, error: describeError(error) });
  }
}
