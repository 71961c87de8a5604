// CONTRACT STUB — to be implemented (agent detection, tier and every reason).
import type { Actor, ChangedFile, Classification, PolicyLoad, Tier } from './types.js';

export interface ClassifyInput {
  author: Actor;
  labels: string[];
  headRef: string;
  baseRef: string;
  files: ChangedFile[];
  /** GitHub's `changed_files`; more than files.length means the list was truncated. */
  changedFiles: number;
  additions: number;
  deletions: number;
}

/** A raise of the tier by someone (labels `hitl:<tier>` are read by classify itself). */
export interface Escalation {
  tier: Tier;
  by: string;
  via: 'command' | 'ledger';
}

export function classify(_load: PolicyLoad, _input: ClassifyInput, _escalations: Escalation[] = []): Classification {
  throw new Error('not implemented');
}
