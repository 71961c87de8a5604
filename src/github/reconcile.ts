// Reconcile one pull request (design.md §3). Every call re-derives the PR from GitHub, so calling it again (a replayed
// webhook, a timer, the sweep) is harmless. The steps, in order:
//   1. gather   the PR, the policy from its base, the gate's record (its own check runs, or the PR's
//               earlier heads'), the conversation and who may act          -> facts
//   2. decide   pure: (policy, facts, now)                                 -> decision
//   3. gather   what a merge needs, only when the decision lets it merge   -> merge facts (view, base,
//               or the PR may sit in a merge queue                             queue), and the way to merge
//   4. plan     pure, once: (decision, facts, what GitHub shows, way)      -> the writes still missing
//   5. apply    the writes in order (the record goes with the check run, after the status comment)
//   The one exception to "plan once": a merge GitHub refuses for a reason waiting will not fix is
//   explained at once (the check and the comment say GitHub's words), from the same decision.
import { authorizedReviewers, ruleTeams } from '../core/approvers.js';
import { classify } from '../core/classify.js';
import { clickAuthors } from '../core/clicks.js';
import { commandAuthors } from '../core/commands.js';
import { dueReminderStep } from '../core/attention.js';
import { claimNotifications, mergedNotifications, type Notification } from '../core/notify.js';
import { decide } from '../core/decide.js';
import type { PolicyLoad } from '../core/model/policy.js';
import type { Ledger, RecordNotice } from '../core/model/ledger.js';
import type { PullRequestFacts } from '../core/model/pull-request.js';
import type { Decision } from '../core/model/decision.js';
import type { BaseBranchView } from '../core/model/base-branch.js';
import type { Effect, GitHubView } from '../core/model/effects.js';
import type { MergeSettings } from '../core/merge-blockers.js';
import { mergeAssessment, plan, recordLedger } from '../core/plan.js';
import { loadPolicy, POLICY_PATH } from '../core/policy.js';
import { needsTrailerRead } from '../core/trailer-read.js';
import { acts } from '../core/observe.js';
import { applyEffects, isUnchangedStatus, REEVALUATE_MS } from './apply-effects.js';
import type { GitHubClient } from './client.js';
import { describeError } from './errors.js';
import { findGateCheckRun, findGateStatus, type GateCheck } from './find-gate-check.js';
import { findPullRequest, type PullRequestSnapshot } from './find-pull-request.js';
import { findEarlierRecord } from './find-earlier-record.js';
import { findNamedComment, findStatusComment, legacyLedger, noticeTampering, type StatusComment } from './find-status-comment.js';
import { heldAsHard, mergeRecords, recordMarker } from '../core/ledger.js';
import { mustLookAtQueue, readQueueFacts } from './follow-merge-queue.js';
import { chooseQueueWay, type QueueFacts, type QueueWay } from '../core/queue-way.js';
import { gatherAuthorizations } from './gather-authorizations.js';
import { gatherBaseBranch } from './gather-base-branch.js';
import { gatherCommits, gatherComments, gatherReviews, type RawComment } from './gather-conversation.js';
import { gatherFiles } from './gather-files.js';
import { changedSince, gatherMergeView } from './gather-merge-view.js';
import { readPolicy, type PolicyRead } from './read-policy.js';
import { reconcileMerged } from './reconcile-merged.js';
import { openSession, type Session } from './session.js';
import type { PullRequestRef, ReconcileOptions, ReconcileOutcome } from './types.js';
import { unavailableDecision } from './unavailable-decision.js';

/** Until GitHub has seen the gate's check on a head, mergeability and checks are not worth asking. */
const NOT_YET: Pick<GitHubView, 'mergeable' | 'mergeableState' | 'otherChecks'> = {
  mergeable: null,
  mergeableState: 'unknown',
  otherChecks: 'pending',
};

/** The policy's `merge:` settings, as the merge step reads them. */
function mergeSettings(load: PolicyLoad): MergeSettings | undefined {
  if (load.kind !== 'ok') return undefined;
  const m = load.policy.merge;
  return { methods: m.methods?.length ? m.methods : [m.method], updateBranch: m.updateBranch ?? false };
}

const earliest = (...times: (string | undefined)[]): string | undefined => times.filter((t): t is string => t !== undefined).sort()[0];

function logDecision(session: Session, ref: PullRequestRef, decision: Decision): void {
  session.log.info(
    {
      pr: `${ref.owner}/${ref.repo}#${ref.number}`,
      tier: decision.tier,
      state: decision.state,
      reasons: decision.classification.reasons.map((r) => ('rule' in r ? `${r.kind}:${r.rule}` : r.kind)),
      blockers: decision.blockers,
      approvals: decision.approvals.map((a) => a.by),
      vetoes: decision.vetoes.map((v) => v.by),
    },
    'decision',
  );
}

interface Gathered {
  facts: PullRequestFacts;
  load: PolicyLoad;
  pr: PullRequestSnapshot;
  gate: GateCheck;
  statusComment?: StatusComment;
  /** What the gate noticed about its status comment on this look (edited or deleted by someone else). */
  notice?: RecordNotice;
  /** The policy could not be read: decided (fail closed) but the caller should retry. */
  policyError?: string;
}

/** Policies already read in this pass (the sweep's), by base branch. Only successful reads are kept. */
export type PolicyReads = Map<string, PolicyRead>;

async function gather(session: Session, ref: PullRequestRef, options: ReconcileOptions, policies?: PolicyReads): Promise<Gathered> {
  const pr = await findPullRequest(session, ref, options.pullRequest);
  const policyRead = policies?.get(pr.baseRef) ?? (await readPolicy(session, ref, pr.baseRef, options.policyPath ?? POLICY_PATH));
  const load = policyRead.remap(loadPolicy(policyRead.source, options.policyLoads));
  const policyError = policyRead.source.kind === 'unreadable' ? policyRead.source.message : undefined;

  const base: PullRequestFacts = {
    owner: ref.owner,
    repo: ref.repo,
    number: pr.number,
    title: pr.title,
    author: pr.author,
    state: pr.state,
    merged: pr.merged,
    draft: pr.draft,
    headSha: pr.headSha,
    headRef: pr.headRef,
    baseRef: pr.baseRef,
    labels: pr.labels,
    additions: pr.additions,
    deletions: pr.deletions,
    changedFiles: pr.changedFiles,
    files: [],
    commits: [],
    comments: [],
    reviews: [],
    authorizations: {},
  };
  // Agent detection does not depend on files: ask the core whether this PR is governed at all
  // before paying for its files, comments and reviews.
  const governed = classify(load, { ...base, files: [], changedFiles: 0, additions: 0, deletions: 0 }).governed;
  const extra = policyError ? { policyError } : {};

  if (pr.state !== 'open' || pr.merged) {
    // Nothing is decided for a closed PR, and nothing is written to it: its facts are not worth a request.
    return { facts: base, load, pr, gate: { seenBefore: false }, ...extra };
  }
  // The gate's record (record.ts): on this head's own check runs, or, for a head it has none on, on
  // the PR's earlier heads. A PR the gate governed on any head stays governed, whatever happened to
  // the label, branch or comment that made it an agent PR (design.md, invariant 5): "governed" is the record's
  // presence, and only the gate can write it. Without a policy nothing is governed: no need to look.
  const firstHead = options.firstHead !== undefined && options.firstHead === pr.headSha;
  const records = options.checkRunAs !== 'status' && load.kind !== 'missing';
  let gate: GateCheck | undefined;
  let earlier: Ledger | undefined;
  let commits: PullRequestFacts['commits'] | undefined;
  let searched = false;
  if (!governed) {
    // A brand-new PR's first head cannot carry a record, and a head just pushed has no run of the gate's
    // yet: the search of earlier heads says all there is to say.
    const skipLookup = options.mode === 'check' || (options.headIsNew === true && options.checkRunAs !== 'status');
    gate = skipLookup ? { seenBefore: false } : await findCheck(session, ref, pr.headSha, options);
    const decidedHere = gate.anyRun !== undefined && !gate.checkRun;
    if (records && !gate.record && !decidedHere && !firstHead) {
      earlier = (await findEarlierRecord(session, ref, pr.headSha, options.identity)).record;
      searched = true;
    }
    if (!gate.record && !earlier) {
      // Agent work pushed under a person's name: its commits' trailers may govern it (trailer-read.ts).
      if (
        needsTrailerRead({
          load,
          headIsNew: options.headIsNew === true,
          seenBefore: gate.seenBefore,
          governedBefore: gate.checkRun !== undefined,
        })
      ) {
        commits = await gatherCommits(session, ref, pr);
      }
      if (!commits || !classify(load, { ...base, commits, files: [], changedFiles: 0, additions: 0, deletions: 0 }).governed) {
        return { facts: commits ? { ...base, commits } : base, load, pr, gate, ...extra };
      }
    }
    if (skipLookup) gate = await findCheck(session, ref, pr.headSha, options);
  }

  // The reads below do not depend on each other, so they go out together: a reconcile's latency is
  // then its slowest read, not the sum of them.
  const gateRead = gate ? Promise.resolve(gate) : findCheck(session, ref, pr.headSha, options);
  const earlierRead: Promise<Ledger | undefined> =
    earlier || searched || !records || firstHead
      ? Promise.resolve(earlier)
      : gateRead.then(async (g) => {
          if (g.record) return undefined;
          const found = await findEarlierRecord(session, ref, pr.headSha, options.identity);
          if (found.record || found.unreadable === 0) return found.record;
          // A governed PR whose earlier head GitHub no longer shows: a veto may have been on record there.
          // Fail closed: hold it as hard until a person approves the head it is on now.
          session.log.warn(
            { pr: `${ref.owner}/${ref.repo}#${ref.number}`, unreadable: found.unreadable },
            'a replaced head is no longer shown: its record cannot be read; holding the PR as hard',
          );
          const notice: RecordNotice = { kind: 'record-unreadable', at: session.now.toISOString(), commentId: 0 };
          return heldAsHard(notice);
        });
  // Comments are always listed unless GitHub said "none" just now: a webhook's count is a snapshot
  // from before the event, and the gate may have posted its status comment since (a push racing the
  // first reconcile). Trusting it would post a second status comment.
  const commentsRead: Promise<RawComment[]> = pr.source === 'api' && pr.comments === 0 ? Promise.resolve([]) : gatherComments(session, ref);
  // On the gate's first sight of a head that an `opened`/`synchronize` event just created, no review of
  // it can count yet, and this pass never merges (a first sight only writes the check run and looks
  // again): the reviews are read from the next pass on. Any other event reads them.
  const reviewsRead: Promise<PullRequestFacts['reviews']> = options.headIsNew
    ? gateRead.then((g) => (g.seenBefore ? gatherReviews(session, ref) : []))
    : gatherReviews(session, ref);
  const [gateSeen, earlierRecord, files, rawComments, reviews] = await settleAll([
    gateRead,
    earlierRead,
    gatherFiles(session, ref),
    commentsRead,
    reviewsRead,
  ]);
  let statusComment = findStatusComment(rawComments, options.identity);
  let record = mergeRecords(gateSeen.record, earlierRecord);
  // A status comment whose marker someone edited away is still the one the record names.
  const named =
    statusComment?.id === record?.comment?.id ? undefined : findNamedComment(rawComments, record?.comment?.id, options.identity);
  if (named) statusComment = named;
  if (!record && records) {
    // The upgrade path: an earlier version kept its ledger in the status comment. Read it once, only
    // where GitHub shows nobody else edited that comment; otherwise fail closed (hard) and say so.
    const legacy = await legacyLedger(session, statusComment, options.identity);
    if (legacy.ledger) record = legacy.ledger;
    else if (legacy.untrusted) record = heldAsHard(legacy.untrusted);
    if (legacy.untrusted)
      session.log.warn(
        { pr: `${ref.owner}/${ref.repo}#${ref.number}`, notice: legacy.untrusted },
        'the status comment of an earlier version was edited by someone else: its ledger is not trusted; the PR is held as hard',
      );
  }
  const notice = records ? await noticeTampering(session, record, statusComment, options.identity) : undefined;
  if (notice && record) {
    record = { ...record, notices: [...(record.notices ?? []), notice] };
    session.log.warn(
      { pr: `${ref.owner}/${ref.repo}#${ref.number}`, notice },
      notice.kind === 'comment-deleted'
        ? "the gate's status comment was deleted; restoring it (nothing the gate decides is read from it)"
        : "the gate's status comment was edited by someone else; restoring it (nothing the gate decides is read from it)",
    );
  }
  const comments = rawComments.map(({ user: _u, performed_via_github_app: _p, node_id: _n, ...c }) => c);
  const facts: PullRequestFacts = {
    ...base,
    files,
    comments,
    reviews,
    ...(commits ? { commits } : {}),
    ...(gateSeen.headSeenAt ? { headSeenAt: gateSeen.headSeenAt } : {}),
    ...(record ? { ledger: record } : {}),
  };
  const authors = [...new Set([...commandAuthors(facts), ...clickAuthors(facts)])].sort();
  if (authors.length > 0) {
    [facts.commits, facts.authorizations] = await settleAll([
      commits ? Promise.resolve(commits) : gatherCommits(session, ref, pr),
      gatherAuthorizations(
        session,
        ref,
        authors,
        load.kind === 'ok' ? load.policy.reviewers : undefined,
        ruleTeams(load.kind === 'ok' ? load.policy : undefined),
      ),
    ]);
  }
  return { facts, load, pr, gate: gateSeen, ...(statusComment ? { statusComment } : {}), ...(notice ? { notice } : {}), ...extra };
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
export async function reconcileWith(
  client: GitHubClient,
  ref: PullRequestRef,
  options: ReconcileOptions,
  policies?: PolicyReads,
): Promise<ReconcileOutcome> {
  const now = options.now ? options.now() : new Date();
  const session = openSession(client, now, options.log, options.kept);
  const policyPath = options.policyPath ?? POLICY_PATH;
  const failed = (error: unknown): ReconcileOutcome => {
    const message = describeError(error);
    session.log.error({ pr: `${ref.owner}/${ref.repo}#${ref.number}`, error: message }, 'reconcile failed; nothing merged');
    return {
      ref,
      decision: unavailableDecision(message, policyPath),
      effects: [],
      applied: [],
      merged: false,
      requests: session.requests,
      error: message,
      wakeAt: new Date(now.getTime() + REEVALUATE_MS).toISOString(),
    };
  };

  // 1. Gather, 2. decide.
  let g: Gathered;
  let decision: Decision;
  try {
    g = await gather(session, ref, options, policies);
    // A merged PR under `after_merge`: its review after merge (reconcile-merged.ts).
    if (g.pr.merged) {
      const merged = await reconcileMerged(session, ref, g.pr, g.load, options, g.facts);
      if (merged) return merged;
    }
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
    const claim = claimNotifications({
      decision,
      facts: g.facts,
      policy: notifyPolicy,
      available: options.notify.channels,
      url: prUrl,
      now,
      extra,
    });
    decision = { ...decision, ledger: claim.ledger };
    claimed = claim.notifications;
  }
  logDecision(session, ref, decision);

  // 3. What a merge needs, read only when the decision lets the PR merge now (or it may sit in a merge
  // queue it must leave): GitHub's mergeability, the base branch's rules, the PR's place in the queue.
  let mergeView = NOT_YET;
  let base: BaseBranchView | undefined;
  let extraWake: string | undefined;
  const settings = mergeSettings(g.load);
  const soon = () => new Date(now.getTime() + REEVALUATE_MS).toISOString();
  try {
    const wantsMerge = options.mode === 'full' && acts(decision) && decision.merge && decision.state === 'ready';
    if (wantsMerge && g.gate.seenBefore) {
      const m = await gatherMergeView(session, ref, g.pr, options.identity, options.checkRunAs === 'status', options.ignoreCheckRunIds);
      const changed = m.current ? changedSince(g.pr, m.current) : undefined;
      if (changed) {
        // The event's payload is older than GitHub: never merge on it (a label that escalated the tier
        // may be missing from it). Decide again from a fresh read shortly.
        session.log.warn(
          { pr: ref, changed, decidedOn: g.pr.headSha, now: m.current?.headSha },
          'pull request changed since the event; re-evaluating',
        );
        extraWake = soon();
      } else {
        mergeView = m.view;
        if (m.view.mergeable === null && m.view.otherChecks === 'success') extraWake = soon();
        base = await gatherBaseBranch(session, ref, g.facts, m, settings ?? { methods: [decision.mergeMethod], updateBranch: false });
        if (base.rulesError) extraWake = soon();
      }
    } else if (wantsMerge) {
      // First sight of this head: the gate's own check is only being written now. Look again shortly.
      extraWake = soon();
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
    ...(options.checkRunAs === 'status' ? { keepsRecord: false } : {}),
    ...(options.checkRunActions ? { checkRunActions: true } : {}),
    ...(g.load.kind === 'ok' ? { reviewers: authorizedReviewers(g.load.policy) } : {}),
    ...(settings ? { merge: settings } : {}),
  };

  // A base branch with a merge queue: the gate enqueues instead of merging, takes out what it would no
  // longer merge, and says so. Whether the PR is queued is asked of GitHub; the way is the core's choice.
  let queueWay: QueueWay | undefined;
  let queueWake: string | undefined;
  try {
    const merging = base !== undefined && mergeAssessment(decision, g.facts, view, settings).way.kind === 'merge';
    if (
      options.mode === 'full' &&
      acts(decision) &&
      g.pr.state === 'open' &&
      !g.pr.merged &&
      mustLookAtQueue(decision, merging, view, options.mergeQueueHint === true)
    ) {
      let facts: QueueFacts | undefined;
      try {
        facts = await readQueueFacts(session, ref, g.pr.baseRef, undefined, view.base?.rules);
      } catch (error) {
        // Nothing is merged without knowing the queue. Nothing is dequeued now either; the gate's check
        // on the merge group still stops a PR it would not merge.
        if (merging) throw error;
        session.log.warn({ pr: ref, error: describeError(error) }, 'could not read the merge queue; nothing dequeued now');
        queueWake = soon();
      }
      queueWay = chooseQueueWay(decision, merging ? g.facts.headSha : undefined, facts, options.identity.login);
      if (queueWay.headMoved) queueWake = soon();
      if (queueWay.step.kind === 'hold') session.log.info({ pr: ref, reason: queueWay.step.reason }, 'not queued again');
      decision = queueWay.decision;
    }
  } catch (error) {
    return { ...failed(error), decision };
  }

  // 4. Plan once: every write still missing, the way to merge included.
  let effects: Effect[];
  try {
    effects = plan(decision, g.facts, view, now, { ...planOptions, ...(queueWay ? { queue: queueWay } : {}) });
    const { way, needs } = base ? mergeAssessment(decision, g.facts, view, settings) : { way: undefined, needs: [] };
    if (needs.length > 0)
      session.log.info(
        { pr: `${ref.owner}/${ref.repo}#${ref.number}`, githubNeeds: needs.map((n) => n.kind), detail: needs },
        'policy lets it merge; GitHub does not yet',
      );
    if (way?.kind === 'merge' && (way.bypass || way.probe)) {
      session.log.info(
        {
          pr: `${ref.owner}/${ref.repo}#${ref.number}`,
          method: way.method,
          ...(way.bypass ? { bypassRuleset: way.bypass } : { probe: true }),
        },
        way.bypass
          ? 'merging as a ruleset bypass actor, every required check green'
          : 'GitHub says blocked for a reason the gate cannot read; asking once',
      );
    }
  } catch (error) {
    return { ...failed(error), decision };
  }
  if (options.checkRunAs === 'status') effects = effects.filter((e) => !isUnchangedStatus(e, view.checkRun));
  // Check mode never writes, whatever the plan says: defence in depth for the read-only Action.
  const toApply = options.mode === 'check' ? effects.filter((e) => e.kind === 'wake') : effects;

  // 5. Apply. A replica that lost the PR's lock writes nothing: another one holds the PR now (its client
  // refuses every request anyway; this saves a half-applied plan).
  if (options.stillHeld?.() === false) {
    session.log.warn({ pr: `${ref.owner}/${ref.repo}#${ref.number}` }, "the PR's lock was lost before applying; nothing written");
    return { ref, decision, facts: g.facts, effects, applied: [], merged: false, requests: session.requests, error: 'lock lost' };
  }
  const result = await applyEffects(
    session,
    {
      ref,
      checkRunAs: options.checkRunAs ?? 'check-run',
      governed: decision.governed,
      ...(view.checkRun ? { currentCheckRun: view.checkRun } : {}),
    },
    toApply,
  );

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
      ...(run && checkRunId !== undefined
        ? {
            checkRun: {
              id: checkRunId,
              status: run.status,
              conclusion: run.conclusion ?? null,
              title: run.title,
              summary: run.summary,
              ...(run.record ? { record: recordMarker(recordLedger(run.record, statusCommentId), ref.number) } : {}),
            },
          }
        : {}),
      ...(comment && statusCommentId !== undefined ? { statusComment: { id: statusCommentId, body: comment.body } } : {}),
      base: { ...view.base, refusal: { ...result.refusal, at: now.toISOString() } },
    };
    try {
      const again = plan(decision, g.facts, after, now, planOptions).filter(
        (e) => e.kind === 'status-comment' || (e.kind === 'check-run' && options.checkRunAs !== 'status'),
      );
      const told = await applyEffects(
        session,
        {
          ref,
          checkRunAs: options.checkRunAs ?? 'check-run',
          governed: decision.governed,
          ...(after.checkRun ? { currentCheckRun: after.checkRun } : {}),
        },
        again,
      );
      result.applied.push(...told.applied);
      if (told.error) result.error = told.error;
    } catch (error) {
      result.error = `explaining the refused merge failed: ${describeError(error)}`;
    }
  }

  let afterMergeNotifications: Notification[] = [];
  if (result.merged && decision.governed) {
    // Just merged: its review after merge starts now, whether or not GitHub's `closed` event arrives.
    try {
      afterMergeNotifications =
        (
          await reconcileMerged(session, ref, { ...g.pr, state: 'closed', merged: true, mergedAt: now.toISOString() }, g.load, options, {
            ...g.facts,
            state: 'closed',
            merged: true,
          })
        )?.notifications ?? [];
    } catch (error) {
      result.error = `recording the review after merge failed: ${describeError(error)}`;
    }
  }

  // Claimed messages go out once the record that claims them is on GitHub (never before, never unrecorded).
  const recordWritten = result.applied.some((e) => e.kind === 'check-run' && e.record !== undefined);
  const notifications = [
    ...(recordWritten ? claimed : []),
    ...(result.merged && options.notify && notifyPolicy
      ? mergedNotifications({ decision, facts: g.facts, policy: notifyPolicy, available: options.notify.channels, url: prUrl, now })
      : []),
    ...afterMergeNotifications,
  ];
  const error = result.error ?? g.policyError;
  const wakeAt = earliest(
    result.wakeAt,
    decision.wakeAt,
    extraWake,
    queueWake,
    error ? new Date(now.getTime() + REEVALUATE_MS).toISOString() : undefined,
  );
  return {
    ref,
    decision,
    facts: g.facts,
    effects,
    applied: result.applied,
    merged: result.merged,
    requests: session.requests,
    ...(g.notice ? { notice: g.notice } : {}),
    ...(result.mergeQueue ? { mergeQueue: result.mergeQueue } : {}),
    ...(wakeAt ? { wakeAt } : {}),
    ...(error ? { error } : {}),
    ...(notifications.length ? { notifications } : {}),
  };
}
