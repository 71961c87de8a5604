// The answers GitHub gave (policy files, branch rules, with their ETags) live as long as the App that
// read them: every reconcile of one App asks conditionally on what an earlier one read,
// and another App (a restart, a test) starts from none.
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import { pino } from 'pino';
import { Probot } from 'probot';
import { createGate, type Gate, type GateOptions } from '../../src/app/gate.js';
import type { ReconcileOptions, ReconcileOutcome, PullRequestRef } from '../../src/github/index.js';
import { KeptAnswers } from '../../src/github/kept-answers.js';

const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const IDENTITY = { appId: 4242, login: 'hitl-gate[bot]' };
const POLICY = 'policy\0acme/widgets\0.github/hitl.yml\0main';

/** A reconcile that reads the policy conditionally: it says which ETag it could ask with, then keeps GitHub's new one. */
function policyReader(etags: (string | undefined)[]) {
  let version = 0;
  const read = (kept: KeptAnswers | undefined) => {
    etags.push(kept?.get(POLICY)?.etag);
    kept?.keep(POLICY, `"v${++version}"`, 'version: 1\n');
  };
  const reconcile = async (_c: unknown, ref: PullRequestRef, options: ReconcileOptions): Promise<ReconcileOutcome> => {
    read(options.kept);
    return { ref, decision: { state: 'waiting', tier: 'soft' } as never, effects: [], applied: [], merged: false, requests: 1 };
  };
  return { reconcile: reconcile as GateOptions['reconcile'] };
}

const gates: Gate[] = [];
afterEach(async () => {
  await Promise.all(gates.splice(0).map((g) => g.close(1000)));
});

function start(options: GateOptions) {
  const probot = new Probot({ appId: IDENTITY.appId, privateKey, secret: 's', log: pino({ level: 'silent' }) });
  const gate = createGate(probot, { identity: IDENTITY, sweepIntervalMs: 0, log: pino({ level: 'silent' }), ...options });
  gates.push(gate);
  const labeled = (number: number) =>
    probot.receive({
      id: `d-${Math.random()}`,
      name: 'pull_request',
      payload: {
        action: 'labeled',
        installation: { id: 1 },
        repository: { name: 'widgets', owner: { login: 'acme' } },
        pull_request: { number, updated_at: '2026-11-22T14:00:00Z' },
        sender: { login: 'alice', type: 'User' },
      },
    } as never);
  return { gate, labeled };
}

it("one App's reconciles ask with the ETag an earlier reconcile of it kept; a new App starts from none", async () => {
  const etags: (string | undefined)[] = [];
  const first = start(policyReader(etags));
  await first.labeled(7);
  await first.gate.idle();
  await first.labeled(8);
  await first.gate.idle();
  expect(etags).toEqual([undefined, '"v1"']);

  const second = start(policyReader(etags));
  await second.labeled(7);
  await second.gate.idle();
  expect(etags).toEqual([undefined, '"v1"', undefined]);
});

it('the answers the App is given are the ones its reconciles keep', async () => {
  const kept = new KeptAnswers();
  kept.keep(POLICY, '"from-before"', 'version: 1\n');
  const etags: (string | undefined)[] = [];
  const { gate, labeled } = start({ ...policyReader(etags), kept });
  await labeled(7);
  await gate.idle();
  expect(etags).toEqual(['"from-before"']);
  expect(kept.get(POLICY)?.etag).toBe('"v1"');
});
