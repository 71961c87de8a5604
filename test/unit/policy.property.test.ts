import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/core/policy.js';

const root = join(import.meta.dirname, '..', '..');
const valid = readdirSync(join(root, 'examples'))
  .filter((f) => f.endsWith('.yml'))
  .map((f) => readFileSync(join(root, 'examples', f), 'utf8'));

/** Characters that matter to YAML and to the policy, so that mutations hit interesting cases. */
const noise = fc.constantFrom(
  ':',
  '[',
  ']',
  '{',
  '}',
  '-',
  ' ',
  '  ',
  '\n',
  '"',
  "'",
  '&a',
  '*a',
  '!',
  '!!str ',
  '#',
  'x',
  '\t',
  '|',
  '>',
  ',',
  '---\n',
  '%',
  '@',
  '`',
  'hardd',
  '15x',
  '\r\n',
  '\u00e9',
  '\u{1F600}',
);

type Mutation = (text: string) => string;
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.nat(), fc.nat({ max: 20 })).map(
    ([at, n]): Mutation =>
      (t) =>
        t.slice(0, at % (t.length + 1)) + t.slice((at % (t.length + 1)) + n),
  ),
  fc.tuple(fc.nat(), noise).map(
    ([at, s]): Mutation =>
      (t) =>
        t.slice(0, at % (t.length + 1)) + s + t.slice(at % (t.length + 1)),
  ),
  fc.tuple(fc.nat(), noise).map(
    ([at, s]): Mutation =>
      (t) =>
        t.slice(0, at % (t.length + 1)) + s + t.slice((at % (t.length + 1)) + 1),
  ),
  fc.nat().map((at): Mutation => (t) => {
    const lines = t.split('\n');
    const i = at % lines.length;
    lines.splice(i, 0, lines[i] ?? '');
    return lines.join('\n');
  }),
  fc.tuple(fc.nat(), fc.nat()).map(([a, b]): Mutation => (t) => {
    const lines = t.split('\n');
    const i = a % lines.length;
    const j = b % lines.length;
    [lines[i], lines[j]] = [lines[j] ?? '', lines[i] ?? ''];
    return lines.join('\n');
  }),
  fc.nat().map(
    (at): Mutation =>
      (t) =>
        t.slice(0, at % (t.length + 1)),
  ),
);

describe('parse errors always point inside the file', () => {
  it('for random mutations of valid policies', () => {
    fc.assert(
      fc.property(fc.constantFrom(...valid), fc.array(mutation, { minLength: 1, maxLength: 4 }), (text, mutations) => {
        const mutated = mutations.reduce((t, m) => m(t), text);
        const { policy, errors } = parsePolicy(mutated, 'hitl.yml');
        const lines = mutated.split('\n');
        expect(policy === undefined).toBe(errors.length > 0);
        for (const e of errors) {
          const where = `${e.line}:${e.column} ${e.message}\n---\n${mutated}`;
          expect(e.file).toBe('hitl.yml');
          expect(e.line, where).toBeGreaterThanOrEqual(1);
          expect(e.line, where).toBeLessThanOrEqual(lines.length);
          expect(e.column, where).toBeGreaterThanOrEqual(1);
          expect(e.column, where).toBeLessThanOrEqual((lines[e.line - 1] ?? '').replace(/\r$/, '').length + 1);
          expect(e.message.length, where).toBeGreaterThan(0);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('valid policies round-trip', () => {
  const tier = fc.constantFrom('fyi', 'soft', 'hard');
  const word = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);
  const glob = fc.tuple(word, fc.constantFrom('/**', '/*.ts', '/**/*.md', '')).map(([w, s]) => `${w}${s}`);
  const rawRule = fc
    .record(
      {
        tier,
        paths: fc.array(glob, { minLength: 1, maxLength: 3 }),
        labels: fc.array(word, { minLength: 1, maxLength: 2 }),
        base: fc.array(word, { minLength: 1, maxLength: 2 }),
        changed_lines: fc.nat({ max: 5000 }),
      },
      { requiredKeys: ['tier'] },
    )
    .filter((r) => Object.keys(r).length > 1)
    // fyi rules with author-controlled conditions are rejected on purpose (they have no effect).
    .filter((r) => !(r.tier === 'fyi' && (r.labels !== undefined || r.changed_lines !== undefined)));

  it('any policy the schema allows parses without errors into the same rules', () => {
    fc.assert(
      fc.property(
        fc.record({
          default: tier,
          window: fc.tuple(fc.integer({ min: 1, max: 999 }), fc.constantFrom('s', 'm', 'h', 'd')),
          rules: fc.array(rawRule, { maxLength: 6 }),
        }),
        ({ default: d, window: [n, unit], rules }) => {
          const named = rules.map((r, i) => ({ name: `Rule ${i}`, ...r }));
          const text = stringify({ version: 1, default: d, tiers: { soft: { window: `${n}${unit}` } }, rules: named });
          const { policy, errors } = parsePolicy(text, 'p');
          expect(errors).toEqual([]);
          expect(policy?.default).toBe(d);
          expect(policy?.tiers.soft.windowMs).toBe(n * { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7 }[unit]);
          expect(policy?.rules.map((r) => [r.name, r.tier, r.paths, r.labels, r.base, r.changedLines])).toEqual(
            named.map((r) => [r.name, r.tier, r.paths, r.labels, r.base, r.changed_lines]),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});
