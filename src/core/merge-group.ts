// The merge queue, as plain data: which pull requests a merge group adds, whether the gate would let
// each of them merge, and what the gate does about a PR's place in the queue. The shell reads the
// queue from GitHub (GraphQL: GitHub has no REST endpoint for it) and applies the step.
import type { Decision } from './model/decision.js';

/**
 * What a merge group's head ref says: `refs/heads/gh-readonly-queue/<base>/pr-<number>-<sha>`. The SHA
 * is the commit the group was built on (the base branch's tip or the group ahead), not the PR's head
 * (docs/github.md#merge-group-branch); nothing here depends on which it is.
 */
export interface MergeGroupRef {
  base: string;
  /** The PR whose entry this group was built for: the last PR the group adds. */
  number: number;
  /** The SHA the branch name ends with: informational only. */
  sha: string;
}

const GROUP_REF = /^(?:refs\/heads\/)?gh-readonly-queue\/(.+)\/pr-(\d+)-([0-9a-f]{40})$/;

/** Undefined when the ref is not a merge queue branch (a caller must then fail closed). */
export function parseMergeGroupRef(headRef: string): MergeGroupRef | undefined {
  const m = GROUP_REF.exec(headRef);
  if (!m) return undefined;
  const number = Number(m[2]);
  if (!Number.isSafeInteger(number) || number <= 0) return undefined;
  return { base: m[1]!, number, sha: m[3]! };
}

/** One entry of a branch's merge queue, as GitHub lists it (`MergeQueue.entries`). */
export interface QueueEntry {
  /** The PR's number. */
  number: number;
  /**
   * `MergeQueueEntry.headCommit`: GitHub documents it only as "the head commit for this entry". It is
   * either the entry's merge group commit or the PR's head when it was queued (docs/github.md#merge-queue-entry-head);
   * null when GitHub gives none.
   */
  headCommit: string | null;
  /** 1-based, front of the queue first. */
  position: number;
  /** The PR's head commit as GitHub reports it now (`PullRequest.headRefOid`). */
  prHeadSha: string;
  /** When the PR entered the queue (`MergeQueueEntry.enqueuedAt`), GitHub's clock. */
  enqueuedAt?: string;
}

/**
 * What GitHub's answer says `headCommit` is, read off the group's own entry: the group's commit, or
 * the PR's head. Each reading gives a different proof that a PR's head did not move after it was queued.
 */
export type HeadCommitReading = 'group-commit' | 'pull-request-head';

export type GroupMembers =
  { kind: 'known'; numbers: number[]; entries: QueueEntry[]; reading: HeadCommitReading } | { kind: 'unknown'; reason: string };

const short = (sha: string) => sha.slice(0, 7);

/**
 * The PRs a merge group adds to its base: the PR its branch names, and every entry ahead of it in the
 * queue (a group's commit holds their changes too, and a passing group lets GitHub merge all of them).
 * The group's own entry must agree with the group: its `headCommit` is this group's commit or its PR's
 * head. Anything else (its PR's head moved since it was queued, the group was replaced, GitHub no
 * longer lists the PR) leaves the members unknown, and an unknown group never passes.
 */
export function groupMembers(ref: MergeGroupRef | undefined, groupHeadSha: string, entries: readonly QueueEntry[]): GroupMembers {
  if (!ref) return { kind: 'unknown', reason: 'its head ref is not a merge queue branch (`gh-readonly-queue/<base>/pr-<number>-<sha>`)' };
  const own = entries.find((e) => e.number === ref.number);
  if (!own)
    return {
      kind: 'unknown',
      reason: `GitHub no longer lists #${ref.number}, which its branch names, in the merge queue (the group was probably replaced)`,
    };
  let reading: HeadCommitReading;
  if (own.headCommit === groupHeadSha) reading = 'group-commit';
  else if (own.headCommit !== null && own.headCommit === own.prHeadSha) reading = 'pull-request-head';
  else if (own.headCommit === null)
    return { kind: 'unknown', reason: `GitHub lists the queue entry of #${own.number} without a head commit` };
  else
    return {
      kind: 'unknown',
      reason: `GitHub's queue entry of #${own.number} names commit ${short(own.headCommit)}, which is neither this group's commit nor #${own.number}'s head ${short(own.prHeadSha)}: its head moved after it was queued, or this group was replaced`,
    };
  const members = entries.filter((e) => e.position <= own.position).sort((a, b) => a.position - b.position);
  return { kind: 'known', numbers: members.map((e) => e.number), entries: members, reading };
}

/** What the gate read of a member PR on its own: its head and when the gate first saw that head. */
export interface MemberHead {
  /** The head the gate decided on. */
  headSha?: string;
  governed: boolean;
  /** The gate's trusted record of when it first saw `headSha` (its check run's `started_at`, GitHub's clock). */
  headSeenAt?: string;
}

/**
 * Why a member's head is not the head the group was built from, or undefined when it is. The group's
 * commit holds the code queued; the gate decided on the PR's head now: the two must be one. With
 * `headCommit` the PR's queued head, compare it; with `headCommit` the group's commit, the gate's own
 * record must show it saw the head no later than GitHub queued it (a push after queueing gives a head
 * first seen later). Ungoverned PRs need no record: their verdict does not depend on the head.
 */
export function movedHead(entry: QueueEntry, reading: HeadCommitReading, head: MemberHead): string | undefined {
  const current = head.headSha;
  if (!current) return 'hitl-gate could not read its head';
  if (current !== entry.prHeadSha)
    return `its head moved to ${short(current)} while the group was checked (GitHub's queue lists ${short(entry.prHeadSha)})`;
  if (reading === 'pull-request-head') {
    if (entry.headCommit !== current)
      return `its head moved to ${short(current)} after ${entry.headCommit ? short(entry.headCommit) : 'an unknown commit'} was queued`;
    return undefined;
  }
  if (!head.governed) return undefined;
  if (!head.headSeenAt) return `hitl-gate has no record of its head ${short(current)} from before it was queued`;
  const queuedAt = entry.enqueuedAt ? Date.parse(entry.enqueuedAt) : NaN;
  const seenAt = Date.parse(head.headSeenAt);
  if (Number.isNaN(queuedAt) || Number.isNaN(seenAt)) return 'GitHub did not say when it was queued';
  if (seenAt > queuedAt)
    return `hitl-gate first saw its head ${short(current)} at ${head.headSeenAt}, after it was queued at ${entry.enqueuedAt}: its head moved after it was queued`;
  return undefined;
}

/** The gate's verdict on one PR of a group. */
export interface MemberVerdict {
  number: number;
  /** The decision on the PR's current head; undefined when it could not be decided. */
  decision?: Pick<Decision, 'governed' | 'state' | 'merge' | 'title' | 'blockers' | 'tier' | 'mode'>;
  /** Why it could not be decided (GitHub failed, the PR is gone). */
  error?: string;
  /** The PR's current head, when known. */
  headSha?: string;
}

/** Whether the policy lets this PR merge now: ungoverned, or governed and ready. A tier whose merging is
 * left to a person (`merge: false`) is ready too: the person who queued it is that person. */
export function wouldMerge(decision: MemberVerdict['decision']): boolean {
  if (!decision) return false;
  if (!decision.governed) return decision.state === 'ignored';
  return decision.state === 'ready';
}

export interface GroupVerdict {
  /** `neutral`: only PRs the gate merely observes (`mode: observe`) would not merge now; it never blocks them. */
  conclusion: 'success' | 'failure' | 'neutral';
  title: string;
  summary: string;
}

function memberLine(m: MemberVerdict): string {
  if (m.error !== undefined) return `- #${m.number}: could not be decided: ${m.error}`;
  const d = m.decision!;
  if (!d.governed) return `- #${m.number}: not governed by the policy`;
  if (wouldMerge(d)) return `- #${m.number} (${d.tier}): ${d.title}`;
  const why = d.blockers.length > 0 ? d.blockers.join('; ') : d.title;
  return `- #${m.number} (${d.tier}): **not mergeable now**: ${why}`;
}

/** The `hitl` check on a merge group's head: success only when every PR it adds would merge now. */
export function mergeGroupVerdict(members: GroupMembers, verdicts: readonly MemberVerdict[]): GroupVerdict {
  if (members.kind === 'unknown') {
    return {
      conclusion: 'failure',
      title: 'Cannot tell which pull requests this merge group adds',
      summary: `hitl-gate could not determine the pull requests in this merge group: ${members.reason}. It passes only a group whose every pull request it has checked, so this group fails; the queue builds a new group.`,
    };
  }
  const blocked = verdicts.filter((v) => !wouldMerge(v.decision) || v.error !== undefined);
  const missing = members.numbers.filter((n) => !verdicts.some((v) => v.number === n));
  const lines = verdicts.map(memberLine).join('\n');
  if (blocked.length === 0 && missing.length === 0 && verdicts.length > 0) {
    const list = verdicts.map((v) => `#${v.number}`).join(', ');
    return {
      conclusion: 'success',
      title: `The policy lets ${list} merge`,
      summary: `Every pull request this merge group adds may merge now:\n\n${lines}\n`,
    };
  }
  // Observe mode never blocks: a group held up only by observed PRs passes as neutral, saying so.
  const observed = blocked.filter((v) => v.error === undefined && v.decision?.mode === 'observe');
  if (observed.length === blocked.length && missing.length === 0 && verdicts.length > 0) {
    const first = observed[0]!;
    const title = `Observe mode: #${first.number} would not merge now: ${first.decision?.title ?? ''}`;
    return {
      conclusion: 'neutral',
      title: title.length > 200 ? `${title.slice(0, 199)}…` : title,
      summary: `The policy only observes ${observed.map((v) => `#${v.number}`).join(', ')} (\`mode: observe\`), so this group is not held up; enforced, the gate would not let it merge now:\n\n${lines}\n`,
    };
  }
  const names = [...blocked.map((v) => `#${v.number}`), ...missing.map((n) => `#${n}`)];
  const first = blocked[0];
  const title =
    first?.decision && first.error === undefined
      ? `#${first.number} may not merge: ${first.decision.title}`
      : `${names.join(', ')} ${names.length === 1 ? 'was' : 'were'} not checked`;
  return {
    conclusion: 'failure',
    title: title.length > 200 ? `${title.slice(0, 199)}…` : title,
    summary: `This merge group adds ${names.length === 1 ? 'a pull request' : 'pull requests'} the policy does not let merge now (${names.join(', ')}), so it must not merge. A person who queued it by hand must get it through the gate first (see the PR's \`hitl\` check).\n\n${lines}${missing.length ? `\n- ${missing.map((n) => `#${n}`).join(', ')}: not decided` : ''}\n`,
  };
}

/** The PR's place in its base branch's merge queue, read from GitHub. */
export interface QueueState {
  /** The base branch's rules include `merge_queue`. */
  required: boolean;
  /** GitHub's `isInMergeQueue`. */
  queued: boolean;
}

export type QueueStep =
  | { kind: 'none' }
  | { kind: 'enqueue'; expectedHeadOid: string }
  | { kind: 'dequeue'; reason: string }
  /** The gate queued this head once and someone (a person, a failed merge group) took it out: not again. */
  | { kind: 'hold'; reason: string };

/** One `added_to_merge_queue` / `removed_from_merge_queue` event of the PR's timeline. */
export interface QueueHistoryEvent {
  kind: 'added' | 'removed';
  at: string;
  actor?: string;
  /** For a removal: the PR's head when it left the queue. */
  headSha?: string;
  reason?: string;
}

/**
 * Whether the gate's own enqueue of `head` was undone by someone else: then queueing the same head
 * again would only loop (a merge group that keeps failing) or overrule a person who took it out.
 * A removal by the gate itself (a veto, since lifted) does not count.
 */
export function undoneEnqueue(history: readonly QueueHistoryEvent[], head: string, gate: string): QueueHistoryEvent | undefined {
  const own = (e: QueueHistoryEvent) => (e.actor ?? '').toLowerCase() === gate.toLowerCase();
  const sorted = [...history].sort((a, b) => a.at.localeCompare(b.at));
  let queuedByGate = false;
  let undone: QueueHistoryEvent | undefined;
  for (const e of sorted) {
    if (e.kind === 'added') queuedByGate = own(e);
    else if (queuedByGate && e.headSha === head && !own(e)) undone = e;
  }
  return undone;
}

/**
 * What the gate does about the queue. `merge`: the plan asked to merge this head (the same conditions
 * as a direct merge); with a queue that is an enqueue of exactly the decided head. A queued PR the gate
 * would not merge now (a veto, a push, an escalation) leaves the queue.
 */
export function queueStep(
  decision: Pick<Decision, 'governed' | 'state' | 'merge' | 'title' | 'blockers'>,
  state: QueueState,
  merge: { sha: string } | undefined,
  undone?: QueueHistoryEvent,
): QueueStep {
  if (!state.required) return { kind: 'none' };
  if (merge && !state.queued && undone) {
    const by = undone.actor ? ` by ${undone.actor}` : '';
    const why = undone.reason ? ` (${undone.reason.toLowerCase().replace(/_/g, ' ')})` : '';
    return {
      kind: 'hold',
      reason: `This head was taken out of the merge queue${by}${why}; hitl-gate does not queue it again. Queue it by hand, or push a new commit.`,
    };
  }
  if (merge) return state.queued ? { kind: 'none' } : { kind: 'enqueue', expectedHeadOid: merge.sha };
  if (state.queued && decision.governed && decision.state !== 'ready') {
    return { kind: 'dequeue', reason: decision.blockers[0] ?? decision.title };
  }
  return { kind: 'none' };
}

/** The decision as the check and status comment show it while the gate merges through the queue:
 * a person reading "ready to merge" must not wonder why nothing merged yet. The note names the way,
 * not whether GitHub already took the PR in, so it reads the same before and after the enqueue and
 * the comment is not edited again for it. */
export function withQueueNote<D extends Pick<Decision, 'title'>>(decision: D): D {
  return { ...decision, title: `${decision.title}, through the merge queue` };
}

/** The decision as the check and status comment show it once the gate took the PR out of the queue. */
export function withDequeueNote<D extends Pick<Decision, 'blockers'>>(decision: D, step: QueueStep): D {
  if (step.kind === 'hold') return { ...decision, blockers: [...decision.blockers, step.reason] };
  if (step.kind !== 'dequeue') return decision;
  return {
    ...decision,
    blockers: [...decision.blockers, 'Removed from the merge queue by hitl-gate: the policy does not let this head merge now.'],
  };
}
