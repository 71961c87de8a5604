// Commit trailers (`Co-Authored-By: Claude <noreply@anthropic.com>`): how agent work that a person
// pushed under their own name is recognised. A trailer is a hint anyone can write or leave out, so it
// may only ever make a PR governed (design.md, invariant 5): nothing here can make one ungoverned or lower a tier.

/** One trailer line as the gate compares it: `Key: value`, whitespace around the colon normalised. */
export interface TrailerLine {
  key: string;
  value: string;
}

/** A git trailer key: letters, digits and hyphens (git-interpret-trailers(1)). */
const TRAILER = /^\s*([A-Za-z0-9][A-Za-z0-9-]*)\s*:\s*(\S.*?)\s*$/;

/**
 * Every line of a commit message shaped like a trailer. Git itself only counts the message's last
 * paragraph; the gate looks at every line, because a looser reading can only govern more PRs, and a
 * trailer moved up by a later `git commit --amend -m` or a squash is still the agent's.
 */
export function trailerLines(message: string): TrailerLine[] {
  const out: TrailerLine[] = [];
  // The subject line is the commit's title, not a trailer, even when it looks like one (`fix: x`).
  for (const line of message.split(/\r?\n/).slice(1)) {
    const m = TRAILER.exec(line);
    if (m) out.push({ key: m[1] as string, value: (m[2] as string).replace(/\s+/g, ' ') });
  }
  return out;
}

export interface CompiledTrailer {
  pattern: string;
  key: RegExp;
  value: RegExp;
}

/** `*` is the only wildcard, as in login patterns; comparison ignores case in key and value. */
const wildcard = (glob: string): RegExp =>
  new RegExp(
    `^${glob
      .trim()
      .replace(/\s+/g, ' ')
      .split('*')
      .map((s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
      .join('.*')}$`,
    'i',
  );

/** `Key: value glob` -> matchers. A pattern without a colon is refused by the policy's validation. */
export function compileTrailer(pattern: string): CompiledTrailer {
  const colon = pattern.indexOf(':');
  const key = colon === -1 ? pattern : pattern.slice(0, colon);
  const value = colon === -1 ? '*' : pattern.slice(colon + 1);
  return { pattern, key: wildcard(key), value: wildcard(value) };
}

export interface TrailerHit {
  sha: string;
  line: string;
  pattern: string;
}

/** The first trailer line of any commit that a pattern matches. */
export function findTrailer(
  commits: readonly { sha: string; message?: string }[],
  trailers: readonly CompiledTrailer[],
): TrailerHit | undefined {
  if (trailers.length === 0) return undefined;
  for (const commit of commits) {
    if (!commit.message) continue;
    for (const { key, value } of trailerLines(commit.message)) {
      const hit = trailers.find((t) => t.key.test(key) && t.value.test(value));
      if (hit) return { sha: commit.sha, line: `${key}: ${value}`, pattern: hit.pattern };
    }
  }
  return undefined;
}
