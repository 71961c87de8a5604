// The review after merge as `hitl-gate audit` prints it: from the gate's record alone (only the gate
// can write it), never from the status comment or the label, which anyone can change.
import type { AfterMergeRecord } from './model/after-merge.js';
import type { AuditAfterMerge } from './audit-record.js';

/** `now` decides only whether an item still open is already late. */
export function auditAfterMerge(record: AfterMergeRecord | undefined, now: Date): AuditAfterMerge | null {
  if (!record) return null;
  const due = Date.parse(record.due);
  const closedAt = record.reviewed?.at ?? (record.revert?.number !== undefined ? record.revert.at : undefined);
  const withinSla = closedAt !== undefined ? Date.parse(closedAt) <= due : now.getTime() > due ? false : null;
  return {
    sampled: true,
    why: record.why ?? null,
    due: record.due,
    reviewed_by: record.reviewed?.by ?? null,
    reviewed_at: record.reviewed?.at ?? null,
    within_sla: withinSla,
    concerns: record.concerns.map((c) => ({ by: c.by, at: c.at, reason: c.reason })),
    revert: record.revert
      ? {
          by: record.revert.by,
          at: record.revert.at,
          reason: record.revert.reason ?? null,
          pr: record.revert.number ?? null,
          refused: record.revert.refused ?? null,
        }
      : null,
  };
}
