// `.github/hitl.yml` text -> a normalised Policy, or errors positioned at the offending key or value.
// Validation is the JSON Schema (schema.ts) run by ajv; this file only turns ajv's answers into
// messages a person can act on, adds what a schema cannot say (globs, durations, hostile YAML),
// and fills the defaults (ajv's useDefaults, from the schema's `default`s).
import type { ErrorObject, ValidateFunction } from 'ajv';
import { Alias, Composer, CST, isAlias, isMap, isPair, isScalar, isSeq, Lexer, LineCounter, Parser, type Document, type Node, type Pair } from 'yaml';
import { KNOWN_TRAILERS } from '../agents.js';
import { parseDuration } from '../duration.js';
import { globProblem } from '../match.js';
import type { NotifyEvent, NotifyPolicy, Policy, PolicyError, Rule } from '../model/policy.js';
import { attentionErrors } from './check-attention.js';
import { normaliseAfterMerge } from './normalise-after-merge.js';
import { normaliseAttention } from './normalise-attention.js';
import { validate as validatePolicy } from './validate-policy.generated.js';

/** Policies are small; anything larger is a mistake or an attack. */
export const MAX_POLICY_BYTES = 256 * 1024;
/** The format is at most five levels deep (rules -> rule -> paths -> glob); leave room, bound recursion. */
export const MAX_NESTING = 32;
/** Anchors and aliases are allowed (reusing a list of globs), an alias bomb is not. */
export const MAX_ALIASES = 100;

export interface ParsedPolicy {
  policy?: Policy;
  errors: PolicyError[];
  /** The `agents` section when it is valid on its own, even if the rest is not: a broken policy
   * still knows which PRs are agents' (so it can block them) instead of guessing. */
  agents?: Policy['agents'];
}

/** The schema's validator, compiled ahead of time (validator-source.ts): no start-up compile. */
const validate = validatePolicy as unknown as ValidateFunction;

type Raw = Record<string, unknown>;

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
  const last = shown[shown.length - 1] as PolicyError;
  shown.push({ ...last, message: `…and ${parsed.errors.length - MAX_ERRORS} more errors` });
  return { ...parsed, errors: shown };
}

function parse(text: string, file: string): ParsedPolicy {
  const at = positioner(text, file);
  const size = new TextEncoder().encode(text).length;
  if (size > MAX_POLICY_BYTES) {
    return { errors: [at(0, `policy is ${Math.ceil(size / 1024)} KiB; the limit is ${MAX_POLICY_BYTES / 1024} KiB`)] };
  }

  const lineCounter = new LineCounter();
  const docs = parseDocuments(text, lineCounter, { prettyErrors: false, uniqueKeys: true, strict: true });
  if (!Array.isArray(docs)) {
    return { errors: [at(docs.tooDeep, `nesting deeper than ${MAX_NESTING} levels (a policy needs at most 5)`)] };
  }
  if (docs.length === 0) return { errors: [at(0, 'policy is empty (expected at least "version: 1")')] };
  if (docs.length > 1) {
    const second = docs[1] as Document;
    return { errors: [at(second.range?.[0] ?? 0, 'more than one YAML document in the policy (remove the "---" separator)')] };
  }
  const doc = docs[0] as Document;
  const yamlErrors = [...doc.errors, ...doc.warnings].map((e) => at(yamlErrorOffset(text, e.code, e.message, e.pos[0]), yamlMessage(e.code, e.message)));
  if (yamlErrors.length > 0) return { errors: yamlErrors };

  const shape = shapeErrors(doc, text, at);
  if (shape.length > 0) return { errors: shape };
  const root = doc.contents;
  if (!isMap(root)) {
    const found = root === null || (isScalar(root) && root.value === null) ? 'nothing' : isSeq(root) ? 'a list' : 'a single value';
    return { errors: [at(root?.range?.[0] ?? 0, `policy must be a mapping of keys (version, agents, rules…), found ${found}`)] };
  }

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (e) {
    const alias = firstAlias(doc);
    return { errors: [at(alias?.range?.[0] ?? 0, `too many alias expansions (${(e as Error).message})`)] };
  }

  const errors: PolicyError[] = [];
  const wroteAgents = isRecord(data) && isRecord(data.agents);
  if (!validate(data)) {
    for (const e of describeAjvErrors(validate.errors ?? [])) errors.push(at(offsetOf(doc, e.path, e.atKey), e.message));
  }
  const raw = data as Raw;
  errors.push(...globErrors(doc, raw, at), ...ruleNameErrors(doc, raw, at), ...noEffectErrors(doc, raw, at), ...riskErrors(doc, raw, at), ...modeErrors(doc, raw, at));
  attentionErrors(raw, (path, message) => errors.push(at(offsetOf(doc, path), message)));
  errors.sort((a, b) => a.line - b.line || a.column - b.column);

  const agentsValid = !errors.some((e) => e.message.startsWith('agents'));
  const agents = agentsValid && wroteAgents && isRecord(raw.agents) ? normaliseAgents(raw.agents) : undefined;
  if (errors.length > 0) return agents ? { errors, agents } : { errors };
  return { policy: deepFreeze(normalise(raw)), errors: [] };
}

// -------------------------------------------------------------------------------------------
// Positions

type At = (offset: number, message: string) => PolicyError;

/** 1-based line and column of an offset, clamped inside the text (an error "at the end" points at
 * the end of the last line, not at a line that does not exist). */
function positioner(text: string, file: string): At {
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  const starts: number[] = [];
  let offset = 0;
  for (const l of lines) {
    starts.push(offset);
    offset += l.length + 1;
  }
  return (off, message) => {
    const o = Math.max(0, Math.min(off, text.length));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= o) lo = mid;
      else hi = mid - 1;
    }
    const lineText = (lines[lo] ?? '').replace(/\r$/, '');
    const column = Math.min(o - (starts[lo] as number), lineText.length) + 1;
    return { file, line: lo + 1, column, message };
  };
}

/** Where a person should look: an unclosed quote is reported by yaml at the end of the text, but the
 * mistake is the opening quote. */
function yamlErrorOffset(text: string, code: string, message: string, offset: number): number {
  if (code === 'MISSING_CHAR' && /quote/.test(message)) {
    const quote = message.includes('"quote') ? '"' : "'";
    for (let i = Math.min(offset, text.length) - 1; i >= 0; i--) {
      if (text[i] === quote && text[i - 1] !== '\\') return i;
    }
  }
  return offset;
}

function yamlMessage(code: string, message: string): string {
  if (code === 'DUPLICATE_KEY') return 'duplicate key (each key may appear once in a mapping)';
  if (code === 'TAG_RESOLVE_FAILED') return `${message} (YAML tags are not allowed in a policy)`;
  return `YAML syntax error: ${message}`;
}

/** What the schema cannot see: explicit tags (`!!binary`, `!foo`) and nesting deeper than any
 * policy needs. Walked with an explicit stack so a hostile document cannot exhaust ours. */
function shapeErrors(doc: Document, text: string, at: At): PolicyError[] {
  const errors: PolicyError[] = [];
  // Two parallel stacks, not an object per node: a policy of a thousand rules has tens of thousands.
  const nodes: unknown[] = [doc.contents];
  const depths: number[] = [1];
  while (nodes.length > 0) {
    const node = nodes.pop();
    const depth = depths.pop() as number;
    if (!node || isAlias(node)) continue;
    const n = node as Node;
    if (n.tag && (isScalar(n) || isMap(n) || isSeq(n))) {
      const start = n.range?.[0] ?? 0;
      // The node's range starts after its tag: point at the tag itself when it is on the same line.
      let bang = text.lastIndexOf('!', start);
      while (bang > 0 && text[bang - 1] === '!') bang--;
      const tagAt = bang !== -1 && !text.slice(bang, start).includes('\n') ? bang : start;
      errors.push(at(tagAt, `YAML tag ${n.tag.replace('tag:yaml.org,2002:', '!!')} is not allowed in a policy`));
    }
    if (depth > MAX_NESTING) {
      errors.push(at(n.range?.[0] ?? 0, `nesting deeper than ${MAX_NESTING} levels (a policy needs at most 5)`));
      break;
    }
    if (isMap(n)) {
      for (let i = n.items.length - 1; i >= 0; i--) {
        const pair = n.items[i] as Pair;
        nodes.push(pair.value, pair.key);
        depths.push(depth + 1, depth + 1);
      }
    } else if (isSeq(n)) {
      for (let i = n.items.length - 1; i >= 0; i--) {
        nodes.push(n.items[i]);
        depths.push(depth + 1);
      }
    }
  }
  return errors.slice(0, 20);
}

/** Offset of the first flow bracket nested deeper than MAX_NESTING. The YAML composer recurses
 * once per level and 256 KiB of "[" would exhaust the stack, so this is checked on the lexer's flat
 * token stream first. (Block nesting needs indentation: 256 KiB allows only a few hundred levels.) */
/**
 * `parseAllDocuments`, lexing the text once: flow nesting (`[[[[…`) is counted on the tokens as the
 * parser takes them, and parsing stops before a hostile depth reaches the parser or the composer
 * (whose recursion it could exhaust). Lexing first and parsing after read the text twice, about a
 * tenth of the CLI's time on a large policy.
 */
function parseDocuments(text: string, lineCounter: LineCounter, options: { prettyErrors: false; uniqueKeys: true; strict: true }): Document[] | { tooDeep: number } {
  const parser = new Parser(lineCounter.addNewLine);
  let tooDeep: number | undefined;
  function* tokens() {
    lineCounter.addNewLine(0); // as Parser#parse does at the start of the text
    let depth = 0;
    let offset = 0;
    for (const token of new Lexer().lex(text)) {
      if (token !== CST.DOCUMENT && token !== CST.FLOW_END && token !== CST.SCALAR) {
        if (token === '[' || token === '{') {
          depth++;
          if (depth > MAX_NESTING) {
            tooDeep = offset;
            return;
          }
        } else if (token === ']' || token === '}') depth = Math.max(0, depth - 1);
        offset += token.length;
      }
      yield* parser.next(token);
    }
    yield* parser.end();
  }
  const docs = Array.from(new Composer({ lineCounter, ...options }).compose(tokens())) as Document[];
  return tooDeep === undefined ? docs : { tooDeep };
}

function firstAlias(doc: Document): Alias | undefined {
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isAlias(node)) return node;
    // Pushed in reverse so that the first alias in reading order is popped first.
    if (isMap(node)) for (const p of [...node.items].reverse()) stack.push(p.value, p.key);
    else if (isSeq(node)) stack.push(...[...node.items].reverse());
  }
  return undefined;
}

/** Offset of the node at a JSON path: the value, or its key when `atKey` (unknown keys) or when the
 * value is empty. Falls back to the deepest node that exists. */
function offsetOf(doc: Document, path: (string | number)[], atKey = false): number {
  let node: unknown = doc.contents;
  let keyNode: Node | undefined;
  let best = (node as Node | null)?.range?.[0] ?? 0;
  for (const seg of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      keyNode = pair.key as Node;
      node = pair.value;
      best = keyNode.range?.[0] ?? best;
      const value = node as Node | null;
      if (!atKey && value?.range && !(isScalar(value) && value.value === null && value.range[0] === value.range[1])) {
        best = value.range[0];
      }
    } else if (isSeq(node)) {
      const item = node.items[Number(seg)] as Node | undefined;
      if (!item) break;
      keyNode = undefined;
      node = item;
      best = item.range?.[0] ?? best;
    } else break;
  }
  return best;
}

// -------------------------------------------------------------------------------------------
// ajv errors -> messages

interface Described {
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

/** `rules[2].paths[0]`, `tiers.soft.window`. */
export function dotted(path: (string | number)[]): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('') || 'policy';
}

function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `"${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`;
  return String(v);
}

function orList(values: readonly unknown[]): string {
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

function describeAjvErrors(errors: ErrorObject[]): Described[] {
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
          const given = typeof e.data === 'string' ? `unknown merge method ${describeValue(e.data)}` : Array.isArray(e.data) ? `bad list of merge methods ${JSON.stringify(e.data).slice(0, 80)} (none, unknown or repeated)` : `bad merge method ${describeValue(e.data)}`;
          d = { path, atKey: false, message: `${where}: ${given} (expected merge, squash or rebase, or a list of them in order of preference, e.g. [squash, rebase])` };
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

// -------------------------------------------------------------------------------------------
// Checks the schema cannot express

const isRecord = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

function globErrors(doc: Document, raw: Raw, at: At): PolicyError[] {
  const lists: (string | number)[][] = [['agents', 'branches']];
  if (Array.isArray(raw.rules)) {
    raw.rules.forEach((_, i) => lists.push(['rules', i, 'paths'], ['rules', i, 'base']));
  }
  const errors: PolicyError[] = [];
  for (const listPath of lists) {
    let list: unknown = raw;
    for (const seg of listPath) list = isRecord(list) || Array.isArray(list) ? (list as Record<string, unknown>)[seg] : undefined;
    if (!Array.isArray(list)) continue;
    list.forEach((glob, j) => {
      if (typeof glob !== 'string' || glob === '') return; // the schema reports it
      const problem = globProblem(glob);
      if (problem) errors.push(at(offsetOf(doc, [...listPath, j]), `${dotted([...listPath, j])}: ${problem}`));
    });
  }
  return errors;
}

function ruleNameErrors(doc: Document, raw: Raw, at: At): PolicyError[] {
  if (!Array.isArray(raw.rules)) return [];
  const first = new Map<string, number>();
  const errors: PolicyError[] = [];
  raw.rules.forEach((rule, i) => {
    if (!isRecord(rule) || typeof rule.name !== 'string') return;
    const name = rule.name.trim().toLowerCase();
    const earlier = first.get(name);
    if (earlier === undefined) first.set(name, i);
    else {
      const message = `rules[${i}].name: duplicate rule name "${rule.name}" (also rules[${earlier}]); reasons name rules, so names must be unique`;
      errors.push(at(offsetOf(doc, ['rules', i, 'name']), message));
    }
  });
  return errors;
}

/** `labels`, `changed_lines` and `changed_files` are in the PR author's hands, so a rule with one of
 * them only raises the tier (see compile.ts). At `fyi` it would raise nothing: say so rather than
 * let someone believe that "docs labelled trivial are fyi" works. */
function noEffectErrors(doc: Document, raw: Raw, at: At): PolicyError[] {
  if (!Array.isArray(raw.rules)) return [];
  const errors: PolicyError[] = [];
  raw.rules.forEach((rule, i) => {
    // A risk weight is an effect of its own.
    if (!isRecord(rule) || rule.tier !== 'fyi' || (typeof rule.risk === 'number' && rule.risk > 0)) return;
    const raising = ['labels', 'changed_lines', 'changed_files'].filter((k) => rule[k] !== undefined);
    if (raising.length === 0) return;
    const name = typeof rule.name === 'string' ? ` "${rule.name}"` : '';
    errors.push(
      at(
        offsetOf(doc, ['rules', i, 'tier']),
        `rules[${i}].tier: rule${name} has no effect: a rule with ${orList(raising)} only raises the tier (the PR author can add labels and files, so they must never lower it), and fyi raises nothing`,
      ),
    );
  });
  return errors;
}

/** Under `mode: observe` the gate acts on nothing, so a rule that says `mode: enforce` would be a
 * promise the gate does not keep: say so instead of silently observing it. */
function modeErrors(doc: Document, raw: Raw, at: At): PolicyError[] {
  if (raw.mode !== 'observe' || !Array.isArray(raw.rules)) return [];
  return raw.rules.flatMap((rule, i) => (isRecord(rule) && rule.mode === 'enforce'
    ? [at(offsetOf(doc, ['rules', i, 'mode']), `rules[${i}].mode: enforce has no effect under the policy's mode: observe (an observed policy acts on nothing); set the policy to mode: enforce and mark the rules to try with mode: observe`)]
    : []));
}

/** `risk.soft` above `risk.hard` would never make anything soft: surely a mix-up, so say so. */
function riskErrors(doc: Document, raw: Raw, at: At): PolicyError[] {
  const risk = raw.risk;
  if (!isRecord(risk) || typeof risk.soft !== 'number' || typeof risk.hard !== 'number' || risk.soft <= risk.hard) return [];
  return [at(offsetOf(doc, ['risk', 'soft']), `risk.soft (${risk.soft}) is above risk.hard (${risk.hard}): a score reaching soft would already be hard`)];
}

// -------------------------------------------------------------------------------------------
// Normalisation (the data is valid and ajv has filled every default)

function normaliseAgents(a: Raw): Policy['agents'] {
  const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);
  // Trailers left out mean the known ones (the schema's default), in a policy that failed validation too.
  return { authors: list(a.authors), labels: list(a.labels), branches: list(a.branches), trailers: a.trailers === undefined ? [...KNOWN_TRAILERS] : list(a.trailers) };
}

function normalise(raw: Raw): Policy {
  const r = raw as {
    agents: Raw;
    reviewers: { users: string[]; teams: string[]; permission: Policy['reviewers']['permission'] };
    default: Policy['default'];
    tiers: {
      fyi: { merge: boolean };
      soft: { window: string; merge: boolean };
      hard: { approvals: number; merge: boolean; invalidate_on_push: boolean };
    };
    merge: { method: Policy['merge']['method'] | Policy['merge']['method'][]; update_branch: boolean };
    rules: Raw[];
    risk?: { soft?: number; hard?: number };
  };
  const policy = {
    version: 1,
    ...(raw.mode === 'observe' ? { mode: 'observe' as const } : {}),
    agents: normaliseAgents(r.agents),
    reviewers: { users: r.reviewers.users, teams: r.reviewers.teams, permission: r.reviewers.permission },
    default: r.default,
    tiers: {
      fyi: { merge: r.tiers.fyi.merge },
      soft: { windowMs: parseDuration(r.tiers.soft.window) as number, merge: r.tiers.soft.merge },
      hard: { approvals: r.tiers.hard.approvals, merge: r.tiers.hard.merge, invalidateOnPush: r.tiers.hard.invalidate_on_push },
    },
    merge: normaliseMerge(r.merge),
    rules: r.rules.map(normaliseRule),
    ...(r.risk ? { risk: { ...(r.risk.soft !== undefined ? { soft: r.risk.soft } : {}), ...(r.risk.hard !== undefined ? { hard: r.risk.hard } : {}) } } : {}),
    ...(isNotify(raw.notify) ? { notify: normaliseNotify(raw.notify) } : {}),
    ...(raw.after_merge !== undefined ? { afterMerge: normaliseAfterMerge(raw.after_merge) as NonNullable<Policy['afterMerge']> } : {}),
  } satisfies Policy;
  return normaliseAttention(raw, policy);
}

type RawNotify = { slack?: { channel: string; on: NotifyEvent[] }; webhook?: { on: NotifyEvent[] } };
const isNotify = (v: unknown): v is RawNotify => typeof v === 'object' && v !== null;

function normaliseNotify(n: RawNotify): NotifyPolicy {
  return {
    ...(n.slack ? { slack: { channel: n.slack.channel, on: [...n.slack.on] } } : {}),
    ...(n.webhook ? { webhook: { on: [...n.webhook.on] } } : {}),
  };
}

function normaliseMerge(m: { method: Policy['merge']['method'] | Policy['merge']['method'][]; update_branch: boolean }): Policy['merge'] {
  const methods = Array.isArray(m.method) ? m.method : [m.method];
  return { method: methods[0] ?? 'squash', methods, updateBranch: m.update_branch === true };
}

function normaliseRule(r: Raw): Rule {
  const rule: Rule = { name: r.name as string, tier: r.tier as Rule['tier'] };
  if (r.paths !== undefined) rule.paths = r.paths as string[];
  if (r.labels !== undefined) rule.labels = r.labels as string[];
  if (r.authors !== undefined) rule.authors = r.authors as string[];
  if (r.base !== undefined) rule.base = r.base as string[];
  if (r.changed_lines !== undefined) rule.changedLines = r.changed_lines as number;
  if (r.changed_files !== undefined) rule.changedFiles = r.changed_files as number;
  if (r.risk !== undefined) rule.risk = r.risk as number;
  if (r.mode === 'observe' || r.mode === 'enforce') rule.mode = r.mode;
  return rule;
}

/** Loaded policies are shared through the cache: nobody may change one under another's feet. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
