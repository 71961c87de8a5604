// `.github/hitl.yml` text -> a normalised Policy, or errors positioned at the offending key or value.
// In order: the size; the YAML read as hostile input (hostile-yaml.ts); the JSON Schema (schema.ts)
// run by ajv, its answers put in words (ajv-messages.ts); what a schema cannot say (semantic-checks.ts,
// check-attention.ts); every error positioned (positions.ts); then the defaults ajv filled in
// (useDefaults, from the schema's `default`s) normalised into a Policy (normalise.ts).
import type { ValidateFunction } from 'ajv';
import type { Policy, PolicyError } from '../model/policy.js';
import { describeAjvErrors } from './ajv-messages.js';
import { attentionErrors } from './check-attention.js';
import { readYaml } from './hostile-yaml.js';
import { deepFreeze, normalise, normaliseAgents } from './normalise.js';
import { offsetOf, positioner } from './positions.js';
import { semanticErrors } from './semantic-checks.js';
import { validate as validatePolicy } from './validate-policy.generated.js';
import { isRecord, type Raw } from './raw.js';

/** Policies are small; anything larger is a mistake or an attack. */
export const MAX_POLICY_BYTES = 256 * 1024;

export interface ParsedPolicy {
  policy?: Policy;
  errors: PolicyError[];
  /** The `agents` section when it is valid on its own, even if the rest is not: a broken policy
   * still knows which PRs are agents' (so it can block them) instead of guessing. */
  agents?: Policy['agents'];
}

/** The schema's validator, compiled ahead of time (validator-source.ts): no start-up compile. */
const validate = validatePolicy as unknown as ValidateFunction;

/** More errors than this are one more line saying how many were left out. */
export const MAX_ERRORS = 50;

export function parsePolicy(text: string, file: string): ParsedPolicy {
  let parsed: ParsedPolicy;
  try {
    parsed = parse(text, file);
  } catch (e) {
    // A bug here must block agent PRs with a message, not crash the server (fail closed).
    return { errors: [{ file, line: 1, column: 1, message: `the policy could not be checked: ${(e as Error).message}` }] };
  }
  if (parsed.errors.length <= MAX_ERRORS) return parsed;
  const shown = parsed.errors.slice(0, MAX_ERRORS);
  // Said where the last shown error is, but about no key of its own: no path.
  const { path: _path, ...last } = shown[shown.length - 1] as PolicyError;
  shown.push({ ...last, message: `…and ${parsed.errors.length - MAX_ERRORS} more errors` });
  return { ...parsed, errors: shown };
}

function parse(text: string, file: string): ParsedPolicy {
  const at = positioner(text, file);
  const size = new TextEncoder().encode(text).length;
  if (size > MAX_POLICY_BYTES) {
    return { errors: [at(0, `policy is ${Math.ceil(size / 1024)} KiB; the limit is ${MAX_POLICY_BYTES / 1024} KiB`)] };
  }
  const read = readYaml(text, at);
  if ('errors' in read) return { errors: read.errors };
  const { doc, data } = read;

  const errors: PolicyError[] = [];
  const report = (path: (string | number)[], message: string, atKey = false) => errors.push(at(offsetOf(doc, path, atKey), message, path));
  const wroteAgents = isRecord(data) && isRecord(data.agents);
  if (!validate(data)) {
    for (const e of describeAjvErrors(validate.errors ?? [])) report(e.path, e.message, e.atKey);
  }
  const raw = data as Raw;
  semanticErrors(raw, report);
  attentionErrors(raw, report);
  errors.sort((a, b) => a.line - b.line || a.column - b.column);

  // Who is an agent is known as soon as `agents` itself is sound, whatever else is wrong.
  const agentsValid = !errors.some((e) => e.path?.[0] === 'agents');
  const agents = agentsValid && wroteAgents && isRecord(raw.agents) ? normaliseAgents(raw.agents) : undefined;
  if (errors.length > 0) return agents ? { errors, agents } : { errors };
  return { policy: deepFreeze(normalise(raw)), errors: [] };
}
