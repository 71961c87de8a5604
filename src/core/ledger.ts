// The ledger travels inside the gate's own status comment as a hidden HTML comment holding base64
// JSON: the alphabet of base64 cannot close the HTML comment, so no text around it can break it.
// Reading is defensive: anything malformed or oversized reads as "no ledger", never as an exception.
import type { Ledger, VetoRecord } from './types.js';
import { TIERS } from './types.js';
import { CLICK_ACTIONS, type ClickRecord } from './clicks.js';
import type { NotifiedRecord } from './notify.js';

/** Something that withdrew a person's earlier approvals: an `/approve cancel`, a change request, an
 * edited comment. Kept so that deleting that comment or dismissing that review (which anyone with
 * write access can do, an agent too) never brings an approval back. */
export interface WithdrawalRecord {
  by: string;
  at: string;
  sourceId: number;
}

/** The ledger as the gate writes it: the shared `Ledger` plus what only the decision reads. */
export interface GateLedger extends Ledger {
  withdrawals?: WithdrawalRecord[];
  /** One-click decisions on the check run (clicks.ts), recorded before they count. */
  clicks?: ClickRecord[];
  /** Chat messages already sent, and the PR's Slack thread (notify.ts). */
  notified?: NotifiedRecord;
  /** The last merge GitHub refused for a reason waiting will not fix, with its head: GitHub keeps no
   * record of a refused merge, and asking again on every look would cost a write to learn nothing. */
  mergeRefusal?: MergeRefusalRecord;
}

export interface MergeRefusalRecord {
  sha: string;
  message: string;
  at: string;
}

/** The merge refusal a ledger carries, if any. */
export function mergeRefusalOf(ledger: Ledger | undefined): MergeRefusalRecord | undefined {
  return (ledger as GateLedger | undefined)?.mergeRefusal;
}

const MAX_REFUSAL = 500;

/** The withdrawals a ledger read back from a status comment carries (none for a plain `Ledger`). */
export function withdrawalsOf(ledger: Ledger | undefined): WithdrawalRecord[] {
  return (ledger as GateLedger | undefined)?.withdrawals ?? [];
}

const MARKER = 'hitl-gate:ledger v1';
const MARKER_RE = /<!-- hitl-gate:ledger v1 ([A-Za-z0-9+/=]*) -->/g;
/** Encoded size the writer aims for: the comment must stay under GitHub's 65536 characters. */
export const LEDGER_TARGET_CHARS = 24_000;
/** Encoded size the reader accepts. Above the target because vetoes are never dropped to fit it. */
export const MAX_LEDGER_CHARS = 60_000;
const MAX_REASON = 300;

const byTime = <T extends { at: string }>(key: (t: T) => number) => (a: T, b: T): number => Date.parse(a.at) - Date.parse(b.at) || key(a) - key(b);

const encode = (ledger: GateLedger): string => Buffer.from(JSON.stringify(ledger), 'utf8').toString('base64');

/**
 * The marker for a ledger, aiming at `LEDGER_TARGET_CHARS`. Vetoes are never dropped (a lost veto is the
 * worst bug); when space runs out the oldest answered ids go first, then veto reasons are shortened.
 */
/** Whether a comment is a status comment at all (it carries a ledger marker, readable or not). Among
 * the gate's own comments this tells the status comment from its replies. */
export function hasLedgerMarker(body: string): boolean {
  return body.includes(`<!-- ${MARKER} `);
}

export function ledgerMarker(ledger: Ledger): string {
  const withdrawals = withdrawalsOf(ledger);
  const refusal = mergeRefusalOf(ledger);
  let fitted: GateLedger = {
    // A stable order, so that the same ledger always renders the same comment (no needless edits).
    vetoes: [...ledger.vetoes].sort(byTime((v) => v.commentId)).map((v) => ({ ...v, ...(v.reason !== undefined ? { reason: v.reason.slice(0, MAX_REASON) } : {}) })),
    answered: [...new Set(ledger.answered)].sort((a, b) => a - b),
    ...(ledger.escalation ? { escalation: ledger.escalation } : {}),
    ...(withdrawals.length ? { withdrawals: [...withdrawals].sort(byTime((w) => w.sourceId)) } : {}),
    ...attentionRecords(ledger),
    ...(clicksIn(ledger).length ? { clicks: [...clicksIn(ledger)].sort(byTime((c) => c.id)) } : {}),
    ...((ledger as GateLedger).notified ? { notified: (ledger as GateLedger).notified } : {}),
    ...(refusal ? { mergeRefusal: { ...refusal, message: refusal.message.slice(0, MAX_REFUSAL) } } : {}),
  };
  let encoded = encode(fitted);
  while (encoded.length > LEDGER_TARGET_CHARS && fitted.answered.length > 0) {
    const excess = Math.ceil((encoded.length - LEDGER_TARGET_CHARS) / 12) + 1;
    fitted = { ...fitted, answered: fitted.answered.slice(Math.min(excess, fitted.answered.length)) };
    encoded = encode(fitted);
  }
  if (encoded.length > LEDGER_TARGET_CHARS) {
    fitted = { ...fitted, vetoes: fitted.vetoes.map(({ reason: _reason, ...v }) => v) };
    encoded = encode(fitted);
  }
  return `<!-- ${MARKER} ${encoded} -->`;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function vetoRecord(v: unknown): VetoRecord | undefined {
  if (!isObject(v)) return undefined;
  const { by, at, commentId, reason } = v;
  if (typeof by !== 'string' || by === '' || typeof at !== 'string' || !Number.isFinite(Date.parse(at)) || !isId(commentId)) return undefined;
  if (reason !== undefined && typeof reason !== 'string') return undefined;
  return { by, at, commentId, ...(reason !== undefined ? { reason } : {}) };
}

function withdrawalRecord(v: unknown): WithdrawalRecord | undefined {
  if (!isObject(v)) return undefined;
  const { by, at, sourceId } = v;
  if (typeof by !== 'string' || by === '' || typeof at !== 'string' || !Number.isFinite(Date.parse(at)) || !isId(sourceId)) return undefined;
  return { by, at, sourceId };
}

const clicksIn = (ledger: Ledger): ClickRecord[] => (ledger as GateLedger).clicks ?? [];

function clickRecord(v: unknown): ClickRecord | undefined {
  if (!isObject(v)) return undefined;
  const { id, by, byType, at, action, headSha, checkRunId } = v;
  if (!isId(id) || typeof by !== 'string' || by === '' || typeof byType !== 'string' || typeof at !== 'string' || !Number.isFinite(Date.parse(at))) return undefined;
  if (!(CLICK_ACTIONS as readonly unknown[]).includes(action) || typeof headSha !== 'string' || !/^[0-9a-f]{7,64}$/i.test(headSha) || !isId(checkRunId)) return undefined;
  return { id, by, byType, at, action: action as ClickRecord['action'], headSha, checkRunId };
}

const keys = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((k) => typeof k === 'string' && k.length <= 40) ? v.slice(0, 50) : undefined);

/** What was sent to chat. A malformed record reads as "nothing sent" rather than losing the ledger:
 * at worst a message is sent again, never is a veto lost. */
function notifiedRecord(v: unknown): NotifiedRecord | undefined {
  if (!isObject(v)) return undefined;
  const out: NotifiedRecord = {};
  if (isObject(v.slack)) {
    const sent = keys(v.slack.sent);
    const { channel, ts } = v.slack;
    if (sent) out.slack = { sent, ...(typeof channel === 'string' ? { channel } : {}), ...(typeof ts === 'string' && ts.length <= 40 ? { ts } : {}) };
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
  if (typeof sha !== 'string' || !/^[0-9a-f]{40}$/.test(sha) || typeof message !== 'string' || typeof at !== 'string' || !Number.isFinite(Date.parse(at))) return undefined;
  return { sha, message: message.slice(0, MAX_REFUSAL), at };
}

/** The ledger the gate wrote into its own status comment, or undefined. Never throws. */
export function readLedger(body: string): GateLedger | undefined {
  if (typeof body !== 'string') return undefined;
  let last: string | undefined;
  for (const m of body.matchAll(MARKER_RE)) last = m[1];
  if (last === undefined || last.length > MAX_LEDGER_CHARS) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(Buffer.from(last, 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isObject(data) || !Array.isArray(data.vetoes) || !Array.isArray(data.answered)) return undefined;
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
  };
}

/** The review requests and reminder steps done for a head; anything malformed is dropped (at worst a
 * request or a reminder is made again, never a veto lost). */
function attentionRecords(data: Record<string, unknown> | Ledger): Pick<Ledger, 'requested' | 'reminded'> {
  const out: Pick<Ledger, 'requested' | 'reminded'> = {};
  const strings = (v: unknown): v is string[] => Array.isArray(v) && v.length <= 200 && v.every((s) => typeof s === 'string' && s.length <= 200);
  const { requested, reminded } = data as Record<string, unknown>;
  if (isObject(requested) && typeof requested.head === 'string' && strings(requested.users) && strings(requested.teams)) {
    out.requested = { head: requested.head, users: requested.users, teams: requested.teams };
  }
  if (isObject(reminded) && typeof reminded.head === 'string' && isId(reminded.steps)) out.reminded = { head: reminded.head, steps: reminded.steps };
  return out;
}
