// The PR's command history as one ordered timeline: every command in every comment and review
// body, every review verdict, in the order GitHub recorded them. `decide` replays it.
import { parseCommands, wasEdited } from './commands.js';
import { parseTime } from './time.js';
import type { Actor, PullRequestFacts } from './model/pull-request.js';
import type { Command } from './model/decision.js';

export interface TimelineEntry {
  source: { type: 'comment' | 'review' | 'click'; id: number };
  actor: Actor;
  /** When GitHub says it happened (comment created, review submitted). */
  at: string;
  atMs: number | undefined;
  /** `withdraw`: what may have withdrawn the person's earlier approvals without being a command now:
   * a CHANGES_REQUESTED review, or an edited comment (it may have said `/approve cancel` when created). */
  command: Command | { kind: 'withdraw' };
  /** The comment was edited after it was created. */
  edited: boolean;
  /** Text whose history GitHub does not expose (a review's body), so it may have been edited silently. */
  unverifiable: boolean;
  /** For review verdicts: the commit the review was made on; for clicks, the clicked check's head. */
  commitId?: string;
}

export function timeline(facts: Pick<PullRequestFacts, 'comments' | 'reviews'>): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  for (const c of facts.comments) {
    if (wasEdited(c)) {
      // We cannot see what an edited comment said when it was created. Had it said `/approve cancel`,
      // editing that away would bring an approval back: so an edit withdraws the author's earlier
      // approvals (they approve again), and no edit can ever turn a decision toward merging.
      entries.push({
        source: { type: 'comment', id: c.id },
        actor: c.author,
        at: c.createdAt,
        atMs: parseTime(c.createdAt),
        command: { kind: 'withdraw' },
        edited: true,
        unverifiable: false,
      });
    }
    for (const command of parseCommands(c.body)) {
      entries.push({
        source: { type: 'comment', id: c.id },
        actor: c.author,
        at: c.createdAt,
        atMs: parseTime(c.createdAt),
        command,
        edited: wasEdited(c),
        unverifiable: false,
      });
    }
  }
  for (const r of facts.reviews) {
    if (r.state === 'PENDING') continue; // not submitted: nobody else can see it
    const base = {
      source: { type: 'review' as const, id: r.id },
      actor: r.author,
      at: r.submittedAt,
      atMs: parseTime(r.submittedAt),
      edited: false,
    };
    for (const command of parseCommands(r.body)) entries.push({ ...base, command, unverifiable: true });
    if (r.state === 'APPROVED') entries.push({ ...base, command: { kind: 'approve' }, unverifiable: false, commitId: r.commitId });
    if (r.state === 'CHANGES_REQUESTED')
      entries.push({ ...base, command: { kind: 'withdraw' }, unverifiable: false, commitId: r.commitId });
  }
  // Stable sort: same instant keeps comment order and line order. Unparseable times sort last.
  return entries
    .map((e, i) => ({ e, i }))
    .sort((a, b) => (a.e.atMs ?? Number.POSITIVE_INFINITY) - (b.e.atMs ?? Number.POSITIVE_INFINITY) || a.i - b.i)
    .map(({ e }) => e);
}
