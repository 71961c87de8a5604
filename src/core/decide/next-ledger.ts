// The ledger the decision hands back: what the replay counted, plus what earlier decisions and the
// shell recorded and only they may change. The shell writes it into the gate's check run (ledger.ts).
import type { Ledger, WithdrawalRecord } from '../model/ledger.js';
import { keepAttention } from '../attention.js';
import type { Tier } from '../model/tier.js';
import type { CastVeto } from './replay.js';

export interface LedgerChanges {
  escalation: Tier | undefined;
  /** Every veto cast and not cancelled: overruled ones stay, as a push invalidates the approvals that overruled them. */
  vetoes: readonly CastVeto[];
  withdrawals: readonly WithdrawalRecord[];
  clicks: NonNullable<Ledger['clicks']>;
}

export function nextLedger(previous: Ledger, changes: LedgerChanges): Ledger {
  const kept = previous;
  return {
    vetoes: changes.vetoes.map((v) => v.record),
    answered: previous.answered,
    ...(changes.escalation ? { escalation: changes.escalation } : {}),
    ...(changes.withdrawals.length ? { withdrawals: [...changes.withdrawals] } : {}),
    ...keepAttention(previous),
    ...(changes.clicks.length ? { clicks: changes.clicks } : {}),
    // Chat messages sent so far are the shell's business (notify.ts); the decision only keeps them.
    ...(kept.notified ? { notified: kept.notified } : {}),
    // What the gate noticed about its status comment stays said (the plan renews `comment`).
    ...(kept.notices?.length ? { notices: kept.notices } : {}),
  };
}
