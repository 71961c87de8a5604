// A click on the check run's `Approve` / `Veto`: recorded in each linked PR's ledger while no reconcile
// of the repository runs (a reconcile rewrites the status comment from what it read), then decided
// like the command, by a reconcile. If the record cannot be written the click does not count, and the
// delivery fails, so GitHub shows the failure.
import { recordClick } from '../github/record-click.js';
import type { GateIdentity, GitHubClient } from '../github/index.js';
import type { Hold } from './redis-lock.js';
import type { ReconcileJob, ReconcileQueue, RepoRef } from './queue.js';
import type { Click } from './route-event.js';
import type { Metrics } from './metrics.js';
import { describePull } from './pull-ref.js';
import type { Log } from './log.js';

export interface ClickRecorder {
  queue: Pick<ReconcileQueue, 'exclusive'>;
  installationClient: (installationId: number, hold?: Hold) => Promise<GitHubClient>;
  identity: () => Promise<GateIdentity>;
  enqueue: (job: ReconcileJob) => Promise<void>;
  metrics: Metrics;
  now: () => Date;
  log: Log;
}

export async function recordClicks(repo: RepoRef, numbers: number[], click: Click, c: ClickRecorder): Promise<void> {
  if (numbers.length === 0) {
    c.metrics.clicks.inc({ action: click.action, result: 'ignored' });
    c.log.warn(
      { repo: `${repo.owner}/${repo.repo}`, checkRun: click.checkRun.id },
      'a click on a check run GitHub links to no pull request (a fork?): not counted',
    );
    return;
  }
  const identity = await c.identity();
  const failures: string[] = [];
  for (const number of numbers) {
    const ref = { owner: repo.owner, repo: repo.repo, number };
    const result = await c.queue.exclusive(repo, async (hold) => {
      const client = await c.installationClient(repo.installationId, hold);
      return recordClick(
        client,
        ref,
        { identifier: click.identifier, sender: click.sender, checkRun: click.checkRun },
        { identity, now: c.now(), log: c.log },
      );
    });
    c.metrics.clicks.inc({ action: click.action, result: result.kind });
    if (result.kind === 'failed') failures.push(result.reason);
    else if (result.kind === 'ignored') c.log.info({ pull: describePull({ ...repo, number }), reason: result.reason }, 'click ignored');
    else await c.enqueue({ ...repo, number, reason: 'check_run.requested_action' });
  }
  if (failures.length) throw new Error(`click not recorded, so not counted: ${failures.join('; ')}`);
}
