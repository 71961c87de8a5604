// The simulator held to GitHub's published contracts while the test suite runs: every REST answer it
// serves against the response schema of `@octokit/openapi` for that route and status, every webhook it
// sends against `@octokit/webhooks-schemas`, every GraphQL answer against `@octokit/graphql-schema`
// (merge-queue.ts executes queries on that schema; a value it cannot represent is an error with a path).
//
// The simulator runs inside the test's own process, and a violation is found in its server, far from
// any `expect`: it is recorded here, and the suite's setup (contract-setup.ts) fails the test during
// which it was recorded, naming the route and the field. Off unless enabled (the demo and the
// benchmark do not pay for it); each schema is compiled once, on first use.
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import { responseErrors, webhookErrors } from './openapi.js';
import { cachedValidator, type Compiled } from './schema-cache.js';

export interface ContractViolation {
  /** `REST GET /repos/{owner}/{repo}/pulls/{pull_number} 200`, `webhook pull_request.opened`, `GraphQL hitlMergeQueue`. */
  source: string;
  /** What is wrong, field by field (JSON pointers into the body). */
  errors: string[];
}

let enabled = false;
const violations: ContractViolation[] = [];
/** Checks not run yet: validating (and, the first time, compiling a schema) inside the server would
 * hold up its answers and deliveries; they run when the test asks for the violations. */
const pending: (() => void)[] = [];

/** Turn the checks on for this process (the test suite's setup does). */
export function enableContractChecks(): void {
  enabled = true;
}

export function contractChecksEnabled(): boolean {
  return enabled;
}

/** The violations recorded since the last call, which it clears. */
export function takeContractViolations(): ContractViolation[] {
  for (const check of pending.splice(0, pending.length)) check();
  return violations.splice(0, violations.length);
}

export function describeViolations(found: readonly ContractViolation[]): string {
  return (
    found
      .slice(0, 10)
      .map((v) => `${v.source}: ${v.errors.slice(0, 5).join('; ')}`)
      .join('\n') + (found.length > 10 ? `\n… and ${found.length - 10} more` : '')
  );
}

function record(source: string, errors: string[]): void {
  if (errors.length > 0) violations.push({ source, errors });
}

/**
 * A REST answer the simulator served. Error answers are checked when GitHub documents that status for
 * the route (its description does not list every error GitHub sends); success answers always, and one
 * GitHub does not document is itself a violation. Injected faults and 304s carry no body to judge.
 */
export function checkRestAnswer(method: string, template: string, status: number, json: string): void {
  if (!enabled || status === 304 || status >= 500) return;
  const source = `REST ${method} ${template} ${status}`;
  pending.push(() => {
    try {
      record(source, responseErrors(method, template, status, json === '' ? undefined : JSON.parse(json)));
    } catch (error) {
      if (status < 400) record(source, [String((error as Error).message)]);
    }
  });
}

// --- webhooks ---------------------------------------------------------------------------------------

/**
 * The community schemas close every object (`additionalProperties: false`) and lag behind GitHub, which
 * keeps adding fields (`user_view_type`, in GitHub's own OpenAPI description of the same payloads): a
 * field more is no broken promise, so objects are opened. Required fields, types and enums still hold.
 */
function openObjects(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(openObjects);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) if (!(k === 'additionalProperties' && v === false)) out[k] = openObjects(v);
  return out;
}

let webhookAjv: Ajv | undefined;
const webhookValidators = new Map<string, Compiled>();

function webhookValidator(event: string, action: string | undefined): Compiled {
  const key = action ? `${event}$${action}` : event;
  let v = webhookValidators.get(key);
  if (v) return v;
  v = cachedValidator(`webhooks-schemas ${key}`, () => {
    const schema = createRequire(import.meta.url)('@octokit/webhooks-schemas') as { definitions: Record<string, unknown> };
    if (!webhookAjv) {
      // Formats (date-time, uri) are GitHub's to judge; the shapes and enums are what the gate reads.
      webhookAjv = new Ajv({ strict: false, validateFormats: false, allErrors: true, validateSchema: false, code: { source: true } });
      webhookAjv.addSchema(openObjects(schema) as object, 'webhooks');
    }
    // An event without actions (`status`) is defined as `<event>$event`.
    const name = key in schema.definitions ? key : !action && `${event}$event` in schema.definitions ? `${event}$event` : undefined;
    return {
      ajv: webhookAjv,
      compiled: name ? webhookAjv.compile({ $ref: `webhooks#/definitions/${name}` }) : { none: 'no schema for this event' },
    };
  });
  webhookValidators.set(key, v);
  return v;
}

/** A webhook the simulator sends, against `@octokit/webhooks-schemas` and GitHub's OpenAPI `x-webhooks`:
 * an event or action either does not know is a violation too. */
export function checkWebhook(event: string, action: string | undefined, payload: unknown): void {
  if (!enabled) return;
  // As sent: a later change to the object (a test, a redelivery) is not what GitHub promised about.
  const sent = structuredClone(payload);
  pending.push(() => checkWebhookNow(event, action, sent));
}

function checkWebhookNow(event: string, action: string | undefined, payload: unknown): void {
  const source = `webhook ${event}${action ? `.${action}` : ''}`;
  const v = webhookValidator(event, action);
  if (typeof v !== 'function') record(`${source} (@octokit/webhooks-schemas)`, [v.none]);
  else if (!v(payload))
    record(
      `${source} (@octokit/webhooks-schemas)`,
      (v.errors ?? []).slice(0, 10).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`),
    );
  try {
    record(`${source} (OpenAPI x-webhooks)`, webhookErrors(event, action, payload));
  } catch (error) {
    record(`${source} (OpenAPI x-webhooks)`, [String((error as Error).message)]);
  }
}

// --- GraphQL ----------------------------------------------------------------------------------------

/** An answer GraphQL execution had to patch: a field the simulator could not give as the schema types
 * it (a null for a non-null field, a value an enum or scalar cannot represent). Errors the simulator
 * raises on purpose, as GitHub would (not found, unprocessable), are not violations. */
export function checkGraphqlAnswer(
  operation: string,
  errors: readonly { path?: readonly (string | number)[]; message: string; deliberate: boolean }[],
): void {
  if (!enabled) return;
  record(
    `GraphQL ${operation}`,
    errors.filter((e) => e.path && !e.deliberate).map((e) => `/${e.path!.join('/')} ${e.message}`),
  );
}
