// Safe Markdown for text the gate did not write (file names, veto reasons, rule names, logins): it
// must not break the comment's layout, ping anyone, or form a line that parses as a command.

/** One line, no control characters, at most `max` characters (with an ellipsis). */
export function oneLine(text: string, max = 200): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** An inline code span that holds any text: the fence is longer than any backtick run inside. */
export function code(text: string, max = 200): string {
  const t = oneLine(text, max);
  const longest = Math.max(0, ...(t.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = t.startsWith('`') || t.endsWith('`') || t === '' ? ' ' : '';
  return `${fence}${pad}${t}${pad}${fence}`;
}

/** Plain text with Markdown and HTML neutralised; `@` cannot mention anyone. */
export function escapeText(text: string, max = 200): string {
  return oneLine(text, max)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_{}[\]()#+\-.!|~/])/g, '\\$1')
    .replace(/@/g, '@\u200b');
}

/** A login shown without notifying its owner (the status comment is edited often). */
export function person(login: string): string {
  return `**${escapeText(login, 60)}**`;
}

/** A table cell: no pipes or line breaks can escape it. */
export function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** The gate's Markdown as plain text: code spans give back their text verbatim; outside them, bold
 * markers go and what escapeText escaped or neutralised comes back. */
export function plainText(s: string): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    const fence = /^`+/.exec(s.slice(i))?.[0];
    if (fence) {
      // code() makes the fence longer than any backtick run inside, so the first run as long closes it.
      const closing = new RegExp(`(?<!\`)${fence}(?!\`)`, 'g');
      closing.lastIndex = i + fence.length;
      const end = closing.exec(s);
      if (end) {
        const inner = s.slice(i + fence.length, end.index);
        out += inner.length >= 2 && inner.startsWith(' ') && inner.endsWith(' ') ? inner.slice(1, -1) : inner;
        i = end.index + fence.length;
        continue;
      }
      out += fence;
      i += fence.length;
      continue;
    }
    const escaped = /^\\([\\`*_{}[\]()#+\-.!|~/])/.exec(s.slice(i));
    if (escaped) {
      out += escaped[1];
      i += 2;
      continue;
    }
    const entity = /^&(lt|gt|amp);/.exec(s.slice(i));
    if (entity) {
      out += entity[1] === 'lt' ? '<' : entity[1] === 'gt' ? '>' : '&';
      i += entity[0].length;
      continue;
    }
    if (s.startsWith('**', i)) {
      i += 2;
      continue;
    }
    if (s[i] !== '\u200b') out += s[i];
    i += 1;
  }
  return out.replace(/\s+/g, ' ').trim();
}
