// The report as one self-contained HTML page: styles and SVG charts inline, no script, nothing to
// fetch (a Content-Security-Policy says so to the browser too), printable, and readable without the
// charts: each chart has a title, a text alternative and a table of its numbers beside it. The only
// links are to the repository's pull requests. Every text from GitHub is escaped: PR titles, logins
// and reasons are written by whoever opened or commented on the PR, the agent included.
import {
  DECISION_KINDS,
  DECISION_LABELS,
  OUTCOME_LABELS,
  OUTCOMES,
  WOULD,
  type AttentionReport,
  type Outcome,
  type ReportTier,
  type Would,
} from '../core/report.js';
import {
  decisionsPerWeekChart,
  hardRulesChart,
  NO_HARD_RULE,
  OUTCOME_COLORS,
  outcomesByTierChart,
  outcomesPerWeekChart,
  waitsChart,
} from './report-charts.js';
import { escapeHtml as esc, formatDuration, timeLabel, weekLabel } from './report-format.js';

const WOULD_LABELS: Record<Would, string> = {
  would_merge_no_human: 'would have merged with no human',
  would_merge_after_window: 'would have merged after its window',
  would_merge_with_approval: 'would have merged with the approval given',
  would_block_veto: 'would have been stopped by a veto',
  would_wait_for_approval: 'would have waited for an approval',
};

const TIER_ROWS: readonly ReportTier[] = ['fyi', 'soft', 'hard'];

/** A link to one of the repository's PRs, or just its number when the address is not one. */
function prLink(report: AttentionReport, pr: number, url: string): string {
  let ok = false;
  try {
    const u = new URL(url);
    ok =
      (u.protocol === 'https:' || u.protocol === 'http:') &&
      u.pathname.toLowerCase() === `/${report.repo.toLowerCase()}/pull/${pr}` &&
      u.search === '' &&
      u.hash === '' &&
      u.username === '' &&
      u.password === '';
  } catch {
    ok = false;
  }
  return ok ? `<a href="${esc(url)}">#${pr}</a>` : `#${pr}`;
}

function table(caption: string, head: string[], rows: string[][], options: { numeric?: boolean } = {}): string {
  const th = head.map((h, i) => `<th scope="col"${i > 0 && options.numeric !== false ? ' class="num"' : ''}>${h}</th>`).join('');
  const body =
    rows.length === 0
      ? `<tr><td colspan="${head.length}" class="empty">none</td></tr>`
      : rows
          .map(
            (r) =>
              `<tr>${r.map((c, i) => (i === 0 ? `<th scope="row">${c}</th>` : `<td${options.numeric !== false ? ' class="num"' : ''}>${c}</td>`)).join('')}</tr>`,
          )
          .join('\n');
  return `<table><caption>${caption}</caption><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

type Figure = (title: string, alt: string, svg: string, tableHtml: string, note?: string, wide?: boolean) => string;

/** Draws the page's figures, numbered in order so that each one's title and text alternative have ids. */
function figures(): Figure {
  let count = 0;
  return (title, alt, svg, tableHtml, note = '', wide = false) => {
    count += 1;
    return figureHtml(`chart-${count}`, title, alt, svg, tableHtml, note, wide);
  };
}

/** A wide table (one row a week, a column per outcome) goes under its chart rather than beside it. */
function figureHtml(id: string, title: string, alt: string, svg: string, tableHtml: string, note: string, wide: boolean): string {
  return `<figure class="chart" aria-labelledby="${id}-title">
<figcaption><h3 id="${id}-title">${esc(title)}</h3>${note ? `<p class="note">${note}</p>` : ''}</figcaption>
<div class="chart-body${wide ? ' wide' : ''}">
<div class="svg" role="img" aria-labelledby="${id}-title ${id}-alt">${svg}</div>
<p id="${id}-alt" class="alt">${esc(alt)}</p>
<div class="data">${tableHtml}</div>
</div>
</figure>`;
}

const outcomesIn = (report: AttentionReport): Outcome[] => OUTCOMES.filter((o) => report.total.outcomes[o] > 0);
const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

function listing(parts: [number, string][]): string {
  const shown = parts.filter(([n]) => n > 0).map(([n, label]) => `${n} ${label}`);
  return shown.length === 0 ? 'none' : shown.join(', ');
}

function swatch(o: Outcome): string {
  return `<span class="swatch" style="background:${OUTCOME_COLORS[o]}" aria-hidden="true"></span>`;
}

function kpis(report: AttentionReport): string {
  const t = report.total;
  const cards: [string, string, string][] = [
    ['governed PRs', String(t.governed), `${t.merged} merged`],
    ['merged with approval', String(t.outcomes.merged_with_approval), `${t.outcomes.merged_outside_gate} merged outside the gate`],
    ['merged after window', String(t.outcomes.merged_after_window), `${t.outcomes.merged_no_human} merged with no human (fyi)`],
    ['human decisions', String(t.human_decisions), `${t.decisions.veto} ${t.decisions.veto === 1 ? 'veto' : 'vetoes'}`],
    [
      'hard: first decision',
      formatDuration(t.waits.hard.median_seconds),
      `median; 90th percentile ${formatDuration(t.waits.hard.p90_seconds)}`,
    ],
    ['still open', String(t.still_open), 'the longest waits are listed below'],
  ];
  return `<section class="kpis" aria-label="In numbers">${cards.map(([label, value, sub]) => `<div class="kpi"><div class="kpi-value">${esc(value)}</div><div class="kpi-label">${esc(label)}</div><div class="kpi-sub">${esc(sub)}</div></div>`).join('')}</section>`;
}

function endings(report: AttentionReport, figure: Figure): string {
  const seen = outcomesIn(report);
  const head = seen.map((o) => `${swatch(o)}${esc(OUTCOME_LABELS[o])}`);
  const weekRows = report.weeks.map((w) => [esc(w.week), ...seen.map((o) => String(w.outcomes[o])), String(w.governed)]);
  weekRows.push(['total', ...seen.map((o) => String(report.total.outcomes[o])), String(report.total.governed)]);
  const tiers = TIER_ROWS.concat(seen.some((o) => report.total.by_tier.unknown[o] > 0) ? ['unknown'] : []);
  const tierRows = tiers.map((t) => [t, ...seen.map((o) => String(report.total.by_tier[t][o])), String(report.total.prs_by_tier[t])]);
  const totalAlt = listing(seen.map((o) => [report.total.outcomes[o], OUTCOME_LABELS[o]]));
  return `<section aria-labelledby="endings"><h2 id="endings">How governed PRs ended</h2>
${figure(
  'Governed PRs per week, by how they ended',
  `Stacked bars, ${report.weeks.length === 1 ? `one for the week of ${weekLabel(report.weeks[0]?.week ?? '')}` : `one per week from ${weekLabel(report.weeks[0]?.week ?? '')} to ${weekLabel(report.weeks.at(-1)?.week ?? '')}`}, of the governed PRs that ended in it (open ones in the last). In total ${plural(report.total.governed, 'PR')}: ${totalAlt}.`,
  outcomesPerWeekChart(report),
  table('PRs per week and outcome', ['week of', ...head, 'all'], weekRows),
  '',
  true,
)}
${figure(
  'How each tier ended',
  `Stacked horizontal bars, one per tier. ${tiers.map((t) => `${t}: ${listing(seen.map((o) => [report.total.by_tier[t][o], OUTCOME_LABELS[o]]))}`).join('; ')}.`,
  outcomesByTierChart(report),
  table('PRs per tier and outcome', ['tier', ...head, 'all'], tierRows),
)}
</section>`;
}

function attention(report: AttentionReport, figure: Figure): string {
  const kinds = DECISION_KINDS.filter((k) => report.total.decisions[k] > 0);
  const weekRows = report.weeks.map((w) => [esc(w.week), ...kinds.map((k) => String(w.decisions[k])), String(w.human_decisions)]);
  weekRows.push(['total', ...kinds.map((k) => String(report.total.decisions[k])), String(report.total.human_decisions)]);
  const waits = (['soft', 'hard'] as const).map((t) => {
    const w = report.total.waits[t];
    return [t, String(w.needed), String(w.decided), formatDuration(w.median_seconds), formatDuration(w.p90_seconds)];
  });
  const waitAlt = (['soft', 'hard'] as const)
    .map((t) => {
      const w = report.total.waits[t];
      return w.decided === 0
        ? `${t}: no human decision on any of ${plural(w.needed, 'PR')}`
        : `${t}: median ${formatDuration(w.median_seconds)}, 90th percentile ${formatDuration(w.p90_seconds)} over ${plural(w.decided, 'PR')} decided of ${w.needed}`;
    })
    .join('; ');
  const open = report.open_waits.map((w) => [
    prLink(report, w.pr, w.url),
    esc(w.title),
    esc(w.tier),
    w.outcome === 'vetoed' ? 'held by a veto' : 'waiting for a human',
    esc(timeLabel(w.since)),
    formatDuration(w.wait_seconds),
  ]);
  return `<section aria-labelledby="attention"><h2 id="attention">Human attention</h2>
${figure(
  'Human decisions per week',
  `Stacked bars, one per week, of the decisions people made on governed PRs. In total: ${listing(kinds.map((k) => [report.total.decisions[k], DECISION_LABELS[k]]))}.`,
  decisionsPerWeekChart(report),
  table('Decisions per week and kind', ['week of', ...kinds.map((k) => esc(DECISION_LABELS[k])), 'all'], weekRows),
  '',
  true,
)}
${figure(
  'Time from "a human is needed" to the first human decision',
  `Bars of the median and 90th percentile wait per tier. ${waitAlt}.`,
  waitsChart(report),
  table('Wait for the first human decision, per tier', ['tier', 'needed a human', 'got one', 'median', '90th pct'], waits),
  "A hard PR needs a human from the gate's first decision on its last commit; a soft PR from the start of its veto window. The first decision is the first approval or veto.",
)}
<h3>Longest waits still open</h3>
${table(report.open_waits.length === 1 ? 'The open PR waiting for a human' : `The ${report.open_waits.length} open PRs that have waited longest for a human`, ['PR', 'title', 'tier', 'held by', 'waiting since', 'for'], open, { numeric: false })}
</section>`;
}

function tuning(report: AttentionReport, figure: Figure): string {
  const rows = report.hard_rules.map((r) => [
    esc(r.rule ?? NO_HARD_RULE),
    String(r.prs),
    String(r.approved),
    String(r.approved_unchanged),
    String(r.vetoed),
    String(r.still_open),
    formatDuration(r.median_seconds_to_approval),
    formatDuration(r.p90_seconds_to_approval),
  ]);
  const alt =
    report.hard_rules.length === 0
      ? 'No PR was sent to hard in the period.'
      : `Horizontal bars, one pair per rule: PRs it sent to hard and how many of them were approved unchanged. ${report.hard_rules
          .slice(0, 10)
          .map((r) => `${r.rule ?? NO_HARD_RULE}: ${r.prs} sent, ${r.approved_unchanged} approved unchanged`)
          .join('; ')}.`;
  const note = `${report.rule_tiers_known ? 'Which rules are hard is read from the policy on the default branch today.' : 'The policy could not be read: every rule a hard PR matched is counted.'} "Approved unchanged": merged with an approval of the very commit that merged, never vetoed. A rule whose PRs are nearly always approved unchanged within minutes is a candidate for <code>soft</code>.`;
  return `<section aria-labelledby="tuning"><h2 id="tuning">Policy tuning</h2>
${figure(
  'Rules that sent PRs to hard',
  alt,
  hardRulesChart(report),
  table(
    'Hard PRs per rule',
    ['rule', 'sent to hard', 'approved', 'approved unchanged', 'vetoed', 'still open', 'median time to approval', '90th percentile'],
    rows,
  ),
  note,
  true,
)}
</section>`;
}

function objections(report: AttentionReport): string {
  const rows = report.objections.map((o) => [
    prLink(report, o.pr, o.url),
    esc(o.kind),
    esc(o.title),
    esc(o.tier),
    `@${esc(o.by)}`,
    esc(timeLabel(o.at)),
    o.reason ? esc(o.reason) : '<span class="muted">no reason given</span>',
    o.kind === 'veto' ? (o.withdrawn_at ? `withdrawn ${esc(timeLabel(o.withdrawn_at))}` : 'stood') : '',
    esc(OUTCOME_LABELS[o.outcome]),
  ]);
  return `<section aria-labelledby="objections"><h2 id="objections">Vetoes, concerns and reverts</h2>
${table(`${plural(report.objections.length, 'objection')} raised in the period`, ['PR', 'what', 'title', 'tier', 'who', 'when', 'why', 'veto', 'how the PR ended'], rows, { numeric: false })}
</section>`;
}

function observe(report: AttentionReport): string {
  if (report.total.observe.prs === 0) return '';
  const rows = WOULD.filter((w) => report.total.observe.would[w] > 0).map((w) => [
    esc(WOULD_LABELS[w]),
    String(report.total.observe.would[w]),
  ]);
  return `<section aria-labelledby="observe"><h2 id="observe">Observe mode: what the gate would have done</h2>
${table(`${plural(report.total.observe.prs, 'PR')} decided in observe mode (counted above by how they actually ended)`, ['the gate', 'PRs'], rows)}
</section>`;
}

function everyPull(report: AttentionReport): string {
  const rows = report.pulls.map((p) => [
    prLink(report, p.pr, p.url),
    esc(p.title),
    esc(p.tier),
    `${swatch(p.outcome)}${esc(OUTCOME_LABELS[p.outcome])}${p.observe ? ' (observe mode)' : ''}`,
    esc(p.week),
  ]);
  return `<details><summary>Every governed PR in the period (${report.pulls.length})</summary>
${table('Governed PRs', ['PR', 'title', 'tier', 'how it ended', 'counted in the week of'], rows, { numeric: false })}
</details>`;
}

const STYLE = `
:root { color-scheme: light; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa; --accent: #0969da; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg); background: #fff; }
main { max-width: 1200px; margin: 0 auto; padding: 24px 32px 48px; }
header { border-bottom: 1px solid var(--line); padding-bottom: 12px; margin-bottom: 20px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 32px 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 0 0 4px; }
.period, .note, .muted, .kpi-sub, caption { color: var(--muted); }
.note { margin: 0 0 8px; font-size: 13px; }
.notice { border: 1px solid #d4a72c; background: #fff8c5; border-radius: 6px; padding: 8px 12px; }
a { color: var(--accent); }
code { background: var(--soft); padding: 0 4px; border-radius: 4px; }
.kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr)); gap: 12px; }
.kpi { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; background: var(--soft); }
.kpi-value { font-size: 26px; font-weight: 600; font-variant-numeric: tabular-nums; }
.kpi-label { font-weight: 600; }
.kpi-sub { font-size: 12px; }
figure.chart { margin: 0 0 28px; break-inside: avoid; page-break-inside: avoid; }
.chart-body { display: grid; grid-template-columns: minmax(0, 580px) minmax(0, 1fr); grid-template-areas: "svg data" "alt data"; gap: 4px 24px; align-items: start; }
.svg { grid-area: svg; } .alt { grid-area: alt; } .data { grid-area: data; overflow-x: auto; }
.svg svg { display: block; max-width: min(100%, 580px); height: auto; }
.alt { font-size: 12px; color: var(--muted); margin: 0; }
table { border-collapse: collapse; width: 100%; font-size: 12.5px; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-size: 12px; padding-bottom: 4px; caption-side: top; }
th, td { padding: 4px 6px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
thead th { background: var(--soft); font-weight: 600; }
tbody th { font-weight: 500; white-space: nowrap; }
.num { text-align: right; }
td.empty { color: var(--muted); font-style: italic; }
tbody tr:last-child th, tbody tr:last-child td { border-bottom: 0; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px; vertical-align: baseline; }
details { margin-top: 32px; } summary { font-weight: 600; cursor: pointer; }
footer { margin-top: 32px; font-size: 12px; color: var(--muted); border-top: 1px solid var(--line); padding-top: 12px; }
.chart-body.wide { grid-template-columns: minmax(0, 1fr); grid-template-areas: "svg" "alt" "data"; }
.chart-body.wide .data { margin-top: 8px; }
@media (max-width: 980px) { .chart-body { grid-template-columns: 1fr; grid-template-areas: "svg" "alt" "data"; } }
@media print {
  @page { size: A4 landscape; margin: 12mm; }
  main { max-width: none; padding: 0; }
  a { color: inherit; text-decoration: none; }
  details > *:not(summary) { display: block; }
  h2 { break-after: avoid; }
}
`;

/** The whole page. */
export function reportPage(report: AttentionReport): string {
  const figure = figures();
  const since = report.period.since.slice(0, 10);
  // The period's end is exclusive: its last day is the day before.
  const last = new Date(Date.parse(report.period.until) - 1).toISOString().slice(0, 10);
  const title = `Human attention on ${report.repo}, ${since === last ? since : `${since} to ${last}`}`;
  const body = [
    kpis(report),
    endings(report, figure),
    attention(report, figure),
    tuning(report, figure),
    objections(report),
    observe(report),
    everyPull(report),
  ].join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="hitl-gate report">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header>
<h1>Human attention on ${esc(report.repo)}</h1>
<p class="period">${since === last ? esc(since) : `${esc(since)} to ${esc(last)}`} (UTC) · ${plural(report.total.governed, 'governed pull request')} · generated ${esc(timeLabel(report.generated_at))} from the gate's own record by <code>hitl-gate report</code></p>
</header>
${report.total.governed === 0 ? '<p class="notice">No governed pull request was updated in this period: the gate has no record to count (is <code>HITL_APP_SLUG</code> the slug of the App that runs it?).</p>\n' : ''}${body}
<footer>Every number here comes from the gate's record in its own <code>hitl</code> check runs, the same evidence <code>hitl-gate audit</code> lists; <code>hitl-gate report --format json</code> gives them all. A PR counts in the week it was merged or closed; one still open, in the last week. Percentiles are nearest-rank. "Merged after window": a soft PR the gate merged when its veto window ended. "Merged with approval": the gate merged it with an authorized approval on record. "Merged, no human": a fyi PR the gate merged (and any hard PR merged with no approval on record: there should be none). "Merged outside the gate": a person merged it, not the gate. "Vetoed": a veto that still stands (closed, or open and held). "Still open": waiting for its window, its checks or a human.</footer>
</main>
</body>
</html>
`;
}
