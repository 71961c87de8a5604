// Agent work under a person's name: commit trailers that make a PR governed, and logins that are the
// same account with and without `[bot]`.
import { describe, expect, it } from 'vitest';
import { standing } from '../../src/core/authorize.js';
import { classify } from '../../src/core/classify.js';
import { decide } from '../../src/core/decide.js';
import { loadPolicy } from '../../src/core/policy.js';
import { findTrailer, compileTrailer, trailerLines } from '../../src/core/trailers.js';
import { needsTrailerRead } from '../../src/core/trailer-read.js';
import { HEAD, at, comment, file, human, makeFacts, writer } from './facts.js';

const CLAUDE = 'Fix the parser\n\nGenerated with Claude Code\n\nCo-Authored-By: Claude <noreply@anthropic.com>';
const NOW = new Date(at(5));
const policy = (extra = '') =>
  loadPolicy({ kind: 'text', path: '.github/hitl.yml', text: `version: 1\nreviewers: { users: [alice] }\n${extra}` });
const byHuman = (message: string, author = 'alice') =>
  makeFacts({
    author: human(author),
    headRef: 'feature/parser',
    commits: [{ sha: HEAD, authorLogin: author, committerLogin: author, message }],
    files: [file('src/parser.ts')],
  });

describe('trailer lines', () => {
  it('reads Key: value lines below the subject, and never the subject itself', () => {
    expect(trailerLines('fix: a thing\n\nbody text\nCo-Authored-By:   Claude   Opus 4.5 <noreply@anthropic.com>  ')).toEqual([
      { key: 'Co-Authored-By', value: 'Claude Opus 4.5 <noreply@anthropic.com>' },
    ]);
  });

  it('matches key and value without regard to case; `*` spans the model name; nothing else is a wildcard', () => {
    const claude = [compileTrailer('Co-Authored-By: Claude* <noreply@anthropic.com>')];
    const hit = (message: string) => findTrailer([{ sha: HEAD, message }], claude)?.line;
    expect(hit('x\n\nco-authored-by: CLAUDE <NOREPLY@anthropic.com>')).toBe('co-authored-by: CLAUDE <NOREPLY@anthropic.com>');
    expect(hit('x\n\nCo-authored-by: Claude Sonnet 4.5 <noreply@anthropic.com>')).toBeDefined();
    expect(hit('x\n\nCo-authored-by: Claude <noreply@anthropicXcom>')).toBeUndefined();
    expect(hit('x\n\nCo-authored-by: Claudia <claudia@example.com>')).toBeUndefined();
  });
});

describe('agents.trailers', () => {
  it("governs a person's PR whose commit carries the Claude Code trailer, under the default policy", () => {
    const c = classify(policy(), { ...byHuman(CLAUDE), commits: byHuman(CLAUDE).commits });
    expect(c.governed).toBe(true);
    expect(c.governedBy).toEqual([
      {
        kind: 'trailer',
        sha: HEAD,
        line: 'Co-Authored-By: Claude <noreply@anthropic.com>',
        pattern: 'Co-Authored-By: Claude* <noreply@anthropic.com>',
      },
    ]);
    // Only trailers the vendor documents are defaults: Codex's is not (docs/policy.md), so it must be named.
    expect(classify(policy(), byHuman('x\n\nCo-authored-by: Codex <noreply@openai.com>')).governed).toBe(false);
    expect(
      classify(
        policy('agents: { trailers: ["Co-Authored-By: Codex <noreply@openai.com>"] }'),
        byHuman('x\n\nCo-authored-by: Codex <noreply@openai.com>'),
      ).governed,
    ).toBe(true);
    expect(classify(policy(), byHuman('Fix the parser\n\nSigned-off-by: Alice <alice@example.com>')).governed).toBe(false);
  });

  it("`trailers: []` turns the defaults off; a policy's own trailers replace them", () => {
    expect(classify(policy('agents: { trailers: [] }'), byHuman(CLAUDE)).governed).toBe(false);
    expect(classify(policy('agents: { trailers: ["Assisted-by: *"] }'), byHuman(CLAUDE)).governed).toBe(false);
    expect(classify(policy('agents: { trailers: ["assisted-BY: our-agent*"] }'), byHuman('x\n\nAssisted-by: Our-Agent v2')).governed).toBe(
      true,
    );
  });

  it('a trailer never lowers a tier or ungoverns: an agent account with no trailer stays governed, a migration stays hard', () => {
    const migration = { ...byHuman(CLAUDE), files: [file('db/migrations/001.sql')] };
    const load = policy('rules: [{ name: Migrations, tier: hard, paths: ["db/migrations/**"] }]');
    expect(classify(load, migration)).toMatchObject({ governed: true, tier: 'hard' });
    expect(classify(load, makeFacts({ commits: [] })).governed).toBe(true);
  });

  it('the person who opened it is its author: their /approve does not count', () => {
    const facts = {
      ...byHuman(CLAUDE, 'alice'),
      files: [file('db/migrations/001.sql')],
      comments: [comment('alice', '/approve', at(1))],
      authorizations: { alice: writer() },
    };
    const d = decide(policy('rules: [{ name: Migrations, tier: hard, paths: ["db/migrations/**"] }]'), facts, NOW);
    expect(d).toMatchObject({ governed: true, tier: 'hard', state: 'blocked', approvals: [] });
    expect(d.commands.map((v) => v.refusal)).toEqual(['author']);
  });

  it('a bad trailer pattern is an error with its position', () => {
    const load = policy('agents:\n  trailers: ["Claude"]\n');
    expect(load.kind).toBe('invalid');
    if (load.kind === 'invalid')
      expect(load.errors[0]).toMatchObject({ line: 4, message: expect.stringContaining('bad trailer pattern "Claude"') });
  });
});

describe('when the shell reads commits for their trailers', () => {
  const ok = policy();
  it('on a new head or a head the gate has not checked; never again for a head it passed', () => {
    expect(needsTrailerRead({ load: ok, headIsNew: true, seenBefore: false, governedBefore: false })).toBe(true);
    expect(needsTrailerRead({ load: ok, headIsNew: false, seenBefore: false, governedBefore: false })).toBe(true);
    expect(needsTrailerRead({ load: ok, headIsNew: false, seenBefore: true, governedBefore: false })).toBe(false);
    expect(needsTrailerRead({ load: ok, headIsNew: false, seenBefore: true, governedBefore: true })).toBe(true);
    expect(needsTrailerRead({ load: policy('agents: { trailers: [] }'), headIsNew: true, seenBefore: false, governedBefore: false })).toBe(
      false,
    );
  });
});

describe('logins with and without [bot]', () => {
  it('are the same account: an agent pattern matches both, the author is excluded either way', () => {
    const facts = makeFacts({ author: { login: 'copilot-swe-agent', type: 'Bot' } });
    expect(classify(policy('agents: { authors: ["copilot-swe-agent[bot]"] }'), facts).governed).toBe(true);
    expect(
      classify(policy('agents: { authors: ["my-agent"] }'), makeFacts({ author: { login: 'my-agent[bot]', type: 'Bot' } })).governed,
    ).toBe(true);
    const asUser = standing(human('copilot-swe-agent'), makeFacts(), undefined);
    expect(asUser).toMatchObject({ kind: 'excluded', reason: 'author' });
  });

  it('a wildcard pattern is taken as written: `*[bot]` does not make every person an agent', () => {
    expect(classify(policy('agents: { authors: ["*[bot]"] }'), byHuman('x')).governed).toBe(false);
  });
});
