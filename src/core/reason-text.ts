// A reason for a PR's tier, in words: one sentence per reason, the same words wherever the gate shows
// it (status comment, check run, chat, the Action's summary) and wherever it is asked (`explain`, the
// MCP tools): Markdown on GitHub (describeReason), plain text elsewhere (reasonLine). The same for what
// made a PR an agent's (describeGoverned).
import type { GovernedReason, TierReason } from './model/decision.js';
import { code, escapeText, person, plainText } from './markdown.js';
import { describeRisk } from './risk.js';

const FLOOR: Record<string, string> = {
  'policy-file': 'changes the hitl policy',
  workflows: 'changes CI workflows',
  codeowners: 'changes CODEOWNERS',
  'agent-instructions': 'changes agent instruction files',
};

export function fileList(files: string[], max: number): string {
  if (files.length === 0) return '';
  const shown = files.slice(0, max).map((f) => code(f, 120));
  const more = files.length - shown.length;
  return more > 0 ? `${shown.join(', ')} and ${more} more` : shown.join(', ');
}

export function describeReason(r: TierReason, maxFiles: number): string {
  const files = (list: string[]) => (list.length ? `: ${fileList(list, maxFiles)}` : '');
  switch (r.kind) {
    case 'rule':
      return `rule **${escapeText(r.rule, 80)}** → ${r.tier}${r.detail ? ` (${escapeText(r.detail, 120)})` : ''}${files(r.files)}`;
    case 'default':
      return `files no rule covers → default ${r.tier}${files(r.files)}`;
    case 'empty':
      return `no changed files → default ${r.tier}`;
    case 'floor':
      return `${FLOOR[r.floor] ?? r.floor} → always hard${files(r.files)}`;
    case 'truncated':
      return `GitHub listed only ${r.listed} of ${r.changed} changed files, so unseen files may matter → hard`;
    case 'policy-error':
      return `the policy has ${r.errors.length} error${r.errors.length === 1 ? '' : 's'} → hard`;
    case 'policy-unreadable':
      return `the policy could not be read (${escapeText(r.message, 200)}) → hard`;
    case 'escalation': {
      const by =
        r.via === 'label'
          ? `label ${code(`hitl:${r.tier}`)}`
          : r.via === 'command'
            ? `${person(r.by)} (${code(`/escalate ${r.tier}`)})`
            : 'an earlier escalation';
      return `escalated to ${r.tier} by ${by}`;
    }
    case 'risk':
      return `${describeRisk(r)} → ${r.tier}`;
  }
}

/** The reason as plain text: for a terminal, a JSON answer or a chat line. */
export function reasonLine(r: TierReason, maxFiles = 5): string {
  return plainText(describeReason(r, maxFiles));
}

/** What made the PR an agent's, as Markdown. */
export function describeGoverned(g: GovernedReason): string {
  switch (g.kind) {
    case 'author':
      return `author ${person(g.login)} is an agent`;
    case 'label':
      return `label ${code(g.label)}`;
    case 'branch':
      return `branch ${code(g.branch)} matches ${code(g.pattern)}`;
    case 'trailer':
      return `commit ${code(g.sha.slice(0, 7))} carries the trailer ${code(g.line)} (matches ${code(g.pattern)})`;
  }
}
