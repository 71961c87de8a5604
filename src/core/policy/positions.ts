// Where in the policy's text an error is: offsets to 1-based lines and columns, and a path into the
// policy (`rules[2].paths[0]`) to the offset of its node, so every error points at what to fix.
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { PolicyError } from '../model/policy.js';

export type PolicyPath = (string | number)[];

/** An error at an offset of the text; `path` when it is about a key or value of the policy. */
export type At = (offset: number, message: string, path?: PolicyPath) => PolicyError;

/** 1-based line and column of an offset, clamped inside the text (an error "at the end" points at
 * the end of the last line, not at a line that does not exist). */
export function positioner(text: string, file: string): At {
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  const starts: number[] = [];
  let offset = 0;
  for (const l of lines) {
    starts.push(offset);
    offset += l.length + 1;
  }
  return (off, message, path) => {
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
    return { file, line: lo + 1, column, message, ...(path ? { path } : {}) };
  };
}

/** Offset of the node at a JSON path: the value, or its key when `atKey` (unknown keys) or when the
 * value is empty. Falls back to the deepest node that exists. */
export function offsetOf(doc: Document, path: PolicyPath, atKey = false): number {
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

/** `rules[2].paths[0]`, `tiers.soft.window`. */
export function dotted(path: PolicyPath): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('') || 'policy';
}
