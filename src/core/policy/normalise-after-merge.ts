// Normalisation of `after_merge` (the data is valid; ajv filled the defaults).
import type { AfterMergePolicy } from '../model/after-merge.js';
import { parseDuration } from '../duration.js';

type Raw = Record<string, unknown>;
const isRecord = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);

export function normaliseAfterMerge(raw: unknown): AfterMergePolicy | undefined {
  if (!isRecord(raw)) return undefined;
  const sample = isRecord(raw.sample) ? raw.sample : {};
  return {
    sample: { fyi: typeof sample.fyi === 'number' ? sample.fyi : 0, soft: typeof sample.soft === 'number' ? sample.soft : 0 },
    ...(typeof raw.always_above === 'number' ? { alwaysAbove: raw.always_above } : {}),
    withinMs: parseDuration(typeof raw.within === 'string' ? raw.within : '3d') as number,
    ...(isRecord(raw.reviewers) ? { reviewers: { users: strings(raw.reviewers.users), teams: strings(raw.reviewers.teams) } } : {}),
    dashboard: raw.dashboard !== false,
  };
}
