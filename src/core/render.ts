// CONTRACT STUB — to be implemented (status comment, check run text, ledger marker).
import type { Decision, Ledger, PullRequestFacts } from './types.js';

export function renderStatusComment(_decision: Decision, _facts: PullRequestFacts, _now: Date): string {
  throw new Error('not implemented');
}

export function renderCheckRun(_decision: Decision, _facts: PullRequestFacts, _now: Date): { title: string; summary: string; text: string } {
  throw new Error('not implemented');
}

/** The ledger the gate wrote into its own status comment, or undefined. */
export function readLedger(_body: string): Ledger | undefined {
  throw new Error('not implemented');
}
