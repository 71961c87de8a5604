// The safety net: reconcile every open governed PR of every installation, at start-up and then
// periodically. Webhooks get lost and in-memory timers die with the process; the sweep recomputes
// every veto window from GitHub, so either costs at most one sweep interval, never a merge.
import type { Probot } from 'probot';
import type { RepoRef } from './queue.js';
import { errorMessage, silentLog, type Log } from './log.js';

/** Sweeps one repository (through the queue, so it never overlaps a reconcile of the same PR). */
export type SweepRepo = (repo: RepoRef) => Promise<void>;

/** Whether this replica may run the sweep now (Redis elects one replica; alone, always yes). */
export type SweepLease = () => Promise<boolean>;

export interface SweeperOptions {
  app: Pick<Probot, 'auth'>;
  sweepRepo: SweepRepo;
  lease?: SweepLease;
  /** Repositories swept at the same time, across installations. */
  concurrency?: number;
  log?: Log;
  onDone?: (result: 'done' | 'failed' | 'skipped', seconds: number) => void;
}

export interface SweepReport {
  installations: number;
  repositories: number;
  failures: number;
}

/** Runs `tasks` with at most `limit` in flight. */
async function runBounded<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export class Sweeper {
  #running: Promise<SweepReport | undefined> | undefined;
  readonly #options: SweeperOptions;
  readonly #log: Log;

  constructor(options: SweeperOptions) {
    this.#options = options;
    this.#log = options.log ?? silentLog;
  }

  /** Sweeps everything unless a sweep is already running here or on another replica. */
  sweepAll(): Promise<SweepReport | undefined> {
    if (this.#running) return this.#running;
    this.#running = this.#sweepAll().finally(() => (this.#running = undefined));
    return this.#running;
  }

  /** Sweeps some repositories of one installation (installation events). */
  async sweepRepos(repos: RepoRef[]): Promise<number> {
    let failures = 0;
    await runBounded(repos, this.#options.concurrency ?? 4, async (repo) => {
      try {
        await this.#options.sweepRepo(repo);
      } catch (error) {
        failures++;
        this.#log.error(
          { repo: `${repo.owner}/${repo.repo}`, err: errorMessage(error) },
          'sweep of a repository failed; the next sweep tries again',
        );
      }
    });
    return failures;
  }

  async #sweepAll(): Promise<SweepReport | undefined> {
    const started = Date.now();
    const done = (result: 'done' | 'failed' | 'skipped') => this.#options.onDone?.(result, (Date.now() - started) / 1000);
    try {
      if (this.#options.lease && !(await this.#options.lease())) {
        done('skipped');
        return undefined;
      }
      const appClient = await this.#options.app.auth();
      const installations = await appClient.paginate(appClient.rest.apps.listInstallations, { per_page: 100 });
      const repos: RepoRef[] = [];
      let failures = 0;
      for (const installation of installations) {
        if (installation.suspended_at) continue;
        try {
          const client = await this.#options.app.auth(installation.id);
          const list = await client.paginate(client.rest.apps.listReposAccessibleToInstallation, { per_page: 100 });
          for (const r of list) if (!r.archived) repos.push({ installationId: installation.id, owner: r.owner.login, repo: r.name });
        } catch (error) {
          failures++;
          this.#log.error(
            { installation: installation.id, err: errorMessage(error) },
            'could not list the repositories of an installation',
          );
        }
      }
      failures += await this.sweepRepos(repos);
      const report = { installations: installations.length, repositories: repos.length, failures };
      this.#log.info({ ...report, seconds: (Date.now() - started) / 1000 }, 'sweep done');
      done(failures > 0 ? 'failed' : 'done');
      return report;
    } catch (error) {
      this.#log.error({ err: errorMessage(error) }, 'sweep failed; trying again at the next interval');
      done('failed');
      return { installations: 0, repositories: 0, failures: 1 };
    }
  }
}

/** Calls `tick` now (after a short jittered delay) and then every `intervalMs` plus up to 10% jitter,
 * so replicas and restarts do not sweep in lock-step. Returns a stop function. */
export function every(
  intervalMs: number,
  tick: () => Promise<unknown>,
  options: { firstDelayMs?: number; random?: () => number } = {},
): () => void {
  const random = options.random ?? Math.random;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const schedule = (delay: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      tick()
        .catch(() => undefined) // the tick logs its own failures; the next one still comes
        .finally(() => schedule(intervalMs + Math.round(random() * intervalMs * 0.1)));
    }, delay);
    timer.unref();
  };
  schedule(options.firstDelayMs ?? Math.round(random() * 1000));
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
