// Commands in PR comments and review bodies. A command is a whole line (surrounding whitespace
// trimmed), matched case-insensitively. Text that is not the commenter's own words is never a
// command: quoted lines (`> /approve`, however deeply nested) and code (fenced with ``` or ~~~, or
// indented by four spaces or a tab) are skipped, and so are HTML comments, which nobody can see: copying
// someone else's `/approve` or showing the syntax in a code block decides nothing.
//
// Deliberate simplifications of CommonMark, each on the side of counting fewer lines:
// - a line indented by four or more columns is never a command, even where CommonMark would read it
//   as a paragraph continuation;
// - a fence opened after a list marker (`- ````) is honoured like any other fence.
import type { Tier } from './model/tier.js';
import type { PullRequestFacts } from './model/pull-request.js';
import type { Command } from './model/decision.js';
import { parseAfterMergeLine } from './after-merge-parse.js';

const FENCE_OPEN = /^(?:(?:[-+*]|\d{1,9}[.)])[ \t]+)?(`{3,}|~{3,})(.*)$/;

/** Width of the leading whitespace, tabs advancing to the next multiple of four (as CommonMark). */
function indentWidth(line: string): number {
  let width = 0;
  for (const ch of line) {
    if (ch === ' ') width += 1;
    else if (ch === '\t') width += 4 - (width % 4);
    else break;
  }
  return width;
}

interface Fence {
  char: '`' | '~';
  length: number;
  /** Column at which the fence characters started: the closing fence may be indented as far + 3. */
  column: number;
}

function openingFence(line: string): Fence | undefined {
  const indent = indentWidth(line);
  if (indent > 3) return undefined;
  const rest = line.trimStart();
  const m = FENCE_OPEN.exec(rest);
  if (!m) return undefined;
  const marker = m[1] ?? '';
  const info = m[2] ?? '';
  // A backtick fence's info string cannot contain a backtick (``` `x` ``` is inline code).
  if (marker[0] === '`' && info.includes('`')) return undefined;
  const listMarkerWidth = rest.length - marker.length - info.length;
  return { char: marker[0] as Fence['char'], length: marker.length, column: indent + listMarkerWidth };
}

function closesFence(line: string, fence: Fence): boolean {
  if (indentWidth(line) > fence.column + 3) return false;
  const t = line.trim();
  if (t.length < fence.length) return false;
  for (const ch of t) if (ch !== fence.char) return false;
  return true;
}

/** The lines of a body that are the author's own prose: not quoted, not code. */
export function commandLines(body: string): string[] {
  const out: string[] = [];
  let fence: Fence | undefined;
  let hidden = false;
  for (const line of body.split(/\r\n|\r|\n/)) {
    if (fence) {
      if (closesFence(line, fence)) fence = undefined;
      continue;
    }
    // An HTML comment block (`<!--` ... `-->`) is invisible on GitHub: nobody can see a command there.
    if (hidden) {
      if (line.includes('-->')) hidden = false;
      continue;
    }
    if (indentWidth(line) >= 4) continue;
    if (line.trimStart().startsWith('<!--')) {
      hidden = !line.slice(line.indexOf('<!--') + 4).includes('-->');
      continue;
    }
    const opened = openingFence(line);
    if (opened) {
      fence = opened;
      continue;
    }
    const t = line.trim();
    if (t === '' || t.startsWith('>')) continue;
    out.push(t);
  }
  return out;
}

const TIER_WORDS: Record<string, Tier> = { fyi: 'fyi', soft: 'soft', hard: 'hard' };

/** Edits (insert, delete, substitute, swap two neighbours) between two short words. */
export function typoDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** How far a word may be from each command word and still be read as a typo of it. Short words get
 * one edit, so other tools' commands (`/assign`, `/retest`, `/lgtm`, `/hold`) stay theirs. */
const NEAR: [word: string, edits: number][] = [
  ['approve', 2],
  ['escalate', 2],
  ['veto', 1],
  ['hitl', 1],
];

function nearest(word: string): string | undefined {
  return NEAR.find(([w, edits]) => word !== w && typoDistance(word, w) <= edits)?.[0];
}

/** A line that is not a command but was surely meant as one of ours; undefined for anything else. */
function misspelled(t: string, words: string[]): Command | undefined {
  const head = (words[0] ?? '').slice(1).replace(/[:,.;!]+$/, '');
  const rest = t.replace(/^\S+\s*/, '');
  const text = t.length > 80 ? `${t.slice(0, 77)}...` : t;
  const word = head === 'approve' || head === 'escalate' || head === 'hitl' ? head : nearest(head);
  if (word === 'veto') return { kind: 'veto', readFrom: text, ...(rest ? { reason: rest } : {}) };
  if (word === 'approve') {
    const cancel = words.length === 2 && typoDistance(words[1] ?? '', 'cancel') <= 2;
    return { kind: 'unrecognized', text, suggestion: cancel ? '/approve cancel' : '/approve' };
  }
  if (word === 'escalate') {
    const tier = words.length === 2 ? Object.keys(TIER_WORDS).find((w) => typoDistance(words[1] ?? '', w) <= 1) : undefined;
    return { kind: 'unrecognized', text, suggestion: tier ? `/escalate ${tier}` : '/escalate fyi|soft|hard' };
  }
  if (word === 'hitl') return { kind: 'unrecognized', text, suggestion: '/hitl explain' };
  return undefined;
}

/** One trimmed line to a command, or undefined. */
export function parseCommandLine(line: string): Command | undefined {
  const t = line.trim();
  if (!t.startsWith('/')) return undefined;
  const words = t.toLowerCase().split(/\s+/);
  const head = words[0];
  if (head === '/approve') {
    if (words.length === 1) return { kind: 'approve' };
    if (words.length === 2 && words[1] === 'cancel') return { kind: 'approve-cancel' };
    // `/approve this later` is not an approval: permissive commands must be exact (its author is told).
    return misspelled(t, words);
  }
  if (head === '/escalate') {
    const tier = words.length === 2 ? TIER_WORDS[words[1] ?? ''] : undefined;
    return tier ? { kind: 'escalate', tier } : misspelled(t, words);
  }
  if (head === '/hitl') return words.length === 2 && words[1] === 'explain' ? { kind: 'explain' } : misspelled(t, words);
  const afterMerge = parseAfterMergeLine(t, words);
  if (afterMerge) return afterMerge;
  // A veto is read generously (`/veto: too risky`, `/veto!`): losing a veto is worse than an extra one.
  const veto = /^\/veto(?:$|[\s:,.;!-]+([\s\S]*)$)/i.exec(t);
  if (veto) {
    const reason = (veto[1] ?? '').trim();
    if (words.length === 2 && words[1] === 'cancel') return { kind: 'veto-cancel' };
    // `/veto cancle` is still a veto (lifting one must be exact), but its author meant to lift theirs.
    const nearCancel = words.length === 2 && typoDistance(words[1] ?? '', 'cancel') <= 2;
    const base: Command = reason === '' ? { kind: 'veto' } : { kind: 'veto', reason };
    return nearCancel ? { ...base, readFrom: t } : base;
  }
  return misspelled(t, words);
}

/** Commands in a comment body: whole lines, case-insensitive, never inside quotes or code. */
export function parseCommands(body: string): Command[] {
  const commands: Command[] = [];
  for (const line of commandLines(body)) {
    const command = parseCommandLine(line);
    if (command) commands.push(command);
  }
  return commands;
}

/** GitHub marks apps as `Bot`; logins of apps end in `[bot]`. Either makes an account a bot. */
export function isBot(actor: { login: string; type: string }): boolean {
  return actor.type === 'Bot' || actor.login.toLowerCase().endsWith('[bot]');
}

/** Commands whose effect depends on who issued them. `/escalate` and `/hitl explain` are anyone's. */
export function needsAuthorization(command: Command): boolean {
  return command.kind === 'approve' || command.kind === 'approve-cancel' || command.kind === 'veto' || command.kind === 'veto-cancel';
}

/** Whether a comment was edited after it was created (GitHub bumps `updated_at` on edits). */
export function wasEdited(comment: { createdAt: string; updatedAt: string }): boolean {
  return comment.updatedAt !== comment.createdAt;
}

/** Commands that loosen the gate: an edit or an unverifiable source may not introduce them.
 * `/approve cancel` only withdraws an approval, so it tightens the gate and is not among them. */
export function isPermissive(command: Command): boolean {
  return command.kind === 'approve' || command.kind === 'veto-cancel';
}

/**
 * Lower-case logins whose authorization the shell must look up before `decide`. Every lookup is a
 * REST request, so this names only people whose answer can change the decision: authors of
 * commands that need authorization and of approving reviews, but never the PR author or a bot
 * (refused whoever they are), and not for permissive commands in edited comments or review text
 * (refused whatever their permission).
 */
export function commandAuthors(facts: Pick<PullRequestFacts, 'author' | 'comments' | 'reviews'>): string[] {
  const author = facts.author.login.toLowerCase();
  const logins = new Set<string>();
  const consider = (actor: { login: string; type: string }, commands: Command[], verifiable: boolean) => {
    const login = actor.login.toLowerCase();
    if (login === author || isBot(actor)) return;
    const needed = commands.some((c) => needsAuthorization(c) && (verifiable || !isPermissive(c)));
    if (needed) logins.add(login);
  };
  for (const comment of facts.comments) consider(comment.author, parseCommands(comment.body), !wasEdited(comment));
  for (const review of facts.reviews) {
    if (review.state === 'PENDING') continue;
    const commands = parseCommands(review.body);
    if (review.state === 'APPROVED') commands.push({ kind: 'approve' });
    // The review's own state is verifiable; commands in its text are not (it can be edited silently).
    consider(review.author, commands, review.state === 'APPROVED');
  }
  return [...logins].sort();
}
