// The risk score: documented signals, each contribution shown, raise-only, deterministic, monotonic.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { explain } from '../../src/cli/explain.js';
import type { CliIO } from '../../src/cli/io.js';
import { classify } from '../../src/core/classify.js';
import { decide } from '../../src/core/decide.js';
import { loadPolicy } from '../../src/core/policy.js';
import { renderCheckRun, renderStatusComment } from '../../src/core/render.js';
import { contribution, RISK_SIGNALS, riskScore, type RiskInput, type RiskSignal } from '../../src/core/risk.js';
import { tierRank } from '../../src/core/model/tier.js';
import type { ChangedFile, ClassifyInput } from '../../src/core/model/pull-request.js';
import { examplePolicy } from '../fixtures/example-policy.js';
import { AGENT, makeFacts } from './facts.js';

const POLICY = examplePolicy({ window: '15m', authors: [AGENT.login] });
const RISKY = `${POLICY}risk:\n  soft: 0.5\n  hard: 0.85\n`;

const input = (files: ChangedFile[], ruleWeight = 0): RiskInput => ({
  files,
  changedFiles: files.length,
  ruleWeight,
  additions: files.reduce((n, f) => n + f.additions, 0),
  deletions: files.reduce((n, f) => n + f.deletions, 0),
});

/** 5,000 lines across 300 files in 30 directories, package manifests edited, a third of it deleted. */
function bigChange(): ChangedFile[] {
  const files: ChangedFile[] = [
    { filename: 'package.json', status: 'modified', additions: 10, deletions: 5 },
    { filename: 'package-lock.json', status: 'modified', additions: 20, deletions: 10 },
  ];
  for (let i = 0; files.length < 300; i++) {
    const test = i % 10 === 0;
    files.push({
      filename: `src/mod${i % 30}/${test ? `f${i}.test.ts` : `f${i}.ts`}`,
      status: i % 3 === 0 ? 'removed' : 'modified',
      additions: 11,
      deletions: 6,
    });
  }
  return files;
}

describe('risk score defaults', () => {
  it('a one-line docs fix scores under 0.1', () => {
    const r = riskScore(input([{ filename: 'docs/guide.md', status: 'modified', additions: 1, deletions: 1 }]));
    expect(r.score).toBeLessThan(0.1);
  });

  it('5,000 lines across 300 files that edit package manifests and delete a third score above 0.85', () => {
    const files = bigChange();
    const r = riskScore(input(files));
    const lines = files.reduce((n, f) => n + f.additions + f.deletions, 0);
    const deleted = files.reduce((n, f) => n + f.deletions, 0);
    expect(lines).toBeGreaterThanOrEqual(5_000);
    expect(deleted / lines).toBeGreaterThanOrEqual(1 / 3 - 0.01);
    expect(r.score).toBeGreaterThan(0.85);
    expect(r.factors.find((f) => f.name === 'dependencies')).toMatchObject({ value: 2 });
    // Explainable: the contributions add up to the score (below the cap).
    expect(
      Math.min(
        1,
        r.factors.reduce((s, f) => s + f.contribution, 0),
      ),
    ).toBeCloseTo(r.score, 2);
  });

  it('names every signal, binary files and untested source included', () => {
    const r = riskScore(
      input(
        [
          { filename: 'assets/logo.png', status: 'added', additions: 0, deletions: 0 },
          { filename: 'src/pay.ts', status: 'modified', additions: 3, deletions: 0 },
        ],
        0.3,
      ),
    );
    expect(r.factors.map((f) => f.name)).toEqual(Object.keys(RISK_SIGNALS));
    expect(r.factors.find((f) => f.name === 'binary')?.value).toBe(1);
    expect(r.factors.find((f) => f.name === 'untested')?.value).toBe(1);
    expect(r.factors.find((f) => f.name === 'rules')?.contribution).toBe(0.3);
  });
});

// ---------------------------------------------------------------------------------------------
const DIRS = ['', 'src/', 'src/a/', 'docs/', 'test/', 'lib/x/'];
const NAMES = ['a.ts', 'b.py', 'c.md', 'd.test.ts', 'package.json', 'yarn.lock', 'e.png', 'f.sql'];
const arbFile = fc.record({
  filename: fc.tuple(fc.constantFrom(...DIRS), fc.constantFrom(...NAMES), fc.nat(20)).map(([d, n, i]) => `${d}${i}${n}`),
  status: fc.constantFrom<ChangedFile['status']>('added', 'modified', 'removed'),
  additions: fc.nat(3000),
  deletions: fc.nat(3000),
});
const arbInput = fc
  .tuple(fc.array(arbFile, { maxLength: 40 }), fc.double({ min: 0, max: 1, noNaN: true }))
  .map(([files, w]) => input(files, w));

describe('risk score properties', () => {
  it('in [0, 1], deterministic, independent of file order', () => {
    fc.assert(
      fc.property(arbInput, (i) => {
        const r = riskScore(i);
        expect(r.score).toBeGreaterThanOrEqual(0);
        expect(r.score).toBeLessThanOrEqual(1);
        expect(riskScore(i)).toEqual(r);
        expect(riskScore({ ...i, files: [...i.files].reverse() }).score).toBe(r.score);
      }),
    );
  });

  it('each contribution is monotonic in its signal and bounded by its weight', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...(Object.keys(RISK_SIGNALS) as RiskSignal[])),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        (signal, a, b) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          // (up to floating-point rounding)
          expect(contribution(signal, hi)).toBeGreaterThanOrEqual(contribution(signal, lo) - 1e-12);
          expect(contribution(signal, hi)).toBeLessThanOrEqual(RISK_SIGNALS[signal].weight);
        },
      ),
    );
  });

  it('more lines, more deletions, more files, more directories, a manifest, a binary or a heavier rule never lower the score', () => {
    const more = fc.oneof(
      fc.nat(5000).map((n) => (i: RiskInput) => ({ ...i, additions: i.additions + n })),
      fc.nat(5000).map((n) => (i: RiskInput) => ({ ...i, deletions: i.deletions + n })),
      fc.constantFrom('new/dir/x.md', 'package.json', 'img/y.png', 'go.sum').map((name) => (i: RiskInput) => ({
        ...i,
        files: [...i.files, { filename: name, status: 'added' as const, additions: 0, deletions: 0 }],
        changedFiles: i.changedFiles + 1,
      })),
      fc.double({ min: 0, max: 1, noNaN: true }).map((w) => (i: RiskInput) => ({ ...i, ruleWeight: i.ruleWeight + w })),
    );
    fc.assert(
      fc.property(arbInput, more, (i, grow) => {
        expect(riskScore(grow(i)).score).toBeGreaterThanOrEqual(riskScore(i).score);
      }),
      { numRuns: 500 },
    );
  });

  it('raise-only: a risk section never lowers the tier the policy gives', () => {
    const plain = loadPolicy({ kind: 'text', path: '.github/hitl.yml', text: POLICY });
    const risky = loadPolicy({ kind: 'text', path: '.github/hitl.yml', text: RISKY });
    fc.assert(
      fc.property(fc.array(arbFile, { maxLength: 20 }), (files) => {
        const i: ClassifyInput = {
          author: AGENT,
          labels: [],
          headRef: '',
          baseRef: 'main',
          files,
          changedFiles: files.length,
          additions: files.reduce((n, f) => n + f.additions, 0),
          deletions: files.reduce((n, f) => n + f.deletions, 0),
        };
        expect(tierRank(classify(risky, i).tier)).toBeGreaterThanOrEqual(tierRank(classify(plain, i).tier));
      }),
    );
  });
});

describe('risk in the policy and wherever the tier is explained', () => {
  it('a big change under a risk section is hard, and the check run and status comment say why', () => {
    const load = loadPolicy({ kind: 'text', path: '.github/hitl.yml', text: RISKY });
    const files = bigChange().map((f) => ({ ...f, filename: f.filename.replace(/^src\//, 'docs/').replace(/\.ts$/, '.md') }));
    const facts = makeFacts({
      files,
      changedFiles: files.length,
      additions: files.reduce((n, f) => n + f.additions, 0),
      deletions: files.reduce((n, f) => n + f.deletions, 0),
    });
    const decision = decide(load, facts, new Date('2026-11-22T14:05:00Z'));
    expect(decision.tier).toBe('hard');
    const reason = decision.classification.reasons.find((r) => r.kind === 'risk');
    expect(reason).toMatchObject({ tier: 'hard', hard: 0.85 });
    const check = renderCheckRun(decision, facts, new Date('2026-11-22T14:05:00Z'));
    expect(check.summary).toMatch(/risk score [\d.]+ ≥ hard 0\.85/);
    expect(check.text).toMatch(/size \d+ \+0\.\d+/);
    expect(renderStatusComment(decision, facts, new Date('2026-11-22T14:05:00Z'))).toMatch(/dependencies 2 \+0\.\d+/);
  });

  it("a rule's risk weight adds to the score when the rule matches", () => {
    const text = `${RISKY.replace('    paths: ["db/migrations/**"]\n', '    paths: ["db/migrations/**"]\n  - name: Payments\n    tier: soft\n    risk: 0.6\n    paths: ["src/pay/**"]\n')}`;
    const load = loadPolicy({ kind: 'text', path: '.github/hitl.yml', text });
    expect(load.kind).toBe('ok');
    const c = classify(load, {
      author: AGENT,
      labels: [],
      headRef: '',
      baseRef: 'main',
      files: [{ filename: 'src/pay/a.ts', status: 'modified', additions: 2, deletions: 0 }],
      changedFiles: 1,
      additions: 2,
      deletions: 0,
    });
    expect(c.reasons.find((r) => r.kind === 'risk')).toMatchObject({ tier: 'soft' });
  });

  it('rejects thresholds outside [0, 1]', () => {
    const load = loadPolicy({ kind: 'text', path: '.github/hitl.yml', text: `${POLICY}risk:\n  hard: 1.5\n` });
    expect(load.kind).toBe('invalid');
    const swapped = loadPolicy({ kind: 'text', path: '.github/hitl.yml', text: `${POLICY}risk:\n  soft: 0.9\n  hard: 0.5\n` });
    expect(swapped.kind === 'invalid' && swapped.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/risk.soft \(0.9\) is above risk.hard \(0.5\)/),
    ]);
  });

  it('explain --json has risk exactly when the policy has a risk section', async () => {
    const run = async (policy: string): Promise<Record<string, unknown>> => {
      let out = '';
      const io: CliIO = {
        stdout: (t) => void (out += t),
        stderr: () => {},
        readStdin: () => Promise.resolve(''),
        readFile: () => Promise.resolve(policy),
      };
      await explain(['--policy', 'p.yml', '--file', 'src/a.ts', '--changed-lines', '40', '--json'], io);
      return JSON.parse(out) as Record<string, unknown>;
    };
    const withRisk = await run(RISKY);
    expect(withRisk.risk).toMatchObject({
      score: expect.any(Number),
      factors: expect.arrayContaining([{ name: 'size', value: 40, contribution: expect.any(Number) }]),
    });
    expect((await run(POLICY)).risk).toBeUndefined();
  });
});
