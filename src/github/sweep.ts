// Reconcile every open governed pull request of one repository (design.md §3). Webhooks get lost and timers die
// with their process; the sweep is what makes veto windows restart-safe.
import { classify } from '../core/classify.js';
import { loadPolicy, POLICY_PATH } from '../core/policy.js';
import type { PolicyLoad } from '../core/model/policy.js';
import type { GitHubClient } from './client.js';
import { describeError } from './errors.js';
import { readPullRequest } from './find-pull-request.js';
import { readPolicy } from './read-policy.js';
import { reconcileWith, type PolicyReads } from './reconcile.js';
import { QuietPulls } from './quiet-pulls.js';
import { openSession } from './session.js';
import { KeptAnswers } from './kept-answers.js';
import type { ReconcileOutcome, RepositoryRef, SweepOptions } from './types.js';

/**
 * Lists open PRs (100 per page) and reconciles those that may be governed. The list has no files, so
 * the policy of each distinct base branch is loaded once and only its agent detection (author, labels,
 * head branch) is used to skip PRs; an unreadable or broken policy skips nothing (fail closed).
 * PRs are reconciled one after another: a sweep must not spend the installation's rate limit in a burst.
 */
export async function sweep(client: GitHubClient, repo: RepositoryRef, sweepOptions: SweepOptions): Promise<ReconcileOutcome[]> {
  // The PRs' reconciles share what this sweep read (conditionally) before them.
  const options = sweepOptions.kept ? sweepOptions : { ...sweepOptions, kept: new KeptAnswers() };
  const now = options.now ? options.now() : new Date();
  const session = openSession(client, now, options.log, options.kept);
  const policyPath = options.policyPath ?? POLICY_PATH;
  const loads = new Map<string, PolicyLoad>();
  const policies: PolicyReads = new Map();
  /** Each base's policy as read now (its text), so a changed policy wakes every quiet PR on it. */
  const policyTexts = new Map<string, string>();
  const quietPulls = options.memo ? new QuietPulls(options.memo, options.quiet) : undefined;
  let quiet = 0;
  const outcomes: ReconcileOutcome[] = [];
  let listed = 0;
  let skipped = 0;

  const pages = client.paginate.iterator(client.rest.pulls.list, { owner: repo.owner, repo: repo.repo, state: 'open', per_page: 100 });
  try {
    for await (const page of pages) {
      session.requests += 1;
      for (const item of page.data) {
        listed += 1;
        // The list omits counts (additions, changed_files): fill zeros just to read agent detection.
        const pr = readPullRequest({ ...item, additions: 0, deletions: 0, changed_files: 0 }, 'payload');
        if (!pr) {
          // Unreadable list entry: reconcile it anyway (it reads the full PR) rather than skip it.
          const number = (item as { number?: unknown }).number;
          if (typeof number === 'number') outcomes.push(await reconcileWith(client, { ...repo, number }, options, policies));
          continue;
        }
        let load = loads.get(pr.baseRef);
        if (!load) {
          const read = await readPolicy(session, repo, pr.baseRef, policyPath);
          load = read.remap(loadPolicy(read.source, options.policyLoads));
          loads.set(pr.baseRef, load);
          // An unreadable policy is read again by each reconcile: GitHub may answer this time.
          if (read.source.kind !== 'unreadable') policies.set(pr.baseRef, read);
          policyTexts.set(pr.baseRef, read.source.kind === 'text' ? read.source.text : read.source.kind);
        }
        const { governed } = classify(load, {
          author: pr.author,
          labels: pr.labels,
          headRef: pr.headRef,
          baseRef: pr.baseRef,
          files: [],
          changedFiles: 0,
          additions: 0,
          deletions: 0,
        });
        if (!governed) {
          skipped += 1;
          continue;
        }
        const entry = { ...pr, state: pr.state as string, updatedAt: (item as { updated_at?: string }).updated_at };
        const fingerprint =
          quietPulls && policies.has(pr.baseRef) ? QuietPulls.fingerprint(entry, policyTexts.get(pr.baseRef) ?? '') : undefined;
        if (quietPulls && (await quietPulls.quiet(repo, pr.number, fingerprint, now))) {
          quiet += 1;
          continue;
        }
        // No payload: the list is not the full PR (no counts, no mergeability), so reconcile reads it.
        const outcome = await reconcileWith(client, { ...repo, number: pr.number }, options, policies);
        outcomes.push(outcome);
        quietPulls?.record(repo, entry, fingerprint, outcome, now);
      }
    }
  } catch (error) {
    session.log.error({ repo, error: describeError(error) }, 'sweep could not list pull requests');
    throw error;
  }
  session.log.info(
    {
      repo,
      listed,
      skipped,
      quiet,
      reconciled: outcomes.length,
      requests: session.requests + outcomes.reduce((n, o) => n + o.requests, 0),
    },
    'sweep',
  );
  return outcomes;
}
