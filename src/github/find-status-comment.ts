// The gate's own status comment among the PR's comments, found by who wrote it (never by a text
// marker alone; see identity.ts for the Action's shared `github-actions[bot]`).
import type { Ledger } from '../core/types.js';
import { readLedger } from '../core/render.js';
import { hasLedgerMarker } from '../core/ledger.js';
import type { RawComment } from './gather-conversation.js';
import { isOwnComment, type GateIdentity } from './identity.js';

export interface StatusComment {
  id: number;
  body: string;
  ledger?: Ledger;
}

/** The oldest status comment that is ours: the first one the gate posted is the one it keeps editing.
 * Identity says the comment is the gate's; the ledger marker tells its status comment from its replies
 * to commands (a reply posted before the status comment, when GitHub failed that write, is not it). */
export function findStatusComment(comments: RawComment[], identity: GateIdentity): StatusComment | undefined {
  const ours = comments
    .filter((c) => isOwnComment(c, identity) && hasLedgerMarker(c.body ?? ''))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id - b.id)[0];
  if (!ours) return undefined;
  const ledger = readLedger(ours.body);
  return { id: ours.id, body: ours.body, ...(ledger ? { ledger } : {}) };
}
