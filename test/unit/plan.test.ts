import { describe, expect, it } from 'vitest';
import { decide } from '../../src/core/decide.js';
import { loadPolicy } from '../../src/core/policy.js';
import { plan } from '../../src/core/plan.js';
import { STATUS_MARKER } from '../../src/core/ledger.js';
import type { PullRequestFacts } from '../../src/core/model/pull-request.js';
import type { Effect, GitHubView } from '../../src/core/model/effects.js';
import { AGENT, HEAD, appliedView, at, comment, file, human, makeFacts, okLoad, recordOf, review, writer } from './facts.js';

const NOW = new Date(at(5));
const FRESH: GitHubView = { mergeable: true, mergeableState: 'clean', otherChecks: 'success' };
const docs = [file('docs/a.md')];
const auth = { alice: writer(), bob: writer() };

function planFor(facts: PullRequestFacts, view: GitHubView = FRESH, now = NOW, mode: 'full' | 'check' = 'full'): Effect[] {
  return plan(decide(okLoad(), facts, now), facts, view, now, { mode });
}

const kinds = (effects: Effect[]) => effects.map((e) => e.kind);
const WRITES = new Set(['check-run', 'status-comment', 'react', 'reply', 'merge']);

/** What GitHub shows after the shell applied `effects`, and the facts the next reconcile would read
 * (the record read back from the check run, see facts.ts). */
const applied = appliedView;

describe('plan: the check run', () => {
  it.each<[string, PullRequestFacts, Partial<Extract<Effect, { kind: 'check-run' }>>]>([
    ['ready', makeFacts({ files: docs }), { status: 'completed', conclusion: 'success', title: 'Ready to merge (fyi)' }],
    ['waiting', makeFacts(), { status: 'in_progress' }],
    ['blocked', makeFacts({ files: [file('db/migrations/1.sql')] }), { status: 'completed', conclusion: 'failure' }],
    [
      'ignored',
      makeFacts({ author: human('zoe'), headRef: 'fix', commits: [] }),
      { status: 'completed', conclusion: 'success', title: 'Not an agent PR: nothing to gate' },
    ],
  ])('%s', (name, facts, expected) => {
    const effects = planFor(facts);
    const checks = effects.filter((e) => e.kind === 'check-run');
    expect(checks).toHaveLength(1);
    const check = checks[0]!;
    expect(check).toMatchObject({ kind: 'check-run', headSha: HEAD, ...expected });
    expect(check).not.toHaveProperty('id');
    if (expected.status === 'in_progress') expect(check).not.toHaveProperty('conclusion');
    // The record travels in the check run of a governed PR only; an ignored PR gets the check run alone.
    if (name === 'ignored') {
      expect(kinds(effects)).toEqual(['check-run']);
      expect(check).not.toHaveProperty('record');
    } else {
      expect(check).toHaveProperty('record');
      expect(recordOf(effects)).toMatchObject({ vetoes: [], answered: [] });
    }
  });

  it('updates the existing check run only when it differs', () => {
    const facts = makeFacts({ files: docs });
    const first = planFor(facts);
    const { view } = applied(facts, FRESH, first);
    expect(kinds(planFor(facts, view)).filter((k) => k === 'check-run')).toEqual([]);
    const stale: GitHubView = { ...view, checkRun: { ...view.checkRun!, id: 77, status: 'in_progress', conclusion: null } };
    expect(planFor(facts, stale).find((e) => e.kind === 'check-run')).toMatchObject({ kind: 'check-run', id: 77, status: 'completed' });
  });

  it('rewrites the record when the run does not carry the one the plan would write, even if the rest is the same', () => {
    const facts = makeFacts({ files: docs });
    const waiting: GitHubView = { ...FRESH, otherChecks: 'pending' };
    const { view } = applied(facts, waiting, planFor(facts, waiting));
    expect(kinds(planFor(facts, view)).filter((k) => WRITES.has(k))).toEqual([]);
    const { record: _r, ...noRecord } = view.checkRun!;
    for (const checkRun of [noRecord, { ...noRecord, record: '<!-- hitl-gate:record v1 e30= -->' }]) {
      const again = planFor(facts, { ...view, checkRun });
      expect(kinds(again).filter((k) => WRITES.has(k))).toEqual(['check-run']);
      expect(again.find((e) => e.kind === 'check-run')).toMatchObject({ id: 1, record: { comment: { id: 2 } } });
    }
  });

  it('writes nothing at all in check mode', () => {
    expect(planFor(makeFacts({ files: docs, comments: [comment('zed', '/approve', at(1))] }), FRESH, NOW, 'check')).toEqual([]);
  });

  it('leaves closed and merged PRs alone', () => {
    expect(planFor(makeFacts({ state: 'closed' }))).toEqual([]);
    expect(planFor(makeFacts({ state: 'closed', merged: true }))).toEqual([]);
  });
});

describe('plan: the status comment', () => {
  it('is a view: it ends with the status marker and carries no record', () => {
    const facts = makeFacts({ comments: [comment('bob', '/veto nope', at(1))], authorizations: auth });
    const body = (planFor(facts).find((e) => e.kind === 'status-comment') as { body: string }).body;
    expect(body.endsWith(STATUS_MARKER)).toBe(true);
    expect(body).not.toContain('hitl-gate:ledger');
    expect(body).not.toContain('hitl-gate:record');
  });

  it('is created for governed PRs only, and updated in place only when its text changes', () => {
    expect(kinds(planFor(makeFacts({ author: human('zoe'), headRef: 'fix', commits: [] })))).not.toContain('status-comment');
    const facts = makeFacts();
    const created = planFor(facts).find((e) => e.kind === 'status-comment');
    expect(created).toBeDefined();
    expect(created).not.toHaveProperty('id');
    const view: GitHubView = { ...FRESH, statusComment: { id: 9, body: 'old text' } };
    expect(planFor(facts, view).find((e) => e.kind === 'status-comment')).toMatchObject({ id: 9 });
  });
});

describe('plan: an unreadable policy', () => {
  it("keeps the check pending on a PR it cannot tell from an agent's, instead of passing it", () => {
    // An agent known only to the policy (its own account, label or branch) looks like a person's PR
    // while the policy cannot be read.
    const unreadable = loadPolicy({ kind: 'unreadable', path: '.github/hitl.yml', message: 'HTTP 502' });
    const facts = makeFacts({ author: human('acme-agent'), headRef: 'feature/x' });
    const decision = decide(unreadable, facts, NOW);
    expect(decision).toMatchObject({ governed: false, state: 'waiting' });
    const effects = plan(decision, facts, FRESH, NOW, { mode: 'full' });
    expect(effects).toHaveLength(1);
    expect(effects[0]).toMatchObject({ kind: 'check-run', status: 'in_progress', title: 'Policy unreadable: not decided yet' });
    expect((effects[0] as { summary: string }).summary).toContain('HTTP 502');
    // Once the policy reads again and says it is not an agent's, the check passes.
    expect(planFor(facts)[0]).toMatchObject({ kind: 'check-run', status: 'completed', conclusion: 'success' });
  });
});

describe('plan: answering commands', () => {
  it('reacts to accepted commands and replies once to refused ones, with the reason', () => {
    const facts = makeFacts({
      files: docs,
      comments: [comment('alice', '/approve', at(1)), comment('zed', '/approve\n/veto cancel', at(2))],
      authorizations: { alice: writer(), zed: { permission: 'read', teams: [] } },
    });
    const effects = planFor(facts);
    const [approve, refused] = facts.comments;
    expect(effects.filter((e) => e.kind === 'react')).toEqual([
      { kind: 'react', target: { type: 'comment', id: approve!.id }, content: '+1' },
    ]);
    const replies = effects.filter((e) => e.kind === 'reply');
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ inReplyTo: refused!.id });
    expect((replies[0] as { body: string }).body).toContain('not an authorized reviewer');
    const ledger = recordOf(effects);
    expect(ledger?.answered).toEqual([approve!.id, refused!.id].sort((a, b) => a - b));
  });

  it('holds a PR on a mistyped veto and tells its author how it was read and how to lift it', () => {
    const typo = comment('alice', '/vetoo not yet', at(1));
    const facts = makeFacts({ comments: [typo], authorizations: auth });
    const decision = decide(okLoad(), facts, NOW);
    expect(decision).toMatchObject({ state: 'blocked', vetoes: [{ by: 'alice', reason: 'not yet' }] });
    const effects = planFor(facts);
    expect(effects.filter((e) => e.kind === 'react')).toEqual([{ kind: 'react', target: { type: 'comment', id: typo.id }, content: '+1' }]);
    const replies = effects.filter((e) => e.kind === 'reply') as { body: string }[];
    expect(replies).toHaveLength(1);
    expect(replies[0]!.body).toContain('`/vetoo not yet` was read as `/veto`');
    expect(replies[0]!.body).toContain('`/veto cancel`');
  });

  it("answers a mistyped /approve once with what to type, and counts nothing; other tools' commands get no answer", () => {
    const typo = comment('alice', '/aprove', at(1));
    const facts = makeFacts({
      files: [file('db/migrations/001.sql')],
      comments: [typo, comment('bob', '/assign @alice\n/retest', at(2))],
      authorizations: auth,
    });
    expect(decide(okLoad(), facts, NOW)).toMatchObject({ state: 'blocked', approvals: [] });
    const effects = planFor(facts);
    const replies = effects.filter((e) => e.kind === 'reply') as { inReplyTo: number; body: string }[];
    expect(replies.map((r) => r.inReplyTo)).toEqual([typo.id]);
    // Markdown-escaped in the reply, as every message is.
    expect(replies[0]!.body.replace(/\\/g, '')).toContain('did you mean `/approve`?');
    expect(kinds(effects)).not.toContain('react');
    const next = applied(facts, FRESH, effects);
    expect(kinds(planFor(next.facts, next.view))).not.toContain('reply');
  });

  it('never answers a bot, and answers nothing twice', () => {
    const bot = comment({ login: 'ci[bot]', type: 'Bot' }, '/approve\n/hitl explain', at(1));
    expect(kinds(planFor(makeFacts({ comments: [bot] })))).not.toContain('reply');
    const c = comment('zed', '/approve', at(1));
    const facts = makeFacts({
      comments: [c],
      authorizations: { zed: { permission: 'read', teams: [] } },
      ledger: { vetoes: [], answered: [c.id] },
    });
    expect(kinds(planFor(facts))).not.toContain('reply');
  });

  it('waits for a working permission lookup before answering', () => {
    const facts = makeFacts({ comments: [comment('zed', '/approve', at(1))], authorizations: { zed: { permission: 'error', teams: [] } } });
    expect(kinds(planFor(facts)).filter((k) => k === 'reply' || k === 'react')).toEqual([]);
  });

  it('replies to /hitl explain with the reasoning', () => {
    const facts = makeFacts({ comments: [comment('amy', '/hitl explain', at(1))] });
    const reply = planFor(facts).find((e) => e.kind === 'reply') as { body: string };
    expect(reply.body).toContain('Tier soft');
  });

  it('does not react to reviews (GitHub has none) but counts them as answered', () => {
    const r = review('alice', 'APPROVED', HEAD, at(1));
    const effects = planFor(makeFacts({ files: [file('db/migrations/1.sql')], reviews: [r], authorizations: auth }));
    expect(kinds(effects)).not.toContain('react');
    expect(recordOf(effects)?.answered).toEqual([r.id]);
  });
});

describe('plan: merging', () => {
  const ready = makeFacts({ files: docs });
  it.each<[string, PullRequestFacts, GitHubView, boolean]>([
    ['clean and green', ready, FRESH, true],
    ['has hooks', ready, { ...FRESH, mergeableState: 'has_hooks' }, true],
    ['no other checks', ready, { ...FRESH, otherChecks: 'none' }, true],
    ['mergeability unknown', ready, { ...FRESH, mergeable: null }, false],
    ['not mergeable', ready, { ...FRESH, mergeable: false, mergeableState: 'dirty' }, false],
    ['other checks pending', ready, { ...FRESH, otherChecks: 'pending' }, false],
    ['other checks failing', ready, { ...FRESH, otherChecks: 'failure', mergeableState: 'unstable' }, false],
    ['blocked while our check turns green', ready, { ...FRESH, mergeableState: 'blocked' }, true],
    [
      'blocked although our check is already green',
      ready,
      { ...FRESH, mergeableState: 'blocked', checkRun: { id: 1, status: 'completed', conclusion: 'success', title: 'x', summary: 'y' } },
      false,
    ],
    ['behind', ready, { ...FRESH, mergeableState: 'behind' }, false],
    ['draft', makeFacts({ files: docs, draft: true }), FRESH, false],
    ['waiting', makeFacts(), FRESH, false],
    ['vetoed', makeFacts({ files: docs, comments: [comment('bob', '/veto', at(1))], authorizations: auth }), FRESH, false],
    ['ignored', makeFacts({ author: human('zoe'), headRef: 'fix', commits: [] }), FRESH, false],
  ])('%s', (_name, facts, view, merges) => {
    const effects = planFor(facts, view);
    const merge = effects.filter((e) => e.kind === 'merge');
    expect(merge).toEqual(merges ? [{ kind: 'merge', sha: HEAD, method: 'squash' }] : []);
    if (merges) expect(effects.at(-1)?.kind).toBe('merge');
  });

  it('orders answers, status comment, then the check run (its record names the status comment it was written after), then merge', () => {
    const facts = makeFacts({ files: docs, comments: [comment('alice', '/approve', at(1))], authorizations: auth });
    const running = { id: 5, status: 'in_progress', conclusion: null, title: 'old', summary: 'old' };
    expect(kinds(planFor(facts, { ...FRESH, checkRun: running }))).toEqual(['react', 'status-comment', 'check-run', 'merge']);
    // The gate's first check run on a head goes before any answer: a token that may not write checks is
    // refused before anyone is answered (see the next test for why).
    const effects = planFor(facts);
    expect(kinds(effects)).toEqual(['status-comment', 'check-run', 'react', 'merge']);
    // The record names the comment it follows: not known yet for a comment created now (the shell fills in
    // the id), with the digest of the body the plan writes.
    const check = effects.find((e) => e.kind === 'check-run') as Extract<Effect, { kind: 'check-run' }>;
    expect(check.record?.comment).toEqual({ sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(recordOf(effects, 42)?.comment).toEqual({ id: 42, sha256: check.record?.comment?.sha256 });
    // An existing status comment is named by its id.
    const existing = planFor(facts, { ...FRESH, statusComment: { id: 9, body: 'old' } }).find((e) => e.kind === 'check-run') as Extract<
      Effect,
      { kind: 'check-run' }
    >;
    expect(existing.record?.comment?.id).toBe(9);
  });

  it('orders only the check run for a PR it does not govern, with no record', () => {
    const facts = makeFacts({ author: human('zoe'), headRef: 'fix', commits: [], files: docs });
    const effects = planFor(facts);
    expect(kinds(effects).filter((k) => k !== 'merge' && k !== 'wake')).toEqual(['check-run']);
    expect(effects[0]).not.toHaveProperty('record');
  });

  it('asks to be woken at the end of the veto window', () => {
    expect(planFor(makeFacts()).filter((e) => e.kind === 'wake')).toEqual([{ kind: 'wake', at: at(15) }]);
  });
});

describe('plan: replays', () => {
  const scenarios: Array<[string, PullRequestFacts]> = [
    ['fyi', makeFacts({ files: docs })],
    [
      'soft waiting with commands',
      makeFacts({
        comments: [comment('zed', '/approve', at(1)), comment('amy', '/hitl explain', at(2)), comment(AGENT, '/escalate hard', at(3))],
        authorizations: { zed: { permission: 'read', teams: [] } },
      }),
    ],
    [
      'hard approved',
      makeFacts({ files: [file('db/migrations/1.sql')], comments: [comment('alice', '/approve', at(1))], authorizations: auth }),
    ],
    ['vetoed', makeFacts({ files: docs, comments: [comment('bob', '/veto nope', at(1))], authorizations: auth })],
    ['ignored', makeFacts({ author: human('zoe'), headRef: 'fix', commits: [], comments: [comment('bob', '/approve', at(1))] })],
    ['escalated by label', makeFacts({ labels: ['hitl:hard'], comments: [comment(AGENT, '/escalate soft', at(1))] })],
  ];
  it.each(scenarios)('%s: planning against what the last plan produced writes nothing', (name, facts) => {
    const view: GitHubView = { ...FRESH, otherChecks: 'pending' };
    const first = planFor(facts, view);
    const after = applied(facts, view, first);
    // The next reconcile's ledger is the record read back from the check run (an ignored PR has none).
    if (name === 'ignored') expect(after.facts.ledger).toBeUndefined();
    else expect(after.facts.ledger).toMatchObject({ comment: { id: 2 } });
    const again = planFor(after.facts, after.view);
    expect(again.filter((e) => WRITES.has(e.kind))).toEqual([]);
  });
});
