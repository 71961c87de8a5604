import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/core/policy.js';

const parse = (text: string) => parsePolicy(text, '.github/hitl.yml');

describe('policy errors carry the path of what they are about', () => {
  it('points a bad agents glob at agents.branches[0], and a broken agents section is not used', () => {
    const parsed = parse('version: 1\nagents:\n  authors: [my-agent]\n  branches: ["bot/[x"]\n');
    expect(parsed.errors.map((e) => e.path)).toEqual([['agents', 'branches', 0]]);
    expect(parsed.agents).toBeUndefined();
  });

  it('keeps a sound agents section when only a rule is broken, whatever the rule is called', () => {
    // A rule named like the section: its error is about rules[0], not about agents.
    const parsed = parse('version: 1\nagents:\n  authors: [my-agent]\nrules:\n  - name: agents\n    tier: hard\n    paths: ["src/[x"]\n');
    expect(parsed.errors.map((e) => e.path)).toEqual([['rules', 0, 'paths', 0]]);
    expect(parsed.agents?.authors).toEqual(['my-agent']);
  });

  it('gives unknown keys, schema errors and attention checks a path too, and YAML syntax none', () => {
    expect(parse('version: 1\nagnets: {}\n').errors[0]?.path).toEqual(['agnets']);
    expect(parse('version: 1\ntiers:\n  soft:\n    window: soon\n').errors[0]?.path).toEqual(['tiers', 'soft', 'window']);
    expect(
      parse('version: 1\nworking_hours: { timezone: Mars/Olympus, days: [mon], from: "09:00", to: "17:00" }\n').errors[0]?.path?.[0],
    ).toBe('working_hours');
    expect(parse('version: 1\nrules: [\n').errors[0]?.path).toBeUndefined();
  });
});
