// Add to the gate's record on one of its own check runs, outside a reconcile: a click (GitHub keeps
// no trace of one) or chat bookkeeping. The run must be the gate's own (only the gate's App can update
// it), on the head it claims, and already carry a record of this PR: a record is never started from
// nothing here, or it would hide the earlier heads' record from the next reconcile.
// The caller must hold the PR's lock: the run is read, changed and written back.
import type { Ledger } from '../core/model/ledger.js';
import { CHECK_NAME } from '../core/model/effects.js';
import { readRecord, withRecord } from '../core/ledger.js';
import { reading } from './errors.js';
import { isOwnCheckRun, type GateIdentity } from './identity.js';
import { request, type Session } from './session.js';
import type { PullRequestRef } from './types.js';

export type Amended =
  | { kind: 'amended'; record: Ledger }
  | { kind: 'unchanged' }
  /** Not a run this record can be written to (not the gate's, another head, no record yet). */
  | { kind: 'refused'; reason: string };

export async function amendRecord(
  session: Session,
  ref: PullRequestRef,
  checkRunId: number,
  headSha: string | undefined,
  identity: GateIdentity,
  change: (record: Ledger) => Ledger | undefined,
): Promise<Amended> {
  const { data: run } = await reading('the hitl check run', () =>
    request(session, (c) => c.rest.checks.get({ owner: ref.owner, repo: ref.repo, check_run_id: checkRunId })),
  );
  if (!isOwnCheckRun(run as Parameters<typeof isOwnCheckRun>[0], identity))
    return { kind: 'refused', reason: "the check run is not the gate's own" };
  if (headSha !== undefined && run.head_sha !== headSha) return { kind: 'refused', reason: 'the check run is on another commit' };
  const record = readRecord(run.output?.text, ref.number);
  if (!record) return { kind: 'refused', reason: 'the check run carries no record of this pull request yet' };
  const next = change(record);
  if (!next) return { kind: 'unchanged' };
  const output = {
    title: run.output?.title ?? CHECK_NAME,
    summary: run.output?.summary ?? '',
    text: withRecord(run.output?.text, next, ref.number),
  };
  await request(session, (c) => c.rest.checks.update({ owner: ref.owner, repo: ref.repo, check_run_id: checkRunId, output }));
  return { kind: 'amended', record: next };
}
