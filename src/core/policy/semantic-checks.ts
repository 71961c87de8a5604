// What the schema cannot say: globs minimatch would misread, duplicate rule names, rules that could
// have no effect, a rule enforced under an observed policy, risk thresholds the wrong way round. Each
// problem is reported at the path of the offending key or value (check-attention.ts does the same
// for working hours, reminders and rule approvers).
import { globProblem } from '../match.js';
import { orList } from './ajv-messages.js';
import type { Report } from './check-attention.js';
import { dotted, type PolicyPath } from './positions.js';
import { isRecord, type Raw } from './raw.js';

export function semanticErrors(raw: Raw, report: Report): void {
  globErrors(raw, report);
  ruleNameErrors(raw, report);
  noEffectErrors(raw, report);
  riskErrors(raw, report);
  modeErrors(raw, report);
}

function globErrors(raw: Raw, report: Report): void {
  const lists: PolicyPath[] = [['agents', 'branches']];
  if (Array.isArray(raw.rules)) {
    raw.rules.forEach((_, i) => lists.push(['rules', i, 'paths'], ['rules', i, 'base']));
  }
  for (const listPath of lists) {
    let list: unknown = raw;
    for (const seg of listPath) list = isRecord(list) || Array.isArray(list) ? (list as Record<string, unknown>)[seg] : undefined;
    if (!Array.isArray(list)) continue;
    list.forEach((glob, j) => {
      if (typeof glob !== 'string' || glob === '') return; // the schema reports it
      const problem = globProblem(glob);
      if (problem) report([...listPath, j], `${dotted([...listPath, j])}: ${problem}`);
    });
  }
}

function ruleNameErrors(raw: Raw, report: Report): void {
  if (!Array.isArray(raw.rules)) return;
  const first = new Map<string, number>();
  raw.rules.forEach((rule, i) => {
    if (!isRecord(rule) || typeof rule.name !== 'string') return;
    const name = rule.name.trim().toLowerCase();
    const earlier = first.get(name);
    if (earlier === undefined) first.set(name, i);
    else
      report(
        ['rules', i, 'name'],
        `rules[${i}].name: duplicate rule name "${rule.name}" (also rules[${earlier}]); reasons name rules, so names must be unique`,
      );
  });
}

/** `labels`, `changed_lines` and `changed_files` are in the PR author's hands, so a rule with one of
 * them only raises the tier (see compile.ts). At `fyi` it would raise nothing: say so rather than
 * let someone believe that "docs labelled trivial are fyi" works. */
function noEffectErrors(raw: Raw, report: Report): void {
  if (!Array.isArray(raw.rules)) return;
  raw.rules.forEach((rule, i) => {
    // A risk weight is an effect of its own.
    if (!isRecord(rule) || rule.tier !== 'fyi' || (typeof rule.risk === 'number' && rule.risk > 0)) return;
    const raising = ['labels', 'changed_lines', 'changed_files'].filter((k) => rule[k] !== undefined);
    if (raising.length === 0) return;
    const name = typeof rule.name === 'string' ? ` "${rule.name}"` : '';
    report(
      ['rules', i, 'tier'],
      `rules[${i}].tier: rule${name} has no effect: a rule with ${orList(raising)} only raises the tier (the PR author can add labels and files, so they must never lower it), and fyi raises nothing`,
    );
  });
}

/** Under `mode: observe` the gate acts on nothing, so a rule that says `mode: enforce` would be a
 * promise the gate does not keep: say so instead of silently observing it. */
function modeErrors(raw: Raw, report: Report): void {
  if (raw.mode !== 'observe' || !Array.isArray(raw.rules)) return;
  raw.rules.forEach((rule, i) => {
    if (isRecord(rule) && rule.mode === 'enforce') {
      report(
        ['rules', i, 'mode'],
        `rules[${i}].mode: enforce has no effect under the policy's mode: observe (an observed policy acts on nothing); set the policy to mode: enforce and mark the rules to try with mode: observe`,
      );
    }
  });
}

/** `risk.soft` above `risk.hard` would never make anything soft: surely a mix-up, so say so. */
function riskErrors(raw: Raw, report: Report): void {
  const risk = raw.risk;
  if (!isRecord(risk) || typeof risk.soft !== 'number' || typeof risk.hard !== 'number' || risk.soft <= risk.hard) return;
  report(['risk', 'soft'], `risk.soft (${risk.soft}) is above risk.hard (${risk.hard}): a score reaching soft would already be hard`);
}
