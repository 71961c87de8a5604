// What the shell found at the policy path -> a PolicyLoad, cached by content so that a policy is
// parsed, validated and compiled once however many pull requests and events it serves.
import { createHash } from 'node:crypto';
import { compilePolicy } from '../compile.js';
import type { PolicyLoad, PolicySource } from '../model/policy.js';
import { parsePolicy } from './parse.js';

export type InvalidPolicyLoad = Extract<PolicyLoad, { kind: 'invalid' }>;

const CACHE_SIZE = 256;
const cache = new Map<string, PolicyLoad>();

export function policyHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function loadPolicy(source: PolicySource): PolicyLoad {
  switch (source.kind) {
    case 'missing':
      return { kind: 'missing', path: source.path };
    case 'unreadable': {
      const load: InvalidPolicyLoad = {
        kind: 'invalid',
        path: source.path,
        errors: [{ file: source.path, line: 1, column: 1, message: `policy could not be read: ${source.message}` }],
        unreadable: source.message,
      };
      return load;
    }
    case 'text':
      return loadText(source.path, source.text);
  }
}

function loadText(path: string, text: string): PolicyLoad {
  const hash = policyHash(text);
  const key = `${path}\0${hash}`;
  const hit = cache.get(key);
  if (hit) {
    // Least recently used goes first: re-insert to mark this one as fresh.
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const parsed = parsePolicy(text, path);
  let load: PolicyLoad;
  if (parsed.policy) {
    compilePolicy(parsed.policy);
    load = { kind: 'ok', path, policy: parsed.policy, hash };
  } else {
    const invalid: InvalidPolicyLoad = { kind: 'invalid', path, errors: parsed.errors };
    if (parsed.agents) invalid.agents = parsed.agents;
    load = invalid;
  }
  cache.set(key, load);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  return load;
}

/** For tests and benchmarks: how many loads the cache holds. */
export const policyCacheSize = (): number => cache.size;
