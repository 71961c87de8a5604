// What the base branch demands before GitHub will merge into it, as plain data. The shell reads the
// rules that apply to a branch (`GET /repos/{o}/{r}/rules/branches/{branch}`: rulesets at every
// level, metadata read only) and the rulesets they come from; this module turns GitHub's rule list
// into the few facts the gate needs to merge through them, or to say exactly what stands in the way.
// Classic branch protection is not readable without administration permission (never asked for): its
// demands show only through `mergeable_state` and the message of a refused merge.
import type { BranchRules, RulesetRef } from './model/base-branch.js';
import type { MergeMethod } from './model/policy.js';

/** One rule as `rules/branches/{branch}` lists it (GitHub's `repository-rule-detailed`). */
export interface RawBranchRule {
  type: string;
  parameters?: Record<string, unknown>;
  ruleset_id?: number;
  ruleset_source?: string;
  ruleset_source_type?: string;
}

/** What the shell learned about one ruleset (`GET /repos/{o}/{r}/rulesets/{id}`). */
export interface RulesetInfo {
  id: number;
  name: string;
  /** GitHub's `current_user_can_bypass`: `always`, `pull_requests_only`, `never`, `exempt`; absent when unknown. */
  bypass?: string;
}

const METHODS: readonly MergeMethod[] = ['merge', 'squash', 'rebase'];
const isMethod = (v: unknown): v is MergeMethod => typeof v === 'string' && (METHODS as readonly string[]).includes(v);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function rulesetOf(rule: RawBranchRule, rulesets: ReadonlyMap<number, RulesetInfo>): RulesetRef {
  const id = rule.ruleset_id ?? 0;
  const info = rulesets.get(id);
  return {
    id,
    name: info?.name ?? (id ? `ruleset ${id}` : 'a ruleset'),
    // Only an explicit grant counts: an unknown answer is no bypass (fail closed).
    canBypass: info?.bypass === 'always' || info?.bypass === 'pull_requests_only' || info?.bypass === 'exempt',
  };
}

/** Sum up GitHub's rule list for one branch. Unknown shapes are kept as `other`, never dropped silently. */
export function summarizeBranchRules(raw: readonly RawBranchRule[], rulesets: ReadonlyMap<number, RulesetInfo> = new Map()): BranchRules {
  const out: BranchRules = { requiredChecks: [], other: [] };
  for (const rule of raw) {
    if (!isRecord(rule) || typeof rule.type !== 'string') continue;
    const p = isRecord(rule.parameters) ? rule.parameters : {};
    const ruleset = rulesetOf(rule, rulesets);
    switch (rule.type) {
      case 'pull_request': {
        const count = typeof p.required_approving_review_count === 'number' ? p.required_approving_review_count : 0;
        if (count > 0 && (!out.reviews || count > out.reviews.count)) {
          out.reviews = {
            count,
            ruleset,
            dismissStaleOnPush: p.dismiss_stale_reviews_on_push === true,
            codeOwners: p.require_code_owner_review === true,
            lastPushApproval: p.require_last_push_approval === true,
            threadResolution: p.required_review_thread_resolution === true,
          };
        }
        if (Array.isArray(p.allowed_merge_methods)) {
          const allowed = p.allowed_merge_methods.filter(isMethod);
          out.allowedMethods = out.allowedMethods ? out.allowedMethods.filter((m) => allowed.includes(m)) : allowed;
          out.allowedMethodsFrom ??= ruleset;
        }
        break;
      }
      case 'required_status_checks': {
        const checks = Array.isArray(p.required_status_checks) ? p.required_status_checks : [];
        for (const c of checks) {
          if (!isRecord(c) || typeof c.context !== 'string') continue;
          out.requiredChecks.push({
            context: c.context,
            ...(typeof c.integration_id === 'number' ? { integrationId: c.integration_id } : {}),
            ruleset,
          });
        }
        if (p.strict_required_status_checks_policy === true) out.upToDate ??= ruleset;
        break;
      }
      case 'required_linear_history':
        out.linearHistory ??= ruleset;
        break;
      case 'merge_queue': {
        const method = typeof p.merge_method === 'string' ? p.merge_method.toLowerCase() : undefined;
        out.mergeQueue ??= { ruleset, ...(isMethod(method) ? { method } : {}) };
        break;
      }
      case 'required_signatures':
        out.signatures ??= ruleset;
        break;
      // Rules about pushes, not merges of pull requests: nothing the gate can wait for.
      case 'creation':
      case 'update':
      case 'deletion':
      case 'non_fast_forward':
        break;
      default:
        out.other.push({ type: rule.type, ruleset });
    }
  }
  return out;
}

/** Every ruleset id the rule list names: the shell reads each once for its name and bypass. */
export function rulesetIds(raw: readonly RawBranchRule[]): number[] {
  return [...new Set(raw.map((r) => r.ruleset_id).filter((id): id is number => typeof id === 'number'))];
}
