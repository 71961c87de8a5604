// Small pieces of English the decision's titles and blockers share.
export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export const mentions = (logins: string[]): string => {
  const at = logins.map((l) => `@${l}`);
  return at.length <= 2 ? at.join(' and ') : `${at.slice(0, -1).join(', ')} and ${at[at.length - 1]}`;
};

export const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
