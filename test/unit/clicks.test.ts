import { describe, expect, it } from 'vitest';
import type { ClickRecord, Ledger } from '../../src/core/model/ledger.js';
import type { PullRequestFacts } from '../../src/core/model/pull-request.js';
import type { Effect, GitHubView } from '../../src/core/model/effects.js';
import { checkRunActions, MAX_CLICKS, nextClickId } from '../../src/core/clicks.js';
import { decide } from '../../src/core/decide.js';
import { ledgerMarker, readLedger, readRecord, recordMarker } from '../../src/core/ledger.js';
import { plan } from '../../src/core/plan.js';
import { HEAD, at, comment, file, makeFacts, makePolicy, okLoad, recordOf, writer } from './facts.js';

const NOW = new Date(at(5));
const OLD = 'b'.repeat(40);
const FRESH: GitHubView = { mergeable: true, mergeableState: 'clean', otherChecks: 'success' };
const hardFiles = [file('db/migrations/001.sql')];
const auth = { alice: writer(), bob: writer(), eve: { permission: 'read' as const, teams: [] } };

let ids = 1_800_000_000_000;
function click(by: string, action: ClickRecord['action'], atIso: string, headSha = HEAD, byType = 'User'): ClickRecord {
  return { id: ids++, by, byType, at: atIso, action, headSha, checkRunId: 55 };
}

function facts(clicks: ClickRecord[], over: Partial<PullRequestFacts> = {}, answered: number[] = []): PullRequestFacts {
  const ledger: Ledger = { vetoes: [], answered, clicks };
  return makeFacts({ files: hardFiles, authorizations: auth, ledger, ...over });
}

const replies = (effects: Effect[]) => effects.filter((e): e is Extract<Effect, { kind: 'reply' }> => e.kind === 'reply');

describe('one-click decisions: a click counts like the command from who clicked', () => {
  it('an authorized click on Approve approves the current head of a hard PR', () => {
    const d = decide(okLoad(), facts([click('bob', 'approve', at(2))]), NOW);
    expect(d).toMatchObject({ tier: 'hard', state: 'ready', merge: true });
    expect(d.approvals).toEqual([expect.objectContaining({ by: 'bob', via: 'click', at: at(2) })]);
  });

  it('a click by someone the policy does not accept, the author, a committer or a bot counts for nothing', () => {
    const agentCommit = { sha: HEAD, authorLogin: 'carl', committerLogin: 'web-flow' };
    const cases: [ClickRecord, string][] = [
      [click('eve', 'approve', at(2)), 'not-reviewer'],
      [click('copilot-swe-agent[bot]', 'approve', at(2), HEAD, 'Bot'), 'bot'],
      [click('carl', 'approve', at(2)), 'committer'],
      [click('renovate[bot]', 'veto', at(2), HEAD, 'Bot'), 'bot'],
    ];
    for (const [c, refusal] of cases) {
      const d = decide(okLoad(), facts([c], { commits: [agentCommit], authorizations: { ...auth, carl: writer() } }), NOW);
      expect(d.state).toBe('blocked');
      expect(d.approvals).toEqual([]);
      expect(d.vetoes).toEqual([]);
      expect(d.commands).toEqual([expect.objectContaining({ accepted: false, refusal, source: { type: 'click', id: c.id } })]);
    }
  });

  it('a click on the check of an older head counts for nothing, Approve or Veto', () => {
    const soft = makeFacts({
      authorizations: auth,
      ledger: { vetoes: [], answered: [], clicks: [click('bob', 'veto', at(2), OLD)] } as Ledger,
    });
    const vetoed = decide(okLoad(), soft, NOW);
    expect(vetoed).toMatchObject({ state: 'waiting', vetoes: [] });
    expect(vetoed.commands[0]).toMatchObject({ accepted: false, refusal: 'before-push' });
    expect(vetoed.commands[0]?.message).toContain(OLD.slice(0, 7));

    // Even where the policy keeps approvals across pushes, a click stays bound to its check's head.
    const keep = okLoad(
      makePolicy({
        tiers: {
          fyi: { merge: true },
          soft: { windowMs: 900_000, merge: true },
          hard: { approvals: 1, merge: true, invalidateOnPush: false },
        },
      }),
    );
    const approved = decide(keep, facts([click('bob', 'approve', at(2), OLD)]), NOW);
    expect(approved).toMatchObject({ state: 'blocked', approvals: [] });
  });

  it('a Veto click blocks a soft PR inside its window and is kept in the ledger; /veto cancel withdraws it', () => {
    const c = click('bob', 'veto', at(2));
    const d = decide(
      okLoad(),
      makeFacts({ authorizations: auth, ledger: { vetoes: [], answered: [], clicks: [c] } as Ledger }),
      new Date(at(30)),
    );
    expect(d).toMatchObject({ state: 'blocked', merge: false });
    expect(d.vetoes).toEqual([expect.objectContaining({ by: 'bob', commentId: c.id })]);
    expect(d.ledger.vetoes).toHaveLength(1);

    const cancel = comment('bob', '/veto cancel', at(3));
    const lifted = decide(okLoad(), makeFacts({ comments: [cancel], authorizations: auth, ledger: d.ledger }), new Date(at(30)));
    expect(lifted).toMatchObject({ state: 'ready', vetoes: [] });
    expect(lifted.commands.find((v) => v.source.type === 'comment')).toMatchObject({ accepted: true, command: { kind: 'veto-cancel' } });
  });

  it('a clicked veto survives the click being dropped from the ledger after a push', () => {
    const c = click('bob', 'veto', at(2));
    const first = decide(okLoad(), makeFacts({ authorizations: auth, ledger: { vetoes: [], answered: [], clicks: [c] } as Ledger }), NOW);
    const pushed = makeFacts({
      headSha: OLD,
      commits: [{ sha: OLD }],
      authorizations: auth,
      ledger: { ...first.ledger, answered: [c.id] },
    });
    const after = decide(okLoad(), pushed, new Date(at(60)));
    expect(after).toMatchObject({ state: 'blocked' });
    expect((after.ledger as Ledger).clicks ?? []).toEqual([]);
  });

  it('offers Approve and Veto on a hard PR waiting for approvals, Veto in a soft window, nothing otherwise', () => {
    const ids = (f: PullRequestFacts, now = NOW) => checkRunActions(decide(okLoad(), f, now)).map((a) => a.identifier);
    expect(ids(facts([]))).toEqual(['approve', 'veto']);
    expect(ids(facts([click('bob', 'approve', at(2))]))).toEqual(['veto']);
    expect(ids(makeFacts())).toEqual(['veto']);
    expect(ids(makeFacts(), new Date(at(30)))).toEqual([]);
    expect(ids(makeFacts({ files: [file('docs/a.md')] }))).toEqual([]);
    expect(ids(makeFacts({ author: { login: 'zoe', type: 'User' }, headRef: 'x', commits: [] }))).toEqual([]);
    for (const a of checkRunActions(decide(okLoad(), facts([]), NOW))) {
      expect(a.label.length).toBeLessThanOrEqual(20);
      expect(a.description.length).toBeLessThanOrEqual(40);
      expect(a.identifier.length).toBeLessThanOrEqual(20);
    }
  });
});

describe('one-click decisions: answers and the ledger', () => {
  const planFor = (f: PullRequestFacts, now = NOW) =>
    plan(decide(okLoad(), f, now), f, FRESH, now, { mode: 'full', checkRunActions: true });

  it('answers a refused click once, by name, and records it as answered', () => {
    const c = click('eve', 'approve', at(2));
    const effects = planFor(facts([c]));
    const [reply] = replies(effects);
    expect(replies(effects)).toHaveLength(1);
    expect(reply?.body).toMatch(/^@eve/);
    expect(reply?.body).toContain('Your click on **Approve**');
    expect(reply?.body).toContain('not an authorized reviewer');
    // Recorded in the check run's record (the status comment is only a view).
    const ledger = recordOf(effects);
    expect(ledger?.answered).toContain(c.id);
    expect(ledger?.clicks).toContainEqual(c);
    // Planned again on what it wrote: no second reply.
    expect(replies(planFor(facts([c], {}, ledger?.answered ?? [])))).toEqual([]);
  });

  it('tells a person who clicks a refused button again and again only once', () => {
    const clicks = [click('eve', 'approve', at(1)), click('eve', 'approve', at(2)), click('eve', 'approve', at(3))];
    expect(replies(planFor(facts(clicks)))).toHaveLength(1);
  });

  it('shows an accepted click with who and when in the status comment, and puts the actions on the check run', () => {
    const effects = planFor(facts([click('bob', 'approve', at(2))]));
    expect(replies(effects)).toEqual([]);
    const status = effects.find((e) => e.kind === 'status-comment') as { body: string };
    expect(status.body).toContain('**bob** (click, 14:02 UTC)');
    expect(status.body).toContain('**bob** clicked **Approve** on the check (14:02 UTC)');
    const check = effects.find((e) => e.kind === 'check-run') as Extract<Effect, { kind: 'check-run' }>;
    expect(check.actions?.map((a) => a.identifier)).toEqual(['veto']);
    const waiting = planFor(facts([])).find((e) => e.kind === 'check-run') as Extract<Effect, { kind: 'check-run' }>;
    expect(waiting.actions?.map((a) => a.label)).toEqual(['Approve', 'Veto']);
    // The Action does not receive clicks: it offers none.
    const action = plan(decide(okLoad(), facts([]), NOW), facts([]), FRESH, NOW, { mode: 'full' }).find((e) => e.kind === 'check-run');
    expect(action && 'actions' in action).toBe(false);
  });

  it('tells reviewers about the buttons only where the check run carries them', () => {
    const body = (checkRunActions: boolean) =>
      (
        plan(decide(okLoad(), facts([]), NOW), facts([]), FRESH, NOW, { mode: 'full', checkRunActions }).find(
          (e) => e.kind === 'status-comment',
        ) as { body: string }
      ).body;
    expect(body(true)).toContain('Reviewers can also click **Approve** or **Veto** on the `hitl` check.');
    expect(body(false)).not.toContain('click');
  });

  it('round-trips clicks through the ledger marker and rejects a malformed one', () => {
    const c = click('bob', 'veto', at(2));
    const ledger: Ledger = { vetoes: [], answered: [], clicks: [c] };
    expect(readLedger(ledgerMarker(ledger))?.clicks).toEqual([c]);
    const bad = `<!-- hitl-gate:ledger v1 ${Buffer.from(JSON.stringify({ vetoes: [], answered: [], clicks: [{ ...c, action: 'merge' }] })).toString('base64')} -->`;
    expect(readLedger(bad)).toBeUndefined();
    // The same through the record in the check run.
    expect(readRecord(recordMarker(ledger, 7), 7)?.clicks).toEqual([c]);
    const badRecord = `<!-- hitl-gate:record v1 ${Buffer.from(JSON.stringify({ pr: 7, vetoes: [], answered: [], clicks: [{ ...c, action: 'merge' }] })).toString('base64')} -->`;
    expect(readRecord(badRecord, 7)).toBeUndefined();
  });

  it('keeps the ledger bounded when someone clicks without end, never dropping an unanswered click', () => {
    const many = Array.from({ length: MAX_CLICKS + 20 }, (_, i) => click('eve', 'approve', at(1 + i / 100)));
    const answered = many.slice(0, MAX_CLICKS).map((c) => c.id);
    const d = decide(okLoad(), facts(many, {}, answered), NOW);
    const kept = (d.ledger as Ledger).clicks ?? [];
    expect(kept).toHaveLength(MAX_CLICKS);
    for (const c of many.slice(MAX_CLICKS)) expect(kept).toContainEqual(c);
  });

  it('gives click ids above any comment id, increasing', () => {
    const a = nextClickId([], Date.parse(at(0)));
    expect(a).toBeGreaterThan(1e12);
    expect(nextClickId([{ ...click('bob', 'veto', at(0)), id: a }], Date.parse(at(0)))).toBe(a + 1);
  });
});
