// A policy compiled for classification: every glob and login pattern turned into a RegExp once,
// path globs indexed. Kept per Policy object (loadPolicy hands out the same object for the same
// text), so a policy's globs compile once however many PRs it classifies.
import { Minimatch } from 'minimatch';
import { compileGlob, compileLogin, GLOB_OPTIONS, normaliseGlob, PathIndex } from './match.js';
import { compileTrailer, type CompiledTrailer } from './trailers.js';
import type { Policy, Rule } from './model/policy.js';
import type { TierReason } from './model/decision.js';

export interface CompiledRule {
  rule: Rule;
  index: number;
  authors?: RegExp[];
  /** Lower-cased: GitHub label names are unique regardless of case. */
  labels?: Set<string>;
  base?: Minimatch[];
  /** Whether the files this rule's `paths` match leave `default` when it matches. Not when it also
   * has `labels`, `changed_lines` or `changed_files`: the PR author controls those (an agent can
   * add a label or a file), and nothing the author controls may lower a tier (design.md, invariant 5), so
   * such rules only ever add their tier. */
  covers: boolean;
}

export interface CompiledAgents {
  authors: RegExp[];
  authorPatterns: string[];
  labels: Map<string, string>;
  branches: { pattern: string; mm: Minimatch }[];
  trailers: CompiledTrailer[];
}

export interface CompiledPolicy {
  policy: Policy;
  agents: CompiledAgents;
  rules: CompiledRule[];
  /** Path globs of every rule that has `paths`, owned by the rule's index. */
  paths: PathIndex<number>;
}

export function compileAgents(agents: Policy['agents']): CompiledAgents {
  return {
    authors: agents.authors.map(compileLogin),
    authorPatterns: [...agents.authors],
    labels: new Map(agents.labels.map((l) => [l.toLowerCase(), l])),
    branches: agents.branches.map((pattern) => ({ pattern, mm: new Minimatch(normaliseGlob(pattern), GLOB_OPTIONS) })),
    trailers: (agents.trailers ?? []).map(compileTrailer),
  };
}

/** Rules with conditions the PR author controls can raise the tier but never lower it. */
export const raisesOnly = (rule: Rule): boolean =>
  rule.labels !== undefined || rule.changedLines !== undefined || rule.changedFiles !== undefined;

// A memo, not state: the compiled form is a pure function of the policy, and a loaded policy is deep-
// frozen (normalise.ts), so the entry can never disagree with its key. The WeakMap ties its lifetime to
// the policy's, whose owner is whoever keeps the load (PolicyLoads, created by the App): the core
// stays pure (design.md §2.1) and owns no lifetime of its own.
const compiled = new WeakMap<Policy, CompiledPolicy>();

export function compilePolicy(policy: Policy): CompiledPolicy {
  const hit = compiled.get(policy);
  if (hit) return hit;
  const paths = new PathIndex<number>();
  const rules = policy.rules.map((rule, index): CompiledRule => {
    for (const glob of rule.paths ?? []) paths.add(compileGlob(glob), index);
    return {
      rule,
      index,
      authors: rule.authors?.map(compileLogin),
      labels: rule.labels ? new Set(rule.labels.map((l) => l.toLowerCase())) : undefined,
      base: rule.base?.map((b) => new Minimatch(normaliseGlob(b), GLOB_OPTIONS)),
      covers: raisesOnly(rule) === false && rule.paths !== undefined,
    };
  });
  const result: CompiledPolicy = { policy, agents: compileAgents(policy.agents), rules, paths };
  compiled.set(policy, result);
  return result;
}

type Floor = Extract<TierReason, { kind: 'floor' }>['floor'];

/** Paths that steer the gate itself, CI, review ownership or the agents' own instructions: a PR that
 * touches one is at least `hard` whatever the policy says (design.md, invariant 1). Case-insensitive, because
 * checkouts on case-insensitive file systems and several agent tools read them that way. */
export const FLOOR_GLOBS: Record<Floor, string[]> = {
  'policy-file': ['.github/hitl.yml', '.github/hitl.yaml'],
  workflows: ['.github/workflows/**'],
  codeowners: ['CODEOWNERS', '.github/CODEOWNERS', 'docs/CODEOWNERS'],
  'agent-instructions': [
    '**/AGENTS.md',
    '**/CLAUDE.md',
    '.cursor/**',
    '.cursorrules',
    '.github/copilot-instructions.md',
    '.github/instructions/**',
  ],
};

// A memo of a constant (FLOOR_GLOBS), built on first use: the same for every policy and every caller.
let floorIndex: PathIndex<Floor> | undefined;

/** Cheap test that a path could fall under a floor at all: most paths cannot. Must be at least as
 * broad as FLOOR_GLOBS (the floor table in the classify tests checks every floor). */
const MAYBE_FLOOR = /(^|\/)(agents|claude)\.md$|^\.github\/|^\.cursor|codeowners$/i;

/** The floors a path falls under (compared in lower case, globs compiled once per process). */
export function floorsOf(path: string): Floor[] {
  if (!MAYBE_FLOOR.test(path)) return [];
  if (!floorIndex) {
    floorIndex = new PathIndex<Floor>();
    for (const [floor, globs] of Object.entries(FLOOR_GLOBS) as [Floor, string[]][]) {
      for (const g of globs) floorIndex.add(compileGlob(g.toLowerCase()), floor);
    }
  }
  return floorIndex.owners(path.toLowerCase());
}
