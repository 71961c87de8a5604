import { describe, expect, it } from 'vitest';
import { auditAfterMerge } from '../../src/core/audit-after-merge.js';
import { afterMergeDue, openAfterMerge, sampleDraw, sampling, samplingNote } from '../../src/core/after-merge.js';
import { answerAfterMerge, afterMergeAuthors, type AfterMergeInput } from '../../src/core/after-merge-commands.js';
import { afterMergeOpen, type AfterMergePolicy } from '../../src/core/model/after-merge.js';
import { renderAfterMergeComment } from '../../src/core/after-merge-render.js';
import { parseCommands } from '../../src/core/commands.js';
import { decide } from '../../src/core/decide.js';
import { mergeRecords, readRecord, recordMarker } from '../../src/core/ledger.js';
import type { Ledger } from '../../src/core/model/ledger.js';
import type { Policy } from '../../src/core/model/policy.js';
import type { WorkingHours } from '../../src/core/model/policy.js';
import { AGENT, at, comment, human, makeFacts, makePolicy, okLoad, reader, T0, writer } from './facts.js';

const AM: AfterMergePolicy = { sample: { fyi: 0.1, soft: 1 }, alwaysAbove: 0.5, withinMs: 3 * 86_400_000, dashboard: true };
const policyWith = (am: Partial<AfterMergePolicy> = {}, over: Partial<Policy> = {}) =>
  makePolicy({ afterMerge: { ...AM, ...am }, ...over }) as Policy & { afterMerge: AfterMergePolicy };
const MERGED = at(30);
const BERLIN: WorkingHours = {
  timezone: 'Europe/Berlin',
  days: ['mon', 'tue', 'wed', 'thu', 'fri'],
  fromMinutes: 9 * 60,
  toMinutes: 18 * 60,
  holidays: [],
};

describe('sampling', () => {
  it('draws the same number for the same PR, whoever asks and however the names are cased', () => {
    expect(sampleDraw('acme', 'widgets', 7)).toBe(sampleDraw('Acme', 'Widgets', 7));
    expect(sampleDraw('acme', 'widgets', 7)).not.toBe(sampleDraw('acme', 'widgets', 8));
    expect(sampleDraw('acme', 'widgets', 7)).not.toBe(sampleDraw('acme', 'gadgets', 7));
  });

  it('samples close to the share over many PRs, and the same ones every time', () => {
    const pick = () =>
      Array.from(
        { length: 5000 },
        (_, i) => sampling({ policy: AM, owner: 'acme', repo: 'widgets', number: i + 1, tier: 'fyi', approvedBy: [] }).sampled,
      );
    const first = pick();
    const share = first.filter(Boolean).length / first.length;
    expect(share).toBeGreaterThan(0.085);
    expect(share).toBeLessThan(0.115);
    expect(pick()).toEqual(first);
    for (let i = 0; i < 200; i++) {
      const d = sampleDraw('acme', 'widgets', i);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(1);
    }
  });

  it('never samples a PR a person approved, always one at or above always_above, never one at share 0 below it', () => {
    const base = { policy: { ...AM, sample: { fyi: 0, soft: 0 } }, owner: 'acme', repo: 'widgets', number: 1 } as const;
    expect(sampling({ ...base, tier: 'soft', approvedBy: ['alice'] }).sampled).toBe(false);
    expect(sampling({ ...base, tier: 'soft', risk: 0.5, approvedBy: [] })).toMatchObject({
      sampled: true,
      why: expect.stringContaining('0.50'),
    });
    expect(sampling({ ...base, tier: 'soft', risk: 0.49, approvedBy: [] }).sampled).toBe(false);
    expect(sampling({ ...base, tier: 'fyi', approvedBy: [] }).sampled).toBe(false);
    expect(sampling({ ...base, tier: 'hard', approvedBy: [] }).sampled).toBe(true);
    expect(sampling({ ...base, policy: AM, tier: 'soft', approvedBy: [] })).toEqual({ sampled: true, why: 'every soft PR is' });
  });

  it('says before merge, in one line, what will happen', () => {
    const policy = policyWith();
    expect(samplingNote(policy, { owner: 'acme', repo: 'widgets', number: 7, tier: 'soft', approvedBy: [] })).toBe(
      '**After merge:** if merged without a human, it will be reviewed after merge (every soft PR is).',
    );
    expect(samplingNote(policy, { owner: 'acme', repo: 'widgets', number: 7, tier: 'soft', approvedBy: ['alice'] })).toMatch(
      /no review after merge \(approved by/,
    );
    expect(samplingNote(makePolicy(), { owner: 'acme', repo: 'widgets', number: 7, tier: 'soft', approvedBy: [] })).toBeUndefined();
  });

  it('reads always_above against the risk score even when the policy sets no risk thresholds', () => {
    const policy = policyWith({ sample: { fyi: 0, soft: 0 }, alwaysAbove: 0.3 });
    const big = makeFacts({
      ledger: { vetoes: [], answered: [] },
      additions: 4000,
      deletions: 900,
      changedFiles: 60,
      files: Array.from({ length: 60 }, (_, i) => ({ filename: `src/m${i}.ts`, status: 'modified', additions: 60, deletions: 15 })),
    });
    const small = makeFacts({ ledger: { vetoes: [], answered: [] } });
    expect(decide(okLoad(policy), big, new Date(at(1))).afterMergeNote).toMatch(
      /will be reviewed after merge \(risk score 0\.\d\d is at least `always_above` 0\.3\)/,
    );
    expect(decide(okLoad(policy), small, new Date(at(1))).afterMergeNote).toMatch(/will not be reviewed after merge/);
  });

  it("shows the note in the open PR's status comment", () => {
    const decision = decide(okLoad(policyWith()), makeFacts({ ledger: { vetoes: [], answered: [] } }), new Date(at(1)));
    expect(decision.afterMergeNote).toContain('will be reviewed after merge (every soft PR is)');
  });
});

describe('the deadline', () => {
  it('is `within` after the merge, in working time when the policy sets working hours', () => {
    const twoHours = policyWith({ withinMs: 2 * 3_600_000 });
    expect(new Date(afterMergeDue(Date.parse('2026-12-04T16:30:00Z'), twoHours)).toISOString()).toBe('2026-12-04T18:30:00.000Z');
    // Friday 17:30 in Berlin: half an hour on Friday, an hour and a half from Monday 09:00.
    const withHours = policyWith({ withinMs: 2 * 3_600_000 }, { workingHours: BERLIN });
    expect(new Date(afterMergeDue(Date.parse('2026-12-04T16:30:00Z'), withHours)).toISOString()).toBe('2026-12-07T09:30:00.000Z');
  });

  it("is said in UTC and the policy's time zone, by whom", () => {
    const policy = policyWith({ withinMs: 2 * 3_600_000 }, { workingHours: BERLIN });
    const record = openAfterMerge(policy, '2026-12-04T16:30:00Z', 'soft', 'every soft PR is');
    const body = renderAfterMergeComment({ record, timezone: 'Europe/Berlin', permission: 'write' });
    expect(body).toContain(
      'Merged without a human; review after merge due by Dec 7 09:30 UTC (Mon Dec 7 10:30 Europe/Berlin), by **alice**, members of `acme/maintainers` or anyone with `write` permission or more.',
    );
  });
});

describe('commands on a merged PR', () => {
  const policy = policyWith();
  const record = openAfterMerge(policy, MERGED, 'soft', 'every soft PR is');
  const ledger: Ledger = { vetoes: [], answered: [] };
  const run = (body: string, by: string | typeof AGENT, auth = writer(), extra: Partial<AfterMergeInput> = {}, created = at(40)) => {
    const c = comment(by, body, created);
    const login = (typeof by === 'string' ? by : by.login).toLowerCase();
    const facts = makeFacts({ state: 'closed', merged: true, comments: [c], authorizations: { [login]: auth } });
    return { c, step: answerAfterMerge({ policy, facts, ledger, record, why: 'every soft PR is', mergedAt: MERGED, ...extra }) };
  };

  it('parses the three commands, never from quotes or code, and not a /concern without its reason', () => {
    expect(parseCommands('/reviewed\n/concern breaks the API\n/revert too risky')).toEqual([
      { kind: 'after-merge', action: 'reviewed' },
      { kind: 'after-merge', action: 'concern', reason: 'breaks the API' },
      { kind: 'after-merge', action: 'revert', reason: 'too risky' },
    ]);
    expect(parseCommands('> /reviewed\n```\n/revert\n```')).toEqual([]);
    expect(parseCommands('/concern')).toEqual([{ kind: 'unrecognized', text: '/concern', suggestion: '/concern <reason>' }]);
  });

  it('closes the item on /reviewed by an authorized reviewer, with a 👍 and no reply', () => {
    const { c, step } = run('/reviewed', 'bob');
    expect(step.record?.reviewed).toEqual({ by: 'bob', at: at(40), commentId: c.id });
    expect(afterMergeOpen(step.record)).toBe(false);
    expect(step.verdicts).toEqual([expect.objectContaining({ accepted: true })]);
    expect(step.ledger.answered).toContain(c.id);
  });

  it('keeps the item open on /concern and tells the author', () => {
    const { step } = run('/concern the cache key changed', 'bob');
    expect(step.record?.concerns).toEqual([expect.objectContaining({ by: 'bob', reason: 'the cache key changed' })]);
    expect(step.concerns).toHaveLength(1);
    expect(afterMergeOpen(step.record)).toBe(true);
  });

  it('asks for a revert on /revert', () => {
    const { step } = run('/revert breaks prod', 'bob');
    expect(step.revert).toMatchObject({ by: 'bob', reason: 'breaks prod' });
  });

  it.each([
    ['an agent account', 'devin-ai', writer(), 'agent'],
    ['a bot', { login: 'ci[bot]', type: 'Bot' }, writer(), undefined],
    ['a read-only user', 'reader', reader(), 'not-reviewer'],
  ] as const)('refuses %s and changes nothing', (_who, by, auth, refusal) => {
    const { step } = run('/reviewed', by as never, auth);
    expect(step.record?.reviewed).toBeUndefined();
    if (refusal) expect(step.verdicts).toEqual([expect.objectContaining({ accepted: false, refusal })]);
    else expect(step.verdicts).toEqual([]);
  });

  it("refuses the PR's author, a person who opened it for an agent", () => {
    const c = comment('dave', '/reviewed', at(40));
    const facts = makeFacts({ author: human('dave'), state: 'closed', merged: true, comments: [c], authorizations: { dave: writer() } });
    const step = answerAfterMerge({ policy, facts, ledger, record, why: '', mergedAt: MERGED });
    expect(step.verdicts).toEqual([expect.objectContaining({ accepted: false, refusal: 'author' })]);
    expect(step.record?.reviewed).toBeUndefined();
  });

  it('answers nothing from a bot, the agent that opened the PR included', () => {
    const { step } = run('/reviewed', AGENT);
    expect(step.verdicts).toEqual([]);
    expect(step.record?.reviewed).toBeUndefined();
  });

  it('refuses a committer of the PR', () => {
    const c = comment('carol', '/reviewed', at(40));
    const facts = makeFacts({
      state: 'closed',
      merged: true,
      comments: [c],
      authorizations: { carol: writer() },
      commits: [{ sha: 'a'.repeat(40), authorLogin: 'carol', committerLogin: 'web-flow' }],
    });
    const step = answerAfterMerge({ policy, facts, ledger, record, why: '', mergedAt: MERGED });
    expect(step.verdicts).toEqual([expect.objectContaining({ accepted: false, refusal: 'committer' })]);
  });

  it('refuses an edited comment: its author as GitHub reports it need not have written the command', () => {
    const c = comment('bob', '/reviewed', at(40), { updatedAt: at(41) });
    const facts = makeFacts({ state: 'closed', merged: true, comments: [c], authorizations: { bob: writer() } });
    const step = answerAfterMerge({ policy, facts, ledger, record, why: '', mergedAt: MERGED });
    expect(step.record?.reviewed).toBeUndefined();
    expect(step.verdicts).toEqual([expect.objectContaining({ accepted: false, refusal: 'edited' })]);
  });

  it('with after_merge.reviewers, admits only those it names', () => {
    const narrow = policyWith({ reviewers: { users: [], teams: ['acme/auditors'] } });
    const facts = (login: string, teams: string[]) =>
      makeFacts({
        state: 'closed',
        merged: true,
        comments: [comment(login, '/reviewed', at(40))],
        authorizations: { [login]: writer(teams) },
      });
    expect(
      answerAfterMerge({ policy: narrow, facts: facts('bob', []), ledger, record, why: '', mergedAt: MERGED }).verdicts[0],
    ).toMatchObject({ accepted: false, refusal: 'not-reviewer' });
    expect(
      answerAfterMerge({ policy: narrow, facts: facts('dora', ['acme/auditors']), ledger, record, why: '', mergedAt: MERGED }).record
        ?.reviewed?.by,
    ).toBe('dora');
  });

  it('refuses every command on a PR that was not sampled, saying why', () => {
    const { step } = run('/reviewed', 'bob', writer(), { record: undefined, why: 'soft PRs are not sampled' });
    expect(step.record).toBeUndefined();
    expect(step.verdicts[0]).toMatchObject({
      accepted: false,
      refusal: 'not-after-merge',
      message: expect.stringContaining('soft PRs are not sampled'),
    });
  });

  it('ignores comments from before the merge and comments already answered', () => {
    const { step } = run('/reviewed', 'bob', writer(), {}, at(10));
    expect(step.verdicts).toEqual([]);
    const c = comment('bob', '/reviewed', at(40));
    const facts = makeFacts({ state: 'closed', merged: true, comments: [c], authorizations: { bob: writer() } });
    expect(
      answerAfterMerge({ policy, facts, ledger: { ...ledger, answered: [c.id] }, record, why: '', mergedAt: MERGED }).verdicts,
    ).toEqual([]);
    expect(afterMergeAuthors(facts, { ...ledger, answered: [c.id] }, MERGED)).toEqual([]);
  });

  it('refuses a second /reviewed and a revert once reverted', () => {
    const reviewed = { ...record, reviewed: { by: 'alice', at: at(35), commentId: 1 } };
    expect(run('/reviewed', 'bob', writer(), { record: reviewed }).step.verdicts[0]).toMatchObject({
      accepted: false,
      refusal: 'not-after-merge',
    });
    const reverted = { ...record, revert: { by: 'alice', at: at(35), commentId: 1, number: 9 } };
    expect(run('/revert', 'bob', writer(), { record: reverted }).step.verdicts[0]).toMatchObject({
      accepted: false,
      message: expect.stringContaining('#9'),
    });
  });

  it('refuses the commands on an open PR', () => {
    const facts = makeFacts({ comments: [comment('alice', '/reviewed', at(5))], authorizations: { alice: writer() } });
    const decision = decide(okLoad(policyWith()), facts, new Date(at(6)));
    expect(decision.commands).toEqual([expect.objectContaining({ accepted: false, refusal: 'not-after-merge' })]);
  });
});

describe('the record', () => {
  it("keeps the review after merge through a write and a read, and merges two writers' copies", () => {
    const record = openAfterMerge(policyWith(), MERGED, 'soft', 'every soft PR is');
    const a: Ledger = {
      vetoes: [],
      answered: [1],
      afterMerge: { ...record, concerns: [{ by: 'bob', at: at(40), commentId: 1, reason: 'x' }] },
    };
    const b: Ledger = { vetoes: [], answered: [2], afterMerge: { ...record, reviewed: { by: 'alice', at: at(41), commentId: 2 } } };
    const read = readRecord(recordMarker(a, 7), 7);
    expect(read?.afterMerge).toEqual(a.afterMerge);
    const merged = mergeRecords(a, b);
    expect(merged?.afterMerge?.concerns).toHaveLength(1);
    expect(merged?.afterMerge?.reviewed?.by).toBe('alice');
  });

  it('reads a malformed after-merge record as none, and keeps the rest', () => {
    const text = recordMarker(
      { vetoes: [{ by: 'bob', at: T0, commentId: 3 }], answered: [], afterMerge: { sampled: true, due: 'soon' } } as unknown as Ledger,
      7,
    );
    const read = readRecord(text, 7);
    expect(read?.vetoes).toHaveLength(1);
    expect(read?.afterMerge).toBeUndefined();
  });
});

describe('the audit record', () => {
  const record = openAfterMerge(policyWith(), '2026-12-01T10:00:00Z', 'fyi', 'sampled: 10% of fyi PRs are');
  it('says who reviewed and whether within the deadline', () => {
    const reviewed = auditAfterMerge(
      { ...record, reviewed: { by: 'alice', at: '2026-12-02T10:00:00Z', commentId: 1 } },
      new Date('2026-12-10T00:00:00Z'),
    );
    expect(reviewed).toMatchObject({
      sampled: true,
      due: '2026-12-04T10:00:00.000Z',
      reviewed_by: 'alice',
      within_sla: true,
      revert: null,
      why: 'sampled: 10% of fyi PRs are',
    });
    expect(
      auditAfterMerge({ ...record, reviewed: { by: 'alice', at: '2026-12-05T10:00:00Z', commentId: 1 } }, new Date('2026-12-10T00:00:00Z'))
        ?.within_sla,
    ).toBe(false);
  });

  it('says an open item is late only once it is, and carries concerns and the revert', () => {
    expect(auditAfterMerge(record, new Date('2026-12-02T00:00:00Z'))?.within_sla).toBeNull();
    expect(auditAfterMerge(record, new Date('2026-12-05T00:00:00Z'))?.within_sla).toBe(false);
    const reverted = auditAfterMerge(
      {
        ...record,
        concerns: [{ by: 'bob', at: '2026-12-01T11:00:00Z', commentId: 2, reason: 'wrong' }],
        revert: { by: 'bob', at: '2026-12-01T12:00:00Z', commentId: 3, number: 12 },
      },
      new Date('2026-12-10T00:00:00Z'),
    );
    expect(reverted).toMatchObject({
      within_sla: true,
      concerns: [{ by: 'bob', reason: 'wrong' }],
      revert: { by: 'bob', pr: 12, refused: null },
    });
    expect(auditAfterMerge(undefined, new Date())).toBeNull();
  });
});
