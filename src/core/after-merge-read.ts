// The review after merge as read back from the gate's record, and two writers' copies merged. Reading is
// defensive like the rest of the record (ledger.ts): anything malformed reads as "no after-merge record",
// never as an exception; a sampled PR whose record is lost is sampled again from the same hash.
import type { AfterMergeActorRecord, AfterMergeConcern, AfterMergeRecord, AfterMergeRevert } from './model/after-merge.js';

const MAX_TEXT = 300;
const MAX_CONCERNS = 20;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isTime = (v: unknown): v is string => typeof v === 'string' && Number.isFinite(Date.parse(v));
const names = (v: unknown): string[] | undefined =>
  Array.isArray(v) && v.length <= 100 && v.every((s) => typeof s === 'string' && s.length <= 200) ? v : undefined;

function actor(v: unknown): AfterMergeActorRecord | undefined {
  if (!isObject(v) || typeof v.by !== 'string' || v.by === '' || v.by.length > 100 || !isTime(v.at) || !isId(v.commentId)) return undefined;
  return { by: v.by, at: v.at, commentId: v.commentId };
}

function concern(v: unknown): AfterMergeConcern | undefined {
  const a = actor(v);
  return a && isObject(v) && typeof v.reason === 'string' ? { ...a, reason: v.reason.slice(0, MAX_TEXT) } : undefined;
}

function revert(v: unknown): AfterMergeRevert | undefined {
  const a = actor(v);
  if (!a || !isObject(v)) return undefined;
  return {
    ...a,
    ...(typeof v.reason === 'string' ? { reason: v.reason.slice(0, MAX_TEXT) } : {}),
    ...(isId(v.number) ? { number: v.number } : {}),
    ...(typeof v.refused === 'string' ? { refused: v.refused.slice(0, MAX_TEXT) } : {}),
  };
}

/** The after-merge record in a decoded record, or undefined. */
export function afterMergeRecordFrom(v: unknown): AfterMergeRecord | undefined {
  if (!isObject(v) || v.sampled !== true || !isTime(v.mergedAt) || !isTime(v.due) || !isObject(v.reviewers)) return undefined;
  const users = names(v.reviewers.users);
  const teams = names(v.reviewers.teams);
  if (!users || !teams) return undefined;
  const reviewed = actor(v.reviewed);
  const concerns = Array.isArray(v.concerns) ? v.concerns.map(concern).filter((c): c is AfterMergeConcern => c !== undefined) : [];
  const reverted = revert(v.revert);
  return {
    sampled: true,
    mergedAt: v.mergedAt,
    due: v.due,
    reviewers: { users, teams },
    ...(reviewed ? { reviewed } : {}),
    ...(typeof v.why === 'string' ? { why: v.why.slice(0, MAX_TEXT) } : {}),
    ...(v.tier === 'fyi' || v.tier === 'soft' || v.tier === 'hard' ? { tier: v.tier } : {}),
    concerns: concerns.slice(-MAX_CONCERNS),
    ...(reverted ? { revert: reverted } : {}),
  };
}

/** Two writers' after-merge records: nothing either holds is lost. The first review and the revert that
 * opened a PR win; concerns are united by comment. */
export function mergeAfterMerge(a: AfterMergeRecord | undefined, b: AfterMergeRecord | undefined): AfterMergeRecord | undefined {
  if (!a) return b;
  if (!b) return a;
  const concerns = [...a.concerns];
  for (const c of b.concerns) if (!concerns.some((x) => x.commentId === c.commentId)) concerns.push(c);
  const reviewed = [a.reviewed, b.reviewed]
    .filter((r): r is AfterMergeActorRecord => r !== undefined)
    .sort((x, y) => x.at.localeCompare(y.at))[0];
  const revert = a.revert?.number !== undefined ? a.revert : b.revert?.number !== undefined ? b.revert : (b.revert ?? a.revert);
  return { ...a, concerns, ...(reviewed ? { reviewed } : {}), ...(revert ? { revert } : {}) };
}
