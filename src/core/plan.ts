// The plan (design.md §3, step 4): the writes that move GitHub from what it shows now (`view`) to the decision. Every
// effect is compared against the view or the ledger first, so planning again against the state the
// previous plan produced yields no writes: replaying any event is harmless.
import { planAttention } from './attention.js';
import { acts } from './observe.js';
import { isBot } from './commands.js';
import { checkRunActions, clicksOf } from './clicks.js';
import type { Ledger } from './model/ledger.js';
import type { Actor, PullRequestFacts } from './model/pull-request.js';
import type { CommandVerdict, Decision } from './model/decision.js';
import type { Effect, GitHubView, RecordToWrite } from './model/effects.js';
import { bodyDigest, recordMarker } from './ledger.js';
import { assessMerge, describeNeed, type MergeAssessment, type MergeSettings } from './merge-blockers.js';
import type { QueueWay } from './queue-way.js';
import { renderCheckRun, renderExplanation, renderReply, renderStatusComment, type RenderOptions } from './render.js';

export interface PlanOptions extends RenderOptions {
  /** `check` plans nothing that writes (the Action's read-only mode). */
  mode: 'full' | 'check';
  /* `checkRunActions` (RenderOptions): offer the one-click Approve / Veto on the check run (the App,
   * which receives the clicks; not the Action). */
  /** The policy's `merge:` settings (default: the decision's method, no branch updates). */
  merge?: MergeSettings;
  /** `false` where the gate can keep no record (the Action with commit statuses only): it then answers
   * no command one by one and asks nobody, since it could not remember having done so and would repeat
   * itself on every run. The status comment still lists every command with its verdict. */
  keepsRecord?: boolean;
  /** A base branch with a merge queue: the way chosen (queue-way.ts). The merge becomes an enqueue. */
  queue?: Pick<QueueWay, 'required' | 'step' | 'pullRequestId'>;
}

/** How the gate would merge now and what GitHub still needs: the plan's merge step, and the log's. */
export function mergeAssessment(decision: Decision, facts: PullRequestFacts, view: GitHubView, settings?: MergeSettings): MergeAssessment {
  return assessMerge(decision, facts, view, settings ?? { methods: [decision.mergeMethod], updateBranch: false });
}

type CheckRunEffect = Extract<Effect, { kind: 'check-run' }>;

/** Never `neutral` or `skipped` for a PR that may not merge: GitHub treats both as passing. The one
 * exception is observe mode, whose whole point is that it never blocks (and never passes as a verdict). */
function checkStatus(decision: Decision): Pick<CheckRunEffect, 'status' | 'conclusion'> {
  if (decision.governed && !acts(decision)) return { status: 'completed', conclusion: 'neutral' };
  switch (decision.state) {
    case 'ready':
    case 'ignored':
      return { status: 'completed', conclusion: 'success' };
    case 'waiting':
      return { status: 'in_progress' };
    case 'blocked':
      return { status: 'completed', conclusion: 'failure' };
  }
}

function checkRunEffect(
  decision: Decision,
  facts: PullRequestFacts,
  view: GitHubView,
  now: Date,
  options: RenderOptions,
  record?: RecordToWrite,
): CheckRunEffect | undefined {
  const { title, summary, text } = renderCheckRun(decision, facts, now, options);
  const status = checkStatus(decision);
  const current = view.checkRun;
  // The record is compared as it would be written, with the status comment it names.
  const marker = record ? recordMarker(recordLedger(record, view.statusComment?.id), facts.number) : undefined;
  if (
    current &&
    current.status === status.status &&
    (current.conclusion ?? null) === (status.conclusion ?? null) &&
    current.title === title &&
    current.summary === summary &&
    (record === undefined || (record.comment?.id !== undefined && current.record === marker))
  ) {
    return undefined;
  }
  // GitHub does not return a check run's actions, so they are not compared: they follow the state,
  // and the title changes whenever the state does.
  const actions = options.checkRunActions ? { actions: checkRunActions(decision).map((a) => ({ ...a })) } : {};
  return {
    kind: 'check-run',
    ...(current ? { id: current.id } : {}),
    headSha: facts.headSha,
    ...status,
    title,
    summary,
    ...(text ? { text } : {}),
    ...actions,
    ...(record ? { record } : {}),
  };
}

/** The ledger a record carries once the status comment's id is known. */
export function recordLedger(record: RecordToWrite, commentId: number | undefined): Ledger {
  const { comment: _c, ...ledger } = record.ledger;
  const id = record.comment?.id ?? commentId;
  return id !== undefined && record.comment ? { ...ledger, comment: { id, sha256: record.comment.sha256 } } : ledger;
}

/** Verdicts grouped by the comment or review that carried them, in timeline order. */
function bySource(verdicts: CommandVerdict[]): CommandVerdict[][] {
  const groups = new Map<string, CommandVerdict[]>();
  for (const v of verdicts) {
    const key = `${v.source.type}:${v.source.id}`;
    const group = groups.get(key);
    if (group) group.push(v);
    else groups.set(key, [v]);
  }
  return [...groups.values()];
}

/** Reactions and replies for commands not answered yet; and the ids this plan answers. */
function answers(
  decision: Decision,
  facts: PullRequestFacts,
  now: Date,
  options: RenderOptions,
): { effects: Effect[]; answered: number[] } {
  const done = new Set(decision.ledger.answered);
  let explanation: string | undefined;
  // Rendered once however many people ask: the reasoning is the same for all of them.
  const explain = () => (explanation ??= renderExplanation(decision, facts, now, options, 40_000));
  const authors = new Map<string, Actor>();
  for (const c of facts.comments) authors.set(`comment:${c.id}`, c.author);
  for (const r of facts.reviews) authors.set(`review:${r.id}`, r.author);
  for (const c of clicksOf(decision.ledger)) authors.set(`click:${c.id}`, { login: c.by, type: c.byType });
  const effects: Effect[] = [];
  const answered: number[] = [];
  // A person who clicks a refused button again is told once, not once per click.
  const toldAboutClick = new Set<string>();
  const clickKey = (v: CommandVerdict) => `${v.by.toLowerCase()}:${v.command.kind}:${v.refusal ?? ''}`;
  for (const group of bySource(decision.commands)) {
    const source = group[0]!.source;
    if (source.type === 'click' && !group[0]!.accepted && group[0]!.refusal !== 'permission-error') {
      const key = clickKey(group[0]!);
      if (toldAboutClick.has(key) && !done.has(source.id)) {
        answered.push(source.id);
        continue;
      }
      toldAboutClick.add(key);
    }
    if (done.has(source.id)) continue;
    const author = authors.get(`${source.type}:${source.id}`);
    // Never answer a bot: two bots answering each other is an endless loop.
    if (!author || isBot(author)) continue;
    // A failed permission lookup is transient: answer once GitHub tells us, not with a refusal now.
    if (group.some((v) => v.refusal === 'permission-error')) continue;
    const acted = group.some((v) => v.accepted && v.command.kind !== 'explain');
    // A veto read from a typo is answered too: its author must learn that it counts, and how to lift it.
    const needsReply = group.some(
      (v) => !v.accepted || v.command.kind === 'explain' || (v.command.kind === 'veto' && v.command.readFrom !== undefined),
    );
    // GitHub has no reactions on reviews: an accepted review is answered by the status comment itself.
    if (acted && source.type === 'comment') effects.push({ kind: 'react', target: { type: 'comment', id: source.id }, content: '+1' });
    if (needsReply) effects.push({ kind: 'reply', inReplyTo: source.id, body: renderReply(group, decision, facts, now, options, explain) });
    answered.push(source.id);
  }
  return { effects, answered };
}

export function plan(decision: Decision, facts: PullRequestFacts, view: GitHubView, now: Date, options: PlanOptions): Effect[] {
  if (options.mode === 'check') return [];
  // A closed or merged PR keeps whatever GitHub shows: turning its check green could let a reopened
  // PR merge before it is decided again.
  if (facts.state !== 'open' || facts.merged) return [];

  const effects: Effect[] = [];
  const merging = mergeAssessment(decision, facts, view, options.merge);
  const rendering: RenderOptions =
    merging.needs.length > 0 ? { ...options, githubNeeds: merging.needs.map((n) => describeNeed(n, facts.baseRef)) } : options;

  if (!decision.governed) {
    const checkRun = checkRunEffect(decision, facts, view, now, rendering);
    if (checkRun) effects.push(checkRun);
  } else {
    const remembers = options.keepsRecord !== false;
    const { effects: replies, answered } = remembers ? answers(decision, facts, now, rendering) : { effects: [], answered: [] };
    // Review requests and reminders are recorded first and applied after the record is written: a
    // crash in between loses a step, never repeats one. Observe mode asks nobody and reminds nobody;
    // nothing is recorded as asked either, so switching to enforce asks then.
    const attention = acts(decision) && remembers ? planAttention(decision, facts, now) : { ledger: {}, effects: [] };
    // A refusal of this head stays on record (GitHub keeps none) while the policy still lets it merge.
    const refusal = merging.needs.some((n) => n.kind === 'refused') ? view.base?.refusal : undefined;
    const ledger: Ledger = {
      ...decision.ledger,
      ...attention.ledger,
      answered: [...decision.ledger.answered, ...answered],
      ...(refusal ? { mergeRefusal: refusal } : {}),
    };
    const body = renderStatusComment({ ...decision, ledger }, facts, now, rendering);
    // The status comment is a view, written before the record that names it: the record then holds the
    // digest of the body the gate wrote, so an edit by anyone else shows (find-status-comment.ts).
    const commentId = view.statusComment?.id;
    const comment: Effect[] = !view.statusComment
      ? [{ kind: 'status-comment', body }]
      : view.statusComment.body !== body
        ? [{ kind: 'status-comment', id: view.statusComment.id, body }]
        : [];
    const record: RecordToWrite = { ledger, comment: { ...(commentId !== undefined ? { id: commentId } : {}), sha256: bodyDigest(body) } };
    const checkRun = checkRunEffect(decision, facts, view, now, rendering, record);
    if (view.checkRun) {
      // The record comes after the answers: if it fails, the worst case is an answer given twice, never
      // a command left unanswered.
      effects.push(...replies, ...comment, ...(checkRun ? [checkRun] : []));
    } else {
      // The gate's first check run on this head (the window's trusted clock) goes before any answer: a
      // token that may not write checks (the Action without `checks: write`) is then refused before
      // anyone is answered, and the answers are not given again by a pass that keeps no record.
      effects.push(...comment, ...(checkRun ? [checkRun] : []), ...replies);
    }
    effects.push(...attention.effects);
  }

  if (decision.wakeAt) effects.push({ kind: 'wake', at: decision.wakeAt });

  // The merge step: one place chooses the method and the way (merge, enqueue, update the branch, or
  // wait). Observe mode acts on nothing.
  if (!acts(decision)) return effects;
  const queue = options.queue;
  if (merging.way.kind === 'merge') {
    if (!queue?.required) effects.push({ kind: 'merge', sha: facts.headSha, method: merging.way.method });
    else if (queue.step.kind === 'enqueue' && queue.pullRequestId)
      effects.push({ kind: 'enqueue', pullRequestId: queue.pullRequestId, expectedHeadOid: queue.step.expectedHeadOid });
  } else if (merging.way.kind === 'update-branch') effects.push({ kind: 'update-branch', expectedHeadSha: facts.headSha });
  // A queued PR the gate would no longer merge leaves the queue before anything says so.
  if (queue?.step.kind === 'dequeue' && queue.pullRequestId)
    effects.unshift({ kind: 'dequeue', pullRequestId: queue.pullRequestId, reason: queue.step.reason });
  return effects;
}
