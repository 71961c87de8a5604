// The policy's data as YAML gave it, before normalisation: plain values of unknown shape, which every
// check reads defensively (a policy that failed validation is still checked for what it can say).
export type Raw = Record<string, unknown>;

export const isRecord = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
