import { describe, expect, it } from 'vitest';
import { decide } from '../../src/core/decide.js';
import { renderStatusComment } from '../../src/core/render.js';
import { at, makeFacts, makePolicy, okLoad } from './facts.js';

const NOW = new Date(at(5));

describe('what ends the wait, as a fact of the decision', () => {
  it('says the soft PR merges at the end of its window, and the status comment says so whatever the title', () => {
    const facts = makeFacts();
    const decision = decide(okLoad(), facts, NOW);
    expect(decision.next).toEqual({ kind: 'merge-at', at: at(15) });
    // The title is English for people (and the merge queue rewrites it): the "Next:" line must not read it.
    const retitled = { ...decision, title: 'Veto window: 10 minutes left (soft)' };
    expect(renderStatusComment(retitled, facts, NOW)).toMatch(/\*\*Next:\*\* Merges \*\*at 14:15 UTC\*\* unless/);
  });

  it('says only the window closes when the soft tier leaves merging to a person', () => {
    const base = makePolicy();
    const policy = makePolicy({ tiers: { ...base.tiers, soft: { ...base.tiers.soft, merge: false } } });
    const facts = makeFacts();
    const decision = decide(okLoad(policy), facts, NOW);
    expect(decision.next).toEqual({ kind: 'window-closes', at: at(15) });
    const retitled = { ...decision, title: 'Merges never: a person merges this (soft)' };
    const body = renderStatusComment(retitled, facts, NOW);
    expect(body).toContain('The veto window closes **at 14:15 UTC**');
    expect(body).not.toMatch(/\*\*Next:\*\* Merges/);
  });

  it('schedules nothing for a draft, nor once the window is over', () => {
    expect(decide(okLoad(), makeFacts({ draft: true }), NOW).next).toBeUndefined();
    expect(decide(okLoad(), makeFacts(), new Date(at(20))).next).toBeUndefined();
  });
});
