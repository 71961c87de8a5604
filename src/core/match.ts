// Matching of logins, labels, branches and paths. Everything is compiled once per policy (see
// compile.ts); nothing here is called per pair of (file, glob) at classification time except a
// precompiled RegExp test.
import { loginPattern } from './login.js';
import { braceExpand, Minimatch, type MinimatchOptions } from 'minimatch';

/** Path and branch globs: dotfiles match (`infra/**` covers `infra/.env`); a leading `!` or `#` is
 * not special (we reject `!` explicitly, see globProblem); POSIX semantics on every platform. */
export const GLOB_OPTIONS: MinimatchOptions = { dot: true, nocomment: true, nonegate: true, platform: 'linux' };

/** A pattern is written relative to the repository root; `./docs/**` and `/docs/**` mean `docs/**`. */
export function normaliseGlob(pattern: string): string {
  let p = pattern.trim();
  while (p.startsWith('./')) p = p.slice(2);
  while (p.startsWith('/')) p = p.slice(1);
  return p;
}

const MAX_EXPANSIONS = 256;

/** Why minimatch would not do what the author meant with this glob, or undefined when it is fine.
 *
 * minimatch itself rejects very little: it throws only for patterns over 64 KiB, compiles an empty
 * pattern to `false`, and compiles a character class without a valid range (`[z-a]`) to a regex
 * that never matches. Unbalanced `[`, `{` and extglob `(` it silently treats as literal
 * characters, which in a `hard` rule would quietly match nothing: we reject those too. */
export function globProblem(pattern: string): string | undefined {
  const p = normaliseGlob(pattern);
  // Literal text, `*`, `**` and at most 256 flat brace alternatives: none of the problems below
  // can arise (see plainParts). Such a glob is compiled here and kept: a policy's globs are checked
  // and compiled in one pass (compilePolicy then finds them compiled).
  if (plainParts(p) !== undefined) {
    compileGlob(pattern);
    return undefined;
  }
  if (p === '') return 'empty glob';
  if (p.startsWith('!') && !p.startsWith('!(')) return `negated glob "${pattern}" is not supported (it would match almost every file)`;
  const balance = bracketProblem(p);
  if (balance) return `bad glob "${pattern}": ${balance}`;
  if (estimateExpansions(p) > MAX_EXPANSIONS) {
    return `bad glob "${pattern}": its braces expand to more than ${MAX_EXPANSIONS} alternatives`;
  }
  let re: RegExp | false;
  try {
    re = minimatchOf(p).makeRe();
  } catch (e) {
    return `bad glob "${pattern}": ${(e as Error).message}`;
  }
  if (re === false) return `bad glob "${pattern}": minimatch cannot compile it`;
  if (braceExpand(p, GLOB_OPTIONS).some(hasEmptyClass))
    return `bad glob "${pattern}": a character class in it has no valid range, so it can never match`;
  return undefined;
}

/** The POSIX classes minimatch knows inside `[…]`. */
const POSIX_CLASSES = [
  '[:alnum:]',
  '[:alpha:]',
  '[:ascii:]',
  '[:blank:]',
  '[:cntrl:]',
  '[:digit:]',
  '[:graph:]',
  '[:lower:]',
  '[:print:]',
  '[:punct:]',
  '[:space:]',
  '[:upper:]',
  '[:word:]',
  '[:xdigit:]',
];

/** Whether a brace expansion holds a character class that can match no character (`[z-a]`), which
 * minimatch compiles to a pattern that never matches. Read from the text with minimatch's grammar of
 * a class (`!`/`^` negation, `]` first is a member, escapes, ranges, POSIX classes), not from the
 * regex it builds: a test pins the two together (plain-glob.test.ts). */
function hasEmptyClass(expansion: string): boolean {
  for (const segment of expansion.split('/')) {
    for (let i = 0; i < segment.length; i++) {
      const c = segment[i];
      if (c === '\\') i++;
      else if (c === '[') {
        const end = classEnd(segment, i);
        if (end === 'empty') return true;
        if (end !== undefined) i = end - 1;
      }
    }
  }
  return false;
}

/** Where the class opening at `pos` ends, 'empty' when it can match nothing, undefined when it is
 * not closed (minimatch then reads the `[` as a literal). */
function classEnd(glob: string, pos: number): number | 'empty' | undefined {
  let members = 0;
  let sawStart = false;
  let escaping = false;
  let rangeStart = '';
  for (let i = pos + 1; i < glob.length;) {
    const c = glob.charAt(i);
    if ((c === '!' || c === '^') && i === pos + 1) {
      i++;
      continue;
    }
    if (c === ']' && sawStart && !escaping) return members === 0 ? 'empty' : i + 1;
    sawStart = true;
    if (c === '\\' && !escaping) {
      escaping = true;
      i++;
      continue;
    }
    if (c === '[' && !escaping) {
      const posix = POSIX_CLASSES.find((cls) => glob.startsWith(cls, i));
      if (posix !== undefined) {
        if (rangeStart) return 'empty'; // a range ending in a POSIX class
        members++;
        i += posix.length;
        continue;
      }
    }
    escaping = false;
    if (rangeStart) {
      if (c >= rangeStart) members++;
      rangeStart = '';
      i++;
    } else if (glob.startsWith('-]', i + 1)) {
      members++;
      i += 2;
    } else if (glob.startsWith('-', i + 1)) {
      rangeStart = c;
      i += 2;
    } else {
      members++;
      i++;
    }
  }
  return undefined;
}

/** Unclosed `[`, `{` or extglob `(` (escapes with `\` respected). */
function bracketProblem(p: string): string | undefined {
  const stack: string[] = [];
  let inClass = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      // `[]a]` and `[!]a]`: a `]` right after the opening is a member, not the end.
      if (c === ']' && !(p[i - 1] === '[' || ((p[i - 1] === '!' || p[i - 1] === '^') && p[i - 2] === '['))) inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '{') stack.push('}');
    else if (c === '(' && i > 0 && '@!?*+'.includes(p[i - 1] ?? '')) stack.push(')');
    else if ((c === '}' || c === ')') && stack[stack.length - 1] === c) stack.pop();
  }
  if (inClass) return 'unclosed "[" (write "\\[" for a literal bracket)';
  if (stack.length > 0) return `unclosed "${stack[stack.length - 1] === '}' ? '{' : '('}"`;
  return undefined;
}

/** An upper bound of the number of brace alternatives, computed without expanding them. */
function estimateExpansions(p: string): number {
  let product = 1;
  const counts: number[] = [];
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') {
      i++;
    } else if (c === '{') {
      const range = /^\{(-?\d+|[a-zA-Z])\.\.(-?\d+|[a-zA-Z])(?:\.\.-?\d+)?\}/.exec(p.slice(i));
      if (range) {
        const a = range[1] as string;
        const b = range[2] as string;
        const span = /\d/.test(a) ? Math.abs(Number(b) - Number(a)) : Math.abs(b.charCodeAt(0) - a.charCodeAt(0));
        product *= span + 1;
        i += range[0].length - 1;
      } else counts.push(1);
    } else if (c === ',' && counts.length > 0) {
      counts[counts.length - 1] = (counts[counts.length - 1] ?? 1) + 1;
    } else if (c === '}' && counts.length > 0) {
      product *= counts.pop() ?? 1;
    }
    if (product > MAX_EXPANSIONS * 1000) return product;
  }
  return product;
}

// An index key of a glob. `exact` when carrying the key already proves the match (`dir/**`,
// `**/*.ext`, `**/name`, a literal path), so the glob need not be tested at all.
export interface GlobKey {
  key: string;
  exact: boolean;
  // With an exact key: the match also needs the basename to end with this (`.ext`), as in
  // `dir/**/*.ext` (`d:` key) and `dir/*.ext` (`c:` key, the file's own directory).
  ext?: string;
}

/** One glob, compiled: the matcher that decides and the keys that let an index skip it. */
export interface CompiledGlob {
  pattern: string;
  /** minimatch's own `match` (what `minimatch()` answers). Not `makeRe().test`: the two disagree at
   * the edges (the regex of `src/**` matches the file `src`, `minimatch()` does not). */
  test: (path: string) => boolean;
  /** Index keys, one per brace expansion; undefined when any path could match. */
  keys?: GlobKey[];
}

const EXT_PART = /^\*(\.[^*?[\]{}()!+@\\/]+)$/;

/** Globs parsed with the policy's options, by pattern: validation and compilation parse each glob
 * once between them (a policy of 1000 rules has thousands; parsing them was a third of the CLI's
 * time). Bounded: cleared when full.
 *
 * This and the two maps below are memos, not state the core keeps (design.md §2.1): each
 * holds a pure function of its key, a string, so no caller can tell a hit from a miss except by the
 * time it takes; and they are shared by every policy on purpose (the same glob in many repositories'
 * policies is parsed once). What has a lifetime, the policies themselves, is kept by the caller
 * (PolicyLoads, policy/load.ts). */
const parsedGlobs = new Map<string, Minimatch>();
const MAX_PARSED_GLOBS = 20_000;

function minimatchOf(normalised: string): Minimatch {
  let mm = parsedGlobs.get(normalised);
  if (!mm) {
    mm = new Minimatch(normalised, GLOB_OPTIONS);
    if (parsedGlobs.size >= MAX_PARSED_GLOBS) parsedGlobs.clear();
    parsedGlobs.set(normalised, mm);
  }
  return mm;
}

/** Plain globs compiled, by pattern as written. Bounded: cleared when full. */
const compiledPlain = new Map<string, CompiledGlob>();

export function compileGlob(pattern: string, options: MinimatchOptions = GLOB_OPTIONS): CompiledGlob {
  if (options === GLOB_OPTIONS) {
    const kept = compiledPlain.get(pattern);
    if (kept) return kept;
    const normalised = normaliseGlob(pattern);
    const plain = plainParts(normalised);
    if (plain) {
      const compiled = compilePlain(pattern, normalised, plain);
      if (compiledPlain.size >= MAX_PARSED_GLOBS) compiledPlain.clear();
      compiledPlain.set(pattern, compiled);
      return compiled;
    }
  }
  const mm = options === GLOB_OPTIONS ? minimatchOf(normaliseGlob(pattern)) : new Minimatch(normaliseGlob(pattern), options);
  // Validation (globProblem) runs before compilation; a glob that still fails matches nothing.
  if (mm.makeRe() === false) return { pattern, test: () => false, keys: [] };
  const test = (path: string): boolean => mm.match(path);
  // Keys compare exact strings and the exact shapes assume `**` crosses dot directories: other
  // options get no keys (the glob is tried against every path).
  if (options.nocase || !options.dot) return { pattern, test };
  const keys: GlobKey[] = [];
  // Distinct expansions, as minimatch keeps them (`x{a,a}y` is one).
  for (const expansion of new Set(braceExpand(normaliseGlob(pattern), options))) {
    const parts = segmentsOf(expansion);
    const key = parts && expansionKey(parts);
    if (key === undefined) return { pattern, test };
    keys.push(key);
  }
  return { pattern, test, keys };
}

/** What the index needs of an expansion's segments, read from its text: `**`, literal text (no
 * character minimatch could read as magic or an escape), or anything else as an opaque glob. Its own
 * reading, so nothing depends on minimatch's internals; undefined (no keys: every path is tested) for
 * the shapes minimatch rewrites before matching (empty, `.` and `..` segments, repeated `**`). */
function segmentsOf(expansion: string): Part[] | undefined {
  const parts: Part[] = [];
  for (const segment of expansion.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') return undefined;
    if (segment === '**') {
      if (parts[parts.length - 1] === GLOBSTAR) return undefined;
      parts.push(GLOBSTAR);
    } else parts.push(LITERAL_SEGMENT.test(segment) ? segment : { glob: segment });
  }
  return parts;
}

const LITERAL_SEGMENT = /^[^*?[\]{}()!+@\\]+$/;

function compilePlain(pattern: string, normalised: string, plain: Part[][]): CompiledGlob {
  // Built on the first path the index cannot decide by its keys alone, if any.
  let mm: Minimatch | undefined;
  const test = (path: string): boolean => (mm ??= minimatchOf(normalised)).match(path);
  const keys: GlobKey[] = [];
  for (const parts of plain) {
    const key = expansionKey(parts);
    if (key === undefined) return { pattern, test };
    keys.push(key);
  }
  return { pattern, test, keys };
}

/** A segment of a glob: a literal string, a whole `**`, or any other glob text. */
const GLOBSTAR = Symbol('**');
type Part = string | typeof GLOBSTAR | { glob: string };

/** A glob of literal segments (letters, digits, `_`, `.`, `-`), `*` inside a segment, whole `**`
 * segments and flat `{a,b}` braces of such text: the shape of nearly every glob in a real policy.
 * Its segments, per brace expansion, follow from the text alone, exactly as minimatch parses them
 * (no escapes, classes, extglobs, `?`, empty, `.` or `..` segments, nor repeated `**` to rewrite),
 * and minimatch can reject none of them. So a policy of thousands of such globs needs no Minimatch
 * to be validated and indexed; one is built for a glob only when the index must test a path
 * against it (most keys decide alone). Anything else is left to minimatch (undefined). */
const PLAIN_GLOB = /^(?:[\w.\-/*]|\{[\w.-]+(?:,[\w.-]+)+\})+$/;
const MAX_PLAIN_GLOB = 1024;

/** Validation and compilation split each glob once between them. Bounded: cleared when full. */
const plainCache = new Map<string, Part[][] | null>();

function plainParts(normalised: string): Part[][] | undefined {
  let parts = plainCache.get(normalised);
  if (parts === undefined) {
    parts = splitPlain(normalised) ?? null;
    if (plainCache.size >= MAX_PARSED_GLOBS) plainCache.clear();
    plainCache.set(normalised, parts);
  }
  return parts ?? undefined;
}

function splitPlain(normalised: string): Part[][] | undefined {
  if (normalised.length > MAX_PLAIN_GLOB || !PLAIN_GLOB.test(normalised)) return undefined;
  const expansions = normalised.includes('{') ? expandBraces(normalised) : [normalised];
  if (expansions === undefined) return undefined;
  const out: Part[][] = [];
  for (const expansion of expansions) {
    const parts = splitSegments(expansion);
    if (parts === undefined) return undefined;
    out.push(parts);
  }
  return out;
}

/** The distinct expansions of flat braces (`a/{b,c}/*.{ts,tsx}`), or undefined past MAX_EXPANSIONS. */
function expandBraces(normalised: string): string[] | undefined {
  let expansions = [''];
  for (const piece of normalised.split(/(\{[^}]*\})/)) {
    const alternatives = piece.startsWith('{') ? piece.slice(1, -1).split(',') : [piece];
    if (expansions.length * alternatives.length > MAX_EXPANSIONS) return undefined;
    expansions = expansions.flatMap((e) => alternatives.map((a) => e + a));
  }
  return [...new Set(expansions)];
}

/** A plain glob's segments as the index reads any glob's (segmentsOf: its characters are word
 * characters, `.`, `-` and `*`, so a segment is literal exactly when it has no `*`); a `**` inside a
 * segment (`a**b`, which minimatch reads as `*`) is left to minimatch. */
function splitSegments(expansion: string): Part[] | undefined {
  if (expansion.split('/').some((s) => s !== '**' && s.includes('**'))) return undefined;
  return segmentsOf(expansion);
}

/** A key every path this expansion matches must carry (see PathIndex.owners), if there is one. String parts
 * are literal segments, which minimatch matches exactly. The `exact` shapes rely on
 * paths as GitHub lists them: no empty, `.` or `..` segments. */
function expansionKey(parts: Part[]): GlobKey | undefined {
  const literal = (p: Part | undefined): p is string => typeof p === 'string' && p !== '';
  const last = parts[parts.length - 1];
  const extOf = (p: Part | undefined): string | undefined => (typeof p === 'object' ? EXT_PART.exec(p.glob)?.[1] : undefined);
  // The leading literal segments (`services/api/**` -> `services/api`): the most selective key.
  let n = 0;
  while (literal(parts[n])) n++;
  if (n > 0) {
    const prefix = parts.slice(0, n).join('/');
    if (n === parts.length) return { key: `f:${prefix}`, exact: true };
    if (n === parts.length - 1 && last === GLOBSTAR) return { key: `d:${prefix}`, exact: true };
    // `dir/*.ext` and `dir/**/*.ext`: the directory key and the extension decide together.
    const ext = extOf(last);
    if (ext !== undefined && n === parts.length - 1) return { key: `c:${prefix}`, exact: true, ext };
    if (ext !== undefined && n === parts.length - 2 && parts[n] === GLOBSTAR) return { key: `d:${prefix}`, exact: true, ext };
    return { key: `p:${prefix}`, exact: false };
  }
  const tailOnly = parts.length === 2 && parts[0] === GLOBSTAR;
  if (literal(last)) return { key: `b:${last}`, exact: tailOnly };
  const ext = extOf(last);
  if (ext !== undefined) return { key: `x:${ext}`, exact: tailOnly };
  // A literal segment somewhere in the middle (`**/node_modules/**`).
  const middle = parts.find(literal);
  return middle === undefined ? undefined : { key: `g:${middle}`, exact: false };
}

type KeyKind = 'f' | 'd' | 'c' | 'p' | 'b' | 'x' | 'g';

interface Entry {
  id: number;
  exact: boolean;
  ext?: string;
}

/** Globs grouped by owner (a rule, a floor), indexed so that a path is only tested against globs
 * that could match it, and not at all when its key proves the match. `owners` runs for every path
 * of every PR: it allocates nothing but its result and the key strings. */
export class PathIndex<Owner> {
  /** One map per key kind, keyed by the bare value: no `kind:value` string per lookup. */
  private readonly keyed: Record<KeyKind, Map<string, Entry[]>> = {
    f: new Map(),
    d: new Map(),
    c: new Map(),
    p: new Map(),
    b: new Map(),
    x: new Map(),
    g: new Map(),
  };
  private readonly always: number[] = [];
  private readonly globs: CompiledGlob[] = [];
  /** Per glob, the slot of its owner in `ownerList`. */
  private readonly slotOf: number[] = [];
  private readonly ownerList: Owner[] = [];
  private readonly slots = new Map<Owner, number>();
  /** `globEpoch[id] === epoch` when glob `id` was decided for the current path, `ownerEpoch[slot]`
   * when its owner was found: no Set per path. */
  private globEpoch = new Uint32Array(0);
  private ownerEpoch = new Uint32Array(0);
  private epoch = 0;
  private readonly pending: number[] = [];

  add(glob: CompiledGlob, owner: Owner): void {
    const id = this.globs.push(glob) - 1;
    let slot = this.slots.get(owner);
    if (slot === undefined) {
      slot = this.ownerList.push(owner) - 1;
      this.slots.set(owner, slot);
    }
    this.slotOf.push(slot);
    if (glob.keys === undefined) {
      this.always.push(id);
      return;
    }
    // Two expansions may share a key (`**/{a,b}/x.ts` -> `b:x.ts` twice): one entry each.
    const seen = glob.keys.length > 1 ? new Set<string>() : undefined;
    for (const { key, exact, ext } of glob.keys) {
      const entry: Entry = ext === undefined ? { id, exact } : { id, exact, ext };
      if (seen) {
        const unique = ext === undefined ? key : `${key}\0${ext}`;
        if (seen.has(unique)) continue;
        seen.add(unique);
      }
      const map = this.keyed[key[0] as KeyKind];
      const value = key.slice(2);
      const list = map.get(value);
      if (list) list.push(entry);
      else map.set(value, [entry]);
    }
  }

  get size(): number {
    return this.globs.length;
  }

  /** Every owner with a glob that matches `path`, each once (in no particular order). */
  owners(path: string): Owner[] {
    if (this.globEpoch.length < this.globs.length || this.ownerEpoch.length < this.ownerList.length || this.epoch === 0xffffffff) {
      this.globEpoch = new Uint32Array(this.globs.length);
      this.ownerEpoch = new Uint32Array(this.ownerList.length);
      this.epoch = 0;
    }
    const epoch = ++this.epoch;
    const found: Owner[] = [];
    this.pending.length = 0;
    const { f, d, c, p, b, x, g } = this.keyed;
    // The keys of a path: `f:` itself, `b:` its basename, `x:` every suffix of the basename that
    // starts at a dot (`a.test.ts` -> `.test.ts`, `.ts`), `p:` each leading run of segments, `g:`
    // each segment, `d:` each directory it is under, `c:` the directory it is in. A glob keyed by one
    // of them may match; no other glob can. Exact entries are owners at once (when the basename
    // has their extension, if they name one), the rest wait for minimatch.
    const slash = path.lastIndexOf('/');
    const base = path.slice(slash + 1);
    if (f.size > 0) this.take(f.get(path), epoch, found, base);
    if (c.size > 0 && slash !== -1) this.take(c.get(path.slice(0, slash)), epoch, found, base);
    if (b.size > 0) this.take(b.get(base), epoch, found, base);
    if (x.size > 0)
      for (let i = base.indexOf('.'); i !== -1; i = base.indexOf('.', i + 1)) this.take(x.get(base.slice(i)), epoch, found, base);
    if (d.size > 0 || p.size > 0 || g.size > 0) {
      let from = 0;
      for (;;) {
        const end = path.indexOf('/', from);
        const prefix = end === -1 ? path : path.slice(0, end);
        if (p.size > 0) this.take(p.get(prefix), epoch, found, base);
        if (g.size > 0) this.take(g.get(end === -1 ? path.slice(from) : path.slice(from, end)), epoch, found, base);
        if (end === -1) break;
        if (d.size > 0) this.take(d.get(prefix), epoch, found, base);
        from = end + 1;
      }
    }
    for (const id of this.always) this.pending.push(id);
    // Then minimatch decides the rest, unless the owner is already found or the glob decided.
    for (const id of this.pending) {
      const slot = this.slotOf[id] as number;
      if (this.globEpoch[id] === epoch || this.ownerEpoch[slot] === epoch) continue;
      this.globEpoch[id] = epoch;
      if ((this.globs[id] as CompiledGlob).test(path)) {
        this.ownerEpoch[slot] = epoch;
        found.push(this.ownerList[slot] as Owner);
      }
    }
    return found;
  }

  private take(list: Entry[] | undefined, epoch: number, found: Owner[], base: string): void {
    if (list === undefined) return;
    for (const e of list) {
      if (!e.exact) {
        this.pending.push(e.id);
        continue;
      }
      // Another expansion of the same glob may still match: not decided, only not by this key.
      if (e.ext !== undefined && !base.endsWith(e.ext)) continue;
      const slot = this.slotOf[e.id] as number;
      this.globEpoch[e.id] = epoch;
      if (this.ownerEpoch[slot] !== epoch) {
        this.ownerEpoch[slot] = epoch;
        found.push(this.ownerList[slot] as Owner);
      }
    }
  }
}

/** Login patterns: case-insensitive, `*` is the only wildcard (so `[bot]` is literal). */
export function compileLogin(pattern: string): RegExp {
  return loginPattern(pattern);
}

export function matchesAnyLogin(login: string, patterns: readonly RegExp[]): boolean {
  return patterns.some((re) => re.test(login));
}
