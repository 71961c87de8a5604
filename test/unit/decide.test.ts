import { describe, expect, it } from 'vitest';
import { decide } from '../../src/core/decide.js';
import { loadPolicy } from '../../src/core/policy.js';
import type { PolicyLoad } from '../../src/core/model/policy.js';
import type { Authorization, PullRequestFacts } from '../../src/core/model/pull-request.js';
import type { RefusalReason } from '../../src/core/model/decision.js';
import { AGENT, HEAD, T0, at, comment, file, human, makeFacts, makePolicy, okLoad, review, writer } from './facts.js';

const NOW = new Date(at(5));
const OTHER = 'b'.repeat(40);
const auth = { alice: writer(), bob: writer(), carol: writer(), dave: writer() };
const hardFiles = [file('db/migrations/001.sql')];

function verdictOf(facts: PullRequestFacts, load: PolicyLoad = okLoad(), now = NOW) {
  const d = decide(load, facts, now);
  return d.commands.map((c) => (c.accepted ? 'accepted' : c.refusal));
}

describe('decide: tiers and states', () => {
  it('ignores a PR that is not an agent PR', () => {
    const d = decide(okLoad(), makeFacts({ author: human('zoe'), headRef: 'feature/x', commits: [] }), NOW);
    expect(d).toMatchObject({ governed: false, tier: 'none', state: 'ignored', merge: false, title: 'Not an agent PR: nothing to gate' });
  });

  it('keeps governing a PR once its status comment exists, even when the agent label is removed', () => {
    const labelled = makeFacts({ author: human('zoe'), headRef: 'feature/x', commits: [], labels: ['ai-generated'] });
    expect(decide(okLoad(), labelled, NOW)).toMatchObject({ governed: true, tier: 'soft', state: 'waiting' });
    const removed = { ...labelled, labels: [], ledger: { vetoes: [], answered: [] } };
    expect(decide(okLoad(), removed, NOW)).toMatchObject({ governed: true, tier: 'soft', state: 'waiting' });
  });

  it('ignores closed and merged PRs', () => {
    expect(decide(okLoad(), makeFacts({ state: 'closed' }), NOW)).toMatchObject({ state: 'ignored', tier: 'none', merge: false });
    expect(decide(okLoad(), makeFacts({ state: 'closed', merged: true }), NOW)).toMatchObject({ state: 'ignored', merge: false });
  });

  it('says how to start when there is no policy', () => {
    const d = decide({ kind: 'missing', path: '.github/hitl.yml' }, makeFacts(), NOW);
    expect(d).toMatchObject({ state: 'ignored', merge: false });
    expect(d.title).toContain('No policy');
  });

  it('lets an fyi PR merge', () => {
    const d = decide(okLoad(), makeFacts({ files: [file('docs/guide.md')] }), NOW);
    expect(d).toMatchObject({
      governed: true,
      tier: 'fyi',
      state: 'ready',
      merge: true,
      title: 'Ready to merge (fyi)',
      mergeMethod: 'squash',
    });
  });

  it('keeps a soft PR waiting until the window ends, then lets it merge', () => {
    const waiting = decide(okLoad(), makeFacts(), NOW);
    expect(waiting).toMatchObject({
      tier: 'soft',
      state: 'waiting',
      merge: false,
      wakeAt: at(15),
      title: 'Merges at 14:15 UTC unless someone vetoes (soft)',
    });
    expect(waiting.window).toEqual({ start: new Date(T0).toISOString(), end: at(15) });
    const after = decide(okLoad(), makeFacts(), new Date(at(15)));
    expect(after).toMatchObject({ state: 'ready', merge: true });
    expect(after.wakeAt).toBeUndefined();
  });

  it('opens the window now when the gate has not seen the head yet', () => {
    const d = decide(okLoad(), makeFacts({ headSeenAt: undefined }), NOW);
    expect(d).toMatchObject({ state: 'waiting', wakeAt: at(20) });
  });

  it('ends the soft window early on an authorized approval of the current head', () => {
    const d = decide(okLoad(), makeFacts({ comments: [comment('alice', '/approve', at(2))], authorizations: auth }), NOW);
    expect(d).toMatchObject({ state: 'ready', merge: true });
    expect(d.approvals.map((a) => a.by)).toEqual(['alice']);
  });

  it('blocks a hard PR until enough distinct people approve', () => {
    const policy = makePolicy({ tiers: { ...makePolicy().tiers, hard: { approvals: 2, merge: true, invalidateOnPush: true } } });
    const base = { files: hardFiles, authorizations: auth };
    expect(decide(okLoad(policy), makeFacts(base), NOW)).toMatchObject({
      state: 'blocked',
      merge: false,
      approvalsRequired: 2,
      title: 'Blocked: needs 2 more approvals (hard)',
    });
    const twice = makeFacts({ ...base, comments: [comment('alice', '/approve', at(1)), comment('ALICE', '/approve', at(2))] });
    expect(decide(okLoad(policy), twice, NOW)).toMatchObject({ state: 'blocked', title: 'Blocked: needs 1 more approval (hard)' });
    const two = makeFacts({ ...base, comments: [comment('alice', '/approve', at(1))], reviews: [review('bob', 'APPROVED', HEAD, at(2))] });
    const d = decide(okLoad(policy), two, NOW);
    expect(d).toMatchObject({ state: 'ready', merge: true, title: 'Approved by @alice and @bob: ready to merge (hard)' });
  });

  it('keeps a draft waiting and never merging', () => {
    const d = decide(okLoad(), makeFacts({ draft: true, files: [file('docs/a.md')] }), NOW);
    expect(d).toMatchObject({ state: 'waiting', merge: false });
    expect(d.wakeAt).toBeUndefined();
    expect(decide(okLoad(), makeFacts({ draft: true, files: hardFiles }), NOW)).toMatchObject({
      state: 'waiting',
      merge: false,
      title: 'Draft: waiting until ready for review (hard)',
    });
    expect(decide(okLoad(), makeFacts({ draft: true }), NOW).wakeAt).toBeUndefined();
    const vetoed = makeFacts({ draft: true, comments: [comment('bob', '/veto', at(1))], authorizations: auth });
    expect(decide(okLoad(), vetoed, NOW).state).toBe('blocked');
  });

  it('does not merge when the tier says people merge', () => {
    const policy = makePolicy({ tiers: { ...makePolicy().tiers, fyi: { merge: false } } });
    expect(decide(okLoad(policy), makeFacts({ files: [file('docs/a.md')] }), NOW)).toMatchObject({ state: 'ready', merge: false });
  });

  it('blocks on a policy error and says where it is', () => {
    const load: PolicyLoad = {
      kind: 'invalid',
      path: '.github/hitl.yml',
      errors: [{ file: '.github/hitl.yml', line: 4, column: 7, message: 'unknown key' }],
    };
    const d = decide(
      load,
      makeFacts({ files: [file('docs/a.md')], comments: [comment('alice', '/approve', at(1))], authorizations: auth }),
      NOW,
    );
    expect(d).toMatchObject({
      governed: true,
      tier: 'hard',
      state: 'blocked',
      merge: false,
      title: 'Blocked: policy error at .github/hitl.yml:4:7',
    });
    expect(d.approvals).toEqual([]);
  });

  it('reads a real policy file through loadPolicy', () => {
    const text =
      'version: 1\nagents:\n  authors: ["copilot-swe-agent[bot]"]\nreviewers:\n  users: [alice]\ntiers:\n  hard: { approvals: 1 }\nrules:\n  - name: Migrations\n    tier: hard\n    paths: ["db/**"]\n';
    const load = loadPolicy({ kind: 'text', path: '.github/hitl.yml', text });
    expect(load.kind).toBe('ok');
    const d = decide(load, makeFacts({ files: hardFiles, comments: [comment('alice', '/approve', at(1))] }), NOW);
    expect(d).toMatchObject({ tier: 'hard', state: 'ready' });
  });
});

describe('decide: who may decide', () => {
  const committer = { sha: HEAD, authorLogin: 'copilot-swe-agent[bot]', committerLogin: 'mallory' };
  it.each<[string, PullRequestFacts['comments'][number], Record<string, Authorization>, RefusalReason | 'accepted']>([
    ['a listed user', comment('alice', '/approve', at(1)), {}, 'accepted'],
    ['write permission', comment('bob', '/approve', at(1)), { bob: writer() }, 'accepted'],
    ['admin permission', comment('bob', '/approve', at(1)), { bob: { permission: 'admin', teams: [] } }, 'accepted'],
    [
      'a member of a reviewer team',
      comment('bob', '/approve', at(1)),
      { bob: { permission: 'read', teams: ['acme/maintainers'] } },
      'accepted',
    ],
    ['read permission', comment('bob', '/approve', at(1)), { bob: { permission: 'read', teams: [] } }, 'not-reviewer'],
    ['no permission', comment('bob', '/approve', at(1)), { bob: { permission: 'none', teams: [] } }, 'not-reviewer'],
    ['a failed permission lookup', comment('bob', '/approve', at(1)), { bob: { permission: 'error', teams: [] } }, 'permission-error'],
    [
      'a failed team lookup',
      comment('bob', '/approve', at(1)),
      { bob: { permission: 'read', teams: [], teamErrors: ['acme/maintainers'] } },
      'permission-error',
    ],
    ['no authorization entry', comment('bob', '/approve', at(1)), {}, 'permission-error'],
    ['the PR author', comment(AGENT, '/approve', at(1)), {}, 'bot'],
    ['a committer', comment('mallory', '/approve', at(1)), { mallory: writer() }, 'committer'],
    ['an agent account', comment('devin-42', '/approve', at(1)), { 'devin-42': writer() }, 'agent'],
    ['a Bot account', comment({ login: 'helper', type: 'Bot' }, '/approve', at(1)), { helper: writer() }, 'bot'],
    ['a [bot] login', comment({ login: 'deps[bot]', type: 'User' }, '/approve', at(1)), {}, 'bot'],
    ['an edited comment', comment('alice', '/approve', at(1), { updatedAt: at(2) }), {}, 'edited'],
  ])('approve from %s', (_name, c, authorizations, expected) => {
    const facts = makeFacts({ files: hardFiles, comments: [c], authorizations, commits: [committer] });
    const d = decide(okLoad(), facts, NOW);
    expect(d.commands.map((v) => (v.accepted ? 'accepted' : v.refusal))).toEqual([expected]);
    expect(d.state).toBe(expected === 'accepted' ? 'ready' : 'blocked');
    if (expected !== 'accepted') expect(d.commands[0]?.message).toMatch(/\w+/);
  });

  it('refuses the human author of the PR', () => {
    const facts = makeFacts({
      author: human('Copilot'),
      files: hardFiles,
      comments: [comment('copilot', '/approve', at(1))],
      authorizations: { copilot: writer() },
    });
    expect(verdictOf(facts)).toEqual(['author']);
    const other = makeFacts({
      author: human('sam'),
      labels: ['ai-generated'],
      files: hardFiles,
      comments: [comment('Sam', '/approve', at(1))],
      authorizations: { sam: writer() },
    });
    expect(verdictOf(other)).toEqual(['author']);
  });

  it('counts a veto whose author could not be checked, and refuses it from a non-reviewer', () => {
    const failed = decide(
      okLoad(),
      makeFacts({ comments: [comment('bob', '/veto', at(1))], authorizations: { bob: { permission: 'error', teams: [] } } }),
      NOW,
    );
    expect(failed).toMatchObject({ state: 'blocked', title: 'Blocked: vetoed by @bob' });
    const reader = decide(
      okLoad(),
      makeFacts({ comments: [comment('bob', '/veto', at(1))], authorizations: { bob: { permission: 'read', teams: [] } } }),
      NOW,
    );
    expect(reader).toMatchObject({ state: 'waiting' });
    expect(reader.commands[0]).toMatchObject({ accepted: false, refusal: 'not-reviewer' });
  });
});

describe('decide: vetoes', () => {
  const docs = [file('docs/a.md')];
  it('blocks any tier and records the veto in the ledger', () => {
    const d = decide(
      okLoad(),
      makeFacts({ files: docs, comments: [comment('bob', '/veto breaks the API', at(1))], authorizations: auth }),
      NOW,
    );
    expect(d).toMatchObject({ state: 'blocked', merge: false, title: 'Blocked: vetoed by @bob' });
    expect(d.vetoes).toMatchObject([{ by: 'bob', reason: 'breaks the API' }]);
    expect(d.ledger.vetoes).toEqual(d.vetoes);
  });

  it("lifts on the same person's later /veto cancel only", () => {
    const veto = comment('bob', '/veto', at(1));
    const byOther = decide(
      okLoad(),
      makeFacts({ files: docs, comments: [veto, comment('carol', '/veto cancel', at(2))], authorizations: auth }),
      NOW,
    );
    expect(byOther.state).toBe('blocked');
    expect(byOther.commands[1]).toMatchObject({ refusal: 'nothing-to-cancel' });
    const bySame = decide(
      okLoad(),
      makeFacts({ files: docs, comments: [veto, comment('bob', '/veto cancel', at(2))], authorizations: auth }),
      NOW,
    );
    expect(bySame).toMatchObject({ state: 'ready', vetoes: [] });
    expect(bySame.ledger.vetoes).toEqual([]);
    const cancelFirst = decide(
      okLoad(),
      makeFacts({ files: docs, comments: [comment('bob', '/veto cancel', at(1)), comment('bob', '/veto', at(2))], authorizations: auth }),
      NOW,
    );
    expect(cancelFirst.state).toBe('blocked');
  });

  it('is overruled only by enough approvals given after it', () => {
    const veto = comment('bob', '/veto', at(2));
    const before = decide(
      okLoad(),
      makeFacts({ files: docs, comments: [comment('alice', '/approve', at(1)), veto], authorizations: auth }),
      NOW,
    );
    expect(before.state).toBe('blocked');
    const after = decide(
      okLoad(),
      makeFacts({ files: docs, comments: [veto, comment('alice', '/approve', at(3))], authorizations: auth }),
      NOW,
    );
    expect(after).toMatchObject({ state: 'ready', vetoes: [] });
    // Kept in the ledger: a push would invalidate the approval that overruled it.
    expect(after.ledger.vetoes).toHaveLength(1);
  });

  it('stays active from the ledger after its comment is deleted or edited away', () => {
    const ledger = { vetoes: [{ by: 'bob', at: at(1), commentId: 55, reason: 'no' }], answered: [55] };
    const deleted = decide(okLoad(), makeFacts({ files: docs, ledger, authorizations: auth }), NOW);
    expect(deleted).toMatchObject({ state: 'blocked', title: 'Blocked: vetoed by @bob' });
    const edited = decide(
      okLoad(),
      makeFacts({
        files: docs,
        ledger,
        comments: [comment('bob', 'never mind', at(1), { id: 55, updatedAt: at(3) })],
        authorizations: auth,
      }),
      NOW,
    );
    expect(edited.state).toBe('blocked');
    expect(edited.ledger.vetoes).toEqual(ledger.vetoes);
    const cancelled = decide(
      okLoad(),
      makeFacts({ files: docs, ledger, comments: [comment('bob', '/veto cancel', at(4))], authorizations: auth }),
      NOW,
    );
    expect(cancelled.state).toBe('ready');
    expect(cancelled.ledger.vetoes).toEqual([]);
  });

  it('counts a veto from an edited comment but not a cancel', () => {
    const edited = decide(
      okLoad(),
      makeFacts({ files: docs, comments: [comment('bob', '/veto', at(1), { updatedAt: at(4) })], authorizations: auth }),
      NOW,
    );
    expect(edited.state).toBe('blocked');
    const cancel = decide(
      okLoad(),
      makeFacts({
        files: docs,
        comments: [comment('bob', '/veto', at(1)), comment('bob', '/veto cancel', at(2), { updatedAt: at(3) })],
        authorizations: auth,
      }),
      NOW,
    );
    expect(cancel.state).toBe('blocked');
    expect(cancel.commands[1]).toMatchObject({ refusal: 'edited' });
  });
});

describe('decide: approvals bind to the head', () => {
  it('refuses comment approvals from before the head was seen, and all of them while it is unknown', () => {
    const facts = makeFacts({ files: hardFiles, comments: [comment('alice', '/approve', at(-1))], authorizations: auth });
    expect(verdictOf(facts)).toEqual(['before-push']);
    expect(decide(okLoad(), facts, NOW).state).toBe('blocked');
    const unknown = makeFacts({
      files: hardFiles,
      headSeenAt: undefined,
      comments: [comment('alice', '/approve', at(1))],
      authorizations: auth,
    });
    expect(verdictOf(unknown)).toEqual(['before-push']);
  });

  it('counts a review only on the current head', () => {
    const stale = makeFacts({ files: hardFiles, reviews: [review('alice', 'APPROVED', OTHER, at(1))], authorizations: auth });
    expect(verdictOf(stale)).toEqual(['before-push']);
    const current = makeFacts({ files: hardFiles, reviews: [review('alice', 'APPROVED', HEAD, at(-30))], authorizations: auth });
    expect(decide(okLoad(), current, NOW).state).toBe('ready');
  });

  it('keeps earlier approvals when the policy does not invalidate on push', () => {
    const policy = makePolicy({ tiers: { ...makePolicy().tiers, hard: { approvals: 1, merge: true, invalidateOnPush: false } } });
    const facts = makeFacts({ files: hardFiles, comments: [comment('alice', '/approve', at(-60))], reviews: [], authorizations: auth });
    expect(decide(okLoad(policy), facts, NOW).state).toBe('ready');
  });

  it("lets only the policy's own hard PRs keep older approvals, never a raise to hard", () => {
    const policy = makePolicy({ tiers: { ...makePolicy().tiers, hard: { approvals: 1, merge: true, invalidateOnPush: false } } });
    const old = comment('alice', '/approve', at(-60));
    const raised = makeFacts({ comments: [old, comment(AGENT, '/escalate hard', at(1))], authorizations: auth });
    expect(decide(okLoad(policy), raised, NOW)).toMatchObject({ tier: 'hard', state: 'blocked' });
  });

  it('overrules a veto only with approvals of the current head, whatever the policy keeps', () => {
    const policy = makePolicy({ tiers: { ...makePolicy().tiers, hard: { approvals: 1, merge: true, invalidateOnPush: false } } });
    const facts = makeFacts({
      files: hardFiles,
      comments: [comment('bob', '/veto', at(-90))],
      reviews: [review('alice', 'APPROVED', OTHER, at(-60))],
      authorizations: auth,
    });
    expect(decide(okLoad(policy), facts, NOW)).toMatchObject({ state: 'blocked', title: 'Blocked: vetoed by @bob' });
  });

  it("keeps a person's approval of the current head when they later approve an older commit", () => {
    // Found by the property test: the stale review replaced the live approval, and dismissing the
    // review then turned a blocked PR ready.
    const policy = makePolicy({ tiers: { ...makePolicy().tiers, hard: { approvals: 1, merge: true, invalidateOnPush: false } } });
    const history = {
      files: hardFiles,
      comments: [comment('bob', '/veto', at(1)), comment('alice', '/approve', at(2))],
      authorizations: auth,
    };
    const stale = review('alice', 'APPROVED', OTHER, at(3));
    const withReview = decide(okLoad(policy), makeFacts({ ...history, reviews: [stale] }), NOW);
    const dismissed = decide(okLoad(policy), makeFacts({ ...history, reviews: [{ ...stale, state: 'DISMISSED' }] }), NOW);
    expect(withReview).toMatchObject({ state: 'ready', approvals: [{ by: 'alice', via: 'comment' }] });
    expect(dismissed.state).toBe(withReview.state);
  });

  it('withdraws approvals on /approve cancel and on a later change request', () => {
    const cancel = makeFacts({
      files: hardFiles,
      comments: [comment('alice', '/approve', at(1)), comment('alice', '/approve cancel', at(2))],
      authorizations: auth,
    });
    expect(verdictOf(cancel)).toEqual(['accepted', 'accepted']);
    expect(decide(okLoad(), cancel, NOW).state).toBe('blocked');
    const nothing = makeFacts({ files: hardFiles, comments: [comment('alice', '/approve cancel', at(1))], authorizations: auth });
    expect(verdictOf(nothing)).toEqual(['nothing-to-cancel']);
    const changes = makeFacts({
      files: hardFiles,
      reviews: [review('bob', 'APPROVED', HEAD, at(1)), review('bob', 'CHANGES_REQUESTED', HEAD, at(2))],
      authorizations: auth,
    });
    expect(decide(okLoad(), changes, NOW).state).toBe('blocked');
  });

  it('withdraws approvals given before a comment the same person later edited', () => {
    // The edited comment might have said `/approve cancel` when it was created.
    const facts = makeFacts({
      files: hardFiles,
      comments: [comment('alice', '/approve', at(1)), comment('alice', 'typo fixed', at(2), { updatedAt: at(3) })],
      authorizations: auth,
    });
    expect(decide(okLoad(), facts, NOW).state).toBe('blocked');
    const again = makeFacts({ ...facts, comments: [...facts.comments, comment('alice', '/approve', at(4))] });
    expect(decide(okLoad(), again, NOW).state).toBe('ready');
  });

  it('remembers withdrawals, so deleting a cancel or dismissing a change request brings no approval back', () => {
    const approve = comment('alice', '/approve', at(1));
    const cancel = comment('alice', '/approve cancel', at(2));
    const first = decide(okLoad(), makeFacts({ files: hardFiles, comments: [approve, cancel], authorizations: auth }), NOW);
    expect(first.state).toBe('blocked');
    const deleted = makeFacts({ files: hardFiles, comments: [approve], authorizations: auth, ledger: first.ledger });
    expect(decide(okLoad(), deleted, NOW).state).toBe('blocked');

    const approved = review('bob', 'APPROVED', HEAD, at(1));
    const changes = review('bob', 'CHANGES_REQUESTED', HEAD, at(2));
    const requested = decide(okLoad(), makeFacts({ files: hardFiles, reviews: [approved, changes], authorizations: auth }), NOW);
    const dismissed = makeFacts({
      files: hardFiles,
      reviews: [approved, { ...changes, state: 'DISMISSED' }],
      authorizations: auth,
      ledger: requested.ledger,
    });
    expect(decide(okLoad(), dismissed, NOW).state).toBe('blocked');
  });

  it('does not count /approve written in a review body', () => {
    const facts = makeFacts({
      files: hardFiles,
      reviews: [review('alice', 'COMMENTED', HEAD, at(1), { body: '/approve' })],
      authorizations: auth,
    });
    expect(verdictOf(facts)).toEqual(['edited']);
  });
});

describe('decide: escalation', () => {
  it('lets anyone raise the tier, the agent too, and remembers it', () => {
    const d = decide(okLoad(), makeFacts({ comments: [comment(AGENT, '/escalate hard', at(1))] }), NOW);
    expect(d).toMatchObject({ tier: 'hard', state: 'blocked' });
    expect(d.ledger.escalation).toBe('hard');
    const remembered = decide(okLoad(), makeFacts({ ledger: { vetoes: [], answered: [], escalation: 'hard' } }), NOW);
    expect(remembered.tier).toBe('hard');
  });

  it('remembers a hitl:hard label, so that removing it does not lower the tier', () => {
    const labelled = decide(okLoad(), makeFacts({ labels: ['hitl:hard'] }), NOW);
    expect(labelled).toMatchObject({ tier: 'hard', ledger: { escalation: 'hard' } });
    const removed = decide(okLoad(), makeFacts({ labels: [], ledger: labelled.ledger }), NOW);
    expect(removed).toMatchObject({ tier: 'hard', state: 'blocked' });
  });

  it('refuses to lower a tier', () => {
    const d = decide(okLoad(), makeFacts({ comments: [comment('alice', '/escalate fyi', at(1))] }), NOW);
    expect(d.tier).toBe('soft');
    expect(d.commands[0]).toMatchObject({ accepted: false, refusal: 'lowers-tier' });
    expect(d.ledger.escalation).toBeUndefined();
  });
});
