// The policy's validator is compiled ahead of time from the schema (ajv standalone code, committed).
// It must be what the schema gives today: a schema change without `npm run validator` fails here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import { policyValidatorSource, AJV_OPTIONS } from '../../src/core/policy/validator-source.js';
import { POLICY_SCHEMA } from '../../src/core/policy/schema.js';
import { validate } from '../../src/core/policy/validate-policy.generated.js';

describe('precompiled policy validator', () => {
  it('is what the schema compiles to today (run `npm run validator` after changing schema.ts)', () => {
    const committed = readFileSync(new URL('../../src/core/policy/validate-policy.generated.ts', import.meta.url), 'utf8');
    expect(committed).toBe(policyValidatorSource());
  });

  it('answers like ajv compiling the schema at run time, defaults and errors alike', () => {
    const compiled = new Ajv({ ...AJV_OPTIONS }).compile(POLICY_SCHEMA);
    const cases: unknown[] = [
      { version: 1 },
      { version: 1, rules: [{ name: 'Docs', tier: 'fyi', paths: ['docs/**'] }] },
      { version: 2, rules: [{ tier: 'loud' }], extra: true },
      { version: 1, reviewers: { users: ['x'.repeat(300)] } },
    ];
    for (const data of cases) {
      const a = structuredClone(data);
      const b = structuredClone(data);
      const ok = (validate as (d: unknown) => boolean)(a);
      expect(ok).toBe(compiled(b));
      expect(a).toEqual(b); // defaults filled alike
      expect(((validate as unknown as { errors?: unknown[] }).errors ?? []).map((e) => JSON.stringify(e))).toEqual(
        (compiled.errors ?? []).map((e) => JSON.stringify(e)),
      );
    }
  });
});
