// Writes src/core/policy/validate-policy.generated.ts: the policy schema's validator compiled ahead of
// time by ajv (its "standalone" code), so no process compiles the schema at start-up. `npm run
// validator` regenerates it; a test checks the committed file is what the schema gives today.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { policyValidatorSource } from '../src/core/policy/validator-source.js';

const target = fileURLToPath(new URL('../src/core/policy/validate-policy.generated.ts', import.meta.url));
writeFileSync(target, policyValidatorSource());
console.log(`wrote ${target}`);
