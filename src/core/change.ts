// "What if this change were a pull request?": what `explain`, the MCP tool `classify_change` and
// `hitl-gate test` answer about a change a person or an agent describes. One place, so the three agree
// on what was said, on when the change is taken to be an agent's, and on the answer; they only read
// their input and print.
import { classify } from './classify.js';
import type { PolicyLoad } from './model/policy.js';
import type { ChangedFile, ClassifyInput } from './model/pull-request.js';
import type { Classification, RiskFactor } from './model/decision.js';

export interface ChangeSpec {
  /** The PR author's login; `name[bot]` is an app. */
  author?: string;
  labels?: string[];
  files: ChangedFile[];
  /** Target branch (default `main`). */
  base?: string;
  /** Head branch. */
  head?: string;
  /** GitHub's count of changed files, when it differs from the list (more = truncated). */
  changedFiles?: number;
  /** Added + deleted lines (default: summed from the files). */
  changedLines?: number;
  /** Commit messages, for `agents.trailers`. */
  commitMessages?: string[];
}

export interface Change {
  input: ClassifyInput;
  /** Nothing said who made the change (no author, label, head branch or commit message): it is taken
   * to be an agent's, since a policy is tried on agent PRs; the answer says so. Anything said, and the
   * policy's `agents` section decides, as it would on GitHub. */
  assumedAgent: boolean;
}

/** The answer about a described change. */
export interface ChangeVerdict {
  classification: Classification;
  /** The gate would govern it: the policy's `agents` section says so, or the change was assumed an agent's. */
  governed: boolean;
  assumedAgent: boolean;
  /** Names of the matching rules, in policy order, each once. */
  rules: string[];
  /** Present whenever the policy has a `risk` section: the score and what each signal added. */
  risk?: { score: number; factors: RiskFactor[] };
}

/** A changed file as a person writes it: `path`, or `old -> new` for a rename. */
export function describedFile(line: string): ChangedFile {
  const rename = /^(.+?)\s+->\s+(.+)$/.exec(line);
  if (rename) {
    return {
      filename: (rename[2] as string).trim(),
      previousFilename: (rename[1] as string).trim(),
      status: 'renamed',
      additions: 0,
      deletions: 0,
    };
  }
  return { filename: line, status: 'modified', additions: 0, deletions: 0 };
}

/** How the policy would classify the change described, were it a pull request. */
export function whatIf(load: PolicyLoad, spec: ChangeSpec): ChangeVerdict {
  const { input, assumedAgent } = describeChange(spec);
  const classification = classify(load, input);
  const risk = classification.reasons.find((r) => r.kind === 'risk');
  return {
    classification,
    governed: assumedAgent || classification.governed,
    assumedAgent,
    rules: [...new Set(classification.reasons.flatMap((r) => (r.kind === 'rule' ? [r.rule] : [])))],
    ...(risk?.kind === 'risk' ? { risk: { score: risk.score, factors: risk.factors } } : {}),
  };
}

export function describeChange(spec: ChangeSpec): Change {
  const labels = spec.labels ?? [];
  const commitMessages = spec.commitMessages ?? [];
  const assumedAgent = spec.author === undefined && labels.length === 0 && spec.head === undefined && commitMessages.length === 0;
  const lines = spec.changedLines;
  return {
    assumedAgent,
    input: {
      author:
        spec.author !== undefined
          ? { login: spec.author, type: spec.author.toLowerCase().endsWith('[bot]') ? 'Bot' : 'User' }
          : { login: '', type: 'Bot' },
      labels,
      headRef: spec.head ?? '',
      baseRef: spec.base ?? 'main',
      files: spec.files,
      changedFiles: spec.changedFiles ?? spec.files.length,
      additions: lines ?? spec.files.reduce((n, f) => n + f.additions, 0),
      deletions: lines === undefined ? spec.files.reduce((n, f) => n + f.deletions, 0) : 0,
      ...(commitMessages.length ? { commits: commitMessages.map((message, i) => ({ sha: `commit-${i + 1}`, message })) } : {}),
    },
  };
}
