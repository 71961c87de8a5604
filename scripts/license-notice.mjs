// The licences of every package a bundle redistributes, from esbuild's metafile, in a stable order
// (the same source gives the same bytes wherever it is built).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export function licenseNotice(root, metafile, what) {
  const packages = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    // The innermost node_modules/<name> of each input file is the package it belongs to.
    const matches = [...input.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)];
    const last = matches.at(-1);
    if (last) packages.add(input.slice(0, last.index + last[0].length));
  }
  const sections = [...packages].sort().map((dir) => {
    const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
    const file = readdirSync(join(root, dir))
      .sort()
      .find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    const text = file
      ? readFileSync(join(root, dir, file), 'utf8').trim()
      : `(no licence file; package.json says ${manifest.license ?? 'nothing'})`;
    return `${manifest.name}@${manifest.version} (${manifest.license ?? 'unknown'})\n\n${text}\n`;
  });
  return `${what} contains these packages.\n\n${sections.join('\n-----\n\n')}`;
}
