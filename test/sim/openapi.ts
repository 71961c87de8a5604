// Validation of the simulator's answers and webhook payloads against GitHub's official OpenAPI
// description, so that the simulator cannot drift into a toy that only our own code understands.
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import { cachedValidator } from './schema-cache.js';

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
  // `code.source`: compiled validators are kept as standalone code (schema-cache.ts).
  const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true, validateSchema: false, code: { source: true } });
  cached = { spec, ajv };
  return cached;
}

/** Components are given to ajv one by one, as a schema first needs them: converting and indexing the
 * whole description (thousands of schemas) would cost seconds in every test file. */
const COMPONENTS = 'https://openapi.github.test/';
const refId = (ref: string): string => `${COMPONENTS}${ref.replace(/^#\//, '')}`;
const added = new Set<string>();

function addComponent(ref: string): void {
  if (added.has(ref)) return;
  added.add(ref);
  const { spec, ajv } = load();
  const refs = new Set<string>();
  ajv.addSchema(toJsonSchema(deref(spec, { $ref: ref }), refs) as object, refId(ref));
  for (const r of refs) addComponent(r);
}

/** OpenAPI 3.0 to JSON Schema: `#/components/...` becomes the component's own id (collected in `refs`)
 * and `nullable: true` becomes an explicit null type, since ajv's own `nullable` neither admits null
 * into an `enum` nor works without a `type`. */
function toJsonSchema(node: unknown, refs: Set<string>): unknown {
  if (Array.isArray(node)) return node.map((n) => toJsonSchema(n, refs));
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === '$ref' && typeof v === 'string' && v.startsWith('#/')) {
      refs.add(v);
      out[k] = refId(v);
    } else out[k] = toJsonSchema(v, refs);
  }
  if (out.nullable !== true) return out;
  delete out.nullable;
  if (typeof out.type === 'string' && !out.$ref) {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...(out.enum as unknown[]), null];
    return out;
  }
  return { anyOf: [out, { type: 'null' }] };
}

function deref<T>(spec: Spec, node: T & { $ref?: string }): T {
  if (!node.$ref) return node;
  const parts = node.$ref.replace(/^#\//, '').split('/');
  let cur: unknown = spec;
  for (const p of parts) cur = (cur as Record<string, unknown>)[p.replace(/~1/g, '/').replace(/~0/g, '~')];
  return cur as T;
}

/** What GitHub documents for one answer, event or request body: a validator, or why there is none. */
type Documented = ValidateFunction | { none: string; undocumented: boolean };
const validators = new Map<string, Documented>();

/** The documented schema under `key`, compiled once per process and kept on disk across test files
 * (schema-cache.ts): a cached one never parses the description. `find` runs only when compiling. */
function documented(key: string, find: (spec: Spec) => { schema?: unknown; none?: string; undocumented?: boolean }): Documented {
  let v = validators.get(key);
  if (!v) {
    v = cachedValidator(key, () => {
      const { spec, ajv } = load();
      const found = find(spec);
      if (found.schema === undefined)
        return { ajv, compiled: { none: found.none ?? 'no schema', undocumented: found.undocumented ?? false } };
      const refs = new Set<string>();
      const root = toJsonSchema(found.schema, refs) as object;
      for (const r of refs) addComponent(r);
      return { ajv, compiled: ajv.compile(root) };
    }) as Documented;
    validators.set(key, v);
  }
  return v;
}

function format(v: ValidateFunction): string[] {
  return (v.errors ?? []).slice(0, 10).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

/** Errors of a REST response body against the documented schema; throws when GitHub documents no such answer. */
export function responseErrors(method: string, template: string, status: number, body: unknown): string[] {
  const v = documented(`response ${method} ${template} ${status}`, (spec) => {
    const op = spec.paths[template]?.[method.toLowerCase()];
    if (!op) return { none: `GitHub documents no ${method} ${template}`, undocumented: true };
    const response = op.responses?.[String(status)];
    if (!response) return { none: `GitHub documents no ${status} answer to ${method} ${template}`, undocumented: true };
    const schema = deref(spec, response).content?.['application/json']?.schema;
    return schema ? { schema } : { none: `GitHub documents no body for ${status}` };
  });
  if (typeof v === 'function') return v(body) ? [] : format(v);
  if (v.undocumented) throw new Error(v.none);
  // Error answers often document no body; GitHub still sends { message, documentation_url }.
  return body === undefined || body === '' || status >= 400 ? [] : [v.none];
}

/** Errors of a webhook payload against the documented schema of `event` / `action`. */
export function webhookErrors(event: string, action: string | undefined, payload: unknown): string[] {
  const key = `${event.replace(/_/g, '-')}${action ? `-${action.replace(/_/g, '-')}` : ''}`;
  const v = documented(`webhook ${key}`, (spec) => {
    const schema = spec['x-webhooks'][key]?.post?.requestBody?.content?.['application/json']?.schema;
    return schema ? { schema } : { none: `GitHub documents no webhook ${key}`, undocumented: true };
  });
  if (typeof v !== 'function') throw new Error(v.none);
  return v(payload) ? [] : format(v);
}

/** Errors of a request body the product sends, against the documented request schema. */
export function requestErrors(method: string, template: string, body: unknown): string[] {
  const v = documented(`request ${method} ${template}`, (spec) => {
    const op = spec.paths[template]?.[method.toLowerCase()];
    if (!op) return { none: `GitHub documents no ${method} ${template}`, undocumented: true };
    const schema = op.requestBody?.content?.['application/json']?.schema;
    return schema ? { schema } : { none: `GitHub documents no body for ${method} ${template}` };
  });
  if (typeof v === 'function') return v(body) ? [] : format(v);
  if (v.undocumented) throw new Error(v.none);
  return body === undefined ? [] : [v.none];
}
