// Matching of logins, labels, branches and paths. Everything is compiled once per policy (see
// compile.ts); nothing here is called per pair of (file, glob) at classification time except a
// precompiled RegExp test.
import { GLOBSTAR, Minimatch, type MinimatchOptions } from 'minimatch';

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
  if (p === '') return 'empty glob';
  if (p.startsWith('!') && !p.startsWith('!(')) return `negated glob "${pattern}" is not supported (it would match almost every file)`;
  const balance = bracketProblem(p);
  if (balance) return `bad glob "${pattern}": ${balance}`;
  if (estimateExpansions(p) > MAX_EXPANSIONS) {
    return `bad glob "${pattern}": its braces expand to more than ${MAX_EXPANSIONS} alternatives`;
  }
  let re: RegExp | false;
  try {
    re = new Minimatch(p, GLOB_OPTIONS).makeRe();
  } catch (e) {
    return `bad glob "${pattern}": ${(e as Error).message}`;
  }
  if (re === false) return `bad glob "${pattern}": minimatch cannot compile it`;
  // minimatch's marker for "this character class can never match anything".
  if (re.source.includes('$.')) return `bad glob "${pattern}": a character class in it has no valid range, so it can never match`;
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

/** One glob, compiled: the matcher that decides and the keys that let an index skip it. */
export interface CompiledGlob {
  pattern: string;
  /** minimatch's own `match`, not `makeRe().test`: the two disagree at the edges (`src/**` does
   * not match the file `src` by `match`, as `minimatch()` says, but does by the regex). */
  test: (path: string) => boolean;
  /** Index keys; undefined when any path could match (the glob must always be tried). */
  keys?: string[];
}

const EXT_PART = /^\*(\.[^*?[\]{}()!+@\\/]+)$/;

export function compileGlob(pattern: string, options: MinimatchOptions = GLOB_OPTIONS): CompiledGlob {
  const mm = new Minimatch(normaliseGlob(pattern), options);
  // Validation (globProblem) runs before compilation; a glob that still fails matches nothing.
  if (mm.makeRe() === false) return { pattern, test: () => false, keys: [] };
  const test = (path: string): boolean => mm.match(path);
  const keys = new Set<string>();
  for (const parts of mm.set) {
    const key = expansionKey(parts as Part[]);
    if (key === undefined) return { pattern, test };
    keys.add(key);
  }
  return { pattern, test, keys: [...keys] };
}

type Part = string | typeof GLOBSTAR | (RegExp & { _glob?: string });

/** A key every path this expansion matches must carry (see pathKeys), if there is one. */
function expansionKey(parts: Part[]): string | undefined {
  const first = parts[0];
  if (typeof first === 'string' && first !== '') return `s:${first}`;
  const last = parts[parts.length - 1];
  if (typeof last === 'string' && last !== '') return `b:${last}`;
  if (last instanceof RegExp && typeof last._glob === 'string') {
    const ext = EXT_PART.exec(last._glob);
    if (ext) return `x:${ext[1]}`;
  }
  return undefined;
}

/** The keys of a path: its first segment, its basename and every suffix of the basename that starts
 * at a dot (`a.test.ts` -> `.test.ts`, `.ts`). A glob keyed by one of them may match; no other can. */
export function pathKeys(path: string): string[] {
  const slash = path.indexOf('/');
  const base = path.slice(path.lastIndexOf('/') + 1);
  const keys = [`s:${slash === -1 ? path : path.slice(0, slash)}`, `b:${base}`];
  for (let i = base.indexOf('.'); i !== -1; i = base.indexOf('.', i + 1)) keys.push(`x:${base.slice(i)}`);
  return keys;
}

/** Globs grouped by owner (a rule, a floor), indexed so that a path is only tested against globs
 * that could match it. */
export class PathIndex<Owner> {
  private readonly keyed = new Map<string, number[]>();
  private readonly always: number[] = [];
  private readonly globs: { glob: CompiledGlob; owner: Owner }[] = [];

  add(glob: CompiledGlob, owner: Owner): void {
    const id = this.globs.push({ glob, owner }) - 1;
    if (glob.keys === undefined) {
      this.always.push(id);
      return;
    }
    for (const key of glob.keys) {
      const list = this.keyed.get(key);
      if (list) list.push(id);
      else this.keyed.set(key, [id]);
    }
  }

  get size(): number {
    return this.globs.length;
  }

  /** Every owner with a glob that matches `path`, each once, in the order globs were added. */
  owners(path: string): Owner[] {
    const ids = new Set<number>(this.always);
    for (const key of pathKeys(path)) for (const id of this.keyed.get(key) ?? []) ids.add(id);
    const found: Owner[] = [];
    const seen = new Set<Owner>();
    for (const id of [...ids].sort((a, b) => a - b)) {
      const { glob, owner } = this.globs[id] as { glob: CompiledGlob; owner: Owner };
      if (!seen.has(owner) && glob.test(path)) {
        seen.add(owner);
        found.push(owner);
      }
    }
    return found;
  }
}

/** Login patterns: case-insensitive, `*` is the only wildcard (so `[bot]` is literal). */
export function compileLogin(pattern: string): RegExp {
  const body = pattern
    .trim()
    .split('*')
    .map((s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 'i');
}

export function matchesAnyLogin(login: string, patterns: readonly RegExp[]): boolean {
  return patterns.some((re) => re.test(login));
}
