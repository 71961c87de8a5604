// ajv's answers in words a person can act on: which key, what was found, what was expected (with a
// "did you mean" for misspelt keys), one message per problem, each with the path it is about.
import type { ErrorObject } from 'ajv';
import { dotted } from './positions.js';

export interface Described {
  path: (string | number)[];
  atKey: boolean;
  message: string;
}

const NOUN: Record<string, string> = {
  tier: 'tier',
  default: 'tier',
  permission: 'permission',
  method: 'merge method',
  version: 'version',
};

const TYPE_NOUN: Record<string, string> = {
  object: 'a mapping (key: value)',
  array: 'a list',
  string: 'a string',
  boolean: 'true or false',
  integer: 'a whole number',
  number: 'a number',
};

function segments(instancePath: string): (string | number)[] {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `"${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`;
  return String(v);
}

export function orList(values: readonly unknown[]): string {
  const s = values.map(String);
  return s.length <= 1 ? s.join('') : `${s.slice(0, -1).join(', ')} or ${s[s.length - 1]}`;
}

function closest(word: string, options: string[]): string | undefined {
  const d = (a: string, b: string): number => {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
      let prev = row[0] as number;
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const cur = row[j] as number;
        row[j] = Math.min(cur + 1, (row[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
        prev = cur;
      }
    }
    return row[b.length] as number;
  };
  const best = options.map((o) => ({ o, dist: d(word.toLowerCase(), o) })).sort((a, b) => a.dist - b.dist)[0];
  return best && best.dist <= 2 ? best.o : undefined;
}

export function describeAjvErrors(errors: ErrorObject[]): Described[] {
  const out: Described[] = [];
  const seen = new Set<string>();
  const withUnknownKeys = new Set(errors.filter((e) => e.keyword === 'additionalProperties').map((e) => e.instancePath));
  for (const e of errors) {
    // The branches of the "has a condition" anyOf: reported once, as the anyOf itself, and not at
    // all when the rule has an unknown key (a misspelt condition is the real problem).
    if (e.schemaPath.includes('/anyOf/')) continue;
    if (e.keyword === 'anyOf' && withUnknownKeys.has(e.instancePath)) continue;
    const path = segments(e.instancePath);
    const where = dotted(path);
    const last = path[path.length - 1];
    let d: Described;
    switch (e.keyword) {
      case 'additionalProperties': {
        const key = String((e.params as { additionalProperty: string }).additionalProperty);
        const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
        const hint = closest(key, allowed);
        d = {
          path: [...path, key],
          atKey: true,
          message: `${path.length ? `${where}: ` : ''}unknown key "${key}"${hint ? ` (did you mean "${hint}"?)` : ''} (expected ${orList(allowed)})`,
        };
        break;
      }
      case 'enum': {
        const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
        const noun = NOUN[String(last)] ?? 'value';
        const verb = noun === 'version' ? 'unsupported' : 'unknown';
        const given = e.data === null || e.data === undefined ? `no ${noun} given` : `${verb} ${noun} ${describeValue(e.data)}`;
        d = { path, atKey: false, message: `${where}: ${given} (expected ${orList(allowed)})` };
        break;
      }
      case 'type': {
        const want = String((e.params as { type: string }).type);
        d = { path, atKey: false, message: `${where} must be ${TYPE_NOUN[want] ?? want}, found ${describeValue(e.data)}` };
        break;
      }
      case 'required': {
        const missing = String((e.params as { missingProperty: string }).missingProperty);
        const hint = missing === 'version' ? ' (add "version: 1")' : '';
        d = { path, atKey: false, message: `${where} is missing the required key "${missing}"${hint}` };
        break;
      }
      case 'anyOf': {
        if (path.length === 2 && path[0] === 'merge' && path[1] === 'method') {
          const given =
            typeof e.data === 'string'
              ? `unknown merge method ${describeValue(e.data)}`
              : Array.isArray(e.data)
                ? `bad list of merge methods ${JSON.stringify(e.data).slice(0, 80)} (none, unknown or repeated)`
                : `bad merge method ${describeValue(e.data)}`;
          d = {
            path,
            atKey: false,
            message: `${where}: ${given} (expected merge, squash or rebase, or a list of them in order of preference, e.g. [squash, rebase])`,
          };
          break;
        }
        const rule = e.data as { name?: unknown };
        const name = typeof rule?.name === 'string' ? ` "${rule.name}"` : '';
        d = {
          path,
          atKey: false,
          message: `${where}: rule${name} has no condition (paths, labels, authors, base, changed_lines or changed_files), so it would match every pull request`,
        };
        break;
      }
      case 'pattern': {
        const message =
          last === 'window' || path.includes('remind')
            ? `${where}: bad duration ${describeValue(e.data)} (expected a whole number and s, m, h or d, e.g. 30s, 15m, 2h, 1d)`
            : path.includes('trailers')
              ? `${where}: bad trailer pattern ${describeValue(e.data)} (expected "Key: value", e.g. "Co-Authored-By: Claude* <noreply@anthropic.com>")`
              : path.includes('teams')
                ? `${where}: bad team ${describeValue(e.data)} (expected org/team-slug)`
                : last === 'from' || last === 'to'
                  ? `${where}: bad time ${describeValue(e.data)} (expected HH:MM, 24-hour, e.g. 09:00 or 18:30)`
                  : path.includes('holidays')
                    ? `${where}: bad date ${describeValue(e.data)} (expected YYYY-MM-DD)`
                    : `${where}: ${describeValue(e.data)} ${e.message ?? 'is invalid'}`;
        d = { path, atKey: false, message };
        break;
      }
      case 'minItems':
        if (last === 'days') {
          d = { path, atKey: false, message: `${where} must name at least one working day (mon, tue, wed, thu, fri, sat or sun)` };
          break;
        }
        d = { path, atKey: false, message: `${where} must not be an empty list (an empty condition matches nothing; remove it instead)` };
        break;
      case 'minLength':
        d = { path, atKey: false, message: `${where} must not be empty` };
        break;
      case 'maxLength':
        d = { path, atKey: false, message: `${where} is too long (at most ${(e.params as { limit: number }).limit} characters)` };
        break;
      case 'minimum':
      case 'maximum':
        d = { path, atKey: false, message: `${where} ${e.message ?? 'is out of range'}, found ${describeValue(e.data)}` };
        break;
      default:
        d = { path, atKey: false, message: `${where} ${e.message ?? 'is invalid'}` };
    }
    const id = `${d.path.join('/')}\0${d.message}`;
    if (!seen.has(id)) {
      seen.add(id);
      out.push(d);
    }
  }
  return out;
}
