// How long one reconcile's pure part takes on a huge PR: decide + plan (which renders the status
// comment and check run) with 3000 files and 600 commands, and how big the written texts are.
import { decide } from '../src/core/decide.js';
import { plan } from '../src/core/plan.js';
import type { Effect } from '../src/core/model/effects.js';
import { at, comment, file, makeFacts, makePolicy, okLoad, writer } from '../test/unit/facts.js';
import { timed } from './timed.js';

export default async function (): Promise<void> {
  const files = Array.from({ length: 3000 }, (_, i) => file(i % 10 === 0 ? `db/migrations/${i}.sql` : `src/module-${i}/index.ts`));
  const comments = Array.from({ length: 600 }, (_, i) =>
    comment(`user${i % 40}`, ['/approve', '/veto risky', '/veto cancel', '/approve cancel', 'lgtm', '/hitl explain'][i % 6]!, at(i / 10)),
  );
  const authorizations = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`user${i}`, writer()]));
  const facts = makeFacts({ files, changedFiles: 3000, comments, authorizations });
  const load = okLoad(makePolicy());
  const now = new Date(at(90));
  const view = { mergeable: true, mergeableState: 'clean', otherChecks: 'success' as const };

  const decision = decide(load, facts, now);
  const effects: Effect[] = plan(decision, facts, view, now, { mode: 'full' });
  const status = effects.find((e) => e.kind === 'status-comment');
  const check = effects.find((e) => e.kind === 'check-run');

  const small = makeFacts({ comments: comments.slice(0, 5), authorizations });
  console.log(`decide, 3000 files, 600 commands:        ${timed(20, () => decide(load, facts, now)).toFixed(2)} ms`);
  console.log(
    `decide + plan, 3000 files, 600 commands: ${timed(20, () => plan(decide(load, facts, now), facts, view, now, { mode: 'full' })).toFixed(2)} ms`,
  );
  console.log(
    `decide + plan, 1 file, 5 commands:       ${timed(500, () => plan(decide(load, small, now), small, view, now, { mode: 'full' })).toFixed(3)} ms`,
  );
  console.log(
    `status comment: ${status && 'body' in status ? status.body.length : 0} chars (limit 65536); check-run summary ${check && 'summary' in check ? check.summary.length : 0}, text ${check && 'text' in check ? (check.text ?? '').length : 0} chars (limit 65535); ${effects.filter((e) => e.kind === 'reply').length} replies, ${effects.filter((e) => e.kind === 'react').length} reactions`,
  );
}
