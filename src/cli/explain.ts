// `hitl-gate explain`: the tier a pull request would get, and why, without touching GitHub.
import { parseArgs } from 'node:util';
import type { PolicyLoad } from '../core/model/policy.js';
import type { ChangedFile } from '../core/model/pull-request.js';
import type { ApproverGroup, Classification, GovernedReason, RiskFactor, TierReason } from '../core/model/decision.js';
import { approverGroups, describeApprovers } from '../core/approvers.js';
import { describedFile, whatIf } from '../core/change.js';
import { loadPolicy, POLICY_PATH } from '../core/policy.js';
import { plainText } from '../core/markdown.js';
import { describeGoverned, reasonLine } from '../core/reason-text.js';
import { parseFileList } from './files.js';
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
  files.push(...(values.file ?? []).map(describedFile));
  const changedFiles = count('changed-files', values['changed-files']) ?? files.length;
  const changedLines = count('changed-lines', values['changed-lines']);

  const verdict = whatIf(load, {
    files,
    changedFiles,
    ...(values.author !== undefined ? { author: values.author } : {}),
    ...(values.label !== undefined ? { labels: values.label } : {}),
    ...(values.base !== undefined ? { base: values.base } : {}),
    ...(values.head !== undefined ? { head: values.head } : {}),
    ...(values.commit !== undefined ? { commitMessages: values.commit } : {}),
    ...(changedLines !== undefined ? { changedLines } : {}),
  });
  const c = verdict.classification;
  const result: Explanation = {
    tier: c.tier,
    governed: verdict.governed,
    assumedAgent: verdict.assumedAgent,
    governedBy: c.governedBy,
    rules: verdict.rules,
    reasons: c.reasons,
    policy: load.kind === 'invalid' ? { path: load.path, kind: load.kind, errors: load.errors } : { path: load.path, kind: load.kind },
    ...(load.kind === 'ok' && c.tier === 'hard' ? { approvers: approverGroups(load.policy, c) } : {}),
    ...(verdict.risk ? { risk: verdict.risk } : {}),
  };
  io.stdout(values.json ? `${JSON.stringify(result, null, 2)}\n` : human(result));
  return load.kind === 'invalid' ? 1 : 0;
}

function human(e: Explanation): string {
  const lines = [`tier: ${e.tier}`];
  if (e.policy.kind === 'missing') lines.push(`policy: none at ${e.policy.path}, nothing is governed`);
  if (e.assumedAgent) {
    lines.push("governed: yes (assumed to be an agent's PR: no --author, --label, --head or --commit given)");
  } else if (e.governed) {
    lines.push(`governed: yes (${e.governedBy.map((r) => plainText(describeGoverned(r))).join('; ')})`);
  } else {
    lines.push("governed: no (not an agent's PR: the gate would pass it without asking anyone)");
  }
  for (const r of e.reasons) lines.push(`  ${reasonLine(r)}`);
  for (const err of e.policy.errors ?? []) lines.push(`  ${err.file}:${err.line}:${err.column}: ${err.message}`);
  for (const g of e.approvers ?? []) {
    lines.push(
      `approvals: ${g.required} from ${describeApprovers(g.reviewers) || 'nobody named'}${g.rule ? ` (rule "${g.rule}")` : ' (reviewers)'}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
