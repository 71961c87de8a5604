// The policy: `.github/hitl.yml` parsed, validated against one JSON Schema, normalised, cached.
export { POLICY_SCHEMA } from './policy/schema.js';
export { parsePolicy, MAX_POLICY_BYTES, type ParsedPolicy } from './policy/parse.js';
export { loadPolicy, policyHash, PolicyLoads, type InvalidPolicyLoad } from './policy/load.js';
export { parseDuration, formatDuration } from './duration.js';
export { KNOWN_AGENTS, KNOWN_TRAILERS, FAIL_CLOSED_AGENTS } from './agents.js';

export const POLICY_PATH = '.github/hitl.yml';
