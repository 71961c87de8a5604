// Two writers of one PR's record (two replicas after a lock expired, the App and the Action's `full`
// mode) must never lose each other's entries: the one that writes second merges what the first wrote
// since it read the record, instead of overwriting it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ledger } from '../../src/core/model/ledger.js';
import type { Effect } from '../../src/core/model/effects.js';
import { readRecord, recordMarkerIn } from '../../src/core/ledger.js';
import { applyEffects } from '../../src/github/apply-effects.js';
import { amendRecord } from '../../src/github/amend-record.js';
import { reconcile } from '../../src/github/index.js';
import { openSession } from '../../src/github/session.js';
import { GitHubSimulator } from '../sim/index.js';
import { examplePolicy } from '../fixtures/example-policy.js';
import { gateIdentity, installationClient } from '../support/sim-client.js';

const AGENT = 'copilot-swe-agent[bot]';
let sim: GitHubSimulator;

beforeAll(async () => {
  sim = await new GitHubSimulator({ seed: 13 }).start();
});
afterAll(async () => {
  await sim?.stop();
});

describe('two writers of one record', () => {
  it('a writer that read the record before another wrote a veto into it keeps that veto when it writes', async () => {
    const repo = sim.createRepo({
      name: 'writers/app',
      policy: examplePolicy({ window: '1h', authors: [AGENT] }),
      collaborators: { alice: 'write' },
    });
    const client = installationClient(sim, repo);
    const identity = gateIdentity(sim);
    const ref = {
      owner: 'writers',
      repo: 'app',
      number: sim.openPullRequest(repo, { author: AGENT, files: [{ path: 'src/a.ts', content: 'x\n' }] }),
    };
    await reconcile(client, ref, { mode: 'full', identity });
    const head = sim.pull(repo, ref.number).headSha;
    const run = sim.checkRuns(repo, head, 'hitl').at(-1)!;
    const read = recordMarkerIn(run.output.text)!;
    const before = readRecord(run.output.text, ref.number)!;

    // Writer B: a veto goes into the record (as another replica's reconcile would write it).
    const veto = { by: 'alice', at: new Date().toISOString(), commentId: 4242, reason: 'no' };
    await amendRecord(openSession(client, new Date(), undefined), ref, run.id, head, identity, (r) => ({
      ...r,
      vetoes: [...r.vetoes, veto],
    }));

    // Writer A, which read the record before B wrote, now writes what it planned: an answered id.
    const planned: Ledger = { ...before, answered: [...before.answered, 777] };
    const effect: Effect = {
      kind: 'check-run',
      id: run.id,
      headSha: head,
      status: 'in_progress',
      title: run.output.title ?? '',
      summary: run.output.summary ?? '',
      text: 'details',
      record: { ledger: planned },
    };
    const result = await applyEffects(
      openSession(client, new Date(), undefined),
      {
        ref,
        checkRunAs: 'check-run',
        governed: true,
        currentCheckRun: { id: run.id, status: run.status, conclusion: run.conclusion, record: read },
      },
      [effect],
    );
    expect(result.error).toBeUndefined();

    const after = readRecord(sim.checkRuns(repo, head, 'hitl').at(-1)!.output.text, ref.number)!;
    expect(after.vetoes.map((v) => v.commentId)).toContain(4242);
    expect(after.answered).toContain(777);
    // And the next decision still holds the veto.
    const next = await reconcile(client, ref, { mode: 'full', identity });
    expect(next.decision.vetoes.map((v) => v.by)).toEqual(['alice']);
    expect(next.decision.state).toBe('blocked');
  });

  it('an agent PR whose replaced head GitHub no longer shows is held as hard: a veto may have been on record there', async () => {
    const repo = sim.createRepo({
      name: 'gone/app',
      policy: examplePolicy({ window: '1h', authors: [AGENT] }),
      collaborators: { alice: 'write' },
    });
    const client = installationClient(sim, repo);
    const identity = gateIdentity(sim);
    const ref = {
      owner: 'gone',
      repo: 'app',
      number: sim.openPullRequest(repo, { author: AGENT, files: [{ path: 'src/a.ts', content: 'x\n' }] }),
    };
    const veto = sim.comment(repo, ref.number, 'alice', '/veto');
    await reconcile(client, ref, { mode: 'full', identity });
    expect((await reconcile(client, ref, { mode: 'full', identity })).decision.state).toBe('blocked');
    sim.deleteComment(repo, veto, AGENT);
    sim.forcePush(repo, ref.number, { by: AGENT, deliver: false, forgetBefore: true });
    const after = await reconcile(client, ref, { mode: 'full', identity });
    expect(after.decision.tier).toBe('hard');
    expect(after.decision.state).not.toBe('ready');
    expect(sim.appComments(repo, ref.number).find((c) => c.body.includes('hitl-gate:status'))?.body).toMatch(
      /could not read its record there/,
    );
  });
});
