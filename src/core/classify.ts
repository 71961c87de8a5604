// Classification: is this PR an agent's, and which tier does it deserve? Pure: (policy, facts) ->
// governed + tier + every reason. When in doubt it errs toward more human attention.
import { REVERT_LABEL } from './model/after-merge.js';
import { FAIL_CLOSED_AGENTS } from './agents.js';
import { compileAgents, compilePolicy, floorsOf, type CompiledAgents, type CompiledPolicy } from './compile.js';
import { matchesAnyLogin } from './match.js';
import { riskReason } from './risk-reason.js';
import { findTrailer } from './trailers.js';
import type { InvalidPolicyLoad } from './policy/load.js';
import { parsePolicy } from './policy/parse.js';
import { maxTier, type Tier, TIERS } from './model/tier.js';
import type { Policy, PolicyLoad } from './model/policy.js';
import type { ChangedFile, ClassifyInput } from './model/pull-request.js';
import type { Classification, GovernedReason, TierReason } from './model/decision.js';

/** A raise of the tier by someone (labels `hitl:<tier>` are read by classify itself). */
export interface Escalation {
  tier: Tier;
  by: string;
  via: 'command' | 'ledger';
}

/** Labels anyone may add to raise the tier. */
export const ESCALATION_LABEL_PREFIX = 'hitl:';

export function classify(load: PolicyLoad, input: ClassifyInput, escalations: Escalation[] = []): Classification {
  const reasons: TierReason[] = [];
  let governedBy: GovernedReason[];

  if (load.kind === 'ok') {
    const compiled = compilePolicy(load.policy);
    governedBy = governedReasons(compiled.agents, input);
    reasons.push(...ruleReasons(compiled, input));
    if (load.policy.risk) reasons.push(riskReason(load.policy, input, reasons));
  } else if (load.kind === 'missing') {
    // Nothing is governed, but `explain` still shows what the built-in defaults would say.
    governedBy = [];
    reasons.push(...ruleReasons(compilePolicy(builtinPolicy()), input));
  } else {
    const invalid: InvalidPolicyLoad = load;
    governedBy = governedReasons(invalid.agents ? compileAgents(invalid.agents) : failClosedAgents(), input);
    reasons.push(
      invalid.unreadable !== undefined
        ? { kind: 'policy-unreadable', tier: 'hard', message: invalid.unreadable }
        : { kind: 'policy-error', tier: 'hard', errors: load.errors },
    );
  }

  reasons.unshift(...floorReasons(input, load.path));
  if (input.changedFiles > input.files.length) {
    reasons.unshift({ kind: 'truncated', tier: 'hard', listed: input.files.length, changed: input.changedFiles });
  }
  reasons.push(...escalationReasons(input.labels, escalations));

  // Policy problems first: they explain everything else.
  reasons.sort((a, b) => Number(b.kind.startsWith('policy-')) - Number(a.kind.startsWith('policy-')));
  const tier = reasons.reduce<Tier>((t, r) => maxTier(t, r.tier), 'fyi');
  return { governed: governedBy.length > 0, governedBy, tier, reasons };
}

// -------------------------------------------------------------------------------------------
// Governed: author, labels, head branch, commit trailers. Hints (all but the author) may only add PRs.

function governedReasons(agents: CompiledAgents, input: ClassifyInput): GovernedReason[] {
  const out: GovernedReason[] = [];
  if (matchesAnyLogin(input.author.login, agents.authors)) out.push({ kind: 'author', login: input.author.login });
  for (const label of input.labels) {
    // A revert the gate opened on `/revert` is machine-written: governed like an agent's PR, so the
    // policy's rules give it its tier (a revert of a migration is hard) and it never goes round the gate.
    if (agents.labels.has(label.toLowerCase()) || label.toLowerCase() === REVERT_LABEL) out.push({ kind: 'label', label });
  }
  for (const { pattern, mm } of agents.branches) {
    if (mm.match(input.headRef)) {
      out.push({ kind: 'branch', branch: input.headRef, pattern });
      break;
    }
  }
  const trailer = input.commits ? findTrailer(input.commits, agents.trailers) : undefined;
  if (trailer) out.push({ kind: 'trailer', ...trailer });
  return out;
}

// Memos of constants (FAIL_CLOSED_AGENTS, the empty policy), built on first use: no caller can tell
// them from building each anew, so they are not state the core keeps (design.md §2.1).
let failClosed: CompiledAgents | undefined;
const failClosedAgents = (): CompiledAgents => (failClosed ??= compileAgents(FAIL_CLOSED_AGENTS));

let builtin: Policy | undefined;
/** The policy an empty file would give: every default, no rules. */
function builtinPolicy(): Policy {
  return (builtin ??= parsePolicy('version: 1\n', '(built-in)').policy as Policy);
}

// -------------------------------------------------------------------------------------------
// Rules and `default`

/** Each path a file counts under: both sides of a rename. */
function pathsOf(file: ChangedFile): string[] {
  return file.previousFilename !== undefined && file.previousFilename !== file.filename
    ? [file.filename, file.previousFilename]
    : [file.filename];
}

/** How a file is shown in a reason: renames as `old -> new`. */
export function showFile(file: ChangedFile): string {
  return file.previousFilename !== undefined && file.previousFilename !== file.filename
    ? `${file.previousFilename} -> ${file.filename}`
    : file.filename;
}

function ruleReasons(compiled: CompiledPolicy, input: ClassifyInput): TierReason[] {
  const { policy, rules } = compiled;
  // Per path: the rules whose globs match it. Per rule: the files that hit it.
  const pathRules = input.files.map((file) => pathsOf(file).map((p) => compiled.paths.owners(p)));
  // File indexes arrive in increasing order, so each list is sorted and a repeat (both sides of a
  // rename) can only be the last element.
  const hits: (number[] | undefined)[] = new Array<number[] | undefined>(rules.length);
  pathRules.forEach((perPath, fileIndex) => {
    for (const owners of perPath) {
      for (const r of owners) {
        const list = hits[r];
        if (!list) hits[r] = [fileIndex];
        else if (list[list.length - 1] !== fileIndex) list.push(fileIndex);
      }
    }
  });

  const lines = input.additions + input.deletions;
  const fileCount = Math.max(input.changedFiles, input.files.length);
  const covering = new Uint8Array(rules.length);
  const reasons: TierReason[] = [];

  for (const c of rules) {
    const { rule } = c;
    const detail: string[] = [];
    const fileHits = hits[c.index];
    if (rule.paths) {
      if (!fileHits) continue;
      detail.push(`${fileHits.length} ${fileHits.length === 1 ? 'file matches' : 'files match'} ${rule.paths.join(', ')}`);
    }
    if (c.labels) {
      const label = input.labels.find((l) => c.labels?.has(l.toLowerCase()));
      if (label === undefined) continue;
      detail.push(`label "${label}"`);
    }
    if (c.authors) {
      if (!matchesAnyLogin(input.author.login, c.authors)) continue;
      detail.push(`author ${input.author.login}`);
    }
    if (c.base) {
      if (!c.base.some((mm) => mm.match(input.baseRef))) continue;
      detail.push(`base branch ${input.baseRef}`);
    }
    if (rule.changedLines !== undefined) {
      if (!(lines > rule.changedLines)) continue;
      detail.push(`${lines} changed lines (more than ${rule.changedLines})`);
    }
    if (rule.changedFiles !== undefined) {
      if (!(fileCount > rule.changedFiles)) continue;
      detail.push(`${fileCount} changed files (more than ${rule.changedFiles})`);
    }
    if (c.covers) covering[c.index] = 1;
    const files = fileHits ? fileHits.map((i) => showFile(input.files[i] as ChangedFile)) : [];
    reasons.push({ kind: 'rule', rule: rule.name, tier: rule.tier, files, detail: detail.join('; ') });
  }

  if (input.files.length === 0) {
    reasons.push({ kind: 'empty', tier: policy.default });
    return reasons;
  }
  // A file is covered when every path it counts under is matched by a matching, covering `paths`
  // rule: a rename out of a covered directory into an uncovered one still falls under `default`.
  const uncovered = input.files.filter((_, i) => (pathRules[i] as number[][]).some((owners) => !owners.some((r) => covering[r] === 1)));
  if (uncovered.length > 0) reasons.push({ kind: 'default', tier: policy.default, files: uncovered.map(showFile) });
  return reasons;
}

// -------------------------------------------------------------------------------------------
// Built-in floors (design.md, invariant 1) and escalations (design.md, invariant 5)

function floorReasons(input: ClassifyInput, policyPath: string): TierReason[] {
  const byFloor = new Map<Extract<TierReason, { kind: 'floor' }>['floor'], string[]>();
  const policyFile = policyPath.replace(/^\.?\//, '').toLowerCase();
  for (const file of input.files) {
    const floors = new Set(pathsOf(file).flatMap((p) => floorsOf(p)));
    // A policy kept at a custom path guards itself like the default one.
    if (pathsOf(file).some((p) => p.toLowerCase() === policyFile)) floors.add('policy-file');
    for (const floor of floors) {
      const list = byFloor.get(floor);
      if (list) list.push(showFile(file));
      else byFloor.set(floor, [showFile(file)]);
    }
  }
  return [...byFloor].map(([floor, files]) => ({ kind: 'floor', tier: 'hard', floor, files }));
}

function escalationReasons(labels: string[], escalations: Escalation[]): TierReason[] {
  const out: TierReason[] = [];
  for (const label of labels) {
    const lower = label.toLowerCase();
    if (!lower.startsWith(ESCALATION_LABEL_PREFIX)) continue;
    const tier = TIERS.find((t) => t === lower.slice(ESCALATION_LABEL_PREFIX.length).trim());
    if (tier) out.push({ kind: 'escalation', tier, by: label, via: 'label' });
  }
  for (const e of escalations) {
    if (TIERS.includes(e.tier)) out.push({ kind: 'escalation', tier: e.tier, by: e.by, via: e.via });
  }
  return out;
}
