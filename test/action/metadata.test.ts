// action.yml is the Action's public interface: it must declare exactly what the runner reads, with the
// same defaults, and point at the committed bundle.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { readInputs } from '../../action/inputs.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const metadata = parse(readFileSync(`${root}action.yml`, 'utf8')) as {
  runs: { using: string; main: string };
  inputs: Record<string, { default?: string; required?: boolean }>;
  outputs: Record<string, { description: string }>;
};

describe('action.yml', () => {
  it('runs the committed bundle on node24', () => {
    expect(metadata.runs).toEqual({ using: 'node24', main: 'action/dist/index.js' });
    expect(existsSync(`${root}${metadata.runs.main}`)).toBe(true);
  });

  it('declares the inputs the runner reads, with the defaults it assumes', () => {
    expect(Object.keys(metadata.inputs).sort()).toEqual(['app-slug', 'job-check-run-id', 'mode', 'policy', 'tests', 'token']);
    expect(metadata.inputs.token!.default).toBe('${{ github.token }}');
    // What the runner would read if the workflow set nothing but the token.
    const defaults = (name: string) => (name === 'token' ? 't' : (metadata.inputs[name]?.default ?? ''));
    expect(readInputs(defaults)).toEqual(readInputs((name) => (name === 'token' ? 't' : '')));
    expect(readInputs(defaults)).toMatchObject({ mode: 'check', policyPath: '.github/hitl.yml', appSlug: 'github-actions' });
    expect(Object.values(metadata.inputs).every((i) => i.required === false)).toBe(true);
  });

  it('declares the tier and state outputs', () => {
    expect(Object.keys(metadata.outputs).sort()).toEqual(['state', 'tier']);
  });
});
