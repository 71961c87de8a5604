// The three tiers, in the order in which they ask more of a human.
export const TIERS = ['fyi', 'soft', 'hard'] as const;
export type Tier = (typeof TIERS)[number];

/** Tier order: a higher index asks more of a human. */
export const tierRank = (tier: Tier): number => TIERS.indexOf(tier);
export const maxTier = (a: Tier, b: Tier): Tier => (tierRank(a) >= tierRank(b) ? a : b);
