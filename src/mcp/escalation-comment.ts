// The comment an agent posts to ask for a human: `/escalate TIER` on its first line, its own words
// below. The agent's words are data, not commands: whatever they contain, the gate must read exactly
// one command in the comment (the escalation), so every line of theirs that the gate could read as a
// command (see src/core/commands.ts: a whole line starting with `/`, outside quotes and code) is
// neutralised with a Markdown backslash escape, which GitHub renders as the same text.
import type { Tier } from '../core/model/tier.js';

/** GitHub refuses comments longer than this. */
const COMMENT_LIMIT = 65_536;
export const MAX_MESSAGE = 10_000;
export const MAX_CONTEXT = 50_000;

/** Lines split the way the gate's command parser splits them. */
const LINE_BREAK = /\r\n|\r|\n/;

/** Every line that starts (after blanks) with `/` gets `\/`: rendered the same, never a command.
 * HTML comment openers are escaped too, so nothing the agent writes is hidden from the reader. */
export function neutralise(text: string): string {
  return text
    .split(LINE_BREAK)
    .map((line) => line.replace(/^(\s*)\//, '$1\\/').replace(/<!--/g, '&lt;!--'))
    .join('\n');
}

export function escalationComment(tier: Tier, message: string, context?: string): string {
  const parts = [`/escalate ${tier}`, neutralise(message.trim())];
  if (context !== undefined && context.trim() !== '') {
    parts.push('', '<details><summary>Context from the agent</summary>', '', neutralise(context.trim()), '', '</details>');
  }
  const body = parts.join('\n');
  return body.length <= COMMENT_LIMIT ? body : `${body.slice(0, COMMENT_LIMIT - 40)}\n\n… (truncated)`;
}
