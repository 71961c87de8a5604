// Running a policy test case: classify the fixture PR as `explain` would and compare with `expect`.
import { approverGroups } from '../approvers.js';
import { whatIf } from '../change.js';
import type { Tier } from '../model/tier.js';
import type { PolicyLoad } from '../model/policy.js';
import type { PolicyTestCase } from './parse.js';

export interface Actual {
  /** `none` when the policy does not govern the PR. */
  tier: Tier | 'none';
  governed: boolean;
  rules: string[];
  approvers: string[];
  risk?: number;
}

export interface CaseResult {
  name: string;
  line: number;
  passed: boolean;
  /** One phrase per expectation not met: "expected tier hard, got soft". */
  failures: string[];
  actual: Actual;
}

const sameSet = (a: string[], b: string[]): boolean => {
  const x = new Set(a.map((s) => s.toLowerCase()));
  const y = new Set(b.map((s) => s.toLowerCase()));
  return x.size === y.size && [...x].every((s) => y.has(s));
};
const list = (items: string[]): string => (items.length ? items.join(', ') : 'none');

export function actualOf(load: PolicyLoad, c: PolicyTestCase): Actual {
  const { classification, governed, rules, risk } = whatIf(load, c.change);
  const groups = load.kind === 'ok' && governed ? approverGroups(load.policy, classification) : [];
  return {
    tier: governed ? classification.tier : 'none',
    governed,
    rules,
    approvers: [...new Set(groups.flatMap((g) => [...g.reviewers.users, ...g.reviewers.teams]))],
    ...(risk ? { risk: risk.score } : {}),
  };
}

export function runCase(load: PolicyLoad, c: PolicyTestCase): CaseResult {
  const actual = actualOf(load, c);
  const e = c.expect;
  const failures: string[] = [];
  if (load.kind === 'invalid')
    failures.push(`the policy ${load.path} has ${load.errors.length} error${load.errors.length === 1 ? '' : 's'}`);
  if (e.governed !== undefined && e.governed !== actual.governed)
    failures.push(`expected ${e.governed ? 'governed' : 'not governed'}, got ${actual.governed ? 'governed' : 'not governed'}`);
  if (e.tier !== undefined && e.tier !== actual.tier)
    failures.push(`expected tier ${e.tier}, got ${actual.tier === 'none' ? 'none (not governed)' : actual.tier}`);
  if (e.rules !== undefined && !sameSet(e.rules, actual.rules)) failures.push(`expected rules ${list(e.rules)}, got ${list(actual.rules)}`);
  if (e.approvers !== undefined && !sameSet(e.approvers, actual.approvers))
    failures.push(`expected approvers ${list(e.approvers)}, got ${list(actual.approvers)}`);
  const score = actual.risk === undefined ? 'no risk score (the policy has no risk section)' : `risk ${actual.risk.toFixed(2)}`;
  if (e.riskAbove !== undefined && !(actual.risk !== undefined && actual.risk >= e.riskAbove))
    failures.push(`expected risk at least ${e.riskAbove}, got ${score}`);
  if (e.riskBelow !== undefined && !(actual.risk !== undefined && actual.risk < e.riskBelow))
    failures.push(`expected risk below ${e.riskBelow}, got ${score}`);
  return { name: c.name, line: c.line, passed: failures.length === 0, failures, actual };
}

/** `PASS name` or `FAIL name: expected tier hard, got soft (rules: Docs)`. */
export function resultLine(r: CaseResult): string {
  return r.passed ? `PASS ${r.name}` : `FAIL ${r.name}: ${r.failures.join('; ')} (rules: ${list(r.actual.rules)})`;
}
