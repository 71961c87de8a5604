// When the shell must read a PR's commits to see their trailers: the one read `agents.trailers` costs.
import type { PolicyLoad } from './model/policy.js';

export interface TrailerReadInput {
  load: PolicyLoad;
  /** The event that woke the gate created this head (`opened`, `synchronize`). */
  headIsNew: boolean;
  /** The gate has written a check on this head before. */
  seenBefore: boolean;
  /** That check is a governed one (the gate governed this head before). */
  governedBefore: boolean;
}

/**
 * Commits do not change for a head, so their trailers are read once, on the gate's first sight of a
 * head: when it is new, or when the gate has no check on it yet (a lost webhook, the sweep). A head
 * the gate already passed as ungoverned is not read again, so an idle PR costs nothing. A head the gate
 * governed before (its governed check exists, its status comment does not) is read again: it must not
 * fall back to ungoverned because a write failed half-way.
 */
export function needsTrailerRead(input: TrailerReadInput): boolean {
  const { load } = input;
  // A broken policy falls back to every known agent, trailers included (fail closed).
  const trailers = load.kind === 'ok' ? (load.policy.agents.trailers?.length ?? 0) > 0 : load.kind === 'invalid';
  return trailers && (input.headIsNew || !input.seenBefore || input.governedBefore);
}
