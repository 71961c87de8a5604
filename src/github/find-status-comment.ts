// The gate's own status comment among the PR's comments, found by who wrote it (never by a text
// marker alone; see identity.ts for the Action's shared `github-actions[bot]`). The comment is a
// view: anyone with write access can edit or delete it, so nothing the gate decides is read from it
// (docs/security.md). It is compared with the record to notice tampering, and an earlier version's
// ledger in it is read once, on upgrade, only where GitHub shows nobody else edited it.
import type { Ledger, RecordNotice } from '../core/model/ledger.js';
import { bodyDigest, hasLedgerMarker, hasLegacyLedger, readLedger } from '../core/ledger.js';
import { reading } from './errors.js';
import type { RawComment } from './gather-conversation.js';
import { isOwnComment, isSharedIdentity, type GateIdentity } from './identity.js';
import { request, type Session } from './session.js';

export interface StatusComment {
  id: number;
  body: string;
  nodeId?: string;
}

/** The oldest status comment that is ours: the first one the gate posted is the one it keeps editing.
 * Identity says the comment is the gate's; the marker tells its status comment from its replies to
 * commands (a reply posted before the status comment, when GitHub failed that write, is not it). */
export function findStatusComment(comments: RawComment[], identity: GateIdentity): StatusComment | undefined {
  const ours = comments
    .filter((c) => isOwnComment(c, identity) && hasLedgerMarker(c.body ?? ''))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id - b.id)[0];
  if (!ours) return undefined;
  return { id: ours.id, body: ours.body, ...(ours.node_id ? { nodeId: ours.node_id } : {}) };
}

/**
 * The comment the record names as the gate's status comment, even when someone removed its marker
 * (an edit): it is then restored in place rather than taken for deleted. Only where the comment's
 * author proves it is the gate's (its App); under a shared identity the marker is that proof.
 */
export function findNamedComment(comments: RawComment[], id: number | undefined, identity: GateIdentity): StatusComment | undefined {
  if (id === undefined) return undefined;
  const c = comments.find((x) => x.id === id);
  if (!c || isSharedIdentity(identity) || !isOwnComment(c, identity)) return undefined;
  return { id: c.id, body: c.body, ...(c.node_id ? { nodeId: c.node_id } : {}) };
}

interface EditAnswer {
  node?: { lastEditedAt?: string | null; editor?: { login?: string } | null } | null;
}

/** Who last edited a comment and when, as GitHub says (GraphQL: REST does not tell). */
export async function lastEdit(session: Session, nodeId: string): Promise<{ by?: string; at?: string }> {
  return reading('who edited the status comment', async () => {
    const data = await request(session, (c) =>
      c.graphql<EditAnswer>('query($id: ID!) { node(id: $id) { ... on IssueComment { lastEditedAt editor { login } } } }', { id: nodeId }),
    );
    const node = data?.node;
    return { ...(node?.editor?.login ? { by: node.editor.login } : {}), ...(node?.lastEditedAt ? { at: node.lastEditedAt } : {}) };
  });
}

const sameLogin = (a: string, b: string) => a.replace(/\[bot\]$/i, '').toLowerCase() === b.replace(/\[bot\]$/i, '').toLowerCase();

/**
 * What the gate notices about its status comment against its record: edited by someone else (its
 * body is not the one the gate last wrote, and GitHub names another editor), or deleted (the comment
 * the record names is gone). A notice is said once: one already in the record is not repeated.
 */
export async function noticeTampering(
  session: Session,
  record: Ledger | undefined,
  comment: StatusComment | undefined,
  identity: GateIdentity,
): Promise<RecordNotice | undefined> {
  const known = record?.comment;
  if (!known) return undefined;
  const said = (kind: RecordNotice['kind'], id: number) => (record.notices ?? []).some((n) => n.kind === kind && n.commentId === id);
  const at = session.now.toISOString();
  if (!comment || comment.id !== known.id) {
    // The comment the gate wrote last is gone. (Another comment of the gate's may have taken its place:
    // the oldest one found is then the view.)
    return said('comment-deleted', known.id) ? undefined : { kind: 'comment-deleted', at, commentId: known.id };
  }
  if (bodyDigest(comment.body) === known.sha256) return undefined;
  // The body is not the last one the gate recorded. If GitHub says the gate itself edited it last, a
  // write of its record failed after the comment's: not tampering.
  const edit = comment.nodeId ? await lastEdit(session, comment.nodeId) : {};
  if (edit.by && sameLogin(edit.by, identity.login)) return undefined;
  if (said('comment-edited', known.id) && !edit.at) return undefined;
  const notice: RecordNotice = {
    kind: 'comment-edited',
    at,
    commentId: known.id,
    ...(edit.by ? { by: edit.by } : {}),
    ...(edit.at ? { happenedAt: edit.at } : {}),
  };
  const again = (record.notices ?? []).some(
    (n) => n.kind === 'comment-edited' && n.commentId === known.id && n.happenedAt === notice.happenedAt && n.by === notice.by,
  );
  return again ? undefined : notice;
}

/**
 * An earlier version's ledger in the status comment, once, on upgrade: trusted only where GitHub shows
 * the comment was never edited by anyone but the gate. Otherwise the PR fails closed (`untrusted`).
 */
export async function legacyLedger(
  session: Session,
  comment: StatusComment | undefined,
  identity: GateIdentity,
): Promise<{ ledger?: Ledger; untrusted?: RecordNotice }> {
  if (!comment || !hasLegacyLedger(comment.body)) return {};
  const ledger = readLedger(comment.body);
  const edit = comment.nodeId ? await lastEdit(session, comment.nodeId) : undefined;
  const byGate = edit !== undefined && (!edit.at || (edit.by !== undefined && sameLogin(edit.by, identity.login)));
  if (ledger && byGate) return { ledger };
  return {
    untrusted: {
      kind: 'legacy-untrusted',
      at: session.now.toISOString(),
      commentId: comment.id,
      ...(edit?.by ? { by: edit.by } : {}),
      ...(edit?.at ? { happenedAt: edit.at } : {}),
    },
  };
}
