// Times as people read them in a status comment: absolute UTC first ("14:32 UTC"), then relative to
// the decision's `now` ("in 12 minutes"). The core never reads a clock: `now` is always passed in.

/** Milliseconds since the epoch, or undefined for text that is not a time (never NaN). */
export function parseTime(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : undefined;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number): string => String(n).padStart(2, '0');

/** "14:32 UTC" on the same UTC day as `now`, "Nov 23 14:32 UTC" otherwise (with the year when it differs). */
export function formatUtc(ms: number, nowMs: number): string {
  const d = new Date(ms);
  const n = new Date(nowMs);
  const clock = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
  const sameDay = d.getUTCFullYear() === n.getUTCFullYear() && d.getUTCMonth() === n.getUTCMonth() && d.getUTCDate() === n.getUTCDate();
  if (sameDay) return clock;
  const year = d.getUTCFullYear() === n.getUTCFullYear() ? '' : ` ${d.getUTCFullYear()}`;
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}${year} ${clock}`;
}

function amount(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** "in 12 minutes", "3 hours ago", "in 2 days"; rounded to the unit a person would use. */
export function formatRelative(ms: number, nowMs: number): string {
  const delta = ms - nowMs;
  const abs = Math.abs(delta);
  let span: string;
  if (abs < 60_000) return delta >= 0 ? 'in less than a minute' : 'less than a minute ago';
  if (abs < 3_600_000) span = amount(Math.round(abs / 60_000), 'minute');
  else if (abs < 86_400_000) span = amount(Math.round(abs / 3_600_000), 'hour');
  else span = amount(Math.round(abs / 86_400_000), 'day');
  return delta >= 0 ? `in ${span}` : `${span} ago`;
}

/** "14:32 UTC, in 12 minutes". */
export function formatWhen(ms: number, nowMs: number): string {
  return `${formatUtc(ms, nowMs)}, ${formatRelative(ms, nowMs)}`;
}
