// CONTRACT STUB — to be implemented (policy loading, validation, defaults, caching).
import type { Policy, PolicyError, PolicyLoad, PolicySource } from './types.js';

export const POLICY_PATH = '.github/hitl.yml';

/** Parse and validate policy text. Errors carry 1-based line and column inside `file`. */
export function parsePolicy(_text: string, _file: string): { policy?: Policy; errors: PolicyError[] } {
  throw new Error('not implemented');
}

/** Load what the shell found at the policy path; cached by content hash so globs compile once. */
export function loadPolicy(_source: PolicySource): PolicyLoad {
  throw new Error('not implemented');
}
