// CONTRACT STUB — to be implemented (command parsing).
import type { Command, PullRequestFacts } from './types.js';

/** Commands in a comment body: whole lines, case-insensitive, never inside quotes or code. */
export function parseCommands(_body: string): Command[] {
  throw new Error('not implemented');
}

/** Lower-case logins whose authorization the shell must look up before `decide`. */
export function commandAuthors(_facts: Pick<PullRequestFacts, 'author' | 'comments' | 'reviews'>): string[] {
  throw new Error('not implemented');
}
