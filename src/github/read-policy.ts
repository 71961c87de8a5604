// The policy, read from the PR's BASE branch (never its head: design.md, invariant 1) as raw text so that
// validation errors keep their line and column.
//
// Probot's config conventions are honoured (the semantics of @probot/octokit-plugin-config, which
// cannot be used directly because it parses the YAML itself and hands back no text):
//   - no file in the repository -> the organisation's `.github` repository, default branch;
//   - `_extends: repo`, `_extends: org/repo` or `_extends: org/repo:path.yml` -> that file (default
//     branch) is the base and this file's top-level keys replace the base's (a shallow merge).
// Merged text is stitched from whole top-level blocks of each file, so every error is mapped back to
// the file and line it came from.
import { LineCounter, parseDocument, isMap, isScalar } from 'yaml';
import type { PolicyError, PolicyLoad, PolicySource } from '../core/model/policy.js';
import { readConditionally } from './conditional-read.js';
import { describeError } from './errors.js';
import type { Session } from './session.js';

export interface PolicyRead {
  source: PolicySource;
  /** Puts errors found in stitched text back into the files they came from. */
  remap: (load: PolicyLoad) => PolicyLoad;
}

interface FileRef {
  owner: string;
  repo: string;
  path: string;
  /** Branch to read; undefined = the repository's default branch. */
  ref?: string;
}

/** Same grammar as @probot/octokit-plugin-config. */
const EXTENDS = /^(?:([a-z\d](?:[a-z\d]|-(?=[a-z\d])){0,38})\/)?([-_.\w\d]+)(?::([-_./\w\d]+\.ya?ml))?$/i;
const MAX_EXTENDS = 5;

const identity = (load: PolicyLoad): PolicyLoad => load;
const label = (f: FileRef, local: FileRef): string =>
  f.owner === local.owner && f.repo === local.repo ? f.path : `${f.owner}/${f.repo}:${f.path}`;

class Unreadable extends Error {}

/**
 * Policy files change rarely and are read on every reconcile: each one's ETag is kept (in the
 * session's kept answers, keyed by repository, path and branch) and GitHub is asked conditionally.
 * A 304 costs nothing against the rate limit.
 */
const keptKey = (f: FileRef): string => `policy\0${f.owner}/${f.repo}\0${f.path}\0${f.ref ?? ''}`.toLowerCase();

/** Raw text of one file, or undefined on 404. Other errors propagate. */
async function readText(session: Session, file: FileRef): Promise<string | undefined> {
  return readConditionally(
    session,
    keptKey(file),
    (c, conditional) =>
      c.rest.repos.getContent({
        owner: file.owner,
        repo: file.repo,
        path: file.path,
        ...(file.ref ? { ref: file.ref } : {}),
        mediaType: { format: 'raw' },
        ...conditional,
      }),
    // With the raw media type GitHub sends the bytes of a file; JSON means a directory or submodule.
    { is: (data): data is string => typeof data === 'string', otherwise: () => new Unreadable(`${file.path} is not a file`) },
  );
}

interface Block {
  key: string;
  lines: string[];
  firstLine: number; // 1-based line of the block in its file
  file: string;
}

/** Top-level keys of a block mapping, each with the lines that hold it. Undefined when not a block mapping. */
function topLevelBlocks(text: string, file: string): { blocks: Block[]; extendsValue?: unknown } | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, keepSourceTokens: true });
  if (doc.errors.length > 0 || !isMap(doc.contents) || doc.contents.flow) return undefined;
  const lines = text.split(/\r?\n/);
  const starts: { key: string; line: number }[] = [];
  let extendsValue: unknown;
  for (const pair of doc.contents.items) {
    if (!isScalar(pair.key) || !pair.key.range) return undefined;
    const key = String(pair.key.value);
    if (key === '_extends') extendsValue = isScalar(pair.value) ? pair.value.value : pair.value;
    starts.push({ key, line: lineCounter.linePos(pair.key.range[0]).line });
  }
  const blocks = starts.map((s, i) => {
    const end = (starts[i + 1]?.line ?? lines.length + 1) - 1;
    return { key: s.key, lines: lines.slice(s.line - 1, end), firstLine: s.line, file };
  });
  return { blocks, extendsValue };
}

function isFlowMapping(text: string): boolean {
  const doc = parseDocument(text);
  return doc.errors.length === 0 && isMap(doc.contents) && !!doc.contents.flow;
}

/** Does the text declare `_extends` at its top level? (Cheap test before any stitching.) */
function declaresExtends(text: string): boolean {
  return /^_extends\s*:/m.test(text) || /^\s*\{[^]*\b_extends\b/.test(text);
}

function parseExtends(value: unknown, from: FileRef, local: FileRef): FileRef {
  if (typeof value !== 'string')
    throw new Unreadable(`_extends in ${label(from, local)} must be a string like "repo", "org/repo" or "org/repo:path.yml"`);
  const m = EXTENDS.exec(value);
  if (!m?.[2])
    throw new Unreadable(`_extends in ${label(from, local)} is not "repo", "org/repo" or "org/repo:path.yml": ${JSON.stringify(value)}`);
  return { owner: m[1] ?? from.owner, repo: m[2], path: m[3] ?? local.path };
}

/** Stitch the chain (base first, the repository's own file last): later top-level keys win. */
function stitch(chain: { file: string; blocks: Block[] }[], localPath: string): PolicyRead {
  const byKey = new Map<string, Block>();
  for (const { blocks } of chain)
    for (const b of blocks)
      if (b.key !== '_extends') {
        byKey.delete(b.key);
        byKey.set(b.key, b);
      }
  const text: string[] = [];
  const origin: { file: string; line: number }[] = []; // index = stitched line - 1
  for (const b of byKey.values()) {
    b.lines.forEach((l, i) => {
      text.push(l);
      origin.push({ file: b.file, line: b.firstLine + i });
    });
  }
  const stitched = text.join('\n') + '\n';
  const remapError = (e: PolicyError): PolicyError => {
    if (e.file !== localPath) return e;
    const o = origin[e.line - 1];
    return o ? { ...e, file: o.file, line: o.line } : e;
  };
  return {
    source: { kind: 'text', path: localPath, text: stitched },
    remap: (load) => (load.kind === 'invalid' ? { ...load, errors: load.errors.map(remapError) } : load),
  };
}

const keyOf = (f: FileRef): string => `${f.owner}/${f.repo}:${f.path}`.toLowerCase();

async function resolveExtends(session: Session, first: { ref: FileRef; text: string }, local: FileRef): Promise<PolicyRead> {
  const chain: { file: string; blocks: Block[] }[] = [];
  const seen = new Set<string>();
  let current: { ref: FileRef; text: string } | undefined = first;
  while (current) {
    const name = label(current.ref, local);
    seen.add(keyOf(current.ref));
    if (seen.size > MAX_EXTENDS) throw new Unreadable(`more than ${MAX_EXTENDS} files chained by _extends`);
    const parsed = topLevelBlocks(current.text, name);
    if (!parsed) {
      // Not a block mapping (a YAML error, most likely): validate this file alone, so its errors keep
      // their own file, line and column. It blocks the PR either way.
      if (isFlowMapping(current.text))
        throw new Unreadable(`${name}: write the policy as a block mapping (one key per line) to use _extends`);
      return { source: { kind: 'text', path: name, text: current.text }, remap: identity };
    }
    chain.unshift({ file: name, blocks: parsed.blocks });
    if (parsed.extendsValue === undefined) break;
    const next = parseExtends(parsed.extendsValue, current.ref, local);
    if (seen.has(keyOf(next))) throw new Unreadable(`_extends in ${name} loops back to ${label(next, local)}`);
    const text = await readText(session, next);
    if (text === undefined) throw new Unreadable(`${name} extends ${label(next, local)}, which does not exist`);
    current = { ref: next, text };
  }
  return stitch(chain, label(first.ref, local));
}

/**
 * Find the policy for a pull request whose base branch is `baseRef` (undefined: the default branch).
 * 404 everywhere -> `missing`; any other failure -> `unreadable` (the decision then fails closed).
 */
export async function readPolicy(
  session: Session,
  repo: { owner: string; repo: string },
  baseRef: string | undefined,
  path: string,
): Promise<PolicyRead> {
  const local: FileRef = { owner: repo.owner, repo: repo.repo, path, ref: baseRef };
  try {
    let found: { ref: FileRef; text: string } | undefined;
    const own = await readText(session, local);
    if (own !== undefined) found = { ref: local, text: own };
    else if (repo.repo !== '.github') {
      const orgFile: FileRef = { owner: repo.owner, repo: '.github', path };
      const org = await readText(session, orgFile);
      if (org !== undefined) found = { ref: orgFile, text: org };
    }
    if (!found) return { source: { kind: 'missing', path }, remap: identity };
    const name = label(found.ref, local);
    if (!declaresExtends(found.text)) return { source: { kind: 'text', path: name, text: found.text }, remap: identity };
    return await resolveExtends(session, found, local);
  } catch (error) {
    const message =
      error instanceof Unreadable
        ? error.message
        : `could not read ${path} from ${baseRef ?? 'the default branch'}: ${describeError(error)}`;
    session.log.warn({ repo, path, baseRef, error: message }, 'policy unreadable');
    return { source: { kind: 'unreadable', path, message }, remap: identity };
  }
}
