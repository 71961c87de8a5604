// `/revert` when GitHub opens the revert and then answers 502 (it does: a write that took effect,
// reported as failed): the gate's next pass finds the revert it opened and never opens a second one.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REVERT_LABEL } from '../../src/core/model/after-merge.js';
import { examplePolicy } from '../fixtures/example-policy.js';
import { merged, replies, startGate, story, type Gate } from './harness.js';

const AUTHOR = 'devin-ai';
let gate: Gate;
beforeAll(async () => {
  gate = await startGate();
});
afterAll(async () => {
  await gate?.close();
});

it('opens exactly one revert PR when GitHub reports the revert it made as failed', { timeout: 90_000 }, async () => {
  const { sim } = gate;
  const repo = sim.createRepo({
    name: 'am-faults/app',
    policy: `${examplePolicy({ window: '2s', authors: [AUTHOR] })}after_merge:\n  sample: { soft: 1 }\n`,
    files: { 'src/app.ts': 'export const x = 0;\n' },
    collaborators: { alice: 'write' },
  });
  const n = sim.openPullRequest(repo, { author: AUTHOR, files: [{ path: 'src/app.ts', content: 'export const x = 1;\n' }] });
  try {
    await merged(sim, repo, n);
    await sim.until(() => sim.pull(repo, n).labels.includes('hitl:review-after-merge'), 30_000, 'sampled');
    // The second GraphQL request from now on is the revert itself: it takes effect, then answers 502.
    let calls = 0;
    sim.setRestFaults({
      errorAfterWriteRate: 1,
      only: (method, route) => method === 'POST' && route.endsWith('/graphql') && ++calls === 2,
    });
    sim.comment(repo, n, 'alice', '/revert');
    await sim.until(() => replies(sim, repo, n).some((r) => r.includes('to revert this pull request')), 60_000, 'the link to the revert');
    sim.clearFaults();
    const reverts = sim.timeline.filter((e) => e.repo === repo && e.kind === 'revert-opened');
    expect(reverts).toHaveLength(1);
    const number = reverts[0]!.data?.revert as number;
    expect(sim.pull(repo, number).labels).toContain(REVERT_LABEL);
    expect(replies(sim, repo, n).filter((r) => r.includes('to revert this pull request'))).toEqual([expect.stringContaining(`#${number}`)]);
    expect(sim.requests.some((r) => r.fault === 'error-after-write')).toBe(true);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${story(gate, [repo])}`);
  }
});
