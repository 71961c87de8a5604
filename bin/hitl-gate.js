#!/usr/bin/env node
// The `hitl-gate` command: the bundled CLI (scripts/bundle-cli.mjs). `npm ci` builds it (the package's
// `prepare` script), so a fresh clone runs the README's lines as printed; the bundle is what the package
// ships.
/* global URL, console, process */
const entry = new URL('../dist/cli/main.js', import.meta.url);
let cli;
try {
  cli = await import(entry.href);
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes(entry.pathname)) throw error;
  console.error(
    'hitl-gate: the CLI is not built yet (dist/cli/ is missing). Run `npm run build` (or `npm ci`, which builds it) and try again.',
  );
  process.exit(2);
}
await cli.run();
