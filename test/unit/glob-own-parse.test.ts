// The glob index reads globs with its own small parse, not minimatch's private fields. These tests pin
// that parse to what minimatch does: a glob minimatch can never match is rejected exactly when
// minimatch compiles it to its never-matching marker, and the index finds exactly what minimatch
// matches for globs only minimatch can read (classes, `?`, extglobs, escapes, nested braces).
import { describe, expect, it } from 'vitest';
import { Minimatch, minimatch } from 'minimatch';
import { compileGlob, globProblem, GLOB_OPTIONS, normaliseGlob, PathIndex } from '../../src/core/match.js';

const CLASSES = [
  '[z-a]',
  '[!z-a]',
  '[^z-a]',
  '[a-z]',
  '[a-a]',
  '[]]',
  '[]a]',
  '[!]]',
  '[\\]]',
  '[\\z-a]',
  '[z-\\a]',
  '[a-]',
  '[-a]',
  '[z-a-]',
  '[z-ab]',
  '[[:alpha:]]',
  '[[:graph:]]',
  '[a-[:alpha:]]',
  '[[:nope:]]',
  '[z-a][a-z]',
  '[a-z][z-a]',
  'x/[z-a]/y',
  '{a,[z-a]}',
  '@([z-a]|b)',
  '\\[z-a]',
  '[\\\\-a]',
  '[z-a\\]',
  '[[]',
  '[[-]]',
  '[b-a-z]',
];

describe('a character class that can match nothing', () => {
  it.each(CLASSES)('%s: rejected exactly when minimatch compiles it to a pattern that never matches', (glob) => {
    const re = new Minimatch(glob, GLOB_OPTIONS).makeRe();
    // minimatch's own marker for a class with no member (what the gate no longer reads in its code).
    const never = re !== false && re.source.includes('$.');
    expect([glob, globProblem(glob)?.includes('can never match') ?? false]).toEqual([glob, never]);
  });
});

const GLOBS = [
  'src/?.ts',
  'src/[ab]/**',
  'src/[!a]*.ts',
  '@(src|lib)/**',
  'docs/!(x).md',
  '**/*.+(ts|js)',
  'a\\*b/**',
  'a/{b,{c,d}}/*.md',
  '{1..3}/x',
  'db/migrations/[0-9][0-9]*.sql',
  '**/[Dd]ockerfile',
  'a/**/**/b',
  'a/./b/**',
  'x/**/y?/*.ts',
  'a/*.{md,txt}',
  '**/.env*',
];
const PATHS = [
  'src/a.ts',
  'src/ab.ts',
  'src/a/x',
  'src/b/y/z',
  'src/c/x',
  'src/b.ts',
  'lib/x',
  'docs/x.md',
  'docs/y.md',
  'a.ts',
  'x/y/a.js',
  'a*b/x',
  'axb/x',
  'a/b/r.md',
  'a/c/r.md',
  'a/d/r.md',
  'a/e/r.md',
  '1/x',
  '2/x',
  '4/x',
  'db/migrations/01_init.sql',
  'db/migrations/x.sql',
  'Dockerfile',
  'q/dockerfile',
  'a/b',
  'a/q/b',
  'a/b/c',
  'x/y1/a.ts',
  'x/q/y2/a.ts',
  'a/r.txt',
  'q/.env.local',
];

describe('the path index over globs only minimatch can read', () => {
  it('finds, for every path, exactly the globs minimatch matches', () => {
    const index = new PathIndex<string>();
    for (const glob of GLOBS) index.add(compileGlob(glob), glob);
    for (const path of PATHS) {
      const expected = GLOBS.filter((g) => minimatch(path, normaliseGlob(g), GLOB_OPTIONS)).sort();
      expect([path, index.owners(path).sort()]).toEqual([path, expected]);
    }
  });

  it('still keys them by their literal parts, so most paths are never tested against them', () => {
    expect(compileGlob('src/[ab]/**').keys).toEqual([{ key: 'p:src', exact: false }]);
    expect(compileGlob('**/*.+(ts|js)').keys).toBeUndefined();
    expect(compileGlob('a/{b,{c,d}}/*.md').keys).toEqual([
      { key: 'c:a/b', exact: true, ext: '.md' },
      { key: 'c:a/c', exact: true, ext: '.md' },
      { key: 'c:a/d', exact: true, ext: '.md' },
    ]);
    // An escape is not literal text to the index: the glob is tried, never decided by a wrong key.
    expect(compileGlob('a\\*b/**').keys).toBeUndefined();
  });
});
