// A policy test file's text -> its cases, or errors positioned `FILE:LINE:COL` as `validate` prints.
import { Ajv, type ErrorObject } from 'ajv';
import { isMap, LineCounter, parseDocument, type Document } from 'yaml';
import { describedFile, type ChangeSpec } from '../change.js';
import type { Tier } from '../model/tier.js';
import type { PolicyError } from '../model/policy.js';
import type { ChangedFile } from '../model/pull-request.js';
import { POLICY_TEST_SCHEMA } from './schema.js';

export interface Expectation {
  tier?: Tier;
  governed?: boolean;
  rules?: string[];
  approvers?: string[];
  riskAbove?: number;
  riskBelow?: number;
}

export interface PolicyTestCase {
  name: string;
  /** 1-based line of the case in its file, for reports. */
  line: number;
  change: ChangeSpec;
  expect: Expectation;
}

export interface PolicyTestFile {
  /** The `policy:` key as written, relative to the test file. */
  policy?: string;
  cases: PolicyTestCase[];
}

export type ParsedTests = { ok: true; file: PolicyTestFile } | { ok: false; errors: PolicyError[] };

/** Test files are small; anything larger is a mistake. */
const MAX_BYTES = 1024 * 1024;

// A memo of a constant: the validator of the fixed test-file schema, compiled on first use.
let validator: ReturnType<Ajv['compile']> | undefined;
const validate = () => (validator ??= new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(POLICY_TEST_SCHEMA));

export function parsePolicyTests(text: string, file: string): ParsedTests {
  const lines = new LineCounter();
  const at = (offset: number, message: string): PolicyError => {
    const { line, col } = lines.linePos(offset);
    return { file, line, column: col, message };
  };
  if (text.length > MAX_BYTES)
    return { ok: false, errors: [{ file, line: 1, column: 1, message: `test file is larger than ${MAX_BYTES / 1024} KiB` }] };
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, strict: true });
  const yamlErrors = [...doc.errors, ...doc.warnings].map((e) => at(e.pos[0], `YAML syntax error: ${e.message.split('\n')[0]}`));
  if (yamlErrors.length) return { ok: false, errors: yamlErrors };
  if (!isMap(doc.contents))
    return { ok: false, errors: [at(doc.contents?.range?.[0] ?? 0, 'a test file is a mapping with `cases:` (and optionally `policy:`)')] };
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    return { ok: false, errors: [at(0, `YAML: ${(e as Error).message}`)] };
  }
  const check = validate();
  if (!check(data)) {
    const errors = (check.errors ?? []).filter(relevant).map((e) => at(offsetOf(doc, e), describe(e)));
    return { ok: false, errors: dedupe(errors).sort((a, b) => a.line - b.line || a.column - b.column) };
  }
  const raw = data as { policy?: string; cases: RawCase[] };
  return {
    ok: true,
    file: {
      ...(raw.policy !== undefined ? { policy: raw.policy } : {}),
      cases: raw.cases.map((c, i) => toCase(c, lines.linePos(caseOffset(doc, i)).line)),
    },
  };
}

interface RawFile {
  filename: string;
  previous_filename?: string;
  status?: ChangedFile['status'];
  additions?: number;
  deletions?: number;
}
interface RawCase {
  name: string;
  author?: string;
  files?: (string | RawFile)[];
  labels?: string[];
  base?: string;
  head?: string;
  commits?: string[];
  changed_files?: number;
  changed_lines?: number;
  expect: { tier?: Tier; governed?: boolean; rules?: string[]; approvers?: string[]; risk_above?: number; risk_below?: number };
}

function changedFile(f: string | RawFile): ChangedFile {
  if (typeof f === 'string') {
    return describedFile(f.trim());
  }
  return {
    filename: f.filename,
    status: f.status ?? (f.previous_filename ? 'renamed' : 'modified'),
    additions: f.additions ?? 0,
    deletions: f.deletions ?? 0,
    ...(f.previous_filename ? { previousFilename: f.previous_filename } : {}),
  };
}

/** The fields that are given: one the case leaves out stays absent rather than set to undefined. */
function given<T extends Record<string, unknown>>(fields: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}

function toCase(c: RawCase, line: number): PolicyTestCase {
  const e = c.expect;
  return {
    name: c.name,
    line,
    change: {
      files: (c.files ?? []).map(changedFile),
      ...given({
        author: c.author,
        labels: c.labels,
        base: c.base,
        head: c.head,
        commitMessages: c.commits,
        changedFiles: c.changed_files,
        changedLines: c.changed_lines,
      }),
    },
    expect: given({
      tier: e.tier,
      governed: e.governed,
      rules: e.rules,
      approvers: e.approvers,
      riskAbove: e.risk_above,
      riskBelow: e.risk_below,
    }),
  };
}

// -------------------------------------------------------------------------------------------
// Errors: where and what

const segments = (pointer: string): (string | number)[] =>
  pointer === ''
    ? []
    : pointer
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
        .map((s) => (/^\d+$/.test(s) ? Number(s) : s));

const dotted = (path: (string | number)[]): string =>
  path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('') || 'test file';

/** `anyOf` over a file's string-or-object answers with one error per branch: the branch errors say more. */
const relevant = (e: ErrorObject): boolean => e.keyword !== 'anyOf';

function describe(e: ErrorObject): string {
  const where = dotted(segments(e.instancePath));
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return `${where}: unknown key "${String(p.additionalProperty)}"`;
    case 'required':
      return `${where}: missing "${String(p.missingProperty)}"`;
    case 'enum':
      return `${where}: expected one of ${(p.allowedValues as unknown[]).join(', ')}`;
    case 'minProperties':
      return `${where}: expect at least one of tier, governed, rules, approvers, risk_above, risk_below`;
    default:
      return `${where} ${e.message ?? 'is invalid'}`;
  }
}

/** The offset of the node an error is about: the unknown key itself, else the value at the path. */
function offsetOf(doc: Document, e: ErrorObject): number {
  const path = segments(e.instancePath);
  const extra = e.keyword === 'additionalProperties' ? String((e.params as { additionalProperty: string }).additionalProperty) : undefined;
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (!node?.range) continue;
    if (extra !== undefined && n === path.length && isMap(node)) {
      const pair = node.items.find((i) => (i.key as { value?: unknown } | null)?.value === extra);
      const key = pair?.key as { range?: [number, number, number] } | undefined;
      if (key?.range) return key.range[0];
    }
    return node.range[0];
  }
  return 0;
}

function caseOffset(doc: Document, index: number): number {
  const node = doc.getIn(['cases', index], true) as { range?: [number, number, number] } | undefined;
  return node?.range?.[0] ?? 0;
}

function dedupe(errors: PolicyError[]): PolicyError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.line}:${e.column}:${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
