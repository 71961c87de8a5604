// Observe mode: the gate decides as it would and acts on nothing; per rule, only what observed rules
// alone would add is observed.
import { describe, expect, it } from 'vitest';
import { decide } from '../../src/core/decide.js';
import { decisionRecord, readDecisionRecord } from '../../src/core/decision-record.js';
import { plan } from '../../src/core/plan.js';
import { loadPolicy } from '../../src/core/policy.js';
import { renderCheckRun, renderStatusComment } from '../../src/core/render.js';
import type { PolicyLoad } from '../../src/core/model/policy.js';
import type { PullRequestFacts } from '../../src/core/model/pull-request.js';
import type { Effect, GitHubView } from '../../src/core/model/effects.js';
import { at, comment, file, makeFacts, writer } from './facts.js';

const NOW = new Date(at(20));
const READY_VIEW: GitHubView = { mergeable: true, mergeableState: 'clean', otherChecks: 'success' };
const POLICY = `version: 1
reviewers: { users: [alice] }
agents: { authors: ["copilot-swe-agent[bot]"] }
rules:
  - { name: Docs, tier: fyi, paths: ["docs/**"] }
  - name: Database migrations
    tier: hard
    paths: ["db/migrations/**"]
    reviewers: { teams: [acme/dba] }
`;
const load = (extra = ''): PolicyLoad =>
  loadPolicy({ kind: 'text', path: '.github/hitl.yml', text: POLICY.replace('version: 1\n', `version: 1\n${extra}`) });
const observe = load('mode: observe\n');
/** A soft PR first seen at T0: its 15-minute window ended at 14:15, before NOW. */
const soft = (over: Partial<PullRequestFacts> = {}) => makeFacts({ files: [file('src/a.ts')], headSeenAt: at(0), ...over });
const hard = (over: Partial<PullRequestFacts> = {}) => makeFacts({ files: [file('db/migrations/001.sql')], headSeenAt: at(0), ...over });
const kinds = (effects: Effect[]) => effects.map((e) => e.kind);
const checkRun = (effects: Effect[]) => effects.find((e): e is Extract<Effect, { kind: 'check-run' }> => e.kind === 'check-run');

describe('mode: observe', () => {
  it('decides exactly as enforce would (tier, state, window), and says it is observing', () => {
    const enforced = decide(load(), soft(), NOW);
    const observed = decide(observe, soft(), NOW);
    expect(observed).toMatchObject({ mode: 'observe', tier: enforced.tier, state: 'ready', merge: true, window: enforced.window });
    expect(enforced.mode).toBeUndefined();
  });

  it('a soft PR past its window is never merged: the check is neutral, "Observe mode: Would merge …"', () => {
    const d = decide(observe, soft(), NOW);
    const effects = plan(d, soft(), READY_VIEW, NOW, { mode: 'full' });
    expect(kinds(effects)).not.toContain('merge');
    expect(kinds(effects)).not.toContain('update-branch');
    expect(checkRun(effects)).toMatchObject({ status: 'completed', conclusion: 'neutral', title: 'Observe mode: Would merge now (soft)' });
    // The same PR, enforced, merges: the test above would catch observe mode doing nothing.
    expect(kinds(plan(decide(load(), soft(), NOW), soft(), READY_VIEW, NOW, { mode: 'full' }))).toContain('merge');
  });

  it('during the window the status comment says when it would merge', () => {
    const early = new Date(at(5));
    const d = decide(observe, soft(), early);
    const body = renderStatusComment(d, soft(), early);
    expect(body).toContain('Would merge at 14:15 UTC unless someone vetoes (soft). The gate decides as it would and acts on nothing');
    expect(renderCheckRun(d, soft(), early).title).toBe('Observe mode: Would merge at 14:15 UTC unless someone vetoes (soft)');
  });

  it('a hard PR is neutral, never failure; nobody is asked for a review; the comment says whose approval it would wait for', () => {
    const d = decide(observe, hard(), NOW);
    expect(d).toMatchObject({ state: 'blocked', tier: 'hard' });
    const effects = plan(d, hard(), READY_VIEW, NOW, { mode: 'full' });
    expect(checkRun(effects)).toMatchObject({
      conclusion: 'neutral',
      title: 'Observe mode: Would wait for 1 approval from acme/dba (hard)',
    });
    expect(kinds(effects)).not.toContain('request-reviews');
    expect(kinds(effects)).not.toContain('reminder');
    expect(kinds(plan(decide(load(), hard(), NOW), hard(), READY_VIEW, NOW, { mode: 'full' }))).toContain('request-reviews');
  });

  it('commands still count and are shown: "a /veto by alice would block this PR"', () => {
    const facts = soft({ comments: [comment('alice', '/veto not yet', at(2))], authorizations: { alice: writer() } });
    const d = decide(observe, facts, NOW);
    expect(d.vetoes.map((v) => v.by)).toEqual(['alice']);
    expect(renderCheckRun(d, facts, NOW).title).toBe('Observe mode: a /veto by alice would block this PR (soft)');
    expect(renderStatusComment(d, facts, NOW)).toContain('a `/veto` by **alice** would block this PR');
  });

  it('the audit record carries mode: observe and what the gate would have done', () => {
    const d = decide(observe, soft(), NOW);
    const record = readDecisionRecord(renderCheckRun(d, soft(), NOW).text);
    expect(record).toMatchObject({ mode: 'observe', would: 'Would merge now (soft)' });
    expect(decisionRecord(decide(load(), soft(), NOW), soft())?.mode).toBeUndefined();
  });

  it("switching the policy to enforce acts on the next decision, counting the window from the gate's first check", () => {
    const enforced = decide(load(), soft(), NOW);
    expect(enforced).toMatchObject({ state: 'ready', merge: true, window: { start: at(0), end: at(15) } });
  });
});

describe('rules in mode: observe', () => {
  const tryDba =
    load().kind === 'ok'
      ? loadPolicy({
          kind: 'text',
          path: '.github/hitl.yml',
          text: POLICY.replace('    tier: hard\n', '    tier: hard\n    mode: observe\n'),
        })
      : observe;

  it('what only an observed rule demands is shown, not enforced: the migration PR stays soft and merges', () => {
    const d = decide(tryDba, hard(), NOW);
    expect(d).toMatchObject({
      tier: 'soft',
      state: 'ready',
      merge: true,
      observed: { rules: ['Database migrations'], tier: 'hard', state: 'blocked' },
    });
    expect(d.mode).toBeUndefined();
    expect(renderStatusComment(d, hard(), NOW)).toContain(
      'Enforced, they would make this PR hard: Would wait for 1 approval from `acme/dba`',
    );
  });

  it('what an enforcing rule demands is enforced even when an observed rule matches too', () => {
    const text = POLICY.replace(
      '  - { name: Docs, tier: fyi, paths: ["docs/**"] }',
      '  - { name: Docs, tier: fyi, paths: ["docs/**"], mode: observe }\n  - { name: Secrets, tier: hard, paths: ["secrets/**"] }',
    );
    const both = loadPolicy({ kind: 'text', path: '.github/hitl.yml', text });
    const facts = makeFacts({ files: [file('docs/a.md'), file('secrets/key.txt')], headSeenAt: at(0) });
    const d = decide(both, facts, NOW);
    expect(d).toMatchObject({ tier: 'hard', state: 'blocked' });
    expect(d.mode).toBeUndefined();
    // An observed rule that would lower the tier does not lower it: docs stay under `default` (soft).
    const docsOnly = makeFacts({ files: [file('docs/a.md')], headSeenAt: at(0) });
    expect(decide(both, docsOnly, NOW)).toMatchObject({ tier: 'soft', observed: { tier: 'fyi' } });
  });

  it('a rule that says enforce under an observed policy is an error, not a silent promise', () => {
    const bad = loadPolicy({
      kind: 'text',
      path: '.github/hitl.yml',
      text: 'version: 1\nmode: observe\nrules:\n  - { name: A, tier: hard, paths: ["a/**"], mode: enforce }\n',
    });
    expect(bad.kind).toBe('invalid');
    if (bad.kind === 'invalid') expect(bad.errors[0]?.message).toContain('rules[0].mode: enforce has no effect');
  });
});
