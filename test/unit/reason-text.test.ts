// The one renderer of a tier reason: Markdown on GitHub, plain text for the CLI, the MCP tools and
// chat. Names an agent controls (files, rules, labels, branches) must come out of the plain text
// exactly as written, never mangled by the Markdown they were escaped for, and never leave a marker.
import { describe, expect, it } from 'vitest';
import { plainText } from '../../src/core/markdown.js';
import type { TierReason } from '../../src/core/model/decision.js';
import { describeGoverned, describeReason, reasonLine } from '../../src/core/reason-text.js';

const NAMES = ['docs/a**b.md', 'src/x\\y.ts', 'notes/&lt;b&gt; & <i>.md', 'tools/`tick`.sh', 'lib/_under_score_.py', '@alice/ping.md'];

describe('a tier reason in plain text', () => {
  it('gives back every file name verbatim, whatever Markdown it holds', () => {
    const line = reasonLine(
      { kind: 'rule', rule: 'Docs **bold** `code`', tier: 'fyi', files: NAMES, detail: '6 files match docs/**, **/*.md' },
      NAMES.length,
    );
    expect(line).toBe(`rule Docs **bold** \`code\` → fyi (6 files match docs/**, **/*.md): ${NAMES.join(', ')}`);
  });

  it('says the same as the Markdown, without the markup', () => {
    const reason: TierReason = { kind: 'default', tier: 'soft', files: ['src/a.ts', 'src/b.ts'] };
    expect(describeReason(reason, 5)).toBe('files no rule covers → default soft: `src/a.ts`, `src/b.ts`');
    expect(reasonLine(reason)).toBe('files no rule covers → default soft: src/a.ts, src/b.ts');
  });

  it('keeps a glob in a branch pattern whole', () => {
    const governed = describeGoverned({ kind: 'branch', branch: 'claude/fix-1', pattern: 'claude/**' });
    expect(governed).toBe('branch `claude/fix-1` matches `claude/**`');
    expect(plainText(governed)).toBe('branch claude/fix-1 matches claude/**');
  });
});
