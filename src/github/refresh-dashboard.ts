// One refresh of a repository's dashboard issue: the policy of the default branch says whether there
// is one (`after_merge.dashboard`); the issue is found first (a closed one ends the refresh before
// anything else is read), then what it shows is gathered from GitHub, rendered, and written only if
// it differs from what the issue says now.
import { loadPolicy, POLICY_PATH } from '../core/policy.js';
import { renderDashboard } from '../core/dashboard.js';
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
}

export type DashboardOutcome = (DashboardWrite | { kind: 'off' } | { kind: 'error'; error: string } | { kind: 'lost' }) & { requests: number };

export async function refreshDashboard(client: GitHubClient, repo: RepositoryRef, options: DashboardOptions): Promise<DashboardOutcome> {
  const now = options.now ? options.now() : new Date();
  const session = openSession(client, now, options.log);
  const done = <T extends object>(o: T): T & { requests: number } => ({ ...o, requests: session.requests });
  try {
    const read = await readPolicy(session, repo, undefined, options.policyPath ?? POLICY_PATH);
    const load = loadPolicy(read.source);
    // Only a valid policy that asks for it: a broken one must not open or rewrite anything.
    if (load.kind !== 'ok' || !load.policy.afterMerge?.dashboard) return done({ kind: 'off' as const });
    const found = await findDashboard(session, repo, options.identity, options.numbers);
    if (found?.state === 'closed') return done({ kind: 'closed' as const, number: found.number });
    const data = await gatherDashboard(session, repo, options.identity, load.policy.workingHours?.timezone);
    const body = renderDashboard(data, now);
    if (options.stillHeld && !options.stillHeld()) return done({ kind: 'lost' as const });
    return done(await upsertDashboard(session, repo, found, body, options.numbers));
  } catch (error) {
    session.log.warn({ repo, error: describeError(error) }, 'could not refresh the dashboard issue');
    return done({ kind: 'error' as const, error: describeError(error) });
  }
}
