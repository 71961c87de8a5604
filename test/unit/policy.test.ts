import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  FAIL_CLOSED_AGENTS,
  KNOWN_AGENTS,
  KNOWN_TRAILERS,
  loadPolicy,
  MAX_POLICY_BYTES,
  parseDuration,
  parsePolicy,
  PolicyLoads,
  POLICY_SCHEMA,
  type InvalidPolicyLoad,
} from '../../src/core/policy.js';

const root = join(import.meta.dirname, '..', '..');
const fixture = (name: string) => readFileSync(join(root, 'test/fixtures/policies', name), 'utf8');
const errorsOf = (text: string) => parsePolicy(text, '.github/hitl.yml').errors.map((e) => `${e.line}:${e.column}: ${e.message}`);

describe('parsePolicy: a valid policy', () => {
  it('fills every default into an empty policy', () => {
    const { policy, errors } = parsePolicy('version: 1\n', 'hitl.yml');
    expect(errors).toEqual([]);
    expect(policy).toEqual({
      version: 1,
      agents: KNOWN_AGENTS,
      reviewers: { users: [], teams: [], permission: 'write' },
      default: 'soft',
      tiers: {
        fyi: { merge: true },
        soft: { windowMs: 15 * 60_000, merge: true },
        hard: { approvals: 1, merge: true, invalidateOnPush: true },
      },
      merge: { method: 'squash', methods: ['squash'], updateBranch: false },
      rules: [],
    });
  });

  it('normalises the design policy: durations, snake_case, rules with only the conditions written', () => {
    const { policy, errors } = parsePolicy(readFileSync(join(root, 'examples/hitl.yml'), 'utf8'), 'examples/hitl.yml');
    expect(errors).toEqual([]);
    expect(policy?.agents).toEqual({
      authors: ['copilot-swe-agent[bot]', 'Copilot', 'devin-ai-integration[bot]'],
      labels: ['ai-generated'],
      branches: ['copilot/**', 'codex/**', 'claude/**'],
      trailers: [...KNOWN_TRAILERS],
    });
    expect(policy?.reviewers).toEqual({ users: ['alice'], teams: ['acme/maintainers'], permission: 'write' });
    expect(policy?.tiers.soft.windowMs).toBe(900_000);
    expect(policy?.tiers.hard).toEqual({ approvals: 1, merge: true, invalidateOnPush: true });
    expect(policy?.rules).toEqual([
      { name: 'Documentation', tier: 'fyi', paths: ['docs/**', '**/*.md'] },
      { name: 'Database migrations', tier: 'hard', paths: ['db/migrations/**'] },
      { name: 'Marked irreversible', tier: 'hard', labels: ['irreversible'] },
      { name: 'Large change', tier: 'hard', changedLines: 800 },
    ]);
  });

  it('a partial agents section leaves the unnamed lists empty (it does not mix in the known agents), except trailers, which only ever add PRs', () => {
    const { policy } = parsePolicy('version: 1\nagents:\n  labels: [ai]\n', 'hitl.yml');
    expect(policy?.agents).toEqual({ authors: [], labels: ['ai'], branches: [], trailers: [...KNOWN_TRAILERS] });
  });

  it('accepts _extends (resolved by the shell) and changed_files, base and authors conditions', () => {
    const text =
      'version: 1\n_extends: acme/.github\nrules:\n  - name: R\n    tier: hard\n    base: [main]\n    authors: ["*[bot]"]\n    changed_files: 10\n';
    const { policy, errors } = parsePolicy(text, 'hitl.yml');
    expect(errors).toEqual([]);
    expect(policy?.rules[0]).toEqual({ name: 'R', tier: 'hard', base: ['main'], authors: ['*[bot]'], changedFiles: 10 });
  });

  it.each([
    ['30s', 30_000],
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
  ])('window %s is %i ms', (window, ms) => {
    expect(parsePolicy(`version: 1\ntiers:\n  soft: { window: ${window} }\n`, 'f').policy?.tiers.soft.windowMs).toBe(ms);
    expect(parseDuration(window)).toBe(ms);
  });

  it('every example policy is valid', () => {
    const examples = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.yml'));
    expect(examples.length).toBeGreaterThanOrEqual(4);
    for (const f of examples) {
      const text = readFileSync(join(root, 'examples', f), 'utf8');
      expect(text, f).toMatch(/^# yaml-language-server: \$schema=/);
      expect(errorsOf(text), f).toEqual([]);
    }
  });

  it('loaded policies are frozen, so a cached policy cannot be changed under another caller', () => {
    const { policy } = parsePolicy('version: 1\nrules:\n  - {name: a, tier: hard, labels: [x]}\n', 'f');
    expect(() => (policy?.rules as unknown[]).push({})).toThrow();
  });
});

describe('the JSON Schema', () => {
  it('schema/hitl.schema.json is generated from the schema module (run `npm run schema`)', () => {
    const committed = JSON.parse(readFileSync(join(root, 'schema/hitl.schema.json'), 'utf8')) as unknown;
    expect(committed).toEqual(JSON.parse(JSON.stringify(POLICY_SCHEMA)));
  });

  it('documents the defaults the parser fills', () => {
    const props = POLICY_SCHEMA.properties;
    expect(props.default.default).toBe('soft');
    expect(props.tiers.properties.soft.properties.window.default).toBe('15m');
    expect(props.reviewers.properties.permission.default).toBe('write');
    expect(props.merge.properties.method.default).toBe('squash');
  });
});

describe('parsePolicy: errors point at the offending key or value', () => {
  it.each([
    ['bad-tier.yml', '4:11: rules[0].tier: unknown tier "hardd" (expected fyi, soft or hard)'],
    ['unknown-key.yml', '5:5: rules[0]: unknown key "path" (did you mean "paths"?)'],
    ['bad-duration.yml', '4:13: tiers.soft.window: bad duration "15 minutes"'],
    ['bad-glob.yml', '7:9: rules[0].paths[1]: bad glob "secrets/[abc": unclosed "["'],
    ['never-matching-glob.yml', '5:13: rules[0].paths[0]: bad glob "src/[z-a].ts": a character class in it has no valid range'],
    ['version-2.yml', '1:10: version: unsupported version 2 (expected 1)'],
    ['duplicate-key.yml', '4:1: duplicate key'],
    ['syntax-error.yml', '3:11: YAML syntax error: Missing closing "quote'],
    ['no-condition.yml', '3:5: rules[0]: rule "Everything" has no condition'],
    ['two-documents.yml', '2:1: more than one YAML document'],
    ['not-a-mapping.yml', '1:1: policy must be a mapping'],
    ['tag.yml', '3:12: YAML tag !!binary is not allowed'],
    ['wrong-type.yml', '5:20: rules[0].changed_lines must be a whole number, found "lots"'],
    ['bad-reviewers.yml', '3:11: reviewers.teams[0]: bad team "maintainers" (expected org/team-slug)'],
  ])('%s', (name, expected) => {
    const errors = errorsOf(fixture(name));
    expect(
      errors.some((e) => e.startsWith(expected)),
      `${errors.join('\n')}\nshould contain ${expected}`,
    ).toBe(true);
  });

  it('reports every problem at once (allErrors), in file order', () => {
    const text = 'version: 1\ndefault: sofft\nmerge:\n  method: fast\nrules:\n  - name: X\n    tier: hard\n    pathss: [a]\n';
    expect(errorsOf(text)).toEqual([
      '2:10: default: unknown tier "sofft" (expected fyi, soft or hard)',
      '4:11: merge.method: unknown merge method "fast" (expected merge, squash or rebase, or a list of them in order of preference, e.g. [squash, rebase])',
      '8:5: rules[0]: unknown key "pathss" (did you mean "paths"?) (expected name, tier, mode, paths, labels, authors, base, changed_lines, changed_files, reviewers, approvals or risk)',
    ]);
  });

  it('an unknown top-level key names the key and points at it', () => {
    expect(errorsOf('version: 1\nrulez: []\n')).toEqual([
      '2:1: unknown key "rulez" (did you mean "rules"?) (expected _extends, version, mode, agents, reviewers, default, tiers, merge, working_hours, rules, risk, notify or after_merge)',
    ]);
  });

  it('a missing version, a missing tier and an empty list are errors', () => {
    expect(errorsOf('default: soft\n')[0]).toMatch(/^1:1: policy is missing the required key "version"/);
    expect(errorsOf('version: 1\nrules:\n  - name: X\n    labels: [a]\n')).toEqual(['3:5: rules[0] is missing the required key "tier"']);
    expect(errorsOf('version: 1\nrules:\n  - {name: X, tier: hard, paths: []}\n')[0]).toMatch(
      /^3:34: rules\[0\]\.paths must not be an empty list/,
    );
  });

  it('a key with no value points at the key', () => {
    expect(errorsOf('version: 1\ndefault:\n')).toEqual(['2:1: default: no tier given (expected fyi, soft or hard)']);
  });

  it.each([
    ['empty glob', 'paths: [""]', 'must not be empty'],
    ['negated glob', 'paths: ["!docs/**"]', 'negated glob'],
    ['unclosed brace', 'paths: ["src/{a,b"]', 'unclosed "{"'],
    ['unclosed extglob', 'paths: ["src/+(a|b"]', 'unclosed "("'],
    ['brace bomb', `paths: ["${'{a,b}'.repeat(12)}"]`, 'more than 256 alternatives'],
    ['bad base glob', 'base: ["release/[x"]', 'rules[0].base[0]: bad glob'],
  ])('%s is an error', (_, condition, message) => {
    const errors = errorsOf(`version: 1\nrules:\n  - name: R\n    tier: hard\n    ${condition}\n`);
    expect(errors.join('\n')).toContain(message);
    expect(errors[0]).toMatch(/^5:/);
  });

  it('globs minimatch does compile are accepted', () => {
    for (const glob of ['**/*.{ts,tsx}', 'src/[abc]/x', 'a\\[literal', '!(vendor)/**', '@(a|b)/*', '.github/**', '[]]']) {
      expect(errorsOf(`version: 1\nrules:\n  - {name: R, tier: hard, paths: ["${glob.replace(/\\/g, '\\\\')}"]}\n`), glob).toEqual([]);
    }
  });

  it('a fyi rule with a condition the author controls has no effect, and says so', () => {
    expect(errorsOf('version: 1\nrules:\n  - name: Trivial docs\n    tier: fyi\n    paths: ["docs/**"]\n    labels: [trivial]\n')).toEqual([
      '4:11: rules[0].tier: rule "Trivial docs" has no effect: a rule with labels only raises the tier (the PR author can add labels and files, so they must never lower it), and fyi raises nothing',
    ]);
  });

  it('duplicate rule names are errors (reasons name rules)', () => {
    expect(errorsOf('version: 1\nrules:\n  - {name: A, tier: hard, labels: [x]}\n  - {name: a, tier: fyi, labels: [y]}\n')[0]).toMatch(
      /^4:12: rules\[1\]\.name: duplicate rule name "a"/,
    );
  });
});

describe('parsePolicy: hostile YAML gives a clear error, never a hang or a crash', () => {
  it('an alias bomb', () => {
    const bomb = ['version: 1', 'a: &a [x,x,x,x,x,x,x,x,x,x]']
      .concat(
        Array.from(
          { length: 8 },
          (_, i) =>
            `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
              .fill(`*${String.fromCharCode(97 + i)}`)
              .join(',')}]`,
        ),
      )
      .join('\n');
    const errors = errorsOf(bomb);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^3:\d+: too many alias expansions/);
  });

  it('reasonable anchors and aliases still work', () => {
    const text =
      'version: 1\nrules:\n  - {name: A, tier: fyi, paths: &docs ["docs/**"]}\n  - {name: B, tier: soft, paths: *docs, base: [main]}\n';
    expect(parsePolicy(text, 'f').policy?.rules[1]?.paths).toEqual(['docs/**']);
  });

  it('a document over the size limit', () => {
    const text = `version: 1\n# ${'x'.repeat(MAX_POLICY_BYTES)}\n`;
    expect(errorsOf(text)).toEqual(['1:1: policy is 257 KiB; the limit is 256 KiB']);
  });

  it('flow nesting as deep as the size limit allows', () => {
    const depth = MAX_POLICY_BYTES / 2 - 20;
    const errors = errorsOf(`version: 1\nx: ${'['.repeat(depth)}${']'.repeat(depth)}\n`);
    expect(errors).toEqual(['2:36: nesting deeper than 32 levels (a policy needs at most 5)']);
  });

  it('deep block nesting', () => {
    const lines = Array.from({ length: 40 }, (_, i) => `${'  '.repeat(i)}k${i}:`);
    const errors = errorsOf(`version: 1\n${lines.join('\n')} x\n`);
    expect(errors[0]).toMatch(/nesting deeper than 32 levels/);
  });

  it('garbage gives a bounded list of errors', () => {
    const errors = errorsOf('version: 1\n' + Array.from({ length: 300 }, (_, i) => `k${i}: [\n`).join(''));
    expect(errors.length).toBeLessThanOrEqual(51);
    const many = errorsOf('version: 1\n' + Array.from({ length: 300 }, (_, i) => `k${i}: 1\n`).join(''));
    expect(many).toHaveLength(51);
    expect(many[50]).toMatch(/…and 250 more errors$/);
  });

  it.each([
    ['a list', '- a\n- b\n', '1:1: policy must be a mapping of keys (version, agents, rules…), found a list'],
    ['a scalar', 'hello\n', '1:1: policy must be a mapping of keys (version, agents, rules…), found a single value'],
    ['an empty file', '', '1:1: policy is empty (expected at least "version: 1")'],
    ['only a comment', '# nothing\n', '1:1: policy is empty (expected at least "version: 1")'],
    ['a null document', '~\n', '1:1: policy must be a mapping of keys (version, agents, rules…), found nothing'],
    [
      'several documents',
      'version: 1\n---\nversion: 1\n---\n',
      '2:1: more than one YAML document in the policy (remove the "---" separator)',
    ],
    ['a custom tag', 'version: 1\ndefault: !hard x\n', '2:10: Unresolved tag: !hard (YAML tags are not allowed in a policy)'],
    [
      'a js tag',
      'version: !!js/function "x"\n',
      '1:10: Unresolved tag: tag:yaml.org,2002:js/function (YAML tags are not allowed in a policy)',
    ],
    ['binary garbage', '\u0000\u0001\u0002', undefined],
  ])('%s', (_, text, expected) => {
    const errors = errorsOf(text);
    expect(errors.length).toBeGreaterThan(0);
    if (expected) expect(errors[0]).toBe(expected);
  });
});

describe('loadPolicy', () => {
  const text = 'version: 1\nrules:\n  - {name: Docs, tier: fyi, paths: ["docs/**"]}\n';

  it('missing -> missing', () => {
    expect(loadPolicy({ kind: 'missing', path: '.github/hitl.yml' })).toEqual({ kind: 'missing', path: '.github/hitl.yml' });
  });

  it('unreadable -> invalid with a positioned error and the message (fail closed)', () => {
    const load = loadPolicy({ kind: 'unreadable', path: '.github/hitl.yml', message: 'HTTP 502' }) as InvalidPolicyLoad;
    expect(load.kind).toBe('invalid');
    expect(load.errors).toEqual([{ file: '.github/hitl.yml', line: 1, column: 1, message: 'policy could not be read: HTTP 502' }]);
    expect(load.unreadable).toBe('HTTP 502');
  });

  it('text -> ok with a content hash; the same text gives the very same policy object (cache)', () => {
    const loads = new PolicyLoads();
    const a = loadPolicy({ kind: 'text', path: '.github/hitl.yml', text }, loads);
    const b = loadPolicy({ kind: 'text', path: '.github/hitl.yml', text }, loads);
    expect(a.kind).toBe('ok');
    if (a.kind !== 'ok' || b.kind !== 'ok') throw new Error('expected ok');
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(b.policy).toBe(a.policy);
    const c = loadPolicy({ kind: 'text', path: '.github/hitl.yml', text: `${text}# changed\n` });
    expect(c.kind === 'ok' && c.hash).not.toBe(a.hash);
  });

  it('the cache is bounded (least recently used goes first)', () => {
    const loads = new PolicyLoads();
    const first = loadPolicy({ kind: 'text', path: 'p', text: 'version: 1\n# 0\n' }, loads);
    for (let i = 1; i <= 300; i++) loadPolicy({ kind: 'text', path: 'p', text: `version: 1\n# ${i}\n` }, loads);
    const again = loadPolicy({ kind: 'text', path: 'p', text: 'version: 1\n# 0\n' }, loads);
    expect(first.kind === 'ok' && again.kind === 'ok' && again.policy === first.policy).toBe(false);
  });

  it('invalid text -> invalid, keeping a valid agents section for classification', () => {
    const load = loadPolicy({
      kind: 'text',
      path: '.github/hitl.yml',
      text: 'version: 1\nagents: {authors: [bob]}\ndefault: nope\n',
    }) as InvalidPolicyLoad;
    expect(load.kind).toBe('invalid');
    expect(load.errors[0]).toMatchObject({ file: '.github/hitl.yml', line: 3, column: 10 });
    expect(load.agents).toEqual({ authors: ['bob'], labels: [], branches: [], trailers: [...KNOWN_TRAILERS] });
  });

  it('an invalid agents section is not kept (classify then uses the fail-closed list)', () => {
    const load = loadPolicy({ kind: 'text', path: 'f', text: 'version: 1\nagents: {authors: bob}\n' }) as InvalidPolicyLoad;
    expect(load.agents).toBeUndefined();
    expect(FAIL_CLOSED_AGENTS.authors).toContain('*[bot]');
  });
});

describe('parsePolicy: merge methods in order of preference, and update_branch', () => {
  it('one method is a list of one; update_branch is off by default', () => {
    const { policy } = parsePolicy('version: 1\nmerge:\n  method: rebase\n', 'hitl.yml');
    expect(policy?.merge).toEqual({ method: 'rebase', methods: ['rebase'], updateBranch: false });
  });
  it('a list keeps its order; the first is the method', () => {
    const { policy, errors } = parsePolicy('version: 1\nmerge:\n  method: [squash, rebase]\n  update_branch: true\n', 'hitl.yml');
    expect(errors).toEqual([]);
    expect(policy?.merge).toEqual({ method: 'squash', methods: ['squash', 'rebase'], updateBranch: true });
  });
  it.each([['method: [squash, fast]'], ['method: []'], ['method: [squash, squash]'], ['method: fast']])(
    '%s is an error at the key, with what is expected',
    (line) => {
      expect(errorsOf(`version: 1\nmerge:\n  ${line}\n`)).toEqual([
        expect.stringMatching(
          /^3:11: merge\.method: (unknown merge method|bad list of merge methods) .*\(expected merge, squash or rebase, or a list of them in order of preference/,
        ),
      ]);
    },
  );
  it('update_branch must be a boolean', () => {
    expect(errorsOf('version: 1\nmerge:\n  update_branch: yes\n')).toEqual([
      '3:18: merge.update_branch must be true or false, found "yes"',
    ]);
  });
});

describe('parsePolicy: after_merge', () => {
  it('is absent unless written: a policy without it samples nothing and keeps no dashboard', () => {
    expect(parsePolicy('version: 1\n', 'hitl.yml').policy?.afterMerge).toBeUndefined();
  });

  it('fills the defaults a person would expect: nothing sampled, due in 3 days, the dashboard on', () => {
    const { policy, errors } = parsePolicy('version: 1\nafter_merge: {}\n', 'hitl.yml');
    expect(errors).toEqual([]);
    expect(policy?.afterMerge).toEqual({ sample: { fyi: 0, soft: 0 }, withinMs: 3 * 86_400_000, dashboard: true });
  });

  it('reads the issue example', () => {
    const text =
      'version: 1\nafter_merge:\n  sample: { fyi: 0.1, soft: 1 }\n  always_above: 0.5\n  within: 2d\n  reviewers: { teams: [acme/maintainers] }\n  dashboard: false\n';
    expect(parsePolicy(text, 'hitl.yml').policy?.afterMerge).toEqual({
      sample: { fyi: 0.1, soft: 1 },
      alwaysAbove: 0.5,
      withinMs: 2 * 86_400_000,
      reviewers: { users: [], teams: ['acme/maintainers'] },
      dashboard: false,
    });
  });

  it('refuses a share above 1, a hard share, and a deadline that is not a duration, each at its value', () => {
    const errors = errorsOf('version: 1\nafter_merge:\n  sample: { soft: 2, hard: 1 }\n  within: soon\n');
    expect(errors.join('\n')).toMatch(/^3:\d+: .*after_merge\.sample\.soft/m);
    expect(errors.join('\n')).toMatch(/after_merge\.sample.*hard/);
    expect(errors.join('\n')).toMatch(/^4:\d+: .*after_merge\.within/m);
  });
});
