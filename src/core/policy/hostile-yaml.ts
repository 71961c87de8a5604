// Reading the policy's YAML as hostile input: one document, no tags, bounded nesting (checked on the
// lexer's tokens before the parser or the composer can recurse on it) and bounded alias expansion.
// Returns the document and its plain data, or errors positioned in the text.
import {
  Alias,
  Composer,
  CST,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  Lexer,
  LineCounter,
  Parser,
  type Document,
  type Node,
  type Pair,
} from 'yaml';
import type { PolicyError } from '../model/policy.js';
import type { At } from './positions.js';

/** The format is at most five levels deep (rules -> rule -> paths -> glob); leave room, bound recursion. */
export const MAX_NESTING = 32;
/** Anchors and aliases are allowed (reusing a list of globs), an alias bomb is not. */
export const MAX_ALIASES = 100;

export type ReadYaml = { doc: Document; data: unknown } | { errors: PolicyError[] };

export function readYaml(text: string, at: At): ReadYaml {
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
  const yamlErrors = [...doc.errors, ...doc.warnings].map((e) =>
    at(yamlErrorOffset(text, e.code, e.message, e.pos[0]), yamlMessage(e.code, e.message)),
  );
  if (yamlErrors.length > 0) return { errors: yamlErrors };

  const shape = shapeErrors(doc, text, at);
  if (shape.length > 0) return { errors: shape };
  const root = doc.contents;
  if (!isMap(root)) {
    const found = root === null || (isScalar(root) && root.value === null) ? 'nothing' : isSeq(root) ? 'a list' : 'a single value';
    return { errors: [at(root?.range?.[0] ?? 0, `policy must be a mapping of keys (version, agents, rules…), found ${found}`)] };
  }
  try {
    return { doc, data: doc.toJS({ maxAliasCount: MAX_ALIASES }) };
  } catch (e) {
    const alias = firstAlias(doc);
    return { errors: [at(alias?.range?.[0] ?? 0, `too many alias expansions (${(e as Error).message})`)] };
  }
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

/**
 * `parseAllDocuments`, lexing the text once: flow nesting (`[[[[…`) is counted on the tokens as the
 * parser takes them, and parsing stops before a hostile depth reaches the parser or the composer
 * (the composer recurses once per level, and 256 KiB of "[" would exhaust the stack; block nesting
 * needs indentation, so 256 KiB allows only a few hundred levels). Lexing first and parsing after read the text twice, about a
 * tenth of the CLI's time on a large policy.
 */
function parseDocuments(
  text: string,
  lineCounter: LineCounter,
  options: { prettyErrors: false; uniqueKeys: true; strict: true },
): Document[] | { tooDeep: number } {
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
