// The gate's own status comment among the PR's comments, found by who wrote it (never by a text
// marker alone; see identity.ts for the Action's shared `github-actions[bot]`).
import type { Ledger } from '../core/types.js';
import { readLedger } from '../core/render.js';
import type { RawComment } from './gather-conversation.js';
import { isOwnComment, type GateIdentity } from './identity.js';

export interface StatusComment {
  id: number;
  body: string;
  ledger?: Ledger;
}

/** The oldest comment that is ours: the first one the gate posted is the one it keeps editing. */
export function findStatusComment(comments: RawComment[], identity: GateIdentity): StatusComment | undefined {
  const ours = comments
    .filter((c) => isOwnComment(c, identity))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id - b.id)[0];
  if (!ours) return undefined;
  const ledger = readLedger(ours.body);
  return { id: ours.id, body: ours.body, ...(ledger ? { ledger } : {}) };
}
