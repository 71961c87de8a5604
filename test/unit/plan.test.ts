import { describe, expect, it } from 'vitest';
import { decide } from '../../src/core/decide.js';
import { loadPolicy } from '../../src/core/policy.js';
import { plan } from '../../src/core/plan.js';
import { readLedger } from '../../src/core/render.js';
import type { Effect, GitHubView, PullRequestFacts } from '../../src/core/types.js';
import { AGENT, HEAD, at, comment, file, human, makeFacts, okLoad, review, writer } from './facts.js';

const NOW = new Date(at(5));
const FRESH: GitHubView = { mergeable: true, mergeableState: 'clean', otherChecks: 'success' };
const docs = [file('docs/a.md')];
const auth = { alice: writer(), bob: writer() };

function planFor(facts: PullRequestFacts, view: GitHubView = FRESH, now = NOW, mode: 'full' | 'check' = 'full'): Effect[] {
  return plan(decide(okLoad(), facts, now), facts, view, now, { mode });
}

const kinds = (effects: Effect[]) => effects.map((e) => e.kind);
const WRITES = new Set(['check-run', 'status-comment', 'react', 'reply', 'merge']);

/** What GitHub shows after the shell applied `effects`, and the facts the next reconcile would read. */
function applied(facts: PullRequestFacts, view: GitHubView, effects: Effect[]): { facts: PullRequestFacts; view: GitHubView } {
  let next = { ...view };
  let ledger = facts.ledger;
  for (const e of effects) {
    if (e.kind === 'check-run') next = { ...next, checkRun: { id: e.id ?? 1, status: e.status, conclusion: e.conclusion ?? null, title: e.title, summary: e.summary } };
    if (e.kind === 'status-comment') {
      next = { ...next, statusComment: { id: e.id ?? 2, body: e.body } };
      ledger = readLedger(e.body);
    }
  }
  return { facts: { ...facts, ...(ledger ? { ledger } : {}) }, view: next };
}

describe('plan: the check run', () => {
  it.each<[string, PullRequestFacts, Partial<Extract<Effect, { kind: 'check-run' }>>]>([
    ['ready', makeFacts({ files: docs }), { status: 'completed', conclusion: 'success', title: 'Ready to merge (fyi)' }],
    ['waiting', makeFacts(), { status: 'in_progress' }],
    ['blocked', makeFacts({ files: [file('db/migrations/1.sql')] }), { status: 'completed', conclusion: 'failure' }],
    ['ignored', makeFacts({ author: human('zoe'), headRef: 'fix', commits: [] }), { status: 'completed', conclusion: 'success', title: 'Not an agent PR: nothing to gate' }],
  ])('%s', (_name, facts, expected) => {
    const effects = planFor(facts);
    expect(effects[0]).toMatchObject({ kind: 'check-run', headSha: HEAD, ...expected });
    expect(effects[0]).not.toHaveProperty('id');
    if (expected.status === 'in_progress') expect(effects[0]).not.toHaveProperty('conclusion');
  });

  it('updates the existing check run only when it differs', () => {
    const facts = makeFacts({ files: docs });
    const first = planFor(facts);
    const { view } = applied(facts, FRESH, first);
    expect(kinds(planFor(facts, view)).filter((k) => k === 'check-run')).toEqual([]);
    const stale: GitHubView = { ...view, checkRun: { ...view.checkRun!, id: 77, status: 'in_progress', conclusion: null } };
    expect(planFor(facts, stale)[0]).toMatchObject({ kind: 'check-run', id: 77, status: 'completed' });
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
  it('keeps the check pending on a PR it cannot tell from an agent\'s, instead of passing it', () => {
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
    expect(effects.filter((e) => e.kind === 'react')).toEqual([{ kind: 'react', target: { type: 'comment', id: approve!.id }, content: '+1' }]);
    const replies = effects.filter((e) => e.kind === 'reply');
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ inReplyTo: refused!.id });
    expect((replies[0] as { body: string }).body).toContain('not an authorized reviewer');
    const ledger = readLedger((effects.find((e) => e.kind === 'status-comment') as { body: string }).body);
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

  it('answers a mistyped /approve once with what to type, and counts nothing; other tools\' commands get no answer', () => {
    const typo = comment('alice', '/aprove', at(1));
    const facts = makeFacts({ files: [file('db/migrations/001.sql')], comments: [typo, comment('bob', '/assign @alice\n/retest', at(2))], authorizations: auth });
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
    const facts = makeFacts({ comments: [c], authorizations: { zed: { permission: 'read', teams: [] } }, ledger: { vetoes: [], answered: [c.id] } });
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
    expect(readLedger((effects.find((e) => e.kind === 'status-comment') as { body: string }).body)?.answered).toEqual([r.id]);
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
    ['blocked although our check is already green', ready, { ...FRESH, mergeableState: 'blocked', checkRun: { id: 1, status: 'completed', conclusion: 'success', title: 'x', summary: 'y' } }, false],
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

  it('orders check run, answers, status comment, then merge', () => {
    const facts = makeFacts({ files: docs, comments: [comment('alice', '/approve', at(1))], authorizations: auth });
    expect(kinds(planFor(facts))).toEqual(['check-run', 'react', 'status-comment', 'merge']);
  });

  it('asks to be woken at the end of the veto window', () => {
    expect(planFor(makeFacts()).filter((e) => e.kind === 'wake')).toEqual([{ kind: 'wake', at: at(15) }]);
  });
});

describe('plan: replays', () => {
  const scenarios: Array<[string, PullRequestFacts]> = [
    ['fyi', makeFacts({ files: docs })],
    ['soft waiting with commands', makeFacts({ comments: [comment('zed', '/approve', at(1)), comment('amy', '/hitl explain', at(2)), comment(AGENT, '/escalate hard', at(3))], authorizations: { zed: { permission: 'read', teams: [] } } })],
    ['hard approved', makeFacts({ files: [file('db/migrations/1.sql')], comments: [comment('alice', '/approve', at(1))], authorizations: auth })],
    ['vetoed', makeFacts({ files: docs, comments: [comment('bob', '/veto nope', at(1))], authorizations: auth })],
    ['ignored', makeFacts({ author: human('zoe'), headRef: 'fix', commits: [], comments: [comment('bob', '/approve', at(1))] })],
    ['escalated by label', makeFacts({ labels: ['hitl:hard'], comments: [comment(AGENT, '/escalate soft', at(1))] })],
  ];
  it.each(scenarios)('%s: planning against what the last plan produced writes nothing', (_name, facts) => {
    const view: GitHubView = { ...FRESH, otherChecks: 'pending' };
    const first = planFor(facts, view);
    const after = applied(facts, view, first);
    const again = planFor(after.facts, after.view);
    expect(again.filter((e) => WRITES.has(e.kind))).toEqual([]);
  });
});
