// The repository's dashboard issue: one view of what awaits a human (hard PRs waiting for approval,
// soft PRs in their veto window, merged PRs whose review after merge is open), rendered from data the
// shell read from GitHub. A view, like the status comment: nothing the gate decides is read from it.
// The body depends on the data and, for "overdue", on the time; it never says "in 5 minutes", so it
// changes (and costs a write) only when what awaits a person changes.
import { DASHBOARD_TITLE } from './model/after-merge.js';
import type { People } from './model/decision.js';
import { escapeText, person } from './markdown.js';
import { formatLocal } from './working-hours.js';

/** GitHub refuses an issue body longer than this (the same limit as a comment's). */
export const ISSUE_BODY_LIMIT = 65_536;

/** A hard PR blocked until enough authorized reviewers approve it. */
export interface AwaitingApprovalItem {
  number: number;
  title: string;
  url: string;
  /** When the gate first saw the PR's current head (approvals bind to it), ISO. */
  since: string;
  /** Who may still approve, as the gate's record describes it; absent when it does not say. */
  mayApprove?: string;
  /** Who approved this head already (it needs more). */
  approvedBy: string[];
  /** Reminder steps already sent for this head. */
  reminded: number;
}

/** A soft PR whose veto window is open. */
export interface VetoWindowItem {
  number: number;
  title: string;
  url: string;
  /** When the window closes and the gate merges it (unless vetoed), ISO. */
  mergesAt: string;
}

/** A merged PR whose review after merge is still open. */
export interface AfterMergeItem {
  number: number;
  title: string;
  url: string;
  due: string;
  reviewers: People;
  /** Someone raised a concern (`/concern`) that nobody has resolved. */
  concern: boolean;
}

export interface DashboardData {
  awaiting: AwaitingApprovalItem[];
  windows: VetoWindowItem[];
  afterMerge: AfterMergeItem[];
  /** The policy's working-hours time zone: times are shown in it too. */
  timezone?: string;
}

/** Marks the body as the gate's (a view: the gate finds its dashboard by label and author, never by this). */
export const DASHBOARD_MARKER = '<!-- hitl-gate:dashboard -->';

const pad = (n: number): string => String(n).padStart(2, '0');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Dec 7 2026 14:32 UTC": always in full, so the body does not change when the day does. */
function stamp(iso: string, timezone: string | undefined): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return 'unknown';
  const d = new Date(ms);
  const utc = `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()} ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
  return timezone ? `${utc} (${formatLocal(ms, timezone)})` : utc;
}

const byTime =
  <T>(at: (t: T) => string) =>
  (a: T, b: T): number =>
    (Date.parse(at(a)) || 0) - (Date.parse(at(b)) || 0);

function people(p: People): string {
  const names = [...p.users.map((u) => person(u)), ...p.teams.map((t) => person(t))];
  if (names.length === 0) return 'nobody who may approve is left (see the PR)';
  return names.length > 5 ? `${names.slice(0, 5).join(', ')} and ${names.length - 5} more` : names.join(', ');
}

const link = (item: { number: number; title: string; url: string }): string =>
  `[#${item.number}](${item.url}) ${escapeText(item.title, 120)}`;

function awaitingLine(item: AwaitingApprovalItem, timezone: string | undefined): string {
  const reminder = item.reminded > 0 ? `reminded ${item.reminded}×` : 'not reminded yet';
  const approved = item.approvedBy.length ? `approved by ${item.approvedBy.map((l) => person(l)).join(', ')}, needs more; ` : '';
  return `- ${link(item)}: ${approved}may approve: ${item.mayApprove ? escapeText(item.mayApprove, 300) : "the policy's reviewers"}; waiting since ${stamp(item.since, timezone)}; ${reminder}`;
}

function windowLine(item: VetoWindowItem, timezone: string | undefined): string {
  return `- ${link(item)}: merges at ${stamp(item.mergesAt, timezone)} unless someone comments \`/veto\``;
}

function afterMergeLine(item: AfterMergeItem, nowMs: number, timezone: string | undefined): string {
  const overdue = Date.parse(item.due) < nowMs ? '**overdue** ' : '';
  const concern = item.concern ? ' ⚠️ **concern raised**' : '';
  return `- ${overdue}${link(item)}: due by ${stamp(item.due, timezone)}, by ${people(item.reviewers)}${concern}`;
}

/** The three sections in order, each oldest deadline first; overdue reviews come first by that order. */
export function dashboardSections(data: DashboardData, now: Date): Array<{ title: string; empty: string; lines: string[] }> {
  const nowMs = now.getTime();
  const tz = data.timezone;
  return [
    {
      title: 'Awaiting approval',
      empty: 'No hard pull request is waiting for approval.',
      lines: [...data.awaiting].sort(byTime((i) => i.since)).map((i) => awaitingLine(i, tz)),
    },
    {
      title: 'Veto windows open',
      empty: 'No veto window is open.',
      lines: [...data.windows].sort(byTime((i) => i.mergesAt)).map((i) => windowLine(i, tz)),
    },
    {
      title: 'Review after merge',
      empty: 'No review after merge is open.',
      lines: [...data.afterMerge].sort(byTime((i) => i.due)).map((i) => afterMergeLine(i, nowMs, tz)),
    },
  ];
}

const FOOTER = [
  '---',
  `<sub>Kept up to date by hitl-gate from what GitHub shows (within about a minute of a change). This issue is only a view: editing it changes nothing the gate decides, and an edit is overwritten at the next change. Close it to stop these updates; hitl-gate does not reopen or recreate a dashboard that was closed.</sub>`,
  '',
  DASHBOARD_MARKER,
].join('\n');

/**
 * The issue's body, at most `limit` characters: when every line does not fit, each section keeps its
 * first (most urgent) lines and says how many more there are.
 */
export function renderDashboard(data: DashboardData, now: Date, limit = ISSUE_BODY_LIMIT): string {
  const sections = dashboardSections(data, now);
  const head = `# ${DASHBOARD_TITLE}\n\nPull requests of this repository that wait for a person, most urgent first.`;
  const render = (shown: number[]): string => {
    const parts = sections.map((s, i) => {
      const n = shown[i]!;
      const lines = s.lines.length === 0 ? [s.empty] : s.lines.slice(0, n);
      const more = s.lines.length > n ? [`- and ${s.lines.length - n} more`] : [];
      return [`## ${s.title} (${s.lines.length})`, '', ...lines, ...more].join('\n');
    });
    return [head, ...parts, FOOTER].join('\n\n');
  };
  const shown = sections.map((s) => s.lines.length);
  let body = render(shown);
  // Take lines away from the longest section until the body fits: each round removes at least one.
  while (body.length > limit) {
    const widest = shown.indexOf(Math.max(...shown));
    if (shown[widest]! === 0) break;
    const excess = body.length - limit;
    const perLine = Math.max(
      1,
      Math.ceil(sections[widest]!.lines.slice(0, shown[widest]).reduce((n, l) => n + l.length + 1, 0) / shown[widest]!),
    );
    shown[widest] = Math.max(0, shown[widest]! - Math.max(1, Math.ceil(excess / perLine)));
    body = render(shown);
  }
  return body.length > limit ? body.slice(0, limit) : body;
}

/** Whether the body GitHub holds already says what the gate would write (then nothing is written). */
export function dashboardUnchanged(current: string | null | undefined, rendered: string): boolean {
  return (current ?? '').replace(/\r\n/g, '\n').trimEnd() === rendered.trimEnd();
}
