// How the report writes times and durations for people, the same on the page, in the charts' axes
// and in their text alternatives.

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Nov 30" for the week starting 2026-11-30. */
export function weekLabel(week: string): string {
  const d = new Date(`${week}T00:00:00Z`);
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`;
}

/** "2026-11-30 14:05 UTC". */
export function timeLabel(iso: string): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return iso;
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export interface DurationUnit {
  name: string;
  short: string;
  seconds: number;
}

const UNITS: DurationUnit[] = [
  { name: 'seconds', short: 's', seconds: 1 },
  { name: 'minutes', short: 'min', seconds: 60 },
  { name: 'hours', short: 'h', seconds: 3600 },
  { name: 'days', short: 'd', seconds: 86_400 },
];

/** The unit a person would read `seconds` in: under 2 minutes in seconds, under 2 hours in minutes, under 2 days in hours. */
export function durationUnit(seconds: number): DurationUnit {
  if (seconds < 120) return UNITS[0] as DurationUnit;
  if (seconds < 7200) return UNITS[1] as DurationUnit;
  if (seconds < 172_800) return UNITS[2] as DurationUnit;
  return UNITS[3] as DurationUnit;
}

/** "45 s", "12 min", "3.5 h", "2.1 d"; an em dash when there is nothing to measure. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return '—';
  const unit = durationUnit(seconds);
  const value = seconds / unit.seconds;
  return `${unit.seconds === 1 || value >= 10 ? Math.round(value) : Math.round(value * 10) / 10} ${unit.short}`;
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text (a PR title, a reason, a login: anyone may have written it) as HTML text or attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] as string);
}
