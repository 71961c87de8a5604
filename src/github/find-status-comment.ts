// The gate's own status comment among the PR's comments, found by who wrote it (invariant: never by a
// text marker alone). The Action posts as `github-actions[bot]`, an identity every workflow of the
// repository shares, so there the comment must also carry the gate's ledger.
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
  const sharedIdentity = identity.appId === undefined;
  const ours = comments
    .filter((c) => isOwnComment(c, identity))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id - b.id);
  for (const c of ours) {
    const ledger = readLedger(c.body);
    if (sharedIdentity && ledger === undefined) continue;
    return { id: c.id, body: c.body, ...(ledger ? { ledger } : {}) };
  }
  return undefined;
}
