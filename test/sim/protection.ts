// Branch protection as GitHub enforces it on a merge: rulesets (read through the rules endpoint with
// metadata permission, each with `current_user_can_bypass` for the caller), classic branch protection
// (readable only with administration permission, which the App never has: it shows only through
// `mergeable_state` and the messages of refused merges), the repository's allowed merge methods, and
// branches that must be up to date (docs/github.md#required-checks). Required reviews (docs/github.md#required-reviews) count only approving reviews by users with write
// access (an App's review carries `author_association: NONE` and never counts).
import type { SimPull, SimRepo, World } from './model.js';
import { checksFor } from './shapes.js';

export type SimMergeMethod = 'merge' | 'squash' | 'rebase';

export interface SimRule {
  type: string;
  parameters?: Record<string, unknown>;
}

export interface SimRuleset {
  id: number;
  name: string;
  /** Branch names it applies to; default: the default branch. */
  branches?: string[];
  rules: SimRule[];
  /** The App is a bypass actor for pull requests (`current_user_can_bypass: pull_requests_only`). */
  appBypass?: boolean;
}

/** Classic branch protection on the default branch (beyond `requiredChecks`, which the model holds). */
export interface SimClassicProtection {
  requiredReviews?: number;
  dismissStale?: boolean;
  /** "Require branches to be up to date before merging". */
  strict?: boolean;
}

export interface SimProtection {
  rulesets: SimRuleset[];
  classic: SimClassicProtection;
  /** The repository's allowed merge methods (`allow_*_merge`). */
  methods: Record<SimMergeMethod, boolean>;
}

const protections = new WeakMap<SimRepo, SimProtection>();

/** The repository's protection, created empty (nothing beyond `requiredChecks`) on first use. */
export function protectionOf(repo: SimRepo): SimProtection {
  let p = protections.get(repo);
  if (!p) {
    p = { rulesets: [], classic: {}, methods: { merge: true, squash: true, rebase: true } };
    protections.set(repo, p);
  }
  return p;
}

function appliesTo(repo: SimRepo, rs: SimRuleset, branch: string): boolean {
  return (rs.branches ?? [repo.defaultBranch]).includes(branch);
}

/** GitHub lists every parameter of these rules, defaults included. */
const DEFAULT_PARAMETERS: Record<string, Record<string, unknown>> = {
  pull_request: {
    dismiss_stale_reviews_on_push: false,
    require_code_owner_review: false,
    require_last_push_approval: false,
    required_approving_review_count: 0,
    required_review_thread_resolution: false,
  },
  required_status_checks: { strict_required_status_checks_policy: false, required_status_checks: [] },
};

/** What `GET /repos/{o}/{r}/rules/branches/{branch}` lists: every active rule, with its ruleset. */
export function rulesForBranch(repo: SimRepo, branch: string): Record<string, unknown>[] {
  return protectionOf(repo)
    .rulesets.filter((rs) => appliesTo(repo, rs, branch))
    .flatMap((rs) =>
      rs.rules.map((r) => ({
        ...withDefaults(r),
        ruleset_source_type: 'Repository',
        ruleset_source: repo.fullName,
        ruleset_id: rs.id,
      })),
    );
}

function withDefaults(r: SimRule): SimRule {
  const parameters = DEFAULT_PARAMETERS[r.type] || r.parameters ? { ...DEFAULT_PARAMETERS[r.type], ...r.parameters } : undefined;
  return { type: r.type, ...(parameters ? { parameters } : {}) };
}

export function rulesetShape(repo: SimRepo, rs: SimRuleset, api: string, asApp: boolean): Record<string, unknown> {
  return {
    id: rs.id,
    name: rs.name,
    target: 'branch',
    source_type: 'Repository',
    source: repo.fullName,
    enforcement: 'active',
    // GitHub shows the bypass actors only to admins; it tells everyone whether they may bypass.
    current_user_can_bypass: asApp && rs.appBypass ? 'pull_requests_only' : 'never',
    node_id: Buffer.from(`RRS_${rs.id}`).toString('base64'),
    _links: {
      self: { href: `${api}/repos/${repo.fullName}/rulesets/${rs.id}` },
      html: { href: `${api.replace(/\/api\/v3$/, '')}/${repo.fullName}/rules/${rs.id}` },
    },
    conditions: { ref_name: { include: (rs.branches ?? [repo.defaultBranch]).map((b) => `refs/heads/${b}`), exclude: [] } },
    rules: rs.rules.map(withDefaults),
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
  };
}

/** Approving reviews GitHub counts: each user's latest verdict, by a user with write access. */
export function countedReviews(world: World, repo: SimRepo, pr: SimPull, dismissStale: boolean): number {
  const latest = new Map<string, SimPull['reviews'][number]>();
  for (const r of pr.reviews)
    if (['APPROVED', 'CHANGES_REQUESTED', 'DISMISSED'].includes(r.state)) latest.set(r.user.login.toLowerCase(), r);
  let n = 0;
  for (const r of latest.values()) {
    if (r.state !== 'APPROVED' || r.user.type !== 'User' || r.user.id === pr.user.id) continue;
    if (!['write', 'maintain', 'admin'].includes(world.permissionOf(repo, r.user.login))) continue;
    if (dismissStale && r.commitId !== pr.headSha) continue;
    n += 1;
  }
  return n;
}

interface Violation {
  /** `blocked` or `behind`: what `mergeable_state` says about it. */
  state: 'blocked' | 'behind';
  message: string;
  /** The ruleset it comes from (a bypass actor skips it); undefined for classic protection. */
  ruleset?: SimRuleset;
}

const plural = (n: number) => `${n} approving review${n === 1 ? ' is' : 's are'}`;

/** Everything that stands between this PR and a merge into its base, classic and rulesets alike. */
export function violations(world: World, repo: SimRepo, pr: SimPull): Violation[] {
  const out: Violation[] = [];
  const p = protectionOf(repo);
  const checks = checksFor(repo, pr.headSha);
  const behind = repo.branches.get(pr.baseRef) !== pr.baseSha;
  const checkState = (name: string) => {
    const v = checks.get(name);
    return v === undefined ? 'expected' : v === 'pending' ? 'in progress' : 'failing';
  };
  if (pr.baseRef === repo.defaultBranch) {
    if (p.classic.requiredReviews && countedReviews(world, repo, pr, p.classic.dismissStale ?? false) < p.classic.requiredReviews) {
      out.push({ state: 'blocked', message: `At least ${plural(p.classic.requiredReviews)} required by reviewers with write access.` });
    }
    for (const name of repo.requiredChecks)
      if (checks.get(name) !== 'success')
        out.push({ state: 'blocked', message: `Required status check "${name}" is ${checkState(name)}.` });
    if (p.classic.strict && behind) out.push({ state: 'behind', message: 'Head branch is not up to date with the base branch.' });
  }
  for (const rs of p.rulesets.filter((r) => appliesTo(repo, r, pr.baseRef))) {
    for (const rule of rs.rules) {
      const params = rule.parameters ?? {};
      if (rule.type === 'pull_request') {
        const count = Number(params.required_approving_review_count ?? 0);
        if (count > 0 && countedReviews(world, repo, pr, params.dismiss_stale_reviews_on_push === true) < count) {
          out.push({
            state: 'blocked',
            message: `Repository rule violations found\n\nAt least ${plural(count)} required by reviewers with write access.\n`,
            ruleset: rs,
          });
        }
      }
      if (rule.type === 'required_status_checks') {
        for (const c of (params.required_status_checks as { context: string }[] | undefined) ?? []) {
          if (checks.get(c.context) !== 'success')
            out.push({
              state: 'blocked',
              message: `Repository rule violations found\n\nRequired status check "${c.context}" is ${checkState(c.context)}.\n`,
              ruleset: rs,
            });
        }
        if (params.strict_required_status_checks_policy === true && behind) {
          out.push({
            state: 'behind',
            message: 'Repository rule violations found\n\nHead branch is not up to date with the base branch.\n',
            ruleset: rs,
          });
        }
      }
    }
  }
  return out;
}

/** `mergeable_state` beyond conflicts and drafts: `behind`, `blocked`, or undefined (checks decide). */
export function protectionState(world: World, repo: SimRepo, pr: SimPull): 'blocked' | 'behind' | undefined {
  const v = violations(world, repo, pr);
  if (v.some((x) => x.state === 'behind')) return 'behind';
  return v.length ? 'blocked' : undefined;
}

const METHOD_REFUSAL: Record<SimMergeMethod, string> = {
  merge: 'Merge commits are not allowed on this repository.',
  squash: 'Squash merges are not allowed on this repository.',
  rebase: 'Rebase merges are not allowed on this repository.',
};

/** GitHub's 405 message for a merge the App asks for, or undefined when it may merge. A bypass actor
 * skips every rule of its rulesets, required checks included (which is why the gate checks them). */
export function mergeRefusal(world: World, repo: SimRepo, pr: SimPull, method: SimMergeMethod, asApp: boolean): string | undefined {
  const p = protectionOf(repo);
  if (!p.methods[method]) return METHOD_REFUSAL[method];
  for (const rs of p.rulesets.filter((r) => appliesTo(repo, r, pr.baseRef) && !(asApp && r.appBypass))) {
    for (const rule of rs.rules) {
      const allowed = rule.parameters?.allowed_merge_methods as string[] | undefined;
      if (rule.type === 'pull_request' && allowed && !allowed.includes(method))
        return `Repository rule violations found\n\nMerge method ${method} is not allowed.\n`;
      if (rule.type === 'required_linear_history' && method === 'merge')
        return 'Repository rule violations found\n\nThis branch must not contain merge commits.\n';
    }
  }
  const v = violations(world, repo, pr).filter((x) => !(asApp && x.ruleset?.appBypass));
  return v[0]?.message;
}
