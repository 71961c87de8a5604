// What the gate's review after merge leaves on GitHub, set up directly for tests that read it (the
// dashboard, the digest): the `hitl:review-after-merge` label on a merged PR, and the record in the
// gate's own `hitl` check run on the PR's last head, written with the App's installation token as the
// gate writes it (ledger.ts `withRecord`).
import { expect } from 'vitest';
import { AFTER_MERGE_LABEL, type AfterMergeRecord } from '../../src/core/model/after-merge.js';
import { withRecord } from '../../src/core/ledger.js';
import type { GitHubSimulator } from '../sim/index.js';

export async function recordAfterMerge(
  sim: GitHubSimulator,
  repo: string,
  number: number,
  record: AfterMergeRecord,
  label = true,
): Promise<void> {
  const token = `ghs_after_merge_${number}_${Math.random().toString(36).slice(2)}`;
  sim.world.tokens.set(token, { token, installationId: sim.world.repo(repo).installationId, expiresAt: Date.now() + 3600_000 });
  const res = await fetch(`${sim.apiUrl}/repos/${repo}/check-runs`, {
    method: 'POST',
    headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'hitl',
      head_sha: sim.pull(repo, number).headSha,
      status: 'completed',
      conclusion: 'success',
      external_id: 'hitl-gate:governed',
      output: {
        title: 'Merged',
        summary: 'Merged.',
        text: withRecord('', { vetoes: [], answered: [], afterMerge: record } as never, number),
      },
    }),
  });
  expect(res.status).toBe(201);
  if (label) sim.label(repo, number, 'alice', AFTER_MERGE_LABEL);
}

export const DAY_MS = 86_400_000;
export const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
