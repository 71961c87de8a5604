// `merge_group.checks_requested` in the App: answer the group with the gate's `hitl` check on its
// head. A group nobody answers stalls the queue until GitHub's check timeout, so a failed answer is
// tried again a few times, with backoff; what still fails is logged (the group then times out and
// fails, which never merges anything).
import pRetry from 'p-retry';
import type { Probot } from 'probot';
import type { GateIdentity, GitHubClient, MergeGroupAnswer, MergeGroupOptions, MergeGroupPayload, RepositoryRef } from '../github/index.js';
import type { KeptAnswers } from '../github/kept-answers.js';
import { errorMessage, type Log } from './log.js';
import type { Metrics } from './metrics.js';

export interface MergeGroupEvent {
  app: Probot;
  repo: RepositoryRef & { installationId: number };
  group: MergeGroupPayload;
  identity: () => Promise<GateIdentity>;
  log: Log;
  now: () => Date;
  /** The App's loaded policies (PolicyLoads), kept across events. */
  policyLoads?: MergeGroupOptions['policyLoads'];
  /** Answers GitHub gave before, for conditional reads (the App's). */
  kept?: KeptAnswers;
  answer: (client: GitHubClient, repo: RepositoryRef, group: MergeGroupPayload, options: MergeGroupOptions) => Promise<MergeGroupAnswer>;
  metrics: Metrics;
  /** Attempts in all (default 4) and the first backoff (default 2 s). */
  attempts?: number;
  retryBaseMs?: number;
}

export async function answerMergeGroupEvent(e: MergeGroupEvent): Promise<MergeGroupAnswer | undefined> {
  const repo = { owner: e.repo.owner, repo: e.repo.repo };
  try {
    return await pRetry(
      async () => {
        const identity = await e.identity();
        const client = (await e.app.auth(e.repo.installationId)) as unknown as GitHubClient;
        const answer = await e.answer(client, repo, e.group, {
          mode: 'full',
          identity,
          now: e.now,
          log: e.log,
          ...(e.policyLoads ? { policyLoads: e.policyLoads } : {}),
          ...(e.kept ? { kept: e.kept } : {}),
        });
        e.metrics.requests.inc(answer.requests);
        if (answer.error) throw new Error(answer.error);
        e.log.info(
          {
            repo: `${repo.owner}/${repo.repo}`,
            group: e.group.head_ref,
            conclusion: answer.verdict.conclusion,
            title: answer.verdict.title,
          },
          'merge group answered',
        );
        return answer;
      },
      { retries: (e.attempts ?? 4) - 1, minTimeout: e.retryBaseMs ?? 2_000, factor: 2 },
    );
  } catch (error) {
    e.log.error(
      { repo: `${repo.owner}/${repo.repo}`, group: e.group.head_ref, err: errorMessage(error) },
      "could not answer the merge group; it will fail on GitHub's check timeout",
    );
    return undefined;
  }
}
