import fc from 'fast-check';
import { minimatch } from 'minimatch';
import { describe, expect, it } from 'vitest';
import { classify, type Escalation } from '../../src/core/classify.js';
import { raisesOnly } from '../../src/core/compile.js';
import { compileGlob, GLOB_OPTIONS, PathIndex } from '../../src/core/match.js';
import { parsePolicy } from '../../src/core/policy.js';
import { tierRank, TIERS } from '../../src/core/model/tier.js';
import type { Policy, PolicyLoad, Rule } from '../../src/core/model/policy.js';
import type { ChangedFile, ClassifyInput } from '../../src/core/model/pull-request.js';

const segment = fc.constantFrom(
  'src',
  'docs',
  'db',
  'migrations',
  'lib',
  'a',
  'b',
  '.github',
  'workflows',
  'infra',
  '.env',
  'x.ts',
  'y.md',
  'z.sql',
  'README.md',
  'AGENTS.md',
  'test',
  'a.test.ts',
);
const ext = fc.constantFrom('ts', 'md', 'sql', 'env', 'json', 'yml');
const path = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join('/'));

const glob = fc.oneof(
  segment.map((s) => `${s}/**`),
  ext.map((e) => `**/*.${e}`),
  ext.map((e) => `*.${e}`),
  segment.map((s) => `${s}/*`),
  fc.tuple(segment, ext).map(([s, e]) => `${s}/**/*.${e}`),
  fc.constant('**'),
  fc.tuple(segment, segment).map(([a, b]) => `{${a},${b}}/**`),
  fc.tuple(segment, segment).map(([a, b]) => `${a}/${b}`),
  segment.map((s) => `**/${s}`),
  segment.map((s) => `${s}/[abx]*`),
  ext.map((e) => `?*.${e}`),
  fc.constant('@(src|lib)/**'),
  fc.tuple(segment, ext).map(([s, e]) => `**/${s}/*.{${e},md}`),
  fc.tuple(segment, segment).map(([a, b]) => `${a}/${b}/**`),
  segment.map((s) => `**/${s}/**`),
  fc.tuple(segment, segment, ext).map(([a, b, e]) => `${a}/**/${b}/*.${e}`),
  segment,
);

describe('the path index finds exactly what minimatch finds', () => {
  it('for random globs and paths', () => {
    fc.assert(
      fc.property(fc.array(glob, { minLength: 1, maxLength: 12 }), fc.array(path, { minLength: 1, maxLength: 20 }), (globs, paths) => {
        const index = new PathIndex<number>();
        globs.forEach((g, i) => index.add(compileGlob(g), i));
        for (const p of paths) {
          const expected = globs.flatMap((g, i) => (minimatch(p, g, GLOB_OPTIONS) ? [i] : []));
          expect(
            index.owners(p).sort((a, b) => a - b),
            `${p} against ${JSON.stringify(globs)}`,
          ).toEqual(expected);
        }
      }),
      { numRuns: 300 },
    );
  });
});

// -------------------------------------------------------------------------------------------
// Monotonicity: adding a file, a label, an escalation or a rule that may raise never lowers the tier.

const tier = fc.constantFrom(...TIERS);
const label = fc.constantFrom('a', 'b', 'irreversible', 'ai-generated', 'hitl:hard', 'hitl:soft', 'hitl:fyi');

const rule: fc.Arbitrary<Rule> = fc
  .record(
    {
      tier,
      paths: fc.array(glob, { minLength: 1, maxLength: 3 }),
      labels: fc.array(label, { minLength: 1, maxLength: 2 }),
      authors: fc.constantFrom('*[bot]', 'alice', '*').map((a) => [a]),
      base: fc.constantFrom('main', 'release/**').map((b) => [b]),
      changedLines: fc.nat({ max: 50 }),
      changedFiles: fc.nat({ max: 6 }),
    },
    { requiredKeys: ['tier'] },
  )
  .filter((r) => Object.keys(r).length > 1)
  .map((r): Rule => ({ name: 'rule', ...r }));

const policyArb: fc.Arbitrary<Policy> = fc
  .record({ default: tier, rules: fc.array(rule, { maxLength: 8 }) })
  .map(({ default: d, rules }) => {
    const base = parsePolicy('version: 1\n', 'p').policy as Policy;
    return { ...base, default: d, rules: rules.map((r, i) => ({ ...r, name: `rule ${i}` })) };
  });

const changedFile: fc.Arbitrary<ChangedFile> = fc
  .record({
    filename: path,
    previousFilename: fc.option(path, { nil: undefined }),
    additions: fc.nat({ max: 20 }),
    deletions: fc.nat({ max: 20 }),
  })
  .map(({ previousFilename, ...f }) =>
    previousFilename === undefined ? { ...f, status: 'modified' as const } : { ...f, previousFilename, status: 'renamed' as const },
  );

const author = fc.constantFrom({ login: 'copilot-swe-agent[bot]', type: 'Bot' }, { login: 'alice', type: 'User' });

function input(files: ChangedFile[], labels: string[], a: { login: string; type: string }, baseRef: string): ClassifyInput {
  return {
    author: a,
    labels,
    headRef: 'copilot/x',
    baseRef,
    files,
    changedFiles: files.length,
    additions: files.reduce((n, f) => n + f.additions, 0),
    deletions: files.reduce((n, f) => n + f.deletions, 0),
  };
}

const ok = (policy: Policy): PolicyLoad => ({ kind: 'ok', path: '.github/hitl.yml', policy, hash: 'x' });
const rank = (l: PolicyLoad, i: ClassifyInput, e: Escalation[] = []) => tierRank(classify(l, i, e).tier);
const scenario = fc.record({
  policy: policyArb,
  files: fc.array(changedFile, { minLength: 1, maxLength: 8 }),
  labels: fc.array(label, { maxLength: 3 }),
  author,
  base: fc.constantFrom('main', 'release/1', 'dev'),
});

describe('classification is monotonic', () => {
  it('adding a file never lowers the tier (for a PR that already changes files)', () => {
    fc.assert(
      fc.property(scenario, changedFile, fc.nat(), ({ policy, files, labels, author: a, base }, extra, at) => {
        const more = [...files];
        more.splice(at % (files.length + 1), 0, extra);
        expect(rank(ok(policy), input(more, labels, a, base))).toBeGreaterThanOrEqual(rank(ok(policy), input(files, labels, a, base)));
      }),
      { numRuns: 400 },
    );
  });

  it('adding a label never lowers the tier, and never makes a governed PR ungoverned', () => {
    fc.assert(
      fc.property(scenario, label, ({ policy, files, labels, author: a, base }, extra) => {
        const before = classify(ok(policy), input(files, labels, a, base));
        const after = classify(ok(policy), input(files, [...labels, extra], a, base));
        expect(tierRank(after.tier)).toBeGreaterThanOrEqual(tierRank(before.tier));
        if (before.governed) expect(after.governed).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('an escalation never lowers the tier', () => {
    fc.assert(
      fc.property(scenario, tier, ({ policy, files, labels, author: a, base }, t) => {
        const i = input(files, labels, a, base);
        expect(rank(ok(policy), i, [{ tier: t, by: 'x', via: 'command' }])).toBeGreaterThanOrEqual(rank(ok(policy), i));
      }),
      { numRuns: 200 },
    );
  });

  it('adding a rule never lowers the tier, unless it is a path rule below the default (which is what such rules are for)', () => {
    fc.assert(
      fc.property(scenario, rule, fc.nat(), ({ policy, files, labels, author: a, base }, extra, at) => {
        fc.pre(extra.paths === undefined || raisesOnly(extra) || tierRank(extra.tier) >= tierRank(policy.default));
        const rules = [...policy.rules];
        rules.splice(at % (rules.length + 1), 0, { ...extra, name: 'added' });
        const i = input(files, labels, a, base);
        expect(rank(ok({ ...policy, rules }), i)).toBeGreaterThanOrEqual(rank(ok(policy), i));
      }),
      { numRuns: 400 },
    );
  });

  it('the tier is never below any floor, truncation or matching hard rule it reports', () => {
    fc.assert(
      fc.property(scenario, ({ policy, files, labels, author: a, base }) => {
        const c = classify(ok(policy), input(files, labels, a, base));
        for (const r of c.reasons) expect(tierRank(c.tier)).toBeGreaterThanOrEqual(tierRank(r.tier));
        expect(c.reasons.length).toBeGreaterThan(0);
      }),
      { numRuns: 200 },
    );
  });
});
