// The changed files `explain` classifies: GitHub's `GET /repos/{o}/{r}/pulls/{n}/files` JSON (also
// as `gh api --paginate` prints it: arrays back to back), or one path per line.
import { describedFile } from '../core/change.js';
import type { ChangedFile } from '../core/model/pull-request.js';
import { UsageError } from './io.js';

const STATUSES = new Set<ChangedFile['status']>(['added', 'removed', 'modified', 'renamed', 'copied', 'changed', 'unchanged']);

export function parseFileList(text: string, source: string): ChangedFile[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  if (trimmed.startsWith('{')) {
    let message = '';
    try {
      const obj = JSON.parse(trimmed) as { message?: unknown };
      if (typeof obj.message === 'string') message = ` (GitHub said: ${obj.message})`;
    } catch {
      // not even JSON: the generic message below says enough
    }
    throw new UsageError(
      `${source}: expected a JSON array of files as GET /repos/{owner}/{repo}/pulls/{number}/files returns, found an object${message}`,
    );
  }
  if (trimmed.startsWith('[')) return jsonValues(trimmed, source).flatMap((v) => fromJson(v, source));
  return trimmed
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map(describedFile);
}

function fromJson(value: unknown, source: string): ChangedFile[] {
  if (!Array.isArray(value)) throw new UsageError(`${source}: expected a JSON array of files, found ${typeof value}`);
  return value.map((item, i) => {
    if (typeof item === 'string') return describedFile(item);
    const f = item as Record<string, unknown> | null;
    if (typeof f !== 'object' || f === null || typeof f.filename !== 'string' || f.filename === '') {
      throw new UsageError(`${source}: file ${i + 1} has no "filename"`);
    }
    const count = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);
    const file: ChangedFile = {
      filename: f.filename,
      status: STATUSES.has(f.status as ChangedFile['status']) ? (f.status as ChangedFile['status']) : 'modified',
      additions: count(f.additions),
      deletions: count(f.deletions),
    };
    if (typeof f.previous_filename === 'string' && f.previous_filename !== '') file.previousFilename = f.previous_filename;
    return file;
  });
}

/** Every top-level JSON value in the text: `[...][...]` and `[...]\n[...]` included. */
function jsonValues(text: string, source: string): unknown[] {
  // One value (the usual case) is JSON.parse's alone: no scan of thousands of files char by char.
  try {
    return [JSON.parse(text)];
  } catch {
    // several values back to back, or bad JSON: the scan below finds which, and where
  }
  const values: unknown[] = [];
  let depth = 0;
  let inString = false;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === ']' || c === '}') {
      depth--;
      if (depth === 0) values.push(parseJson(text.slice(start, i + 1), source));
      if (depth < 0) throw new UsageError(`${source}: bad JSON: unexpected "${c}"`);
    } else if (depth === 0 && !/\s/.test(c ?? '')) {
      throw new UsageError(`${source}: bad JSON: unexpected "${c}" between values`);
    }
  }
  if (depth !== 0 || inString) throw new UsageError(`${source}: bad JSON: the input ends in the middle of a value`);
  return values;
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${source}: bad JSON: ${(e as Error).message}`);
  }
}
