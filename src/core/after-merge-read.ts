// Reading the review after merge back from the gate's record, and merging two writers' copies. Defensive like the rest of the record:
// anything malformed reads as "no review after merge", never as an exception (at worst a merged PR
// drops off the dashboard; nothing the gate decides before a merge depends on it).
import type { AfterMergeActorRecord, AfterMergeConcern, AfterMergeRecord, AfterMergeRevert } from './after-merge-record.js';

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const isTime = (v: unknown): v is string => typeof v === 'string' && Number.isFinite(Date.parse(v));
const isId = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const text = (v: unknown, max: number): string | undefined => (typeof v === 'string' ? v.slice(0, max) : undefined);
const names = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string' && s.length <= 200).slice(0, 100) : []);

function actor(v: unknown): AfterMergeActorRecord | undefined {
  if (!isObject(v) || typeof v.by !== 'string' || v.by === '' || !isTime(v.at) || !isId(v.commentId)) return undefined;
  return { by: v.by, at: v.at, commentId: v.commentId };
}

function concern(v: unknown): AfterMergeConcern | undefined {
  const a = actor(v);
  return a && isObject(v) ? { ...a, reason: text(v.reason, 300) ?? '' } : undefined;
}

function revert(v: unknown): AfterMergeRevert | undefined {
  const a = actor(v);
  if (!a || !isObject(v)) return undefined;
  const reason = text(v.reason, 300);
  const refused = text(v.refused, 500);
  return { ...a, ...(reason !== undefined ? { reason } : {}), ...(isId(v.number) ? { number: v.number } : {}), ...(refused !== undefined ? { refused } : {}) };
}

export function readAfterMerge(v: unknown): AfterMergeRecord | undefined {
  if (!isObject(v) || v.sampled !== true || !isTime(v.mergedAt) || !isTime(v.due)) return undefined;
  const reviewers = isObject(v.reviewers) ? { users: names(v.reviewers.users), teams: names(v.reviewers.teams) } : { users: [], teams: [] };
  const reviewed = actor(v.reviewed);
  const r = revert(v.revert);
  return {
    sampled: true,
    mergedAt: v.mergedAt,
    due: v.due,
    reviewers,
    ...(reviewed ? { reviewed } : {}),
    concerns: Array.isArray(v.concerns) ? v.concerns.map(concern).filter((c): c is AfterMergeConcern => c !== undefined).slice(0, 50) : [],
    ...(r ? { revert: r } : {}),
  };
}

/** Two copies of one PR's review after merge (two runs on its last head, two writers): nothing either
 * holds is lost. A review or a revert in either stands; concerns are united by comment. */
export function mergeAfterMerge(a: AfterMergeRecord | undefined, b: AfterMergeRecord | undefined): AfterMergeRecord | undefined {
  if (!a) return b;
  if (!b) return a;
  const concerns = [...a.concerns];
  for (const c of b.concerns) if (!concerns.some((x) => x.commentId === c.commentId)) concerns.push(c);
  const reviewed = a.reviewed ?? b.reviewed;
  const revert = a.revert?.number !== undefined ? a.revert : b.revert?.number !== undefined ? b.revert : a.revert ?? b.revert;
  return { ...a, concerns, ...(reviewed ? { reviewed } : {}), ...(revert ? { revert } : {}) };
}
