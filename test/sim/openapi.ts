// Validation of the simulator's answers and webhook payloads against GitHub's official OpenAPI
// description, so that the simulator cannot drift into a toy that only our own code understands.
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';

interface Operation {
  responses?: Record<string, { $ref?: string; content?: Record<string, { schema?: unknown }> }>;
  requestBody?: { content?: Record<string, { schema?: unknown }> };
}
interface Spec {
  paths: Record<string, Record<string, Operation>>;
  'x-webhooks': Record<string, Record<string, Operation>>;
  components: Record<string, Record<string, unknown>>;
}

let cached: { spec: Spec; ajv: Ajv } | undefined;

function load(): { spec: Spec; ajv: Ajv } {
  if (cached) return cached;
  const spec = createRequire(import.meta.url)('@octokit/openapi/generated/api.github.com.json') as Spec;
  // OpenAPI 3.0 schemas: unknown keywords (example, x-github...) and formats are not ours to judge.
  const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true, validateSchema: false });
  ajv.addSchema({ components: toJsonSchema(spec.components, false) }, 'gh');
  cached = { spec, ajv };
  return cached;
}

/** OpenAPI 3.0 to JSON Schema: `#/components/...` becomes `gh#/components/...` (when `rebaseRefs`) and
 * `nullable: true` becomes an explicit null type, since ajv's own `nullable` neither admits null into an
 * `enum` nor works without a `type`. */
function toJsonSchema(node: unknown, rebaseRefs: boolean): unknown {
  if (Array.isArray(node)) return node.map((n) => toJsonSchema(n, rebaseRefs));
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === '$ref' && typeof v === 'string' && rebaseRefs && v.startsWith('#/') ? `gh${v}` : toJsonSchema(v, rebaseRefs);
  if (out.nullable !== true) return out;
  delete out.nullable;
  if (typeof out.type === 'string' && !out.$ref) {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...(out.enum as unknown[]), null];
    return out;
  }
  return { anyOf: [out, { type: 'null' }] };
}

function rebase(node: unknown): unknown {
  return toJsonSchema(node, true);
}

function deref<T>(spec: Spec, node: T & { $ref?: string }): T {
  if (!node.$ref) return node;
  const parts = node.$ref.replace(/^#\//, '').split('/');
  let cur: unknown = spec;
  for (const p of parts) cur = (cur as Record<string, unknown>)[p.replace(/~1/g, '/').replace(/~0/g, '~')];
  return cur as T;
}

const validators = new Map<string, ValidateFunction>();

function compile(key: string, schema: unknown): ValidateFunction {
  let v = validators.get(key);
  if (!v) {
    v = load().ajv.compile(rebase(schema) as object);
    validators.set(key, v);
  }
  return v;
}

function format(v: ValidateFunction): string[] {
  return (v.errors ?? []).slice(0, 10).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

/** Errors of a REST response body against the documented schema; throws when GitHub documents no such answer. */
export function responseErrors(method: string, template: string, status: number, body: unknown): string[] {
  const { spec } = load();
  const op = spec.paths[template]?.[method.toLowerCase()];
  if (!op) throw new Error(`GitHub documents no ${method} ${template}`);
  const response = op.responses?.[String(status)];
  if (!response) throw new Error(`GitHub documents no ${status} answer to ${method} ${template}`);
  const schema = deref(spec, response).content?.['application/json']?.schema;
  // Error answers often document no body; GitHub still sends { message, documentation_url }.
  if (!schema) return body === undefined || body === '' || status >= 400 ? [] : [`GitHub documents no body for ${status}`];
  const v = compile(`${method} ${template} ${status}`, schema);
  return v(body) ? [] : format(v);
}

/** Errors of a webhook payload against the documented schema of `event` / `action`. */
export function webhookErrors(event: string, action: string | undefined, payload: unknown): string[] {
  const { spec } = load();
  const key = `${event.replace(/_/g, '-')}${action ? `-${action.replace(/_/g, '-')}` : ''}`;
  const schema = spec['x-webhooks'][key]?.post?.requestBody?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`GitHub documents no webhook ${key}`);
  const v = compile(`webhook ${key}`, schema);
  return v(payload) ? [] : format(v);
}

/** Errors of a request body the product sends, against the documented request schema. */
export function requestErrors(method: string, template: string, body: unknown): string[] {
  const { spec } = load();
  const op = spec.paths[template]?.[method.toLowerCase()];
  if (!op) throw new Error(`GitHub documents no ${method} ${template}`);
  const schema = op.requestBody?.content?.['application/json']?.schema;
  if (!schema) return body === undefined ? [] : [`GitHub documents no body for ${method} ${template}`];
  const v = compile(`request ${method} ${template}`, schema);
  return v(body) ? [] : format(v);
}
