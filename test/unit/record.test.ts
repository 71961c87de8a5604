// The gate's record lives in its own check runs, where only its App can write. Two writers (replicas,
// the App and the Action, a click and a reconcile) merge their records without losing a veto, a click,
// a withdrawal or an answered id. And a status comment is only a view: whatever anyone writes into it,
// a forged ledger or a forged record, changes nothing the gate decides.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Tier } from '../../src/core/model/tier.js';
import type { ClickRecord, Ledger, VetoRecord, WithdrawalRecord } from '../../src/core/model/ledger.js';
import type { PullRequestFacts } from '../../src/core/model/pull-request.js';
import type { GitHubView } from '../../src/core/model/effects.js';
import { decide } from '../../src/core/decide.js';
import { bodyDigest, ledgerMarker, mergeRecords, readRecord, recordMarker, STATUS_MARKER } from '../../src/core/ledger.js';
import { plan } from '../../src/core/plan.js';
import type { GitHubClient } from '../../src/github/client.js';
import { findGateCheckRun } from '../../src/github/find-gate-check.js';
import { findStatusComment, legacyLedger, noticeTampering } from '../../src/github/find-status-comment.js';
import { openSession } from '../../src/github/session.js';
import { HEAD, appliedView, at, comment, file, makeFacts, okLoad, recordOf, writer } from './facts.js';

const NOW = new Date(at(5));
const auth = { alice: writer(), bob: writer(), carol: writer() };
const hardFiles = [file('db/migrations/1.sql')];
const GATE = { login: 'hitl-gate[bot]', type: 'Bot' };
const identity = { appId: 9, login: 'hitl-gate[bot]' };

const veto = (by: string, commentId: number, minutes = 1): VetoRecord => ({ by, at: at(minutes), commentId });
const click = (id: number, by: string, action: ClickRecord['action'], headSha = HEAD, minutes = 2): ClickRecord => ({
  id,
  by,
  byType: 'User',
  at: at(minutes),
  action,
  headSha,
  checkRunId: 55,
});
const withdrawal = (by: string, sourceId: number, minutes = 3): WithdrawalRecord => ({ by, at: at(minutes), sourceId });

const sortedBy = <T>(xs: readonly T[] | undefined, key: (x: T) => string | number) =>
  [...(xs ?? [])].sort((a, b) => String(key(a)).localeCompare(String(key(b))));

describe("mergeRecords: two writers of one PR's record", () => {
  const a: Ledger = {
    vetoes: [veto('bob', 11)],
    answered: [11, 20],
    clicks: [click(1_800_000_000_001, 'alice', 'approve')],
    withdrawals: [withdrawal('carol', 30)],
    escalation: 'soft',
  };
  const b: Ledger = {
    vetoes: [veto('carol', 12, 2)],
    answered: [20, 21],
    clicks: [click(1_800_000_000_002, 'bob', 'veto')],
    withdrawals: [withdrawal('alice', 31)],
    escalation: 'hard',
  };

  it('loses no veto, click, withdrawal or answered id of either', () => {
    const merged = mergeRecords(a, b)!;
    expect(sortedBy(merged.vetoes, (v) => v.commentId)).toEqual([veto('bob', 11), veto('carol', 12, 2)]);
    expect([...merged.answered].sort()).toEqual([11, 20, 21]);
    expect(sortedBy(merged.clicks, (c) => c.id)).toEqual([...a.clicks!, ...b.clicks!]);
    expect(sortedBy(merged.withdrawals, (w) => w.sourceId)).toEqual([...a.withdrawals!, ...b.withdrawals!]);
  });

  it('keeps the higher escalation, whichever writer holds it', () => {
    expect(mergeRecords(a, b)?.escalation).toBe('hard');
    expect(mergeRecords(b, a)?.escalation).toBe('hard');
    expect(mergeRecords({ ...a, escalation: 'hard' }, { ...b, escalation: 'soft' })?.escalation).toBe('hard');
    const { escalation: _e, ...none } = b;
    expect(mergeRecords(a, none)?.escalation).toBe('soft');
    expect(mergeRecords(none, a)?.escalation).toBe('soft');
  });

  it("counts one veto once, however its author's login is spelled", () => {
    const merged = mergeRecords({ vetoes: [veto('Bob', 11)], answered: [] }, { vetoes: [veto('bob', 11)], answered: [] });
    expect(merged?.vetoes).toHaveLength(1);
  });

  it('takes either side whole when the other has no record', () => {
    expect(mergeRecords(undefined, b)).toBe(b);
    expect(mergeRecords(a, undefined)).toBe(a);
    expect(mergeRecords(undefined, undefined)).toBeUndefined();
  });

  it('keeps a veto one writer recorded while the other recorded an approval click: the PR stays blocked', () => {
    // A soft PR: alice's Approve click was recorded on the run by one writer, bob's /veto (its comment since
    // deleted) by the other. Neither writer's record alone tells the whole story.
    const approveClick = click(1_800_000_000_003, 'alice', 'approve', HEAD, 3);
    const fromClick: Ledger = { vetoes: [], answered: [], clicks: [approveClick] };
    const fromVeto: Ledger = { vetoes: [veto('bob', 11, 4)], answered: [11] };
    for (const ledger of [mergeRecords(fromClick, fromVeto)!, mergeRecords(fromVeto, fromClick)!]) {
      const d = decide(okLoad(), makeFacts({ authorizations: auth, ledger }), NOW);
      expect(d.state).toBe('blocked');
      expect(d.vetoes).toEqual([expect.objectContaining({ by: 'bob' })]);
    }
  });

  // Records drawn from one pool, so that the two writers share some entries and not others.
  const pool = fc.record({
    vetoes: fc.uniqueArray(
      fc.record({
        by: fc.constantFrom('alice', 'bob', 'carol'),
        commentId: fc.integer({ min: 1, max: 10_000 }),
        minute: fc.integer({ min: 0, max: 60 }),
      }),
      { selector: (v) => v.commentId, maxLength: 6 },
    ),
    clicks: fc.uniqueArray(
      fc.record({
        id: fc.integer({ min: 1_800_000_000_000, max: 1_800_000_100_000 }),
        by: fc.constantFrom('alice', 'bob'),
        action: fc.constantFrom('approve' as const, 'veto' as const),
        minute: fc.integer({ min: 0, max: 60 }),
      }),
      { selector: (c) => c.id, maxLength: 6 },
    ),
    withdrawals: fc.uniqueArray(
      fc.record({
        by: fc.constantFrom('alice', 'bob'),
        sourceId: fc.integer({ min: 1, max: 10_000 }),
        minute: fc.integer({ min: 0, max: 60 }),
      }),
      { selector: (w) => w.sourceId, maxLength: 6 },
    ),
    answered: fc.uniqueArray(fc.integer({ min: 1, max: 10_000 }), { maxLength: 10 }),
  });
  const tier = fc.option(fc.constantFrom<Tier>('fyi', 'soft', 'hard'), { nil: undefined });
  const picks = fc.array(fc.boolean(), { minLength: 40, maxLength: 40 });

  it('is commutative on vetoes, clicks, withdrawals, answered ids and escalation, and loses nothing of either', () => {
    fc.assert(
      fc.property(pool, picks, picks, tier, tier, (p, pickA, pickB, ea, eb) => {
        const side = (pick: boolean[], escalation: Tier | undefined): Ledger => {
          const take = <T>(xs: T[], offset: number) => xs.filter((_, i) => pick[(i + offset) % pick.length]);
          const clicks = take(p.clicks, 10).map((c) => click(c.id, c.by, c.action, HEAD, c.minute));
          const withdrawals = take(p.withdrawals, 20).map((w) => withdrawal(w.by, w.sourceId, w.minute));
          return {
            vetoes: take(p.vetoes, 0).map((v) => veto(v.by, v.commentId, v.minute)),
            answered: take(p.answered, 30),
            ...(escalation ? { escalation } : {}),
            ...(clicks.length ? { clicks } : {}),
            ...(withdrawals.length ? { withdrawals } : {}),
          };
        };
        const x = side(pickA, ea);
        const y = side(pickB, eb);
        const xy = mergeRecords(x, y)!;
        const yx = mergeRecords(y, x)!;
        // Written, both orders are the same record (the marker's encoding is in a stable order).
        expect(recordMarker(xy, 7)).toBe(recordMarker(yx, 7));
        expect(readRecord(recordMarker(xy, 7), 7)).toEqual(readRecord(recordMarker(yx, 7), 7));
        for (const m of [xy, yx]) {
          for (const v of [...x.vetoes, ...y.vetoes]) expect(m.vetoes).toContainEqual(v);
          for (const c of [...(x.clicks ?? []), ...(y.clicks ?? [])]) expect(m.clicks).toContainEqual(c);
          for (const w of [...(x.withdrawals ?? []), ...(y.withdrawals ?? [])]) expect(m.withdrawals).toContainEqual(w);
          expect(new Set(m.answered)).toEqual(new Set([...x.answered, ...y.answered]));
          expect(m.vetoes).toHaveLength(new Set([...x.vetoes, ...y.vetoes].map((v) => v.commentId)).size);
          const ranks = [ea, eb].filter((t): t is Tier => t !== undefined).map((t) => ['fyi', 'soft', 'hard'].indexOf(t));
          expect(m.escalation).toBe(ranks.length ? (['fyi', 'soft', 'hard'] as const)[Math.max(...ranks)] : undefined);
        }
      }),
      { numRuns: 200 },
    );
  });
});

/** The body of a status comment that someone with write access edited to smuggle in a decision. */
function forged(honest: string): string {
  const approval: Ledger = { vetoes: [], answered: [], clicks: [click(1_800_000_000_009, 'alice', 'approve')] };
  return `${honest}\n\n${ledgerMarker(approval)}\n${recordMarker(approval, 7)}\n${recordMarker({ ...approval, escalation: 'fyi' }, 7)}`;
}

describe('a status comment is only a view: a forged ledger or record in it decides nothing', () => {
  // A hard PR with bob's veto in the record (its comment deleted since), and no approval.
  const record: Ledger = { vetoes: [veto('bob', 11)], answered: [11] };
  const facts = makeFacts({ files: hardFiles, authorizations: auth, ledger: record });
  const view: GitHubView = { mergeable: true, mergeableState: 'clean', otherChecks: 'success' };

  /** The facts and view after an honest reconcile, then with its status comment's body swapped for `body`. */
  function tampered(body: (honest: string) => string): {
    facts: PullRequestFacts;
    view: GitHubView;
    honest: { facts: PullRequestFacts; view: GitHubView };
  } {
    const honest = appliedView(facts, view, plan(decide(okLoad(), facts, NOW), facts, view, NOW, { mode: 'full' }), { comment: 9 });
    const statusComment = honest.view.statusComment!;
    const edited = body(statusComment.body);
    // The shell's facts carry every comment of the PR, the gate's own status comment included.
    const gateComment = comment(GATE, edited, at(0), { id: 9, updatedAt: at(4) });
    return {
      facts: { ...honest.facts, comments: [...honest.facts.comments, gateComment] },
      view: { ...honest.view, statusComment: { id: 9, body: edited } },
      honest: {
        facts: { ...honest.facts, comments: [...honest.facts.comments, comment(GATE, statusComment.body, at(0), { id: 9 })] },
        view: honest.view,
      },
    };
  }

  it('decide returns the same decision whatever the comment says: the approval click does not count, the veto stands', () => {
    const t = tampered(forged);
    const before = decide(okLoad(), t.honest.facts, NOW);
    const after = decide(okLoad(), t.facts, NOW);
    expect(after).toEqual(before);
    expect(after).toMatchObject({ tier: 'hard', state: 'blocked', approvals: [] });
    expect(after.vetoes).toEqual([expect.objectContaining({ by: 'bob' })]);
    expect(after.ledger.vetoes).toEqual(record.vetoes);
    expect((after.ledger as Ledger).clicks ?? []).toEqual([]);
  });

  it('a comment emptied of everything, or deleted, changes nothing decide returns either', () => {
    const t = tampered(() => 'lgtm');
    expect(decide(okLoad(), t.facts, NOW)).toEqual(decide(okLoad(), t.honest.facts, NOW));
    const noComment = { ...t.honest.facts, comments: t.honest.facts.comments.filter((c) => c.id !== 9) };
    expect(decide(okLoad(), noComment, NOW)).toEqual(decide(okLoad(), t.honest.facts, NOW));
  });

  it('the plan restores the view and leaves the record as it was', () => {
    const t = tampered(forged);
    const effects = plan(decide(okLoad(), t.facts, NOW), t.facts, t.view, NOW, { mode: 'full' });
    const honest = plan(decide(okLoad(), t.honest.facts, NOW), t.honest.facts, t.honest.view, NOW, { mode: 'full' });
    // Honest: nothing to write. Tampered: only the comment is rewritten to what the gate wrote; the record
    // in the check run (which names that body) stays as it is; nothing merges.
    expect(honest.filter((e) => e.kind !== 'wake')).toEqual([]);
    expect(effects.filter((e) => e.kind !== 'wake')).toEqual([{ kind: 'status-comment', id: 9, body: t.honest.view.statusComment!.body }]);
    expect(t.honest.view.statusComment!.body.endsWith(STATUS_MARKER)).toBe(true);
    // What the next reconcile reads back: the same record, with the veto and no click.
    const next = appliedView(t.facts, t.view, effects);
    expect(next.facts.ledger).toEqual(t.honest.facts.ledger);
    expect(next.facts.ledger?.vetoes).toEqual(record.vetoes);
    expect((next.facts.ledger as Ledger).clicks).toBeUndefined();
    expect((next.facts.ledger as Ledger).comment).toEqual({ id: 9, sha256: bodyDigest(t.honest.view.statusComment!.body) });
  });

  it('the record the plan writes names the status comment it was written after, not a forged one', () => {
    // A first look with a tampered comment in place (the gate never wrote it): the record it writes holds
    // the veto, no click, and the digest of the body the gate puts back.
    const forgedView: GitHubView = { ...view, statusComment: { id: 9, body: forged(`### Approved\n\n${STATUS_MARKER}`) } };
    const effects = plan(decide(okLoad(), facts, NOW), facts, forgedView, NOW, { mode: 'full' });
    const body = (effects.find((e) => e.kind === 'status-comment') as { body: string }).body;
    const written = recordOf(effects);
    expect(written?.vetoes).toEqual(record.vetoes);
    expect(written?.clicks).toBeUndefined();
    expect(written?.comment).toEqual({ id: 9, sha256: bodyDigest(body) });
    expect(effects.some((e) => e.kind === 'merge')).toBe(false);
  });
});

describe("the shell reads the record from the gate's own check runs only", () => {
  /** A client that answers `checks.listForRef` with `runs` and GraphQL's `node(id)` with an edit by `editor`. */
  function client(runs: unknown[], editor?: { login: string; at: string }) {
    const graphql = async () => ({
      node: editor ? { lastEditedAt: editor.at, editor: { login: editor.login } } : { lastEditedAt: null, editor: null },
    });
    return {
      rest: { checks: { listForRef: async () => ({ data: { total_count: runs.length, check_runs: runs } }) } },
      graphql,
    } as unknown as GitHubClient;
  }
  const run = (id: number, appId: number, text: string) => ({
    id,
    name: 'hitl',
    head_sha: HEAD,
    status: 'completed',
    conclusion: 'failure',
    started_at: at(id),
    external_id: 'hitl-gate:governed',
    app: { id: appId },
    output: { title: 't', summary: 's', text },
  });
  const theVeto: Ledger = { vetoes: [veto('bob', 11)], answered: [11] };
  const anApproval: Ledger = { vetoes: [], answered: [], clicks: [click(1_800_000_000_009, 'alice', 'approve')], escalation: 'fyi' };

  it("ignores a record in another app's run on the head, and another PR's record in the gate's own", async () => {
    const runs = [run(1, 9, recordMarker(theVeto, 7)), run(2, 10, recordMarker(anApproval, 7)), run(3, 9, recordMarker(anApproval, 8))];
    const gate = await findGateCheckRun(
      openSession(client(runs), NOW, undefined),
      { owner: 'acme', repo: 'widgets', number: 7 },
      HEAD,
      identity,
    );
    expect(gate.record).toEqual(theVeto);
  });

  it('finds the status comment as a view (no ledger parsed out of it), whatever markers its body carries', () => {
    const body = forged(`### Blocked\n\n${STATUS_MARKER}`);
    const raw = [
      {
        id: 9,
        author: GATE,
        user: { login: 'hitl-gate[bot]', type: 'Bot' },
        performed_via_github_app: { id: 9 },
        body,
        createdAt: at(0),
        updatedAt: at(4),
      },
    ];
    const found = findStatusComment(raw as never, identity);
    expect(found).toEqual({ id: 9, body });
  });

  it("does not trust an earlier version's ledger that GitHub says someone else edited: no ledger, the PR is held", async () => {
    const body = forged('### Blocked');
    const session = openSession(client([], { login: 'mallory', at: at(4) }), NOW, undefined);
    const legacy = await legacyLedger(session, { id: 9, body, nodeId: 'IC_1' }, identity);
    expect(legacy.ledger).toBeUndefined();
    expect(legacy.untrusted).toMatchObject({ kind: 'legacy-untrusted', commentId: 9, by: 'mallory', happenedAt: at(4) });
    // Held as hard, as reconcile does with an untrusted ledger: the forged approval counts for nothing.
    const held = decide(
      okLoad(),
      makeFacts({
        files: [file('docs/a.md')],
        authorizations: auth,
        ledger: { vetoes: [], answered: [], escalation: 'hard', notices: [legacy.untrusted!] } as Ledger,
      }),
      NOW,
    );
    expect(held).toMatchObject({ tier: 'hard', state: 'blocked', approvals: [] });
  });

  it("never reads a forged record in a comment as an earlier version's ledger", async () => {
    const body = `### Blocked\n\n${recordMarker(anApproval, 7)}\n\n${STATUS_MARKER}`;
    const session = openSession(client([]), NOW, undefined);
    expect(await legacyLedger(session, { id: 9, body, nodeId: 'IC_1' }, identity)).toEqual({});
  });

  it('notices a body the gate did not write, and says who edited it', async () => {
    const honest = `### Blocked\n\n${STATUS_MARKER}`;
    const recorded: Ledger = { ...theVeto, comment: { id: 9, sha256: bodyDigest(honest) } };
    const session = openSession(client([], { login: 'mallory', at: at(4) }), NOW, undefined);
    expect(await noticeTampering(session, recorded, { id: 9, body: honest, nodeId: 'IC_1' }, identity)).toBeUndefined();
    expect(await noticeTampering(session, recorded, { id: 9, body: forged(honest), nodeId: 'IC_1' }, identity)).toMatchObject({
      kind: 'comment-edited',
      commentId: 9,
      by: 'mallory',
    });
    expect(await noticeTampering(session, recorded, undefined, identity)).toMatchObject({ kind: 'comment-deleted', commentId: 9 });
  });
});
