// "What if this change were a pull request?": the classification input that `explain`, the MCP tool
// `classify_change` and `hitl-gate test` build from what a person or an agent describes. One place, so
// the three agree on what was said, and on when the change is taken to be an agent's.
import type { ChangedFile, ClassifyInput } from './model/pull-request.js';

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
   * to be an agent's, since a policy is tried on agent PRs; the answer says so. */
  assumedAgent: boolean;
}

export function describeChange(spec: ChangeSpec): Change {
  const labels = spec.labels ?? [];
  const commitMessages = spec.commitMessages ?? [];
  const assumedAgent = spec.author === undefined && labels.length === 0 && spec.head === undefined && commitMessages.length === 0;
  const lines = spec.changedLines;
  return {
    assumedAgent,
    input: {
      author: spec.author !== undefined
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
