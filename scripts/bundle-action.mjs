/* global process */
// Bundles the Action's entry (action/index.ts) with everything it imports into one ESM file that runs
// under plain `node` 20 or 24 with no node_modules: action/dist/index.js, committed, run by action.yml.
// `node scripts/bundle-action.mjs [OUTDIR]` writes elsewhere (the bundle check compares the two).
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { licenseNotice } from './license-notice.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export async function bundleAction(outdir = join(root, 'action', 'dist')) {
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: ['action/index.ts'],
    outfile: join(outdir, 'index.js'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Readable in a stack trace (one statement a line, real names); only syntax is compacted.
    minifySyntax: true,
    legalComments: 'none',
    sourcemap: false,
    charset: 'utf8',
    logLevel: 'warning',
    metafile: true,
    // Paths in the bundle's comments stay `node_modules/...` even when node_modules is a symlink
    // (a CI cache): the same source gives the same bytes wherever it is built.
    preserveSymlinks: true,
    // Some bundled CommonJS dependencies call require() for Node built-ins; ESM has no require.
    banner: {
      js: "import { createRequire as __hitlCreateRequire } from 'node:module'; const require = __hitlCreateRequire(import.meta.url);",
    },
  });
  writeFileSync(join(outdir, 'licenses.txt'), licenseNotice(root, result.metafile, "The Action's bundle (index.js)"));
  return result;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outdir = process.argv[2] ? resolve(process.argv[2]) : undefined;
  await bundleAction(outdir);
}
