// The decision record the gate keeps in its check run: what the audit reads back.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decide } from '../../src/core/decide.js';
import { decisionMarker, decisionRecord, readDecisionRecord } from '../../src/core/decision-record.js';
import { renderCheckRun } from '../../src/core/render.js';
import { AGENT, at, comment, file, HEAD, makeFacts, makePolicy, okLoad, review, writer } from './facts.js';

const NOW = new Date(at(30));

describe('decision record', () => {
  it('binds each approval to the commit it approved, and keeps the veto history', () => {
    const veto = comment('bob', '/veto wait', at(2));
    const cancel = comment('bob', '/veto cancel', at(3));
    const facts = makeFacts({
      files: [file('db/migrations/1.sql')],
      headSeenAt: at(1),
      comments: [comment('alice', '/approve', at(0)), veto, cancel, comment('alice', '/approve', at(4))],
      reviews: [review('carol', 'APPROVED', HEAD, at(5))],
      authorizations: { alice: writer(), bob: writer(), carol: writer() },
    });
    const load = okLoad(makePolicy({ rules: [{ name: 'Migrations', tier: 'hard', paths: ['db/migrations/**'] }] }));
    const decision = decide(load, facts, NOW);
    const record = decisionRecord(decision, facts);
    expect(record).toMatchObject({ tier: 'hard', rules: ['Migrations'], policy: { sha256: (load as { hash: string }).hash } });
    expect(record?.approvals).toEqual(
      expect.arrayContaining([
        { by: 'alice', at: at(4), via: 'comment', sha: HEAD },
        { by: 'carol', at: at(5), via: 'review', sha: HEAD },
      ]),
    );
    expect(record?.vetoes).toEqual([{ by: 'bob', at: at(2), reason: 'wait', withdrawnAt: at(3) }]);
    // It travels in the check run's text and reads back the same.
    expect(readDecisionRecord(renderCheckRun(decision, facts, NOW).text)).toEqual(record);
  });

  it('is absent for a PR the gate does not govern', () => {
    const facts = makeFacts({ author: { login: 'dave', type: 'User' } });
    const decision = decide(okLoad(makePolicy({ agents: { authors: [AGENT.login], labels: [], branches: [] } })), facts, NOW);
    expect(decisionRecord(decision, facts)).toBeUndefined();
    expect(renderCheckRun(decision, facts, NOW).text).not.toContain('hitl-gate:decision');
  });

  it('reading never throws and never invents entries', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(() => readDecisionRecord(s)).not.toThrow();
        expect(() => readDecisionRecord(`<!-- hitl-gate:decision v1 ${Buffer.from(s).toString('base64')} -->`)).not.toThrow();
      }),
    );
    const forged = decisionMarker({
      tier: 'hard',
      state: 'ready',
      rules: [],
      approvals: [],
      vetoes: [],
      window: null,
      policy: { path: '', sha256: null },
    }).replace('v1 ', 'v1 x');
    expect(readDecisionRecord(forged)).toBeUndefined();
    expect(readDecisionRecord(null)).toBeUndefined();
  });
});
