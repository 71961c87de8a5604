// The gate's record (design.md §4): what it counts as a human decision and what it remembers that GitHub does not
// (vetoes whose comment is gone, clicks, withdrawals, escalations, answered ids, review requests,
// reminders, merge refusals). It travels inside the gate's own `hitl` check run as a hidden HTML
// comment holding base64 JSON: only the App that created a check run can update it, and no API
// deletes one, so nobody but the gate can write it (docs/security.md). The status comment is only a
// view: earlier versions kept this ledger in it, and `readLedger` reads such a comment once, on
// upgrade, where GitHub shows nobody else edited it. Reading is defensive: anything malformed or
// oversized reads as "no record", never as an exception.
import { createHash } from 'node:crypto';
import { hasMarker, hiddenMarker, markerPattern } from './hidden-marker.js';
import { maxTier, TIERS } from './model/tier.js';
import {
  CLICK_ACTIONS,
  type ClickRecord,
  type Ledger,
  type MergeRefusalRecord,
  type NotifiedRecord,
  type RecordNotice,
  type StatusCommentRecord,
  type VetoRecord,
  type WithdrawalRecord,
} from './model/ledger.js';
import { afterMergeRecordFrom, mergeAfterMerge } from './after-merge-read.js';

/** The merge refusal a ledger carries, if any. */
export function mergeRefusalOf(ledger: Ledger | undefined): MergeRefusalRecord | undefined {
  return ledger?.mergeRefusal;
}

const MAX_REFUSAL = 500;

/** The withdrawals a ledger carries. */
export function withdrawalsOf(ledger: Ledger | undefined): WithdrawalRecord[] {
  return ledger?.withdrawals ?? [];
}

const MARKER_RE = markerPattern('ledger');
const RECORD_RE = markerPattern('record');
/** What marks a comment as the gate's status comment (a view; it holds no data). */
export const STATUS_MARKER = '<!-- hitl-gate:status -->';
/** Encoded size the writer aims for: the check run's text must stay under GitHub's 65535 characters. */
export const LEDGER_TARGET_CHARS = 24_000;
/** Encoded size the reader accepts. Above the target because vetoes are never dropped to fit it. */
export const MAX_LEDGER_CHARS = 60_000;
const MAX_REASON = 300;
const MAX_NOTICES = 10;

const byTime =
  <T extends { at: string }>(key: (t: T) => number) =>
  (a: T, b: T): number =>
    Date.parse(a.at) - Date.parse(b.at) || key(a) - key(b);

const encode = (ledger: Ledger & { pr?: number }): string => Buffer.from(JSON.stringify(ledger), 'utf8').toString('base64');

/** Whether a comment is a status comment at all: the view's marker, or an earlier version's ledger
 * (readable or not). Among the gate's own comments this tells the status comment from its replies. */
export function hasLedgerMarker(body: string): boolean {
  return body.includes(STATUS_MARKER) || hasMarker(body, 'ledger');
}

/** The digest the record keeps of the last status comment body the gate wrote. */
export function bodyDigest(body: string): string {
  return createHash('sha256').update(body, 'utf8').digest('hex');
}

/** Whether a comment carries an earlier version's ledger (read once on upgrade, see readLedger). */
export function hasLegacyLedger(body: string): boolean {
  return hasMarker(body, 'ledger');
}

/**
 * The ledger in a stable order (the same ledger always encodes the same), aiming at
 * `LEDGER_TARGET_CHARS`. Vetoes are never dropped (a lost veto is the worst bug); when space runs out
 * the oldest answered ids go first, then veto reasons are shortened.
 */
function fitted(ledger: Ledger, pr?: number): string {
  const withdrawals = withdrawalsOf(ledger);
  const refusal = mergeRefusalOf(ledger);
  let fit: Ledger & { pr?: number } = {
    ...(pr !== undefined ? { pr } : {}),
    vetoes: [...ledger.vetoes]
      .sort(byTime((v) => v.commentId))
      .map((v) => ({ ...v, ...(v.reason !== undefined ? { reason: v.reason.slice(0, MAX_REASON) } : {}) })),
    answered: [...new Set(ledger.answered)].sort((a, b) => a - b),
    ...(ledger.escalation ? { escalation: ledger.escalation } : {}),
    ...(withdrawals.length ? { withdrawals: [...withdrawals].sort(byTime((w) => w.sourceId)) } : {}),
    ...attentionRecords(ledger),
    ...(clicksIn(ledger).length ? { clicks: [...clicksIn(ledger)].sort(byTime((c) => c.id)) } : {}),
    ...(ledger.notified ? { notified: ledger.notified } : {}),
    ...(refusal ? { mergeRefusal: { ...refusal, message: refusal.message.slice(0, MAX_REFUSAL) } } : {}),
    ...(ledger.comment ? { comment: { id: ledger.comment.id, sha256: ledger.comment.sha256 } } : {}),
    ...(ledger.notices?.length ? { notices: [...ledger.notices].sort(byTime((n) => n.commentId)).slice(-MAX_NOTICES) } : {}),
    ...(ledger.afterMerge ? { afterMerge: ledger.afterMerge } : {}),
  };
  let encoded = encode(fit);
  while (encoded.length > LEDGER_TARGET_CHARS && fit.answered.length > 0) {
    const excess = Math.ceil((encoded.length - LEDGER_TARGET_CHARS) / 12) + 1;
    fit = { ...fit, answered: fit.answered.slice(Math.min(excess, fit.answered.length)) };
    encoded = encode(fit);
  }
  if (encoded.length > LEDGER_TARGET_CHARS) {
    fit = { ...fit, vetoes: fit.vetoes.map(({ reason: _reason, ...v }) => v) };
    encoded = encode(fit);
  }
  return encoded;
}

/** The record the gate keeps when it cannot trust or read its earlier one: the PR is held as hard
 * (fail closed) until approvals of its current head, and the notice says why. */
export function heldAsHard(notice: RecordNotice): Ledger {
  return { vetoes: [], answered: [], escalation: 'hard', notices: [notice] };
}

/** An earlier version's ledger marker (kept for tests of the upgrade path). */
export function ledgerMarker(ledger: Ledger): string {
  return hiddenMarker('ledger', fitted(ledger));
}

/** The record as the gate writes it into its check run's text, bound to one pull request. */
export function recordMarker(ledger: Ledger, pr: number): string {
  return hiddenMarker('record', fitted(ledger, pr));
}

/**
 * The record in a check run's text, when it belongs to pull request `pr`, or undefined. A check run
 * sits on a commit, and one commit can be the head of several PRs: a record of another PR is not
 * this one's. Never throws.
 */
export function readRecord(text: string | null | undefined, pr: number): Ledger | undefined {
  if (typeof text !== 'string') return undefined;
  let last: string | undefined;
  for (const m of text.matchAll(RECORD_RE)) last = m[1];
  const data = decoded(last);
  if (!data || data.pr !== pr) return undefined;
  return ledgerFrom(data);
}

/** A check run's text with the record in it: first, so that clipping a long text never cuts it. */
export function withRecord(text: string | null | undefined, ledger: Ledger, pr: number): string {
  const rest = (text ?? '').replace(RECORD_RE, '').replace(/^\n+/, '');
  return rest ? `${recordMarker(ledger, pr)}\n\n${rest}` : recordMarker(ledger, pr);
}

/** The record marker in a check run's text, verbatim (what the plan compares against). */
export function recordMarkerIn(text: string | null | undefined): string | undefined {
  if (typeof text !== 'string') return undefined;
  let last: string | undefined;
  for (const m of text.matchAll(RECORD_RE)) last = m[0];
  return last;
}

function decoded(encoded: string | undefined): Record<string, unknown> | undefined {
  if (encoded === undefined || encoded.length > MAX_LEDGER_CHARS) return undefined;
  try {
    const data: unknown = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
    return isObject(data) ? data : undefined;
  } catch {
    return undefined;
  }
}

const sameVeto = (a: VetoRecord, b: VetoRecord) => a.commentId === b.commentId && a.by.toLowerCase() === b.by.toLowerCase();

/**
 * Two writers' records of one PR, merged: nothing either one holds is lost. Vetoes, withdrawals,
 * clicks, answered ids and notices are united by id; the escalation is the higher; review requests
 * and reminders of the same head are united (of different heads, the later record's head is kept:
 * either only asks again); a merge refusal and chat bookkeeping keep the newer.
 */
export function mergeRecords(a: Ledger | undefined, b: Ledger | undefined): Ledger | undefined {
  if (!a) return b;
  if (!b) return a;
  const union = <T>(xs: T[] | undefined, ys: T[] | undefined, same: (x: T, y: T) => boolean): T[] => {
    const out = [...(xs ?? [])];
    for (const y of ys ?? []) if (!out.some((x) => same(x, y))) out.push(y);
    return out;
  };
  const escalation = a.escalation && b.escalation ? maxTier(a.escalation, b.escalation) : (a.escalation ?? b.escalation);
  const withdrawals = union(a.withdrawals, b.withdrawals, (x, y) => x.sourceId === y.sourceId && x.by.toLowerCase() === y.by.toLowerCase());
  const clicks = union(a.clicks, b.clicks, (x, y) => x.id === y.id && x.by === y.by && x.headSha === y.headSha);
  const notices = union(a.notices, b.notices, (x, y) => x.kind === y.kind && x.commentId === y.commentId && x.at === y.at);
  const requested =
    a.requested && b.requested && a.requested.head === b.requested.head
      ? {
          head: a.requested.head,
          users: [...new Set([...a.requested.users, ...b.requested.users])],
          teams: [...new Set([...a.requested.teams, ...b.requested.teams])],
        }
      : (b.requested ?? a.requested);
  const reminded =
    a.reminded && b.reminded && a.reminded.head === b.reminded.head
      ? { head: a.reminded.head, steps: Math.max(a.reminded.steps, b.reminded.steps) }
      : (b.reminded ?? a.reminded);
  const refusal = [a.mergeRefusal, b.mergeRefusal]
    .filter((r): r is MergeRefusalRecord => r !== undefined)
    .sort((x, y) => y.at.localeCompare(x.at))[0];
  const notified = mergeNotified(a.notified, b.notified);
  const afterMerge = mergeAfterMerge(a.afterMerge, b.afterMerge);
  return {
    vetoes: union(a.vetoes, b.vetoes, sameVeto),
    answered: [...new Set([...a.answered, ...b.answered])],
    ...(escalation ? { escalation } : {}),
    ...(withdrawals.length ? { withdrawals } : {}),
    ...(requested ? { requested } : {}),
    ...(reminded ? { reminded } : {}),
    ...(clicks.length ? { clicks } : {}),
    ...(notified ? { notified } : {}),
    ...(refusal ? { mergeRefusal: refusal } : {}),
    ...((b.comment ?? a.comment) ? { comment: (b.comment ?? a.comment)! } : {}),
    ...(notices.length ? { notices } : {}),
    ...(afterMerge ? { afterMerge } : {}),
  };
}

function mergeNotified(a: NotifiedRecord | undefined, b: NotifiedRecord | undefined): NotifiedRecord | undefined {
  if (!a) return b;
  if (!b) return a;
  const slack =
    a.slack || b.slack ? { ...a.slack, ...b.slack, sent: [...new Set([...(a.slack?.sent ?? []), ...(b.slack?.sent ?? [])])] } : undefined;
  const webhook = a.webhook || b.webhook ? { sent: [...new Set([...(a.webhook?.sent ?? []), ...(b.webhook?.sent ?? [])])] } : undefined;
  return { ...(slack ? { slack } : {}), ...(webhook ? { webhook } : {}) };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function vetoRecord(v: unknown): VetoRecord | undefined {
  if (!isObject(v)) return undefined;
  const { by, at, commentId, reason } = v;
  if (typeof by !== 'string' || by === '' || typeof at !== 'string' || !Number.isFinite(Date.parse(at)) || !isId(commentId))
    return undefined;
  if (reason !== undefined && typeof reason !== 'string') return undefined;
  return { by, at, commentId, ...(reason !== undefined ? { reason } : {}) };
}

function withdrawalRecord(v: unknown): WithdrawalRecord | undefined {
  if (!isObject(v)) return undefined;
  const { by, at, sourceId } = v;
  if (typeof by !== 'string' || by === '' || typeof at !== 'string' || !Number.isFinite(Date.parse(at)) || !isId(sourceId))
    return undefined;
  return { by, at, sourceId };
}

const clicksIn = (ledger: Ledger): ClickRecord[] => ledger.clicks ?? [];

function clickRecord(v: unknown): ClickRecord | undefined {
  if (!isObject(v)) return undefined;
  const { id, by, byType, at, action, headSha, checkRunId } = v;
  if (
    !isId(id) ||
    typeof by !== 'string' ||
    by === '' ||
    typeof byType !== 'string' ||
    typeof at !== 'string' ||
    !Number.isFinite(Date.parse(at))
  )
    return undefined;
  if (
    !(CLICK_ACTIONS as readonly unknown[]).includes(action) ||
    typeof headSha !== 'string' ||
    !/^[0-9a-f]{7,64}$/i.test(headSha) ||
    !isId(checkRunId)
  )
    return undefined;
  return { id, by, byType, at, action: action as ClickRecord['action'], headSha, checkRunId };
}

const keys = (v: unknown): string[] | undefined =>
  Array.isArray(v) && v.every((k) => typeof k === 'string' && k.length <= 40) ? v.slice(0, 50) : undefined;

/** What was sent to chat. A malformed record reads as "nothing sent" rather than losing the ledger:
 * at worst a message is sent again, never is a veto lost. */
function notifiedRecord(v: unknown): NotifiedRecord | undefined {
  if (!isObject(v)) return undefined;
  const out: NotifiedRecord = {};
  if (isObject(v.slack)) {
    const sent = keys(v.slack.sent);
    const { channel, ts } = v.slack;
    if (sent)
      out.slack = {
        sent,
        ...(typeof channel === 'string' ? { channel } : {}),
        ...(typeof ts === 'string' && ts.length <= 40 ? { ts } : {}),
      };
  }
  if (isObject(v.webhook)) {
    const sent = keys(v.webhook.sent);
    if (sent) out.webhook = { sent };
  }
  return out.slack || out.webhook ? out : undefined;
}

function mergeRefusalRecord(v: unknown): MergeRefusalRecord | undefined {
  if (!isObject(v)) return undefined;
  const { sha, message, at } = v;
  if (
    typeof sha !== 'string' ||
    !/^[0-9a-f]{40}$/.test(sha) ||
    typeof message !== 'string' ||
    typeof at !== 'string' ||
    !Number.isFinite(Date.parse(at))
  )
    return undefined;
  return { sha, message: message.slice(0, MAX_REFUSAL), at };
}

/** An earlier version's ledger, read from the gate's status comment (the upgrade path only: a
 * comment is not a record, see docs/security.md), or undefined. Never throws. */
export function readLedger(body: string): Ledger | undefined {
  if (typeof body !== 'string') return undefined;
  let last: string | undefined;
  for (const m of body.matchAll(MARKER_RE)) last = m[1];
  const data = decoded(last);
  return data ? ledgerFrom(data) : undefined;
}

function ledgerFrom(data: Record<string, unknown>): Ledger | undefined {
  if (!Array.isArray(data.vetoes) || !Array.isArray(data.answered)) return undefined;
  const vetoes = data.vetoes.map(vetoRecord);
  if (vetoes.some((v) => v === undefined)) return undefined;
  if (!data.answered.every(isId)) return undefined;
  const escalation = data.escalation;
  if (escalation !== undefined && !(TIERS as readonly unknown[]).includes(escalation)) return undefined;
  if (data.withdrawals !== undefined && !Array.isArray(data.withdrawals)) return undefined;
  const mergeRefusal = mergeRefusalRecord(data.mergeRefusal);
  const withdrawals = (data.withdrawals ?? []).map(withdrawalRecord);
  if (withdrawals.some((w) => w === undefined)) return undefined;
  if (data.clicks !== undefined && !Array.isArray(data.clicks)) return undefined;
  const clicks = (data.clicks ?? []).map(clickRecord);
  if (clicks.some((c) => c === undefined)) return undefined;
  const comment = commentRecord(data.comment);
  const notices = Array.isArray(data.notices) ? data.notices.map(noticeRecord).filter((n): n is RecordNotice => n !== undefined) : [];
  return {
    vetoes: vetoes as VetoRecord[],
    answered: data.answered as number[],
    ...(escalation !== undefined ? { escalation: escalation as Ledger['escalation'] & string } : {}),
    ...(withdrawals.length ? { withdrawals: withdrawals as WithdrawalRecord[] } : {}),
    ...attentionRecords(data),
    ...(clicks.length ? { clicks: clicks as ClickRecord[] } : {}),
    ...(notifiedRecord(data.notified) ? { notified: notifiedRecord(data.notified) } : {}),
    // A malformed refusal is only forgotten: it never makes the gate more permissive.
    ...(mergeRefusal ? { mergeRefusal } : {}),
    ...(comment ? { comment } : {}),
    ...(notices.length ? { notices } : {}),
    ...(afterMergeRecordFrom(data.afterMerge) ? { afterMerge: afterMergeRecordFrom(data.afterMerge) } : {}),
  };
}

function commentRecord(v: unknown): StatusCommentRecord | undefined {
  if (!isObject(v) || !isId(v.id) || typeof v.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(v.sha256)) return undefined;
  return { id: v.id, sha256: v.sha256 };
}

const NOTICE_KINDS: readonly RecordNotice['kind'][] = ['comment-edited', 'comment-deleted', 'legacy-untrusted', 'record-unreadable'];

function noticeRecord(v: unknown): RecordNotice | undefined {
  if (
    !isObject(v) ||
    !NOTICE_KINDS.includes(v.kind as RecordNotice['kind']) ||
    typeof v.at !== 'string' ||
    !Number.isFinite(Date.parse(v.at)) ||
    !isId(v.commentId)
  )
    return undefined;
  const by = typeof v.by === 'string' && v.by.length <= 100 ? { by: v.by } : {};
  const happenedAt = typeof v.happenedAt === 'string' && Number.isFinite(Date.parse(v.happenedAt)) ? { happenedAt: v.happenedAt } : {};
  return { kind: v.kind as RecordNotice['kind'], at: v.at, commentId: v.commentId, ...by, ...happenedAt };
}

/** The review requests and reminder steps done for a head; anything malformed is dropped (at worst a
 * request or a reminder is made again, never a veto lost). */
function attentionRecords(data: Record<string, unknown> | Ledger): Pick<Ledger, 'requested' | 'reminded'> {
  const out: Pick<Ledger, 'requested' | 'reminded'> = {};
  const strings = (v: unknown): v is string[] =>
    Array.isArray(v) && v.length <= 200 && v.every((s) => typeof s === 'string' && s.length <= 200);
  const { requested, reminded } = data as Record<string, unknown>;
  if (isObject(requested) && typeof requested.head === 'string' && strings(requested.users) && strings(requested.teams)) {
    out.requested = { head: requested.head, users: requested.users, teams: requested.teams };
  }
  if (isObject(reminded) && typeof reminded.head === 'string' && isId(reminded.steps))
    out.reminded = { head: reminded.head, steps: reminded.steps };
  return out;
}
