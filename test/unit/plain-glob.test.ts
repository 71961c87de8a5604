// Plain globs (literal text, `*`, `**`, flat braces) are validated and indexed without minimatch;
// they must get the very keys and matches the general path (any other options object) gives them,
// and the index must agree with minimatch itself (glob-own-parse.test.ts pins the general path).
import { describe, expect, it } from 'vitest';
import { minimatch } from 'minimatch';
import { compileGlob, globProblem, GLOB_OPTIONS, normaliseGlob, PathIndex } from '../../src/core/match.js';

const GLOBS = [
  'a/b',
  'a/**',
  '**/x',
  '**/*.md',
  'src/*',
  '*',
  '**',
  'a/*/b/**/c.{js,ts}',
  '{a,b}/{c,d}/**',
  '.github/workflows/**',
  'docs/**/*.md',
  '**/node_modules/**',
  'x{a,a}y',
  'a.b.c/*.test.ts',
  '*.{ts,tsx}',
  'foo-bar_baz/**/*',
  'a/**/b/**',
  '{src,test}',
  'a{b,c}',
  '**/.env',
  '.cursorrules',
  'a/*b*/c',
  '*.*',
  '.*',
  '*/.*',
  '**/*.d.ts',
  'libs/lib-1/*.lock',
  'apps/app-2/{src,test}/**',
  'packages/pkg-3/src/**/*.{ts,tsx}',
  './docs/**',
  '/infra/**',
  // Not plain: left to minimatch, listed to show both paths agree.
  'a//b',
  'a/**/**/b',
  'a/../b',
  'a/./b',
  'src/',
  'a?c',
  '[ab]/x',
  '@(a|b)/x',
  'a\\*b',
  'a/***',
];
const PATHS = [
  'a/b',
  'a/c',
  'a',
  'b',
  'src/x',
  'src/x/y',
  'docs/a/b.md',
  'README.md',
  '.env',
  'x/.env',
  'a/x/b/y/c.ts',
  'foo-bar_baz/q',
  'xay',
  'a.b.c/x.test.ts',
  'p.ts',
  'p.tsx',
  'a/qbq/c',
  'src',
  'test',
  'ab',
  'ac',
  'abc',
  '.github/workflows/x.yml',
  'node_modules/x',
  'q/node_modules/y/z',
  'libs/lib-1/yarn.lock',
  'libs/lib-1/.lock',
  'libs/lib-1/x/y.lock',
  'apps/app-2/src/a.ts',
  'apps/app-2/docs/a.ts',
  'packages/pkg-3/src/a/b.tsx',
  'packages/pkg-3/src/b.js',
  'infra/x',
  'a/b/c',
];

describe('plain globs', () => {
  it.each(GLOBS)('%s: same keys and matches as minimatch parses it', (glob) => {
    // Any options object but GLOB_OPTIONS itself takes the minimatch path.
    const fast = compileGlob(glob);
    const reference = compileGlob(glob, { ...GLOB_OPTIONS });
    expect(fast.keys).toEqual(reference.keys);
    for (const path of PATHS) expect([path, fast.test(path)]).toEqual([path, reference.test(path)]);
  });

  it('are never rejected, and long or brace-heavy ones are still checked by minimatch', () => {
    for (const glob of GLOBS.slice(0, 31)) expect(globProblem(glob)).toBeUndefined();
    expect(globProblem(`src/{${Array.from({ length: 300 }, (_, i) => `d${i}`).join(',')}}/**`)).toMatch(/more than 256 alternatives/);
    expect(globProblem(`${'a'.repeat(70_000)}/**`)).toMatch(/^bad glob/);
  });
});

describe('the path index', () => {
  it('finds, for every path, exactly the globs minimatch matches (keys that decide alone included)', () => {
    const index = new PathIndex<string>();
    for (const glob of GLOBS) index.add(compileGlob(glob), glob);
    const extra = [
      'docs/x/y/z.md',
      'docs/x.md',
      'a/b.md',
      'a/b/.md',
      'libs/lib-1/a.lock.bak',
      'packages/pkg-3/src/x.ts',
      'packages/pkg-3/srcx/a.ts',
      'x/a.b.c/y.test.ts',
    ];
    for (const path of [...PATHS, ...extra]) {
      const expected = GLOBS.filter((g) => minimatch(path, normaliseGlob(g), GLOB_OPTIONS)).sort();
      expect([path, index.owners(path).sort()]).toEqual([path, expected]);
    }
  });
});
