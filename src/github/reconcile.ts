// Reconcile one pull request: gather facts -> decide -> plan -> apply. Every call re-derives the PR
// from GitHub, so calling it again (a replayed webhook, a timer, the sweep) is harmless.
import { authorizedReviewers, ruleTeams } from '../core/approvers.js';
import { classify } from '../core/classify.js';
import { clickAuthors } from '../core/clicks.js';
import { commandAuthors } from '../core/commands.js';
import { dueReminderStep } from '../core/attention.js';
import { claimNotifications, mergedNotifications, type Notification } from '../core/notify.js';
import { decide } from '../core/decide.js';
import type { BaseBranchView, MergeSettings } from '../core/merge-blockers.js';
import { mergeAssessment, plan } from '../core/plan.js';
import { loadPolicy, POLICY_PATH } from '../core/policy.js';
import { needsTrailerRead } from '../core/trailer-read.js';
import { acts } from '../core/observe.js';
import type { Decision, Effect, GitHubView, PolicyLoad, PullRequestFacts } from '../core/types.js';
import { applyEffects, isUnchangedStatus, REEVALUATE_MS } from './apply-effects.js';
import type { GitHubClient } from './client.js';
import { describeError } from './errors.js';
import { findGateCheckRun, findGateStatus, type GateCheck } from './find-gate-check.js';
import { findPullRequest, type PullRequestSnapshot } from './find-pull-request.js';
import { findStatusComment, type StatusComment } from './find-status-comment.js';
import { applyQueueStep, followMergeQueue, type QueueFollow } from './follow-merge-queue.js';
import { gatherAuthorizations } from './gather-authorizations.js';
import { gatherBaseBranch } from './gather-base-branch.js';
import { gatherCommits, gatherComments, gatherReviews, type RawComment } from './gather-conversation.js';
import { gatherFiles } from './gather-files.js';
import { changedSince, gatherMergeView } from './gather-merge-view.js';
import { readPolicy, type PolicyRead } from './read-policy.js';
import { openSession, type Session } from './session.js';
import type { PullRequestRef, ReconcileOptions, ReconcileOutcome } from './types.js';
import { unavailableDecision } from './unavailable-decision.js';

/** Until GitHub has seen the gate's check on a head, mergeability and checks are not worth asking. */
const NOT_YET: Pick<GitHubView, 'mergeable' | 'mergeableState' | 'otherChecks'> = {
  mergeable: null, mergeableState: 'unknown', otherChecks: 'pending',
};

/** The policy's `merge:` settings, as the merge step reads them. */
function mergeSettings(load: PolicyLoad): MergeSettings | undefined {
  if (load.kind !== 'ok') return undefined;
  const m = load.policy.merge;
  return { methods: m.methods?.length ? m.methods : [m.method], updateBranch: m.updateBranch ?? false };
}

const earliest = (...times: (string | undefined)[]): string | undefined =>
  times.filter((t): t is string => t !== undefined).sort()[0];

function logDecision(session: Session, ref: PullRequestRef, decision: Decision): void {
  session.log.info({
    pr: `${ref.owner}/${ref.repo}#${ref.number}`,
    tier: decision.tier,
    state: decision.state,
    reasons: decision.classification.reasons.map((r) => ('rule' in r ? `${r.kind}:${r.rule}` : r.kind)),
    blockers: decision.blockers,
    approvals: decision.approvals.map((a) => a.by),
    vetoes: decision.vetoes.map((v) => v.by),
  }, 'decision');
}

interface Gathered {
  facts: PullRequestFacts;
  load: PolicyLoad;
  pr: PullRequestSnapshot;
  gate: GateCheck;
  statusComment?: StatusComment;
  /** The policy could not be read: decided (fail closed) but the caller should retry. */
  policyError?: string;
}

/** Policies already read in this pass (the sweep's), by base branch. Only successful reads are kept. */
export type PolicyReads = Map<string, PolicyRead>;

async function gather(session: Session, ref: PullRequestRef, options: ReconcileOptions, policies?: PolicyReads): Promise<Gathered> {
  const pr = await findPullRequest(session, ref, options.pullRequest);
  const policyRead = policies?.get(pr.baseRef) ?? await readPolicy(session, ref, pr.baseRef, options.policyPath ?? POLICY_PATH);
  const load = policyRead.remap(loadPolicy(policyRead.source));
  const policyError = policyRead.source.kind === 'unreadable' ? policyRead.source.message : undefined;

  const base: PullRequestFacts = {
    owner: ref.owner, repo: ref.repo, number: pr.number, title: pr.title, author: pr.author, state: pr.state,
    merged: pr.merged, draft: pr.draft, headSha: pr.headSha, headRef: pr.headRef, baseRef: pr.baseRef,
    labels: pr.labels, additions: pr.additions, deletions: pr.deletions, changedFiles: pr.changedFiles,
    files: [], commits: [], comments: [], reviews: [], authorizations: {},
  };
  // Agent detection does not depend on files: ask the core whether this PR is governed at all
  // before paying for its files, comments and reviews.
  const governed = classify(load, { ...base, files: [], changedFiles: 0, additions: 0, deletions: 0 }).governed;
  const extra = policyError ? { policyError } : {};

  if (pr.state !== 'open' || pr.merged) {
    // Nothing is decided for a closed PR, and nothing is written to it: its facts are not worth a request.
    return { facts: base, load, pr, gate: { seenBefore: false }, ...extra };
  }
  // A PR the gate has governed before keeps its status comment (and in it the ledger), and stays
  // governed: the label or branch that made it an agent PR is a hint the agent can remove (invariant 5).
  // So a PR that does not look governed is only waved through once its comments show no status comment;
  // the look is skipped only when it cannot find one (no comments, as GitHub says now or as a brand-new
  // head's event says).
  let earlierComments: RawComment[] | undefined;
  let earlierGate: GateCheck | undefined;
  let commits: PullRequestFacts['commits'] | undefined;
  if (!governed) {
    // Without a policy nothing is governed, whatever the PR once was: no need to look.
    const noComments = load.kind === 'missing' || (pr.comments === 0 && (pr.source === 'api' || options.headIsNew === true));
    earlierComments = noComments ? [] : await gatherComments(session, ref);
    if (!findStatusComment(earlierComments, options.identity)) {
      const skipLookup = options.mode === 'check' || (options.headIsNew === true && options.checkRunAs !== 'status');
      const gate: GateCheck = skipLookup ? { seenBefore: false } : await findCheck(session, ref, pr.headSha, options);
      // Agent work pushed under a person's name: its commits' trailers may govern it (trailer-read.ts).
      if (needsTrailerRead({ load, headIsNew: options.headIsNew === true, seenBefore: gate.seenBefore, governedBefore: gate.checkRun !== undefined })) {
        commits = await gatherCommits(session, ref, pr);
      }
      if (!commits || !classify(load, { ...base, commits, files: [], changedFiles: 0, additions: 0, deletions: 0 }).governed) {
        return { facts: commits ? { ...base, commits } : base, load, pr, gate, ...extra };
      }
      if (!skipLookup) earlierGate = gate;
      // Governed after all: a payload's count of no comments may predate the gate's own (see below).
      if (noComments) earlierComments = undefined;
    }
  }

  // The reads below do not depend on each other, so they go out together: a reconcile's latency is
  // then its slowest read, not the sum of them.
  const gateRead = earlierGate ? Promise.resolve(earlierGate) : findCheck(session, ref, pr.headSha, options);
  // Comments are always listed unless GitHub said "none" just now: a webhook's count is a snapshot
  // from before the event, and the gate may have posted its status comment since (a push racing the
  // first reconcile). Trusting it would post a second status comment.
  const commentsRead: Promise<RawComment[]> = earlierComments
    ? Promise.resolve(earlierComments)
    : pr.source === 'api' && pr.comments === 0 ? Promise.resolve([]) : gatherComments(session, ref);
  // On the gate's first sight of a head that an `opened`/`synchronize` event just created, no review of
  // it can count yet, and this pass never merges (a first sight only writes the check run and looks
  // again): the reviews are read from the next pass on. Any other event reads them.
  const reviewsRead: Promise<PullRequestFacts['reviews']> = options.headIsNew
    ? gateRead.then((gate) => (gate.seenBefore ? gatherReviews(session, ref) : []))
    : gatherReviews(session, ref);
  const [gate, files, rawComments, reviews] = await settleAll([gateRead, gatherFiles(session, ref), commentsRead, reviewsRead]);
  const statusComment = findStatusComment(rawComments, options.identity);
  const comments = rawComments.map(({ user: _u, performed_via_github_app: _p, ...c }) => c);
  const facts: PullRequestFacts = {
    ...base, files, comments, reviews, ...(commits ? { commits } : {}),
    ...(gate.headSeenAt ? { headSeenAt: gate.headSeenAt } : {}),
    ...(statusComment?.ledger ? { ledger: statusComment.ledger } : {}),
  };
  const authors = [...new Set([...commandAuthors(facts), ...clickAuthors(facts)])].sort();
  if (authors.length > 0) {
    [facts.commits, facts.authorizations] = await settleAll([
      commits ? Promise.resolve(commits) : gatherCommits(session, ref, pr),
      gatherAuthorizations(session, ref, authors, load.kind === 'ok' ? load.policy.reviewers : undefined, ruleTeams(load.kind === 'ok' ? load.policy : undefined)),
    ]);
  }
  return { facts, load, pr, gate, ...(statusComment ? { statusComment } : {}), ...extra };
}

/** Like Promise.all, but waits for every read to finish before failing, so no request of this
 * reconcile is still in flight (and counted) after it has returned. */
async function settleAll<T extends readonly unknown[]>(reads: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(reads);
  const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

function findCheck(session: Session, ref: PullRequestRef, headSha: string, options: ReconcileOptions): Promise<GateCheck> {
  return options.checkRunAs === 'status'
    ? findGateStatus(session, ref, headSha, options.identity)
    : findGateCheckRun(session, ref, headSha, options.identity);
}

export function reconcile(client: GitHubClient, ref: PullRequestRef, options: ReconcileOptions): Promise<ReconcileOutcome> {
  return reconcileWith(client, ref, options);
}

/** `reconcile`, reusing policies the caller read moments ago (the sweep reads each base's once). */
export async function reconcileWith(client: GitHubClient, ref: PullRequestRef, options: ReconcileOptions, policies?: PolicyReads): Promise<ReconcileOutcome> {
  const now = options.now ? options.now() : new Date();
  const session = openSession(client, now, options.log);
  const policyPath = options.policyPath ?? POLICY_PATH;
  const failed = (error: unknown): ReconcileOutcome => {
    const message = describeError(error);
    session.log.error({ pr: `${ref.owner}/${ref.repo}#${ref.number}`, error: message }, 'reconcile failed; nothing merged');
    return {
      ref, decision: unavailableDecision(message, policyPath), effects: [], applied: [], merged: false,
      requests: session.requests, error: message, wakeAt: new Date(now.getTime() + REEVALUATE_MS).toISOString(),
    };
  };

  let g: Gathered;
  let decision: Decision;
  try {
    g = await gather(session, ref, options, policies);
    decision = decide(g.load, g.facts, now);
  } catch (error) {
    return failed(error);
  }
  // Chat messages due now are claimed in the ledger the plan writes: sent only once that write is on GitHub.
  let claimed: Notification[] = [];
  const notifyPolicy = g.load.kind === 'ok' ? g.load.policy.notify : undefined;
  const prUrl = options.notify ? `${options.notify.webUrl.replace(/\/+$/, '')}/${ref.owner}/${ref.repo}/pull/${ref.number}` : '';
  if (options.notify && options.mode === 'full' && decision.governed && acts(decision) && notifyPolicy) {
    // A reminder step posted by this reconcile is a `stale` moment, once per step of each head.
    const step = dueReminderStep(decision, g.facts, now);
    const extra = step !== undefined ? [{ event: 'stale' as const, key: `stale:${g.facts.headSha.slice(0, 12)}:${step}` }] : [];
    const claim = claimNotifications({ decision, facts: g.facts, policy: notifyPolicy, available: options.notify.channels, url: prUrl, now, extra });
    decision = { ...decision, ledger: claim.ledger };
    claimed = claim.notifications;
  }
  logDecision(session, ref, decision);

  let mergeView = NOT_YET;
  let base: BaseBranchView | undefined;
  let extraWake: string | undefined;
  const settings = mergeSettings(g.load);
  try {
    const wantsMerge = options.mode === 'full' && acts(decision) && decision.merge && decision.state === 'ready';
    if (wantsMerge && g.gate.seenBefore) {
      const m = await gatherMergeView(session, ref, g.pr, options.identity, options.checkRunAs === 'status', options.ignoreCheckRunIds);
      const changed = m.current ? changedSince(g.pr, m.current) : undefined;
      if (changed) {
        // The event's payload is older than GitHub: never merge on it (a label that escalated the tier
        // may be missing from it). Decide again from a fresh read shortly.
        session.log.warn({ pr: ref, changed, decidedOn: g.pr.headSha, now: m.current?.headSha }, 'pull request changed since the event; re-evaluating');
        extraWake = new Date(now.getTime() + REEVALUATE_MS).toISOString();
      } else {
        mergeView = m.view;
        if (m.view.mergeable === null && m.view.otherChecks === 'success') extraWake = new Date(now.getTime() + REEVALUATE_MS).toISOString();
        base = await gatherBaseBranch(session, ref, g.facts, m, settings ?? { methods: [decision.mergeMethod], updateBranch: false });
        if (base.rulesError) extraWake = new Date(now.getTime() + REEVALUATE_MS).toISOString();
      }
    } else if (wantsMerge) {
      // First sight of this head: the gate's own check is only being written now. Look again shortly.
      extraWake = new Date(now.getTime() + REEVALUATE_MS).toISOString();
    }
  } catch (error) {
    return { ...failed(error), decision };
  }

  // A governed PR never reuses a check run written while it was ungoverned: its window starts now.
  const checkRun = decision.governed ? g.gate.checkRun : g.gate.anyRun;
  const view: GitHubView = {
    ...(checkRun ? { checkRun } : {}),
    ...(g.statusComment ? { statusComment: { id: g.statusComment.id, body: g.statusComment.body } } : {}),
    ...mergeView,
    ...(base ? { base } : {}),
  };
  const planOptions = {
    mode: options.mode,
    ...(options.checkRunActions ? { checkRunActions: true } : {}),
    ...(g.load.kind === 'ok' ? { reviewers: authorizedReviewers(g.load.policy) } : {}),
    ...(settings ? { merge: settings } : {}),
  };

  let effects: Effect[];
  try {
    effects = plan(decision, g.facts, view, now, planOptions);
    const { way, needs } = base ? mergeAssessment(decision, g.facts, view, settings) : { way: undefined, needs: [] };
    if (needs.length > 0) session.log.info({ pr: `${ref.owner}/${ref.repo}#${ref.number}`, githubNeeds: needs.map((n) => n.kind), detail: needs }, 'policy lets it merge; GitHub does not yet');
    if (way?.kind === 'merge' && (way.bypass || way.probe)) {
      session.log.info({ pr: `${ref.owner}/${ref.repo}#${ref.number}`, method: way.method, ...(way.bypass ? { bypassRuleset: way.bypass } : { probe: true }) }, way.bypass ? 'merging as a ruleset bypass actor, every required check green' : 'GitHub says blocked for a reason the gate cannot read; asking once');
    }
  } catch (error) {
    return { ...failed(error), decision };
  }
  // A base branch with a merge queue: enqueue instead of merging, dequeue what the gate would no
  // longer merge, and say so (follow-merge-queue.ts).
  let queue: QueueFollow = { decision, effects, result: {} };
  if (options.mode === 'full' && acts(decision) && g.pr.state === 'open' && !g.pr.merged) {
    try {
      const replan = (d: Decision) => plan(d, g.facts, view, now, planOptions);
      queue = await followMergeQueue(session, ref, g.pr.baseRef, decision, effects, view, options.mergeQueueHint === true, replan, options.identity.login);
      ({ decision, effects } = queue);
    } catch (error) {
      return { ...failed(error), decision };
    }
  }
  if (options.checkRunAs === 'status') effects = effects.filter((e) => !isUnchangedStatus(e, view.checkRun));
  // Check mode never writes, whatever the plan says: defence in depth for the read-only Action.
  const toApply = options.mode === 'check' ? effects.filter((e) => e.kind === 'wake') : effects;
  const result = await applyEffects(session, {
    ref, checkRunAs: options.checkRunAs ?? 'check-run', governed: decision.governed, ...(view.checkRun ? { currentCheckRun: view.checkRun } : {}),
  }, toApply);
  // Enqueued last, like a merge, and only when every write before it went through.
  const queueResult = queue.look?.step.kind === 'enqueue' && !result.error ? await applyQueueStep(session, ref, queue.look) : queue.result;

  if (result.refusal && decision.governed && options.mode === 'full') {
    // GitHub refused the merge for a reason waiting will not fix: say so now, in the check and the status
    // comment (where the refusal is kept, bound to this head), instead of looking again on a timer.
    const written = result.written ?? {};
    const applied = (kind: 'check-run' | 'status-comment') => result.applied.find((e) => e.kind === kind);
    const run = applied('check-run') as Extract<Effect, { kind: 'check-run' }> | undefined;
    const comment = applied('status-comment') as Extract<Effect, { kind: 'status-comment' }> | undefined;
    const checkRunId = run?.id ?? written.checkRunId;
    const statusCommentId = comment?.id ?? written.statusCommentId;
    const after: GitHubView = {
      ...view,
      ...(run && checkRunId !== undefined ? { checkRun: { id: checkRunId, status: run.status, conclusion: run.conclusion ?? null, title: run.title, summary: run.summary } } : {}),
      ...(comment && statusCommentId !== undefined ? { statusComment: { id: statusCommentId, body: comment.body } } : {}),
      base: { ...view.base, refusal: { ...result.refusal, at: now.toISOString() } },
    };
    try {
      const again = plan(decision, g.facts, after, now, planOptions).filter((e) => e.kind === 'status-comment' || (e.kind === 'check-run' && options.checkRunAs !== 'status'));
      const told = await applyEffects(session, {
        ref, checkRunAs: options.checkRunAs ?? 'check-run', governed: decision.governed, ...(after.checkRun ? { currentCheckRun: after.checkRun } : {}),
      }, again);
      result.applied.push(...told.applied);
      if (told.error) result.error = told.error;
    } catch (error) {
      result.error = `explaining the refused merge failed: ${describeError(error)}`;
    }
  }

  const statusWritten = result.applied.some((e) => e.kind === 'status-comment');
  const notifications = [
    ...(statusWritten ? claimed : []),
    ...(result.merged && options.notify && notifyPolicy ? mergedNotifications({ decision, facts: g.facts, policy: notifyPolicy, available: options.notify.channels, url: prUrl, now }) : []),
  ];
  const error = result.error ?? queueResult.error ?? g.policyError;
  const queueWake = queueResult.retrySoon ? new Date(now.getTime() + REEVALUATE_MS).toISOString() : undefined;
  const wakeAt = earliest(result.wakeAt, decision.wakeAt, extraWake, queueWake, error ? new Date(now.getTime() + REEVALUATE_MS).toISOString() : undefined);
  return {
    ref, decision, facts: g.facts, effects, applied: result.applied, merged: result.merged, requests: session.requests,
    ...(queueResult.applied ? { mergeQueue: queueResult.applied } : {}),
    ...(wakeAt ? { wakeAt } : {}), ...(error ? { error } : {}), ...(notifications.length ? { notifications } : {}),
  };
}
