// One-click decisions: the `Approve` and `Veto` actions on the gate's `hitl` check run. GitHub keeps
// no record of a click (it only sends a `check_run.requested_action` webhook), so the shell writes
// each click into the gate's ledger before it counts, and the decision reads clicks from there as
// facts: a click then counts exactly like the command from the person who clicked, replayed among
// the comments and reviews at the time the gate recorded it, and bound to the check run's head.
import type { ClickAction, ClickRecord, Ledger } from './model/ledger.js';
import type { Command, Decision } from './model/decision.js';
import type { TimelineEntry } from './timeline.js';

/** A check-run action as GitHub takes it (at most 3; label <= 20, description <= 40, identifier <= 20). */
export interface CheckRunAction {
  label: string;
  description: string;
  identifier: ClickAction;
}

export const CHECK_RUN_ACTIONS: Record<ClickAction, CheckRunAction> = {
  approve: { label: 'Approve', description: 'Approve this commit (as /approve)', identifier: 'approve' },
  veto: { label: 'Veto', description: 'Hold this PR (as /veto)', identifier: 'veto' },
};

/** Clicks kept per PR: a person clicking again and again must not grow the comment without bound.
 * Vetoes that clicks cast are kept in the ledger's vetoes regardless. */
export const MAX_CLICKS = 50;

/** Click ids are the recording time in milliseconds (bumped past the latest one): about 1.7e12, far
 * above GitHub's comment and review ids (about 3e9), so they share the `answered` list and the veto
 * records' `commentId` without colliding. */
export function nextClickId(clicks: readonly ClickRecord[], nowMs: number): number {
  const last = clicks.reduce((max, c) => Math.max(max, c.id), 0);
  return Math.max(Math.floor(nowMs), last + 1);
}

export function clicksOf(ledger: Ledger | undefined): ClickRecord[] {
  return ledger?.clicks ?? [];
}

/**
 * The clicks worth keeping for a head: every click on it, and clicks on other heads until they have
 * been answered (a click on an old head counts for nothing, but its author is told once). Beyond
 * `MAX_CLICKS`, the oldest answered ones go first; unanswered ones are never dropped.
 */
export function keptClicks(ledger: Ledger | undefined, headSha: string): ClickRecord[] {
  const answered = new Set(ledger?.answered ?? []);
  const kept = clicksOf(ledger).filter((c) => c.headSha === headSha || !answered.has(c.id));
  let excess = kept.length - MAX_CLICKS;
  if (excess <= 0) return kept;
  return kept.filter((c) => {
    if (excess > 0 && answered.has(c.id)) {
      excess -= 1;
      return false;
    }
    return true;
  });
}

/** The kept clicks as timeline entries: the command each one stands for, bound to its check's head. */
export function clickEntries(clicks: readonly ClickRecord[]): TimelineEntry[] {
  return clicks.map((c) => {
    const atMs = Date.parse(c.at);
    const command: Command = { kind: c.action };
    return {
      source: { type: 'click', id: c.id },
      actor: { login: c.by, type: c.byType },
      at: c.at,
      atMs: Number.isFinite(atMs) ? atMs : undefined,
      command,
      edited: false,
      unverifiable: false,
      commitId: c.headSha,
    };
  });
}

/** Timeline entries of comments and reviews with the clicks merged in, oldest first (stable). */
export function withClicks(entries: TimelineEntry[], clicks: readonly ClickRecord[]): TimelineEntry[] {
  if (clicks.length === 0) return entries;
  return [...entries, ...clickEntries(clicks)]
    .map((e, i) => ({ e, i }))
    .sort((a, b) => (a.e.atMs ?? Number.POSITIVE_INFINITY) - (b.e.atMs ?? Number.POSITIVE_INFINITY) || a.i - b.i)
    .map(({ e }) => e);
}

/** Lower-case logins of people who clicked, whose authorization the shell must look up (bots and the
 * PR author are refused whoever they are). */
export function clickAuthors(facts: { author: { login: string }; ledger?: Ledger; headSha: string }): string[] {
  const author = facts.author.login.toLowerCase();
  const logins = new Set<string>();
  for (const c of keptClicks(facts.ledger, facts.headSha)) {
    const login = c.by.toLowerCase();
    if (login !== author && c.byType !== 'Bot' && !login.endsWith('[bot]')) logins.add(login);
  }
  return [...logins];
}

/**
 * The actions the `hitl` check run offers for a decision: `Approve` on a hard PR that waits only for
 * approvals, `Veto` on a soft PR inside its window and on any hard PR still open to a decision.
 */
export function checkRunActions(decision: Decision): CheckRunAction[] {
  if (!decision.governed || decision.policy.kind !== 'ok') return [];
  const actions: CheckRunAction[] = [];
  if (decision.tier === 'hard') {
    const waitsForApprovals =
      decision.state === 'blocked' && decision.vetoes.length === 0 && decision.approvals.length < decision.approvalsRequired;
    if (waitsForApprovals) actions.push(CHECK_RUN_ACTIONS.approve);
    actions.push(CHECK_RUN_ACTIONS.veto);
  } else if (decision.tier === 'soft' && decision.state === 'waiting' && decision.window) {
    actions.push(CHECK_RUN_ACTIONS.veto);
  }
  return actions;
}

/** Whether a ledger record's id belongs to a click (for texts that name a veto's source). */
export function isClickId(ledger: Ledger | undefined, id: number): boolean {
  return clicksOf(ledger).some((c) => c.id === id);
}
