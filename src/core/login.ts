// GitHub logins as the gate compares them. REST names an app's account `name[bot]`, GraphQL and some
// payloads plain `name`: both are the same account, so the suffix never decides who someone is.

const BOT_SUFFIX = /\[bot\]$/i;

/** Lower case, without the `[bot]` suffix. */
export const loginKey = (login: string): string => login.trim().toLowerCase().replace(BOT_SUFFIX, '');

export const sameLogin = (a: string, b: string): boolean => loginKey(a) === loginKey(b);

/**
 * A login pattern (`*` the only wildcard, case-insensitive) as a RegExp. A pattern without a wildcard
 * names one account, which matches with or without `[bot]`; a pattern with one is taken as written,
 * so `*[bot]` still means app accounts only.
 */
export function loginPattern(pattern: string): RegExp {
  const p = pattern.trim();
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  if (!p.includes('*')) return new RegExp(`^${escape(p.replace(BOT_SUFFIX, ''))}(\\[bot\\])?$`, 'i');
  return new RegExp(`^${p.split('*').map(escape).join('.*')}$`, 'i');
}
