// `merge_group.checks_requested`: the merge queue built a commit that would merge one or more PRs, and
// waits for the required checks on it. The gate's `hitl` check on that commit passes only when every
// PR the group adds is one the gate would merge now, on its current head (or one it does not govern):
// a person who queues an unapproved hard PR by hand is stopped here. Each PR is decided by the same
// engine, read-only (reconcile in `check` mode); only the group's check is written.
import {
  groupMembers,
  mergeGroupVerdict,
  movedHead,
  parseMergeGroupRef,
  type GroupMembers,
  type GroupVerdict,
  type MemberVerdict,
} from '../core/merge-group.js';
import type { GitHubClient } from './client.js';
import { describeError } from './errors.js';
import { CHECK_NAME } from '../core/model/effects.js';
import { EXTERNAL_ID } from './identity.js';
import { describeGraphqlError, listMergeQueue } from './merge-queue.js';
import { reconcile } from './reconcile.js';
import { openSession, request } from './session.js';
import { KeptAnswers } from './kept-answers.js';
import type { PullRequestRef, ReconcileOptions, ReconcileOutcome, RepositoryRef } from './types.js';

/** The merge group as the webhook gives it (`merge_group` of the payload). */
export interface MergeGroupPayload {
  head_sha?: unknown;
  head_ref?: unknown;
  /** The commit the group was built on (the base branch's tip or the group ahead). */
  base_sha?: unknown;
  base_ref?: unknown;
}

export interface MergeGroupAnswer {
  /** The group's head commit, when the payload named one. */
  headSha?: string;
  members: GroupMembers;
  verdicts: MemberVerdict[];
  verdict: GroupVerdict;
  /** The check run was written (full mode). */
  written: boolean;
  /** GitHub failed the write of the check: the caller should retry. */
  error?: string;
  requests: number;
}

export type MergeGroupOptions = Pick<ReconcileOptions, 'identity' | 'policyPath' | 'policyLoads' | 'now' | 'log' | 'kept'> & {
  /** `full` writes the `hitl` check run on the group's head; `check` only answers (the Action fails its step). */
  mode: 'full' | 'check';
  /** How each PR is decided (default: `reconcile`, always in `check` mode here). */
  reconcile?: (client: GitHubClient, ref: PullRequestRef, options: ReconcileOptions) => Promise<ReconcileOutcome>;
};

const SHA = /^[0-9a-f]{40}$/;

export async function answerMergeGroup(
  client: GitHubClient,
  repo: RepositoryRef,
  group: MergeGroupPayload,
  options: MergeGroupOptions,
): Promise<MergeGroupAnswer> {
  const now = options.now ? options.now() : new Date();
  // The members' reconciles share what was read (conditionally) before them.
  const kept = options.kept ?? new KeptAnswers();
  const session = openSession(client, now, options.log, kept);
  const headSha = typeof group.head_sha === 'string' && SHA.test(group.head_sha) ? group.head_sha : undefined;
  const headRef = typeof group.head_ref === 'string' ? group.head_ref : '';
  const ref = parseMergeGroupRef(headRef);
  const baseRef = typeof group.base_ref === 'string' ? group.base_ref.replace(/^refs\/heads\//, '') : ref?.base;

  let members: GroupMembers;
  if (!headSha || !baseRef) {
    members = { kind: 'unknown', reason: "the event does not name the group's head commit and base branch" };
  } else {
    try {
      members = groupMembers(ref, headSha, await listMergeQueue(session, repo, baseRef));
    } catch (error) {
      members = { kind: 'unknown', reason: `GitHub would not list the merge queue of ${baseRef}: ${describeGraphqlError(error)}` };
    }
  }

  const verdicts: MemberVerdict[] = [];
  let decided = 0;
  if (members.kind === 'known') {
    for (const entry of members.entries) {
      const { number } = entry;
      const outcome = await (options.reconcile ?? reconcile)(
        client,
        { ...repo, number },
        {
          mode: 'check',
          identity: options.identity,
          kept,
          ...(options.policyPath ? { policyPath: options.policyPath } : {}),
          ...(options.policyLoads ? { policyLoads: options.policyLoads } : {}),
          ...(options.now ? { now: options.now } : {}),
          ...(options.log ? { log: options.log } : {}),
        },
      );
      decided += outcome.requests;
      const current = outcome.facts?.headSha;
      let error = outcome.error;
      if (!error && outcome.facts && outcome.facts.state !== 'open') error = 'it is no longer open';
      // The group holds the code that was queued: a head that moved since was never decided on here,
      // for every PR the group adds, not only the one its branch names.
      if (!error) {
        error = movedHead(entry, members.reading, {
          ...(current ? { headSha: current } : {}),
          governed: outcome.decision.governed,
          ...(outcome.facts?.headSeenAt ? { headSeenAt: outcome.facts.headSeenAt } : {}),
        });
      }
      verdicts.push({ number, decision: outcome.decision, ...(current ? { headSha: current } : {}), ...(error ? { error } : {}) });
    }
  }
  const verdict = mergeGroupVerdict(members, verdicts);
  session.log.info(
    {
      repo,
      group: headRef,
      base: typeof group.base_sha === 'string' ? group.base_sha : undefined,
      members: members.kind === 'known' ? members.numbers : members.reason,
      reading: members.kind === 'known' ? members.reading : undefined,
      conclusion: verdict.conclusion,
    },
    'merge group answered',
  );

  const answer = (more: Partial<MergeGroupAnswer> = {}): MergeGroupAnswer => ({
    ...(headSha ? { headSha } : {}),
    members,
    verdicts,
    verdict,
    written: false,
    ...more,
    requests: session.requests + decided,
  });
  if (options.mode !== 'full' || !headSha) return answer();
  try {
    await request(session, (c) =>
      c.rest.checks.create({
        owner: repo.owner,
        repo: repo.repo,
        name: CHECK_NAME,
        head_sha: headSha,
        status: 'completed',
        conclusion: verdict.conclusion,
        output: { title: verdict.title, summary: verdict.summary },
        external_id: EXTERNAL_ID.governed,
      }),
    );
    return answer({ written: true });
  } catch (error) {
    session.log.error({ repo, group: headRef, error: describeError(error) }, 'could not write the check on the merge group');
    return answer({ error: `check-run failed: ${describeError(error)}` });
  }
}
