// The command timeline replayed, oldest first, against the ledger: who approved which commit, which
// vetoes were cast and withdrawn, and the verdict on every command. What only the ledger remembers
// (vetoes and withdrawals whose comment was since edited, deleted or dismissed) is replayed at the
// moment it happened, among the live entries, so the same facts always give the same answer.
import { standing } from '../authorize.js';
import { withdrawalsOf } from '../ledger.js';
import type { WithdrawalRecord } from '../model/ledger.js';
import { parseTime } from '../time.js';
import type { TimelineEntry } from '../timeline.js';
import type { Approval, CommandVerdict } from '../model/decision.js';
import type { Ledger, VetoRecord } from '../model/ledger.js';
import type { Policy } from '../model/policy.js';
import type { PullRequestFacts } from '../model/pull-request.js';
import { judge, refused, validForHead, verdictBase } from './verdicts.js';
import { notMergedMessage } from '../after-merge-parse.js';

/** A veto reason is the vetoer's words, but it is kept in the ledger: bound its size. */
const MAX_REASON = 300;

/** `bound`: given on the current head (only those can overrule a veto, whatever the policy says). */
export type CountedApproval = Approval & { atMs: number; bound: boolean };

export interface CastVeto {
  record: VetoRecord;
  login: string;
  atMs: number | undefined;
}

export interface ReplayInput {
  entries: readonly TimelineEntry[];
  facts: PullRequestFacts;
  policy: Policy | undefined;
  previous: Ledger;
  /** Whether approvals bind to the commit they were given on (see bindsApprovals). */
  binds: boolean;
  /** Verdicts already given (the escalations): kept, and those entries skipped. */
  verdicts: ReadonlyMap<TimelineEntry, CommandVerdict>;
}

export interface Replayed {
  /** One per person: the latest, except that one of the current head is never displaced. */
  approvals: CountedApproval[];
  /** Every veto cast and not cancelled, overruled or not. */
  vetoes: CastVeto[];
  withdrawals: WithdrawalRecord[];
  verdicts: Map<TimelineEntry, CommandVerdict>;
}

export function replayCommands({ entries, facts, policy, previous, binds, verdicts: given }: ReplayInput): Replayed {
  const headSeenMs = parseTime(facts.headSeenAt);
  const verdicts = new Map(given);
  const approvals = new Map<string, CountedApproval>();
  const everApproved = new Set<string>();
  const vetoes = new Map<number, CastVeto>();
  const withdrawals = new Map<string, WithdrawalRecord>();
  const withdraw = (record: WithdrawalRecord, keep: boolean) => {
    const login = record.by.toLowerCase();
    if (keep || everApproved.has(login)) withdrawals.set(`${record.sourceId}:${login}`, record);
    approvals.delete(login);
  };
  const ledgerQueue = [
    ...previous.vetoes.map((veto) => ({ atMs: parseTime(veto.at), id: veto.commentId, veto })),
    ...withdrawalsOf(facts.ledger).map((withdrawal) => ({ atMs: parseTime(withdrawal.at), id: withdrawal.sourceId, withdrawal })),
  ].sort((a, b) => (a.atMs ?? Infinity) - (b.atMs ?? Infinity) || a.id - b.id);
  const flushLedger = (upTo: TimelineEntry | undefined) => {
    while (ledgerQueue.length) {
      const next = ledgerQueue[0]!;
      if (upTo) {
        const a = next.atMs ?? Infinity;
        const b = upTo.atMs ?? Infinity;
        if (a > b || (a === b && next.id > upTo.source.id)) return;
      }
      ledgerQueue.shift();
      if ('withdrawal' in next) withdraw(next.withdrawal, true);
      else if (!vetoes.has(next.id)) vetoes.set(next.id, { record: next.veto, login: next.veto.by.toLowerCase(), atMs: next.atMs });
    }
  };

  for (const e of entries) {
    flushLedger(e);
    const command = e.command;
    const login = e.actor.login.toLowerCase();
    const asWithdrawal = (): WithdrawalRecord => ({ by: e.actor.login, at: e.at, sourceId: e.source.id });
    if (command.kind === 'withdraw') {
      // Requesting changes, or a comment edited since (it may have said `/approve cancel`).
      withdraw(asWithdrawal(), false);
      continue;
    }
    if (command.kind === 'escalate') continue; // decided before (escalations.ts)
    if (command.kind === 'explain') {
      verdicts.set(e, { ...verdictBase(e, command), accepted: true });
      continue;
    }
    if (command.kind === 'after-merge') {
      // Answered on a merged PR (after-merge-commands.ts); on an open one they decide nothing.
      verdicts.set(e, refused(e, command, 'not-after-merge', notMergedMessage(command)));
      continue;
    }
    if (command.kind === 'unrecognized') {
      const message = `hitl-gate does not know this command: did you mean \`${command.suggestion}\`? A command must be alone on its line.`;
      verdicts.set(e, { ...verdictBase(e, command), accepted: false, refusal: 'unknown-command', message });
      continue;
    }
    const who = standing(e.actor, facts, policy);
    const verdict = judge(e, command, who, {
      valid: () => validForHead(e, binds, headSeenMs, facts.headSha),
      hasApproved: () => everApproved.has(login),
      hasVetoed: () => [...vetoes.values()].some((v) => v.login === login),
    });
    verdicts.set(e, verdict);
    if (command.kind === 'approve' && who.kind === 'reviewer') everApproved.add(login);
    if (!verdict.accepted) continue;
    if (command.kind === 'approve') {
      const bound = validForHead(e, true, headSeenMs, facts.headSha);
      // One approval per person: the latest, except that an approval of an older commit never
      // displaces one of the current head (approvals do not cancel each other; withdrawals do).
      if (bound || !approvals.get(login)?.bound) {
        approvals.set(login, { by: e.actor.login, at: e.at, via: e.source.type, sourceId: e.source.id, atMs: e.atMs ?? 0, bound });
      }
    } else if (command.kind === 'approve-cancel') {
      withdraw(asWithdrawal(), false);
    } else if (command.kind === 'veto') {
      const existing = vetoes.get(e.source.id);
      const reason = command.reason?.slice(0, MAX_REASON);
      const record: VetoRecord = existing?.record ?? { by: e.actor.login, at: e.at, commentId: e.source.id, ...(reason ? { reason } : {}) };
      // Every counted veto goes to the ledger, also one counted only because a lookup failed: once
      // counted, editing or deleting its comment must not lift it.
      vetoes.set(e.source.id, { record, login, atMs: e.atMs });
    } else if (command.kind === 'veto-cancel') {
      // Every earlier veto of this person, including ones only the ledger remembers.
      for (const [id, v] of vetoes) if (v.login === login) vetoes.delete(id);
    }
  }
  flushLedger(undefined);
  return { approvals: [...approvals.values()], vetoes: [...vetoes.values()], withdrawals: [...withdrawals.values()], verdicts };
}
