// What the shell found at the policy path -> a PolicyLoad. A policy is parsed, validated and compiled
// once however many pull requests and events it serves when the caller keeps its loads (PolicyLoads):
// the cache belongs to whoever lives as long as it should (the App's process creates one), not to
// this module, so the core holds no state of its own between calls.
import { createHash } from 'node:crypto';
import { compilePolicy } from '../compile.js';
import type { PolicyLoad, PolicySource } from '../model/policy.js';
import { parsePolicy } from './parse.js';

export type InvalidPolicyLoad = Extract<PolicyLoad, { kind: 'invalid' }>;

export function policyHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Loads by path and content, least recently used dropped first. A load is frozen data: sharing it
 * between pull requests and repositories with the same policy text is safe. */
export class PolicyLoads {
  private readonly kept = new Map<string, PolicyLoad>();

  constructor(private readonly capacity = 256) {}

  get size(): number {
    return this.kept.size;
  }

  load(path: string, text: string): PolicyLoad {
    const hash = policyHash(text);
    const key = `${path}\0${hash}`;
    const hit = this.kept.get(key);
    if (hit) {
      // Least recently used goes first: re-insert to mark this one as fresh.
      this.kept.delete(key);
      this.kept.set(key, hit);
      return hit;
    }
    const load = loadText(path, text, hash);
    this.kept.set(key, load);
    if (this.kept.size > this.capacity) this.kept.delete(this.kept.keys().next().value as string);
    return load;
  }
}

/** `loads`: the caller's cache; without one the text is parsed again. */
export function loadPolicy(source: PolicySource, loads?: PolicyLoads): PolicyLoad {
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
      return loads ? loads.load(source.path, source.text) : loadText(source.path, source.text, policyHash(source.text));
  }
}

function loadText(path: string, text: string, hash: string): PolicyLoad {
  const parsed = parsePolicy(text, path);
  if (parsed.policy) {
    compilePolicy(parsed.policy);
    return { kind: 'ok', path, policy: parsed.policy, hash };
  }
  const invalid: InvalidPolicyLoad = { kind: 'invalid', path, errors: parsed.errors };
  if (parsed.agents) invalid.agents = parsed.agents;
  return invalid;
}
