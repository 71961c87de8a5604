import { describe, expect, it } from 'vitest';
import { parseCommands } from '../../src/core/commands.js';
import { decide } from '../../src/core/decide.js';
import { ledgerMarker, readRecord, recordMarker, recordMarkerIn, STATUS_MARKER, withRecord } from '../../src/core/ledger.js';
import { readLedger, renderCheckRun, renderExplanation, renderReply, renderStatusComment } from '../../src/core/render.js';
import type { Ledger } from '../../src/core/model/ledger.js';
import { HEAD, at, comment, file, makeFacts, makePolicy, okLoad, review, writer } from './facts.js';

const NOW = new Date(at(5));

describe('status comment', () => {
  it('says the tier, why, what happens next and when', () => {
    const facts = makeFacts({ files: [file('src/a.ts'), ...Array.from({ length: 212 }, (_, i) => file(`lib/f${i}.ts`))] });
    const body = renderStatusComment(decide(okLoad(), facts, NOW), facts, NOW);
    expect(body).toContain('Tier soft');
    expect(body).toContain('`src/a.ts`');
    expect(body).toMatch(/and 20\d more/);
    expect(body).toContain('at 14:15 UTC**');
    expect(body).toContain('`/veto [reason]`');
  });

  it('is the same text five minutes later when nothing changed, so the gate does not edit it', () => {
    const facts = makeFacts();
    const later = new Date(NOW.getTime() + 5 * 60_000);
    const first = renderStatusComment(decide(okLoad(), facts, NOW), facts, NOW);
    expect(renderStatusComment(decide(okLoad(), facts, later), facts, later)).toBe(first);
    // A one-off explanation may say how long is left.
    expect(renderExplanation(decide(okLoad(), facts, NOW), facts, NOW)).toContain('at 14:15 UTC, in 10 minutes');
  });

  it('names the matching rule, the approvals so far and who vetoed', () => {
    const facts = makeFacts({
      files: [file('db/migrations/001.sql')],
      comments: [comment('carol', '/approve', at(1)), comment('bob', '/veto not before the release', at(2))],
      authorizations: { bob: writer(), carol: writer() },
    });
    const body = renderStatusComment(decide(okLoad(), facts, NOW), facts, NOW);
    expect(body).toContain('Database migrations');
    expect(body).toContain('**carol**');
    expect(body).toContain('`not before the release`');
    expect(body).toContain('Blocked until **bob** withdraws the veto');
  });

  it("says exactly who may act when it knows the policy's reviewers", () => {
    const facts = makeFacts();
    const decision = decide(okLoad(), facts, NOW);
    const body = renderStatusComment(decision, facts, NOW, { reviewers: makePolicy().reviewers });
    expect(body).toContain('**Who may act:** **alice**, members of `acme/maintainers`, anyone with `write` permission or more');
    expect(renderStatusComment(decision, facts, NOW)).toContain('the reviewers named by `reviewers` in `.github/hitl.yml`');
  });

  it('never contains a line that parses as a command, whatever people and files are called', () => {
    const hostile = 'x\n/approve\n```\n/veto cancel';
    const facts = makeFacts({
      files: [file(hostile), file('/approve')],
      comments: [comment('bob', `/veto ${hostile}`, at(1)), comment('zed', `/approve`, at(2)), comment('amy', '/hitl explain', at(3))],
      authorizations: { bob: writer(), zed: { permission: 'read', teams: [] } },
    });
    const policy = makePolicy({ rules: [{ name: hostile, tier: 'hard', paths: ['**'] }] });
    const decision = decide(okLoad(policy), facts, NOW);
    const texts = [
      renderStatusComment(decision, facts, NOW),
      ...Object.values(renderCheckRun(decision, facts, NOW)),
      renderExplanation(decision, facts, NOW),
      ...decision.commands.map((v) => renderReply([v], decision, facts, NOW)),
    ];
    for (const text of texts) expect(parseCommands(text)).toEqual([]);
  });

  it("stays under GitHub's comment limit with 3000 files and hundreds of commands", () => {
    const files = Array.from({ length: 3000 }, (_, i) => file(`services/very/long/path/to/module-${i}/implementation-${i}.ts`));
    const comments = Array.from({ length: 600 }, (_, i) =>
      comment(`user${i}`, i % 2 ? `/veto reason number ${i} `.repeat(10) : '/approve', at(1 + i / 100)),
    );
    const authorizations = Object.fromEntries(comments.map((c) => [c.author.login, writer()]));
    const facts = makeFacts({
      files,
      changedFiles: 3000,
      comments,
      authorizations,
      ledger: { vetoes: [], answered: Array.from({ length: 3000 }, (_, i) => 10_000_000_000 + i) },
    });
    const decision = decide(okLoad(), facts, NOW);
    const body = renderStatusComment(decision, facts, NOW);
    expect(body.length).toBeLessThan(65_536);
    expect(body).toMatch(/and \d+ more/);
    // The comment is a view: no ledger in it. The 300 vetoes are in the record the check run's text carries.
    expect(readLedger(body)).toBeUndefined();
    expect(body.endsWith(STATUS_MARKER)).toBe(true);
    const check = renderCheckRun(decision, facts, NOW);
    expect(check.summary.length).toBeLessThanOrEqual(65_535);
    expect(check.text.length).toBeLessThanOrEqual(65_535);
    // The record goes first in the text, so the shell's clipping to GitHub's limit (apply-effects.ts keeps
    // the first 65 000 characters) only ever shortens the details, never the record: every veto survives.
    const written = withRecord(check.text, decision.ledger, facts.number).slice(0, 65_000);
    expect(readRecord(written, facts.number)?.vetoes).toHaveLength(300);
  });
});

describe('policy errors', () => {
  it('shows where the policy is broken', () => {
    const facts = makeFacts();
    const load = {
      kind: 'invalid' as const,
      path: '.github/hitl.yml',
      errors: [{ file: '.github/hitl.yml', line: 4, column: 7, message: 'unknown key "tierz"' }],
    };
    const body = renderStatusComment(decide(load, facts, NOW), facts, NOW);
    expect(body).toContain('`.github/hitl.yml:4:7` unknown key');
    expect(body).toContain('Nothing merges until the policy');
  });
});

describe('ledger marker', () => {
  const ledger: Ledger = {
    vetoes: [{ by: 'bob', at: at(1), commentId: 12, reason: 'no --> <!-- `x`' }],
    escalation: 'hard',
    answered: [3, 12],
  };

  it("round-trips through the check run's record, bound to its PR; the status comment carries none", () => {
    const facts = makeFacts({ ledger });
    const decision = decide(okLoad(), facts, NOW);
    expect(readLedger(renderStatusComment(decision, facts, NOW))).toBeUndefined();
    const text = withRecord(renderCheckRun(decision, facts, NOW).text, decision.ledger, facts.number);
    expect(readRecord(text, facts.number)).toEqual(decision.ledger);
    expect(readRecord(`text before ${recordMarker(ledger, 7)} after`, 7)).toEqual(ledger);
    // A check run sits on a commit that may be the head of several PRs: another PR's record is not this one's.
    expect(readRecord(recordMarker(ledger, 8), 7)).toBeUndefined();
    expect(readRecord(text, facts.number + 1)).toBeUndefined();
    // An earlier version's ledger is not a record, nor the other way round.
    expect(readRecord(ledgerMarker(ledger), 7)).toBeUndefined();
    expect(readLedger(recordMarker(ledger, 7))).toBeUndefined();
  });

  it("round-trips an earlier version's ledger (the upgrade path)", () => {
    expect(readLedger(`text before ${ledgerMarker(ledger)} after`)).toEqual(ledger);
  });

  it("writes the record first in the check run's text, replacing the one there, and reads it back verbatim", () => {
    const once = withRecord('details', ledger, 7);
    expect(once.startsWith(recordMarker(ledger, 7))).toBe(true);
    expect(once.endsWith('details')).toBe(true);
    const next: Ledger = { ...ledger, answered: [3, 12, 40] };
    const twice = withRecord(once, next, 7);
    expect(twice.match(/hitl-gate:record v1/g)).toHaveLength(1);
    expect(readRecord(twice, 7)).toEqual(next);
    expect(recordMarkerIn(twice)).toBe(recordMarker(next, 7));
    expect(recordMarkerIn('no record here')).toBeUndefined();
    expect(withRecord(undefined, ledger, 7)).toBe(recordMarker(ledger, 7));
  });

  it.each<[string, string]>([
    ['no marker', 'just a comment'],
    ['not base64 JSON', '<!-- hitl-gate:ledger v1 AAAA -->'],
    ['JSON of the wrong shape', `<!-- hitl-gate:ledger v1 ${btoa('{"vetoes":"all","answered":[]}')} -->`],
    [
      'a veto without author',
      `<!-- hitl-gate:ledger v1 ${btoa('{"vetoes":[{"at":"2026-01-01T00:00:00Z","commentId":1}],"answered":[]}')} -->`,
    ],
    ['a bad time', `<!-- hitl-gate:ledger v1 ${btoa('{"vetoes":[{"by":"b","at":"soon","commentId":1}],"answered":[]}')} -->`],
    ['an unknown tier', `<!-- hitl-gate:ledger v1 ${btoa('{"vetoes":[],"answered":[],"escalation":"max"}')} -->`],
    ['answered ids that are not ids', `<!-- hitl-gate:ledger v1 ${btoa('{"vetoes":[],"answered":[-1]}')} -->`],
    [
      'a withdrawal without time',
      `<!-- hitl-gate:ledger v1 ${btoa('{"vetoes":[],"answered":[],"withdrawals":[{"by":"b","sourceId":3}]}')} -->`,
    ],
    ['oversized', `<!-- hitl-gate:ledger v1 ${'A'.repeat(100_000)} -->`],
  ])('reads %s as no ledger, and as no record', (_name, body) => {
    expect(readLedger(body)).toBeUndefined();
    // The same text as a record (bound to PR 7) reads as no record either.
    const asRecord = body
      .replace('hitl-gate:ledger v1', 'hitl-gate:record v1')
      .replace(/<!-- hitl-gate:record v1 ([A-Za-z0-9+/=]*) -->/, (m, b64: string) => {
        try {
          const data: unknown = JSON.parse(atob(b64));
          return typeof data === 'object' && data !== null ? `<!-- hitl-gate:record v1 ${btoa(JSON.stringify({ pr: 7, ...data }))} -->` : m;
        } catch {
          return m;
        }
      });
    expect(readRecord(asRecord, 7)).toBeUndefined();
  });

  it('never throws on non-text input', () => {
    expect(readLedger(undefined as unknown as string)).toBeUndefined();
    expect(readRecord(undefined, 7)).toBeUndefined();
    expect(readRecord(null, 7)).toBeUndefined();
    expect(readRecord(42 as unknown as string, 7)).toBeUndefined();
  });

  it('reads a record without a PR number as no record', () => {
    expect(readRecord(`<!-- hitl-gate:record v1 ${btoa(JSON.stringify(ledger))} -->`, 7)).toBeUndefined();
  });

  it('keeps every veto when it must shrink, dropping the oldest answered ids first', () => {
    const big: Ledger = {
      vetoes: [{ by: 'bob', at: at(1), commentId: 1 }],
      answered: Array.from({ length: 5000 }, (_, i) => 1_000_000_000 + i),
    };
    const read = readLedger(ledgerMarker(big));
    expect(read?.vetoes).toEqual(big.vetoes);
    expect(read?.answered.length).toBeLessThan(5000);
    expect(read?.answered.at(-1)).toBe(1_000_000_000 + 4999);
    const record = readRecord(recordMarker(big, 7), 7);
    expect(record?.vetoes).toEqual(big.vetoes);
    expect(record?.answered.length).toBeLessThan(5000);
    expect(record?.answered.at(-1)).toBe(1_000_000_000 + 4999);
  });
});

describe('check run', () => {
  it("has the decision's title and a rule table", () => {
    const facts = makeFacts({ files: [file('docs/a.md'), file('db/migrations/2.sql')] });
    const decision = decide(okLoad(), facts, NOW);
    const out = renderCheckRun(decision, facts, NOW);
    expect(out.title).toBe(decision.title);
    expect(out.summary).toContain('| rule | tier | files |');
    expect(out.summary).toContain('| Database migrations | hard | `db/migrations/2.sql` |');
    expect(out.summary).toContain('| Documentation | fyi | `docs/a.md` |');
  });

  it('tells an ungoverned PR why it is not gated', () => {
    const facts = makeFacts({ author: { login: 'zoe', type: 'User' }, headRef: 'feature/x', commits: [] });
    const out = renderCheckRun(decide(okLoad(), facts, NOW), facts, NOW);
    expect(out.title).toBe('Not an agent PR: nothing to gate');
    expect(out.summary).toContain('not from an agent');
  });
});

describe('replies', () => {
  it('mentions the person and says why a command was refused', () => {
    const facts = makeFacts({ comments: [comment('zed', '/approve', at(1))], authorizations: { zed: { permission: 'read', teams: [] } } });
    const decision = decide(okLoad(), facts, NOW);
    const reply = renderReply(decision.commands, decision, facts, NOW);
    expect(reply.startsWith('@zed')).toBe(true);
    expect(reply).toContain('`/approve` was not counted');
    expect(reply).toContain('not an authorized reviewer');
  });

  it('speaks of an approving review, not of a command, when a review is refused', () => {
    const facts = makeFacts({
      reviews: [review('mallory', 'APPROVED', HEAD, at(1))],
      commits: [{ sha: HEAD, committerLogin: 'mallory' }],
      authorizations: { mallory: writer() },
    });
    const decision = decide(okLoad(), facts, NOW);
    const reply = renderReply(decision.commands, decision, facts, NOW);
    expect(reply).toContain('Your approving review was not counted');
    expect(reply).toContain('committed');
  });

  it('re-posts the reasoning for /hitl explain', () => {
    const facts = makeFacts({ comments: [comment('amy', '/hitl explain', at(1))] });
    const decision = decide(okLoad(), facts, NOW);
    const reply = renderReply(decision.commands, decision, facts, NOW);
    expect(reply).toContain('Tier soft');
    expect(reply).toContain('Every reason');
  });
});
