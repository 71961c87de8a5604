// Durations in configuration (`HITL_SWEEP_INTERVAL=5m`): a positive whole number and one unit.

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export type DurationResult = { ok: true; ms: number } | { ok: false; message: string };

export function parseConfigDuration(text: string): DurationResult {
  const m = /^\s*(\d+)\s*(ms|s|m|h|d)\s*$/i.exec(text);
  if (!m) {
    return { ok: false, message: `"${text}" is not a duration: write a whole number and a unit (ms, s, m, h, d), e.g. 5m` };
  }
  const ms = Number(m[1]) * UNIT_MS[m[2]!.toLowerCase() as keyof typeof UNIT_MS];
  if (!Number.isSafeInteger(ms) || ms <= 0) return { ok: false, message: `"${text}" must be a positive duration` };
  return { ok: true, ms };
}
