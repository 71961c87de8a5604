// Turns the simulator's timeline into lines a person can follow, and the end state into a table.
import type { GitHubSimulator, TimelineEntry } from '../test/sim/index.js';

/** GitHub markdown escapes in the gate's comments, removed for a terminal. */
export function plain(markdown: string): string {
  // Bold markers go first: an escaped glob such as `docs/\*\*` must survive as `docs/**`.
  return markdown
    .replace(/(?<!\\)\*\*/g, '')
    .replace(/\\([\\`*_{}[\]()#+\-.!|>~/])/g, '$1')
    .replace(/\u200b/g, '')
    .replace(/^#+\s*/, '')
    .trim();
}

/** The line of the status comment that says why the PR has its tier. */
export function why(body: string): string | undefined {
  const line = body.split('\n').find((l) => l.startsWith('**Tier'));
  return line ? plain(line) : undefined;
}

export interface Labels {
  /** PR number -> short name shown in the timeline, e.g. "#2 soft". */
  pr(number: number | undefined): string;
}

export function describe(e: TimelineEntry, sim: GitHubSimulator): string | undefined {
  const body = typeof e.data?.body === 'string' ? e.data.body : '';
  const bot = e.actor === sim.app.botLogin;
  switch (e.kind) {
    case 'opened':
      return `opens ${e.detail}`;
    case 'pushed':
      return `pushes ${e.detail}`;
    case 'commented':
      if (!bot) return `comments "${e.detail}"`;
      if (body.includes('hitl-gate:status'))
        return `posts the status comment: ${plain(e.detail)}${why(body) ? `\n${' '.repeat(30)}why: ${why(body)}` : ''}`;
      return `replies: ${body
        .split('\n')
        .map(plain)
        .filter((l) => l.length > 0)
        .slice(0, 2)
        .join(' ')}`;
    case 'comment-edited':
      return bot ? `updates the status comment: ${plain(e.detail)}` : `edits a comment to "${e.detail}"`;
    case 'reaction':
      return `acknowledges the command (${e.data?.content === '+1' ? '👍' : String(e.data?.content)})`;
    case 'check-run':
      return bot ? `check hitl -> ${describeCheck(e)}` : `CI check ${e.detail}`;
    case 'merged':
      return `MERGES (${e.detail})`;
    case 'merge-refused':
      return `merge refused by GitHub: ${e.detail}`;
    case 'enqueued':
      return `adds it to the merge queue: ${e.detail}`;
    case 'dequeued':
      return `takes it out of the merge queue: ${e.detail}`;
    case 'merge-group':
      return `builds a merge group: ${e.detail}`;
    case 'reviewed':
      return `reviews: ${e.detail}`;
    case 'labeled':
      return `adds label ${e.detail}`;
    case 'unlabeled':
      return `removes label ${e.detail}`;
    case 'revert-opened':
      return `opens a revert (GraphQL revertPullRequest): ${e.detail}`;
    case 'review-requested':
      return `requests a review from ${e.detail} (GitHub notifies them)`;
    case 'status':
    case 'permission':
    case 'mergeable':
      return undefined;
    default:
      return `${e.kind} ${e.detail}`;
  }
}

function describeCheck(e: TimelineEntry): string {
  const status = e.data?.status === 'completed' ? String(e.data?.conclusion) : String(e.data?.status);
  return `${status}: ${String(e.data?.title ?? '')}`;
}

export function formatLine(e: TimelineEntry, t0: number, sim: GitHubSimulator, labels: Labels): string | undefined {
  const what = describe(e, sim);
  if (!what) return undefined;
  const at = `+${((e.at - t0) / 1000).toFixed(1)}s`.padStart(7);
  const who = e.actor === sim.app.botLogin ? 'gate' : e.actor;
  return `${at}  ${labels.pr(e.number).padEnd(8)} ${who.padEnd(24)} ${what}`;
}

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}
