import { describe, expect, it } from 'vitest';
import { classify, type Escalation } from '../../src/core/classify.js';
import { loadPolicy } from '../../src/core/policy.js';
import type { Tier } from '../../src/core/model/tier.js';
import type { PolicyLoad } from '../../src/core/model/policy.js';
import type { ChangedFile, ClassifyInput } from '../../src/core/model/pull-request.js';
import type { TierReason } from '../../src/core/model/decision.js';

const DESIGN = `version: 1
agents:
  authors: ["copilot-swe-agent[bot]", "Copilot", "devin-ai-integration[bot]", "*-agent[bot]"]
  labels: [ai-generated]
  branches: ["copilot/**", "codex/**", "claude/**"]
default: soft
rules:
  - name: Documentation
    tier: fyi
    paths: ["docs/**", "**/*.md"]
  - name: Database migrations
    tier: hard
    paths: ["db/migrations/**"]
  - name: Marked irreversible
    tier: hard
    labels: [irreversible]
  - name: Large change
    tier: hard
    changed_lines: 800
  - name: Infrastructure
    tier: hard
    paths: ["infra/**"]
  - name: Wide change
    tier: hard
    changed_files: 100
  - name: Release branches
    tier: hard
    base: ["release/**"]
  - name: Bot docs on main
    tier: fyi
    authors: ["*[bot]"]
    base: [main]
    paths: ["generated/**"]
`;

const load = (text = DESIGN, path = '.github/hitl.yml'): PolicyLoad => loadPolicy({ kind: 'text', path, text });
const policy = load();

function file(filename: string, more: Partial<ChangedFile> = {}): ChangedFile {
  return { filename, status: 'modified', additions: 1, deletions: 1, ...more };
}
const renamed = (from: string, to: string) => file(to, { previousFilename: from, status: 'renamed' });

function pr(files: ChangedFile[], more: Partial<ClassifyInput> = {}): ClassifyInput {
  return {
    author: { login: 'copilot-swe-agent[bot]', type: 'Bot' },
    labels: [],
    headRef: 'copilot/fix-1',
    baseRef: 'main',
    files,
    changedFiles: files.length,
    additions: files.reduce((n, f) => n + f.additions, 0),
    deletions: files.reduce((n, f) => n + f.deletions, 0),
    ...more,
  };
}

const kinds = (reasons: TierReason[]) =>
  reasons.map((r) => (r.kind === 'rule' ? `rule:${r.rule}` : r.kind === 'floor' ? `floor:${r.floor}` : r.kind));

describe('classify: the tiers the design demands', () => {
  it.each<[string, ClassifyInput, Tier, string[]]>([
    ['docs only', pr([file('docs/guide.md'), file('README.md'), file('src/notes/x.md')]), 'fyi', ['rule:Documentation']],
    ['docs + code', pr([file('docs/guide.md'), file('src/app.ts')]), 'soft', ['rule:Documentation', 'default']],
    ['code only', pr([file('src/app.ts')]), 'soft', ['default']],
    [
      'a migration',
      pr([file('db/migrations/001_init.sql'), file('docs/db.md')]),
      'hard',
      ['rule:Documentation', 'rule:Database migrations'],
    ],
    [
      'moving a file out of migrations',
      pr([renamed('db/migrations/001.sql', 'archive/001.sql')]),
      'hard',
      ['rule:Database migrations', 'default'],
    ],
    [
      'moving a file into migrations',
      pr([renamed('tmp/002.sql', 'db/migrations/002.sql')]),
      'hard',
      ['rule:Database migrations', 'default'],
    ],
    [
      'label irreversible',
      pr([file('docs/a.md')], { labels: ['irreversible'] }),
      'hard',
      ['rule:Documentation', 'rule:Marked irreversible'],
    ],
    [
      'label matching is case-insensitive',
      pr([file('docs/a.md')], { labels: ['Irreversible'] }),
      'hard',
      ['rule:Documentation', 'rule:Marked irreversible'],
    ],
    [
      'more than 800 changed lines',
      pr([file('docs/a.md', { additions: 700, deletions: 101 })]),
      'hard',
      ['rule:Documentation', 'rule:Large change'],
    ],
    [
      'exactly 800 changed lines is not more than 800',
      pr([file('docs/a.md', { additions: 400, deletions: 400 })]),
      'fyi',
      ['rule:Documentation'],
    ],
    ['dotfiles match path globs', pr([file('infra/.env')]), 'hard', ['rule:Infrastructure']],
    [
      'more than 100 files (GitHub count)',
      pr([file('docs/a.md')], { changedFiles: 101 }),
      'hard',
      ['truncated', 'rule:Documentation', 'rule:Wide change'],
    ],
    ['base branch rule', pr([file('docs/a.md')], { baseRef: 'release/2.0' }), 'hard', ['rule:Documentation', 'rule:Release branches']],
    ['base branch rule does not match main', pr([file('docs/a.md')], { baseRef: 'main' }), 'fyi', ['rule:Documentation']],
    ['all conditions must hold (authors + base + paths)', pr([file('generated/api.ts')]), 'fyi', ['rule:Bot docs on main']],
    [
      'one condition fails: human author',
      pr([file('generated/api.ts')], { author: { login: 'alice', type: 'User' } }),
      'soft',
      ['default'],
    ],
    ['one condition fails: other base', pr([file('generated/api.ts')], { baseRef: 'develop' }), 'soft', ['default']],
    ['an empty file list falls under default', pr([]), 'soft', ['empty']],
  ])('%s', (_, input, tier, reasons) => {
    const c = classify(policy, input);
    expect(c.tier).toBe(tier);
    expect(kinds(c.reasons)).toEqual(reasons);
  });

  it('reasons name the rule, the files (renames as old -> new) and a detail', () => {
    const c = classify(policy, pr([renamed('db/migrations/001.sql', 'archive/001.sql'), file('src/a.ts')], { labels: ['irreversible'] }));
    expect(c.reasons).toEqual([
      {
        kind: 'rule',
        rule: 'Database migrations',
        tier: 'hard',
        files: ['db/migrations/001.sql -> archive/001.sql'],
        detail: '1 file matches db/migrations/**',
      },
      { kind: 'rule', rule: 'Marked irreversible', tier: 'hard', files: [], detail: 'label "irreversible"' },
      { kind: 'default', tier: 'soft', files: ['db/migrations/001.sql -> archive/001.sql', 'src/a.ts'] },
    ]);
  });

  it('a rename between two covered places is covered', () => {
    const c = classify(policy, pr([renamed('docs/a.md', 'docs/b.md')]));
    expect(c.tier).toBe('fyi');
    expect(kinds(c.reasons)).toEqual(['rule:Documentation']);
  });

  it('the default tier comes from the policy', () => {
    const strict = load('version: 1\ndefault: hard\nrules:\n  - {name: Docs, tier: fyi, paths: ["docs/**"]}\n');
    expect(classify(strict, pr([file('docs/a.md')])).tier).toBe('fyi');
    expect(classify(strict, pr([file('docs/a.md'), file('x')])).tier).toBe('hard');
    expect(classify(strict, pr([])).tier).toBe('hard');
  });

  it('a rule that matches no changed path does not cover anything and adds no reason', () => {
    const c = classify(policy, pr([file('lib/x.ts')]));
    expect(c.reasons).toEqual([{ kind: 'default', tier: 'soft', files: ['lib/x.ts'] }]);
  });
});

describe('classify: conditions the PR author controls only raise the tier (invariant 5)', () => {
  const p = load(`version: 1
default: hard
rules:
  - {name: Docs, tier: fyi, paths: ["docs/**"]}
  - {name: Trivial code, tier: soft, paths: ["src/**"], labels: [trivial]}
  - {name: Many files, tier: soft, paths: ["**"], changed_files: 3}
`);

  it('a label does not take files out of default', () => {
    const without = classify(p, pr([file('src/a.ts')]));
    const withLabel = classify(p, pr([file('src/a.ts')], { labels: ['trivial'] }));
    expect(without.tier).toBe('hard');
    expect(withLabel.tier).toBe('hard');
    expect(kinds(withLabel.reasons)).toEqual(['rule:Trivial code', 'default']);
  });

  it('adding files to pass a changed_files threshold does not take files out of default', () => {
    const files = [file('src/a.ts'), file('src/b.ts'), file('src/c.ts'), file('src/d.ts')];
    const c = classify(p, pr(files));
    expect(c.tier).toBe('hard');
    expect(kinds(c.reasons)).toEqual(['rule:Many files', 'default']);
  });

  it('such a rule still raises', () => {
    const low = load('version: 1\ndefault: fyi\nrules:\n  - {name: Risky, tier: hard, paths: ["src/**"], labels: [risky]}\n');
    expect(classify(low, pr([file('src/a.ts')], { labels: ['risky'] })).tier).toBe('hard');
    expect(classify(low, pr([file('src/a.ts')])).tier).toBe('fyi');
  });
});

describe('classify: built-in floors are hard whatever the policy says', () => {
  const lenient = load('version: 1\ndefault: fyi\nrules:\n  - {name: Everything, tier: fyi, paths: ["**"]}\n');
  it.each<[string, string, string]>([
    ['policy-file', '.github/hitl.yml', 'the policy file'],
    ['policy-file', '.github/hitl.yaml', 'the .yaml spelling'],
    ['workflows', '.github/workflows/ci.yml', 'a workflow'],
    ['workflows', '.github/workflows/nested/x.yaml', 'a nested workflow'],
    ['codeowners', 'CODEOWNERS', 'CODEOWNERS at the root'],
    ['codeowners', '.github/CODEOWNERS', 'CODEOWNERS in .github'],
    ['codeowners', 'docs/CODEOWNERS', 'CODEOWNERS in docs'],
    ['agent-instructions', 'AGENTS.md', 'AGENTS.md at the root'],
    ['agent-instructions', 'packages/api/AGENTS.md', 'AGENTS.md in any directory'],
    ['agent-instructions', 'CLAUDE.md', 'CLAUDE.md'],
    ['agent-instructions', 'src/CLAUDE.md', 'CLAUDE.md in any directory'],
    ['agent-instructions', '.cursor/rules/style.mdc', '.cursor/**'],
    ['agent-instructions', '.cursorrules', '.cursorrules'],
    ['agent-instructions', '.github/copilot-instructions.md', 'copilot instructions'],
    ['agent-instructions', '.github/instructions/ts.instructions.md', '.github/instructions/**'],
    ['workflows', '.GitHub/Workflows/ci.yml', 'any letter case'],
    ['agent-instructions', 'agents.md', 'agents.md in lower case'],
  ])('%s: %s (%s)', (floor, path) => {
    const c = classify(lenient, pr([file(path)]));
    expect(c.tier).toBe('hard');
    expect(c.reasons).toContainEqual({ kind: 'floor', tier: 'hard', floor, files: [path] });
  });

  it('renaming a protected file away is hard too', () => {
    const c = classify(lenient, pr([renamed('.github/workflows/ci.yml', 'old/ci.yml')]));
    expect(c.tier).toBe('hard');
    expect(c.reasons[0]).toEqual({ kind: 'floor', tier: 'hard', floor: 'workflows', files: ['.github/workflows/ci.yml -> old/ci.yml'] });
  });

  it('a policy kept at a custom path protects itself', () => {
    const custom = load('version: 1\ndefault: fyi\n', 'config/gate.yml');
    expect(classify(custom, pr([file('config/gate.yml')])).reasons).toContainEqual({
      kind: 'floor',
      tier: 'hard',
      floor: 'policy-file',
      files: ['config/gate.yml'],
    });
  });

  it('lookalikes are not floors', () => {
    for (const path of ['docs/workflows/x.yml', 'AGENTS.md.bak', 'src/CODEOWNERS', '.github/hitl.yml.example']) {
      expect(classify(lenient, pr([file(path)])).tier, path).toBe('fyi');
    }
  });

  it('a truncated file list is hard', () => {
    const files = Array.from({ length: 3000 }, (_, i) => file(`docs/${i}.md`));
    const c = classify(lenient, pr(files, { changedFiles: 3500 }));
    expect(c.tier).toBe('hard');
    expect(c.reasons[0]).toEqual({ kind: 'truncated', tier: 'hard', listed: 3000, changed: 3500 });
  });
});

describe('classify: escalations raise, nothing lowers', () => {
  it.each<[string, Partial<ClassifyInput>, Escalation[], Tier]>([
    ['label hitl:hard on docs', { labels: ['hitl:hard'] }, [], 'hard'],
    ['label HITL:Soft (any case)', { labels: ['HITL:Soft'] }, [], 'soft'],
    ['label hitl:fyi on a docs PR leaves it fyi', { labels: ['hitl:fyi'] }, [], 'fyi'],
    ['command /escalate hard', {}, [{ tier: 'hard', by: 'alice', via: 'command' }], 'hard'],
    ['ledger escalation', {}, [{ tier: 'soft', by: 'bob', via: 'ledger' }], 'soft'],
    ['unknown label hitl:urgent is ignored', { labels: ['hitl:urgent'] }, [], 'fyi'],
  ])('%s', (_, more, escalations, tier) => {
    const c = classify(policy, pr([file('docs/a.md')], more), escalations);
    expect(c.tier).toBe(tier);
  });

  it('an escalation reason says who and how', () => {
    const c = classify(policy, pr([file('docs/a.md')], { labels: ['hitl:hard'] }), [{ tier: 'soft', by: 'alice', via: 'command' }]);
    expect(c.reasons.filter((r) => r.kind === 'escalation')).toEqual([
      { kind: 'escalation', tier: 'hard', by: 'hitl:hard', via: 'label' },
      { kind: 'escalation', tier: 'soft', by: 'alice', via: 'command' },
    ]);
  });

  it('an escalation to fyi never lowers a hard PR', () => {
    const c = classify(policy, pr([file('db/migrations/1.sql')], { labels: ['hitl:fyi'] }), [{ tier: 'fyi', by: 'x', via: 'command' }]);
    expect(c.tier).toBe('hard');
  });
});

describe('classify: who is governed', () => {
  const human = { login: 'alice', type: 'User' };
  it.each<[string, Partial<ClassifyInput>, boolean]>([
    ['listed author', { author: { login: 'copilot-swe-agent[bot]', type: 'Bot' }, headRef: 'feature' }, true],
    ['author matching is case-insensitive', { author: { login: 'COPILOT', type: 'User' }, headRef: 'feature' }, true],
    ['`*` wildcard in a login pattern', { author: { login: 'acme-agent[bot]', type: 'Bot' }, headRef: 'feature' }, true],
    ['`[bot]` is literal, not a character class', { author: { login: 'acme-agentb', type: 'User' }, headRef: 'feature' }, false],
    ['a human on a plain branch', { author: human, headRef: 'feature' }, false],
    ['a human with the agent label', { author: human, headRef: 'feature', labels: ['AI-Generated'] }, true],
    ['a human on an agent branch (hints only add)', { author: human, headRef: 'claude/issue-7' }, true],
    ['an unlisted bot', { author: { login: 'dependabot[bot]', type: 'Bot' }, headRef: 'dependabot/npm' }, false],
  ])('%s', (_, more, governed) => {
    expect(classify(policy, pr([file('src/a.ts')], more)).governed).toBe(governed);
  });

  it('says why a PR is governed', () => {
    const c = classify(policy, pr([file('a')], { labels: ['ai-generated'], headRef: 'codex/x' }));
    expect(c.governedBy).toEqual([
      { kind: 'author', login: 'copilot-swe-agent[bot]' },
      { kind: 'label', label: 'ai-generated' },
      { kind: 'branch', branch: 'codex/x', pattern: 'codex/**' },
    ]);
  });

  it('ungoverned PRs still get a computed tier (for explain)', () => {
    const c = classify(policy, pr([file('db/migrations/1.sql')], { author: human, headRef: 'feature' }));
    expect(c.governed).toBe(false);
    expect(c.tier).toBe('hard');
  });

  it('no policy: nothing is governed, even a known agent', () => {
    const c = classify({ kind: 'missing', path: '.github/hitl.yml' }, pr([file('src/a.ts')]));
    expect(c.governed).toBe(false);
    expect(c.tier).toBe('soft');
  });

  it('a policy with no agents section governs the well-known agents', () => {
    const c = classify(
      load('version: 1\n'),
      pr([file('a')], { author: { login: 'devin-ai-integration[bot]', type: 'Bot' }, headRef: 'x' }),
    );
    expect(c.governed).toBe(true);
  });
});

describe('classify: a broken policy fails closed', () => {
  const broken = load('version: 1\nagents:\n  authors: [my-agent]\ndefault: sofft\n');
  const brokenAgents = load('version: 1\nagents:\n  authors: my-agent\n');

  it('uses the valid agents section and makes the PR hard with the positioned errors', () => {
    const c = classify(broken, pr([file('docs/a.md')], { author: { login: 'my-agent', type: 'User' }, headRef: 'x' }));
    expect(c.governed).toBe(true);
    expect(c.tier).toBe('hard');
    expect(c.reasons[0]).toEqual({
      kind: 'policy-error',
      tier: 'hard',
      errors: [
        {
          file: '.github/hitl.yml',
          line: 4,
          column: 10,
          message: 'default: unknown tier "sofft" (expected fyi, soft or hard)',
          path: ['default'],
        },
      ],
    });
  });

  it('a valid agents section does not govern others', () => {
    expect(classify(broken, pr([file('a')], { author: { login: 'alice', type: 'User' }, headRef: 'x' })).governed).toBe(false);
  });

  it.each([
    ['copilot-swe-agent[bot]', 'x', true],
    ['renovate[bot]', 'x', true],
    ['alice', 'claude/fix', true],
    ['alice', 'x', false],
  ])('broken agents section: the built-in list decides (%s on %s)', (login, headRef, governed) => {
    const c = classify(brokenAgents, pr([file('a')], { author: { login, type: 'User' }, headRef }));
    expect(c.governed).toBe(governed);
    expect(c.tier).toBe('hard');
  });

  it('an unreadable policy: hard with a policy-unreadable reason', () => {
    const unreadable = loadPolicy({ kind: 'unreadable', path: '.github/hitl.yml', message: 'HTTP 500' });
    const c = classify(unreadable, pr([file('docs/a.md')]));
    expect(c.governed).toBe(true);
    expect(c.tier).toBe('hard');
    expect(c.reasons[0]).toEqual({ kind: 'policy-unreadable', tier: 'hard', message: 'HTTP 500' });
  });

  it('an invalid load built by someone else (no agents, no unreadable) still fails closed', () => {
    const bare: PolicyLoad = { kind: 'invalid', path: 'p', errors: [{ file: 'p', line: 1, column: 1, message: 'x' }] };
    const c = classify(bare, pr([file('a')], { author: { login: 'some-app[bot]', type: 'Bot' } }));
    expect(c).toMatchObject({ governed: true, tier: 'hard' });
  });
});
