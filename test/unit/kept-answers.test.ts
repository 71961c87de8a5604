// The answers kept for conditional reads: only what came with an ETag, bounded, and owned by whoever
// made them (two owners never see each other's).
import { describe, expect, it } from 'vitest';
import { KeptAnswers } from '../../src/github/kept-answers.js';
import { openSession } from '../../src/github/session.js';

describe('KeptAnswers', () => {
  it('keeps an answer with its ETag; an answer without one replaces nothing stale', () => {
    const kept = new KeptAnswers();
    kept.keep('a', '"e1"', { x: 1 });
    expect(kept.get('a')).toEqual({ etag: '"e1"', data: { x: 1 } });
    kept.keep('a', undefined, { x: 2 });
    expect(kept.get('a')).toBeUndefined();
  });

  it('holds at most its bound, forgetting the least recently used first', () => {
    const kept = new KeptAnswers(2);
    kept.keep('a', '"a"', 1);
    kept.keep('b', '"b"', 2);
    kept.get('a');
    kept.keep('c', '"c"', 3);
    expect([kept.get('a')?.data, kept.get('b')?.data, kept.get('c')?.data]).toEqual([1, undefined, 3]);
  });

  it("a session shares its caller's answers, and without one starts from none", () => {
    const owner = new KeptAnswers();
    owner.keep('policy', '"v1"', 'text');
    expect(openSession({} as never, new Date(), undefined, owner).kept.get('policy')?.etag).toBe('"v1"');
    expect(openSession({} as never, new Date(), undefined).kept.get('policy')).toBeUndefined();
  });
});
