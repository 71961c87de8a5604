// Compiled schema validators, kept on disk between test files. Every test file runs in a fresh module
// graph, and GitHub's descriptions are large: parsing the OpenAPI description and compiling a pull
// request's schema cost about a second each time. A validator compiled once is written as ajv's
// standalone code and loaded by later files, so the contract checks (contract.ts) stay cheap.
// The cache is keyed by the versions of the packages and the text of the code that builds the schemas.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Ajv, ValidateFunction } from 'ajv';

const require = createRequire(import.meta.url);
// CommonJS with a default export: taken through require so its shape is exact under NodeNext.
const standaloneCode = (require('ajv/dist/standalone') as { default: (ajv: Ajv, validate: ValidateFunction) => string }).default;

/** A compiled validator, or why there is none (GitHub documents no such answer or event). */
export type Compiled = ValidateFunction | { none: string };

const version = (pkg: string): string => (require(`${pkg}/package.json`) as { version: string }).version;
const source = (file: string): string => readFileSync(fileURLToPath(new URL(file, import.meta.url)), 'utf8');

let namespace: string | undefined;
function cacheNamespace(): string {
  namespace ??= createHash('sha256')
    .update(
      [
        version('ajv'),
        version('@octokit/openapi'),
        version('@octokit/webhooks-schemas'),
        source('./openapi.ts'),
        source('./contract.ts'),
        source('./schema-cache.ts'),
      ].join('\0'),
    )
    .digest('hex')
    .slice(0, 16);
  return namespace;
}

const DIR = join(fileURLToPath(new URL('../../node_modules/.cache/hitl-gate-contract/', import.meta.url)));

/** The validator under `key`, from disk when an earlier test file compiled it; else built and saved. */
export function cachedValidator(key: string, build: () => { ajv: Ajv; compiled: Compiled }): Compiled {
  const file = join(DIR, `${createHash('sha256').update(`${cacheNamespace()}\0${key}`).digest('hex').slice(0, 40)}.cjs`);
  try {
    return require(file) as Compiled;
  } catch {
    // Not compiled yet (or unreadable): build it.
  }
  const { ajv, compiled } = build();
  try {
    const code = 'none' in compiled ? `module.exports = ${JSON.stringify(compiled)};\n` : standaloneCode(ajv, compiled);
    mkdirSync(DIR, { recursive: true });
    // Test files run in parallel: write aside, then rename (atomic), so no file is ever read half written.
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, code);
    renameSync(tmp, file);
  } catch {
    // A cache that cannot be written only costs time.
  }
  return compiled;
}
