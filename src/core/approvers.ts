// Who must approve a hard PR (policy-bot's and Prow's core idea: migrations need the DBA team).
// Every matching hard rule that names its own `reviewers` asks for its own `approvals` from them;
// whatever else makes the PR hard asks the top-level `reviewers` for `tiers.hard.approvals`. One
// person's approval counts for every group they belong to. Groups are only ever added, never
// replaced, so a rule added to a policy never makes fewer approvals necessary.
import { type Permission, PERMISSIONS, type Policy, type RuleReviewers } from './model/policy.js';
import type { Authorization } from './model/pull-request.js';
import type { ApproverGroup, ApproverStatus, Approval, Classification } from './model/decision.js';

const rank = (p: Permission | 'none' | 'error'): number => PERMISSIONS.indexOf(p as Permission);

/** Everyone who may `/approve` or `/veto`: the top-level reviewers and every rule's reviewers. */
export function authorizedReviewers(policy: Policy): Policy['reviewers'] {
  const users = new Map<string, string>();
  const teams = new Map<string, string>();
  let permission = policy.reviewers.permission;
  const add = (r: RuleReviewers) => {
    for (const u of r.users) users.set(u.replace(/^@/, '').toLowerCase(), u);
    for (const t of r.teams) teams.set(t.toLowerCase(), t);
    if (r.permission && rank(r.permission) < rank(permission)) permission = r.permission;
  };
  add(policy.reviewers);
  for (const rule of policy.rules) if (rule.reviewers) add(rule.reviewers);
  return { users: [...users.values()], teams: [...teams.values()], permission };
}

/** Teams whose membership matters for some rule's approvers (looked up whatever the permission). */
export function ruleTeams(policy: Policy | undefined): string[] {
  return [...new Set((policy?.rules ?? []).flatMap((r) => r.reviewers?.teams ?? []))];
}

/** Whether a person meets a group's reviewers (exclusions, such as the author, are checked before). */
export function meets(login: string, auth: Authorization | undefined, reviewers: RuleReviewers): boolean {
  const l = login.toLowerCase();
  if (reviewers.users.some((u) => u.replace(/^@/, '').toLowerCase() === l)) return true;
  if (!auth) return false;
  if (auth.teams.some((t) => reviewers.teams.some((r) => r.toLowerCase() === t.toLowerCase()))) return true;
  return reviewers.permission !== undefined && rank(auth.permission) >= rank(reviewers.permission);
}

/** The approver groups of a hard PR (empty for any other tier). */
export function approverGroups(policy: Policy, classification: Classification): ApproverGroup[] {
  if (classification.tier !== 'hard') return [];
  const general = Math.max(1, policy.tiers.hard.approvals);
  const groups: ApproverGroup[] = [];
  let needsGeneral = policy.default === 'hard';
  // Rules by name, the first of a name winning as `find` would: a policy of 1000 rules that a PR
  // mostly hits would otherwise cost a scan of the rules per hard reason.
  const byName = new Map<string, Policy['rules'][number]>();
  for (const r of policy.rules) if (!byName.has(r.name)) byName.set(r.name, r);
  for (const reason of classification.reasons) {
    if (reason.tier !== 'hard') continue;
    const rule = reason.kind === 'rule' ? byName.get(reason.rule) : undefined;
    if (rule?.reviewers) {
      if (!groups.some((g) => g.rule === rule.name))
        groups.push({ rule: rule.name, reviewers: rule.reviewers, required: Math.max(1, rule.approvals ?? general) });
    } else {
      needsGeneral = true;
      // A rule that asks for its own number of approvals, from the top-level reviewers.
      if (rule?.approvals !== undefined && !groups.some((g) => g.rule === rule.name)) {
        groups.push({ rule: rule.name, reviewers: policy.reviewers, required: Math.max(1, rule.approvals) });
      }
    }
  }
  if (needsGeneral || groups.length === 0) groups.unshift({ reviewers: policy.reviewers, required: general });
  return groups;
}

export function approverStatus(
  groups: ApproverGroup[],
  approvals: Approval[],
  authorizations: Record<string, Authorization>,
): ApproverStatus[] {
  return groups.map((g) => {
    const by = approvals.filter((a) => meets(a.by, authorizations[a.by.toLowerCase()], g.reviewers)).map((a) => a.by);
    return { ...g, by, missing: Math.max(0, g.required - by.length) };
  });
}

/** "members of acme/dba", "@alice, members of acme/dba or anyone with write permission". */
export function describeApprovers(r: RuleReviewers): string {
  const parts = [
    ...r.users.map((u) => `@${u.replace(/^@/, '')}`),
    ...r.teams.map((t) => `members of ${t}`),
    ...(r.permission ? [`anyone with ${r.permission} permission or more`] : []),
  ];
  return parts.length <= 1 ? parts.join('') : `${parts.slice(0, -1).join(', ')} or ${parts[parts.length - 1]}`;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** One line per group still missing approvals: who is still needed, per rule. */
export function missingLines(status: ApproverStatus[]): string[] {
  return status
    .filter((g) => g.missing > 0)
    .map(
      (g) =>
        `${g.rule ? `Rule "${g.rule}"` : 'Hard tier'}: needs ${plural(g.missing, 'more approval')} from ${describeApprovers(g.reviewers)}.`,
    );
}
