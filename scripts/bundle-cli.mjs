/* global process */
// Bundles the CLI (src/cli/main.ts) into dist/cli/, which bin/hitl-gate.js runs; `npm run build` (and so
// `npm ci`, through `prepare`) writes it.
//
// Why a bundle: every run of `validate` or `explain` loads the policy path (the parser, the schema's
// validator, the glob index) and the packages it needs: yaml alone is some seventy CommonJS files,
// minimatch and ajv's runtime a dozen more, and the compiled sources twenty ES modules. Resolving and
// compiling them one by one was about a third of what `explain` spends above reading its inputs
// (`npm run bench -- cli.`). Bundled, they are one file. The commands that need more (`mcp`, `audit`, `report`)
// load it lazily, as their own chunks, and keep importing their heavier packages from node_modules (`report`
// loads the charting library, echarts, only in the chunk that draws its page, never for `--format json`):
// only the packages of the policy path are redistributed in the bundle (dist/cli/licenses.txt).
//
// `node scripts/bundle-cli.mjs [OUTDIR]` writes elsewhere.
import { build } from 'esbuild';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { licenseNotice } from './license-notice.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The packages every policy check needs; anything else stays an import from node_modules. */
const POLICY_PATH_PACKAGES = /^(?:(?:yaml|minimatch|brace-expansion|balanced-match|fast-deep-equal)(?:\/|$)|ajv\/dist\/runtime\/)/;

export async function bundleCli(outdir = join(root, 'dist', 'cli')) {
  // Chunk names carry a content hash: clear the old ones so a rebuild leaves no stale files behind.
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: { main: 'src/cli/main.ts' },
    outdir,
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minifySyntax: true,
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'warning',
    metafile: true,
    preserveSymlinks: true,
    plugins: [
      {
        name: 'only-policy-path-packages',
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, (args) => {
            if (args.path.startsWith('node:') || POLICY_PATH_PACKAGES.test(args.path)) return undefined;
            return { path: args.path, external: true };
          });
        },
      },
    ],
    // yaml and fast-deep-equal are CommonJS: their require() of Node built-ins needs one in ESM.
    banner: {
      js: "import { createRequire as __hitlCreateRequire } from 'node:module'; const require = __hitlCreateRequire(import.meta.url);",
    },
  });
  writeFileSync(join(outdir, 'licenses.txt'), licenseNotice(root, result.metafile, "The CLI's bundle (dist/cli)"));
  return result;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await bundleCli(process.argv[2] ? resolve(process.argv[2]) : undefined);
}
