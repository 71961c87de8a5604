// A merged PR the gate governed, under a policy with `after_merge`: sample it, keep its review after
// merge in the record (the `hitl` check run of its last head: only the gate can write it), answer
// `/reviewed`, `/concern`, `/revert`, keep the status comment (a view) and the index label in step.
// Re-derived from GitHub on every call like the open PR's reconcile: replaying an event is harmless.
import { AFTER_MERGE_LABEL } from '../core/model/after-merge.js';
import { afterMergeAuthors, answerAfterMerge, wantsAfterMergeLabel } from '../core/after-merge-commands.js';
import { openAfterMerge, riskOf, sampling } from '../core/after-merge.js';
import {
  renderAfterMergeComment,
  renderAfterMergeRefusal,
  renderConcern,
  renderRevertOpened,
  renderRevertRefused,
  revertBody,
  revertTitle,
} from '../core/after-merge-render.js';
import { commandAuthors } from '../core/commands.js';
import { claimNotifications, type Notification } from '../core/notify.js';
import { classifyInput, decide } from '../core/decide.js';
import { bodyDigest, mergeRecords, readRecord, recordMarker, withRecord } from '../core/ledger.js';
import type { Ledger } from '../core/model/ledger.js';
import { parseTime } from '../core/time.js';
import type { CommandVerdict, Decision } from '../core/model/decision.js';
import type { Policy, PolicyLoad } from '../core/model/policy.js';
import type { PullRequestFacts } from '../core/model/pull-request.js';
import type { Tier } from '../core/model/tier.js';
import { findGateCheckRun } from './find-gate-check.js';
import { CHECK_NAME } from '../core/model/effects.js';
import type { PullRequestSnapshot } from './find-pull-request.js';
import { findNamedComment, findStatusComment } from './find-status-comment.js';
import { gatherAuthorizations } from './gather-authorizations.js';
import { gatherCommits, gatherComments, gatherReviews, type RawComment } from './gather-conversation.js';
import { gatherFiles } from './gather-files.js';
import { openRevert } from './open-revert.js';
import { request, type Session } from './session.js';
import type { PullRequestRef, ReconcileOptions, ReconcileOutcome } from './types.js';

type AfterMergePolicy = Policy & { afterMerge: NonNullable<Policy['afterMerge']> };

const stripped = (raw: RawComment[]): PullRequestFacts['comments'] =>
  raw.map(({ user: _u, performed_via_github_app: _p, node_id: _n, ...c }) => c);

/** The decision as it stood when the PR merged: its tier, risk and who approved it (comments and
 * reviews from before the merge, the record, the policy now). Sampling reads it. */
async function decisionAtMerge(
  session: Session,
  ref: PullRequestRef,
  load: PolicyLoad,
  base: PullRequestFacts,
  mergedAt: string,
  headSeenAt: string | undefined,
): Promise<{ decision: Decision; facts: PullRequestFacts }> {
  const mergedMs = parseTime(mergedAt) ?? session.now.getTime();
  const before = <T extends { createdAt?: string; submittedAt?: string }>(xs: T[]) =>
    xs.filter((x) => (parseTime(x.createdAt ?? x.submittedAt) ?? 0) <= mergedMs);
  const [files, reviews] = await Promise.all([gatherFiles(session, ref), gatherReviews(session, ref)]);
  const facts: PullRequestFacts = {
    ...base,
    state: 'open',
    merged: false,
    files,
    reviews: before(reviews),
    comments: before(base.comments),
    ...(headSeenAt ? { headSeenAt } : {}),
  };
  const authors = commandAuthors(facts);
  if (authors.length && load.kind === 'ok') facts.authorizations = await gatherAuthorizations(session, ref, authors, load.policy.reviewers);
  return { decision: decide(load, facts, new Date(mergedMs)), facts };
}

/** Undefined when this is not the merged path's business: the caller then does what it does for any
 * closed PR (nothing). */
export async function reconcileMerged(
  session: Session,
  ref: PullRequestRef,
  pr: PullRequestSnapshot,
  load: PolicyLoad,
  options: ReconcileOptions,
  base: PullRequestFacts,
): Promise<ReconcileOutcome | undefined> {
  if (!pr.merged || load.kind !== 'ok' || !load.policy.afterMerge || options.mode !== 'full' || options.checkRunAs === 'status')
    return undefined;
  // Observe mode acts on nothing: no label, no reply, no revert.
  if (load.policy.mode === 'observe') return undefined;
  const policy = load.policy as AfterMergePolicy;
  const gate = await findGateCheckRun(session, ref, pr.headSha, options.identity);
  // Only a PR the gate governed has a record, and only the gate can write one.
  if (!gate.record || !gate.checkRun) return undefined;
  const ledger: Ledger = gate.record;
  const mergedAt = pr.mergedAt ?? session.now.toISOString();
  const raw = await gatherComments(session, ref);
  const comments = stripped(raw);
  let facts: PullRequestFacts = { ...base, comments, ledger };

  let record = ledger.afterMerge;
  let why = 'it was sampled when it merged';
  let atMergeDecision: Decision | undefined;
  if (!record) {
    const atMerge = await decisionAtMerge(session, ref, load, facts, mergedAt, gate.headSeenAt);
    atMergeDecision = atMerge.decision;
    if (!atMerge.decision.governed || atMerge.decision.tier === 'none') return undefined;
    const risk = riskOf(atMerge.decision.classification, policy, classifyInput(atMerge.facts));
    const s = sampling({
      policy: policy.afterMerge,
      owner: ref.owner,
      repo: ref.repo,
      number: ref.number,
      tier: atMerge.decision.tier as Tier,
      risk,
      approvedBy: atMerge.decision.approvals.map((a) => a.by),
    });
    why = s.why;
    if (s.sampled) record = openAfterMerge(policy, mergedAt, atMerge.decision.tier as Tier, s.why);
  }
  const authors = afterMergeAuthors(facts, ledger, mergedAt);
  // An unsampled PR with no command to answer: nothing to write, nothing to keep; but the index label,
  // which anyone can add, never stays where the record says there is nothing to review.
  if (!record && authors.length === 0) {
    if (pr.labels.some((l) => l.toLowerCase() === AFTER_MERGE_LABEL)) await removeIndexLabel(session, ref);
    return undefined;
  }
  if (authors.length) {
    const teams = policy.afterMerge.reviewers?.teams ?? [];
    const [commits, authorizations] = await Promise.all([
      gatherCommits(session, ref, pr),
      gatherAuthorizations(session, ref, authors, policy.reviewers, teams),
    ]);
    facts = { ...facts, commits, authorizations };
  }
  const step = answerAfterMerge({ policy, facts, ledger, record, why, mergedAt });
  let next = step.ledger;
  const { owner, repo } = ref;
  const number = ref.number;

  // Answers first: if the record's write fails, the worst case is an answer given twice.
  for (const [id, group] of groupBySource(step.verdicts)) {
    if (group.some((v) => v.accepted))
      await request(session, (c) => c.rest.reactions.createForIssueComment({ owner, repo, comment_id: id, content: '+1' }));
    if (group.some((v) => !v.accepted))
      await request(session, (c) =>
        c.rest.issues.createComment({ owner, repo, issue_number: number, body: renderAfterMergeRefusal(group) }),
      );
  }
  for (const v of step.concerns)
    await request(session, (c) =>
      c.rest.issues.createComment({ owner, repo, issue_number: number, body: renderConcern(pr.author.login, v) }),
    );
  if (step.revert && next.afterMerge) {
    const outcome = await openRevert(session, ref, {
      title: revertTitle(number, pr.title),
      body: revertBody(number, step.revert.by, step.revert.reason),
      base: pr.baseRef,
      identity: options.identity,
    });
    const revert = { ...step.revert, ...('number' in outcome ? { number: outcome.number } : { refused: outcome.refused }) };
    next = { ...next, afterMerge: { ...next.afterMerge, revert } };
    const body =
      'number' in outcome ? renderRevertOpened(step.revert.by, outcome.number) : renderRevertRefused(step.revert.by, outcome.refused);
    await request(session, (c) => c.rest.issues.createComment({ owner, repo, issue_number: number, body }));
    session.log.info(
      { pr: `${owner}/${repo}#${number}`, by: step.revert.by, ...outcome },
      'number' in outcome ? 'revert opened' : 'GitHub refused the revert',
    );
  }

  // The label is an index of open items: put back while open (someone may have removed it), off once closed.
  const labelled = pr.labels.some((l) => l.toLowerCase() === AFTER_MERGE_LABEL);
  const open = wantsAfterMergeLabel(next.afterMerge);
  if (open && !labelled)
    await request(session, (c) => c.rest.issues.addLabels({ owner, repo, issue_number: number, labels: [AFTER_MERGE_LABEL] }));
  if (!open && labelled) await removeIndexLabel(session, ref);

  // The status comment, a view of the record: restored whatever anyone did to it.
  if (next.afterMerge) {
    const body = renderAfterMergeComment({
      record: next.afterMerge,
      ...(policy.workingHours ? { timezone: policy.workingHours.timezone } : {}),
      ...(policy.afterMerge.reviewers ? {} : { permission: policy.reviewers.permission }),
    });
    const shown = findNamedComment(raw, ledger.comment?.id, options.identity) ?? findStatusComment(raw, options.identity);
    let id = shown?.id;
    if (!shown) id = (await request(session, (c) => c.rest.issues.createComment({ owner, repo, issue_number: number, body }))).data.id;
    else if (shown.body !== body) await request(session, (c) => c.rest.issues.updateComment({ owner, repo, comment_id: shown.id, body }));
    next = { ...next, comment: { id: id!, sha256: bodyDigest(body) } };
  }

  // The `after_merge` chat event, claimed in the record it goes out with (sent only once that is written):
  // once, when the PR is first sampled.
  let notifications: Notification[] = [];
  if (!ledger.afterMerge && next.afterMerge && atMergeDecision && options.notify && policy.notify) {
    const url = `${options.notify.webUrl.replace(/\/+$/, '')}/${owner}/${repo}/pull/${number}`;
    const claim = claimNotifications({
      decision: { ...atMergeDecision, ledger: next },
      facts: { ...facts, ledger },
      policy: policy.notify,
      available: options.notify.channels,
      url,
      now: session.now,
      extra: [{ event: 'after_merge', key: 'after_merge' }],
      extraOnly: true,
    });
    next = claim.ledger;
    notifications = claim.notifications;
  }

  // The record last, merged with whatever another writer put there since it was read.
  if (recordMarker(next, number) !== gate.checkRun.record) await writeRecord(session, ref, gate.checkRun.id, next);
  return {
    ref,
    decision: decide(load, { ...facts, state: 'closed', merged: true }, session.now),
    facts,
    effects: [],
    applied: [],
    merged: false,
    requests: session.requests,
    ...(notifications.length ? { notifications } : {}),
  };
}

async function removeIndexLabel(session: Session, ref: PullRequestRef): Promise<void> {
  await request(session, (c) =>
    c.rest.issues.removeLabel({ owner: ref.owner, repo: ref.repo, issue_number: ref.number, name: AFTER_MERGE_LABEL }),
  ).catch((error: unknown) => {
    if ((error as { status?: number }).status !== 404) throw error;
  });
}

async function writeRecord(session: Session, ref: PullRequestRef, checkRunId: number, ledger: Ledger): Promise<void> {
  const { data } = await request(session, (c) => c.rest.checks.get({ owner: ref.owner, repo: ref.repo, check_run_id: checkRunId }));
  const merged = mergeRecords(readRecord(data.output?.text, ref.number), ledger) ?? ledger;
  const output = {
    title: data.output?.title ?? CHECK_NAME,
    summary: data.output?.summary ?? '',
    text: withRecord(data.output?.text, merged, ref.number),
  };
  await request(session, (c) => c.rest.checks.update({ owner: ref.owner, repo: ref.repo, check_run_id: checkRunId, output }));
}

function groupBySource(verdicts: CommandVerdict[]): Map<number, CommandVerdict[]> {
  const out = new Map<number, CommandVerdict[]>();
  for (const v of verdicts) out.set(v.source.id, [...(out.get(v.source.id) ?? []), v]);
  return out;
}
