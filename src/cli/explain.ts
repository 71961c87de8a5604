// `hitl-gate explain`: the tier a pull request would get, and why, without touching GitHub.
import { parseArgs } from 'node:util';
import type { PolicyLoad } from '../core/model/policy.js';
import type { ChangedFile } from '../core/model/pull-request.js';
import type { ApproverGroup, Classification, GovernedReason, RiskFactor, TierReason } from '../core/model/decision.js';
import { approverGroups, describeApprovers } from '../core/approvers.js';
import { describeChange } from '../core/change.js';
import { classify } from '../core/classify.js';
import { loadPolicy, POLICY_PATH } from '../core/policy.js';
import { describeRisk } from '../core/risk.js';
import { parseFileList, pathLine } from './files.js';
import { readUserFile, UsageError, type CliIO } from './io.js';

const OPTIONS = {
  policy: { type: 'string' },
  'files-from': { type: 'string' },
  file: { type: 'string', multiple: true },
  label: { type: 'string', multiple: true },
  author: { type: 'string' },
  base: { type: 'string' },
  head: { type: 'string' },
  commit: { type: 'string', multiple: true },
  'changed-files': { type: 'string' },
  'changed-lines': { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** What `explain --json` prints. Keys are stable; new ones may be added. */
export interface Explanation {
  tier: Classification['tier'];
  governed: boolean;
  /** True when no --author, --label, --head or --commit was given and the PR was taken to be an agent's. */
  assumedAgent: boolean;
  governedBy: GovernedReason[];
  /** Names of the matching rules, in policy order. */
  rules: string[];
  reasons: TierReason[];
  policy: { path: string; kind: PolicyLoad['kind']; errors?: Extract<PolicyLoad, { kind: 'invalid' }>['errors'] };
  /** Hard tier: who must approve, per rule that names its own approvers and for the top-level reviewers. */
  approvers?: ApproverGroup[];
  /** Present whenever the policy has a `risk` section: the score and what each signal added. */
  risk?: { score: number; factors: RiskFactor[] };
}

const count = (flag: string, value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${flag} expects a whole number, got "${value}"`);
  return Number(value);
};

export async function explain(args: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false });
  const policyPath = values.policy ?? POLICY_PATH;
  const load = loadPolicy({ kind: 'text', path: policyPath, text: await readUserFile(io, policyPath, 'policy') });

  const files: ChangedFile[] = [];
  if (values['files-from'] !== undefined) {
    const from = values['files-from'];
    files.push(...parseFileList(await readUserFile(io, from, 'file list'), from === '-' ? 'stdin' : from));
  }
  files.push(...(values.file ?? []).map(pathLine));
  const changedFiles = count('changed-files', values['changed-files']) ?? files.length;
  const changedLines = count('changed-lines', values['changed-lines']);

  const { input, assumedAgent } = describeChange({
    files, changedFiles,
    ...(values.author !== undefined ? { author: values.author } : {}),
    ...(values.label !== undefined ? { labels: values.label } : {}),
    ...(values.base !== undefined ? { base: values.base } : {}),
    ...(values.head !== undefined ? { head: values.head } : {}),
    ...(values.commit !== undefined ? { commitMessages: values.commit } : {}),
    ...(changedLines !== undefined ? { changedLines } : {}),
  });
  const c = classify(load, input);
  const result: Explanation = {
    tier: c.tier,
    governed: assumedAgent || c.governed,
    assumedAgent,
    governedBy: c.governedBy,
    rules: c.reasons.flatMap((r) => (r.kind === 'rule' ? [r.rule] : [])),
    reasons: c.reasons,
    policy: load.kind === 'invalid' ? { path: load.path, kind: load.kind, errors: load.errors } : { path: load.path, kind: load.kind },
    ...(load.kind === 'ok' && c.tier === 'hard' ? { approvers: approverGroups(load.policy, c) } : {}),
    ...riskOf(c.reasons),
  };
  io.stdout(values.json ? `${JSON.stringify(result, null, 2)}\n` : human(result));
  return load.kind === 'invalid' ? 1 : 0;
}

export function riskOf(reasons: TierReason[]): { risk?: { score: number; factors: RiskFactor[] } } {
  const r = reasons.find((x) => x.kind === 'risk');
  return r ? { risk: { score: r.score, factors: r.factors } } : {};
}

const MAX_FILES_SHOWN = 5;

function fileList(files: string[]): string {
  if (files.length === 0) return '';
  const shown = files.slice(0, MAX_FILES_SHOWN).join(', ');
  return files.length > MAX_FILES_SHOWN ? `${shown} and ${files.length - MAX_FILES_SHOWN} more` : shown;
}

function governedLine(r: GovernedReason): string {
  switch (r.kind) {
    case 'author':
      return `author ${r.login} is an agent`;
    case 'label':
      return `label "${r.label}" marks agent PRs`;
    case 'branch':
      return `head branch ${r.branch} matches ${r.pattern}`;
    case 'trailer':
      return `commit ${r.sha.slice(0, 7)} carries the trailer "${r.line}" (${r.pattern})`;
  }
}

export function reasonLine(r: TierReason): string {
  switch (r.kind) {
    case 'rule':
      return `rule "${r.rule}": ${r.detail}${r.files.length ? ` (${fileList(r.files)})` : ''}`;
    case 'default':
      return `not covered by any rule, so the default tier: ${fileList(r.files)}`;
    case 'empty':
      return 'no changed files, so the default tier';
    case 'floor':
      return `built-in floor (${r.floor}): ${fileList(r.files)}`;
    case 'truncated':
      return `GitHub listed ${r.listed} of ${r.changed} changed files; the unlisted ones cannot be checked`;
    case 'policy-error':
      return `the policy is invalid: ${r.errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.message}`).join('; ')}`;
    case 'policy-unreadable':
      return `the policy could not be read: ${r.message}`;
    case 'escalation':
      return `escalated by ${r.via === 'label' ? `label ${r.by}` : `${r.by} (${r.via})`}`;
    case 'risk':
      return describeRisk(r);
  }
}

function human(e: Explanation): string {
  const lines = [`tier: ${e.tier}`];
  if (e.policy.kind === 'missing') lines.push(`policy: none at ${e.policy.path}, nothing is governed`);
  if (e.assumedAgent) {
    lines.push('governed: yes (assumed to be an agent\'s PR: no --author, --label or --head given)');
  } else if (e.governed) {
    lines.push(`governed: yes (${e.governedBy.map(governedLine).join('; ')})`);
  } else {
    lines.push('governed: no (not an agent\'s PR: the gate would pass it without asking anyone)');
  }
  for (const r of e.reasons) lines.push(`  ${r.tier.padEnd(4)}  ${reasonLine(r)}`);
  for (const g of e.approvers ?? []) {
    lines.push(`approvals: ${g.required} from ${describeApprovers(g.reviewers) || 'nobody named'}${g.rule ? ` (rule "${g.rule}")` : ' (reviewers)'}`);
  }
  return `${lines.join('\n')}\n`;
}
