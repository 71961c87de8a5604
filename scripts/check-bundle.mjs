/* global process, console */
// Fails when the committed Action bundle (action/dist/) is not what the current source builds: a stale
// bundle would run old code in every workflow that uses the Action. Rebuilds into a temporary directory
// and compares file by file.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleAction } from './bundle-action.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const committed = join(root, 'action', 'dist');
const fresh = mkdtempSync(join(tmpdir(), 'hitl-bundle-'));
try {
  await bundleAction(fresh);
  const list = (dir) => {
    try {
      return readdirSync(dir).sort();
    } catch {
      return [];
    }
  };
  const names = [...new Set([...list(committed), ...list(fresh)])].sort();
  const stale = names.filter((name) => {
    try {
      return !readFileSync(join(committed, name)).equals(readFileSync(join(fresh, name)));
    } catch {
      return true;
    }
  });
  if (stale.length > 0) {
    console.error(`action/dist is out of date (${stale.join(', ')}). Run \`npm run bundle\` and commit action/dist.`);
    process.exitCode = 1;
  } else {
    console.log(`action/dist matches the source (${names.join(', ')}).`);
  }
} finally {
  rmSync(fresh, { recursive: true, force: true });
}
