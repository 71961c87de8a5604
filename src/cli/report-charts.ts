// The report's charts, drawn by Apache ECharts' server-side SVG renderer: no browser, no script in
// the page, no chart code fetched from anywhere. Each function takes the report model and returns a
// chart as an SVG string; the numbers it draws are the ones the page's table beside it lists.
import * as echarts from 'echarts';
import { DECISION_KINDS, DECISION_LABELS, OUTCOME_LABELS, OUTCOMES, type AttentionReport, type Outcome } from '../core/report.js';
import { durationUnit, formatDuration, weekLabel } from './report-format.js';

/** Tableau's colour-blind-aware palette, one fixed colour per outcome so every chart reads the same. */
export const OUTCOME_COLORS: Record<Outcome, string> = {
  merged_after_window: '#4e79a7',
  merged_with_approval: '#59a14f',
  merged_no_human: '#a0cbe8',
  merged_outside_gate: '#f28e2b',
  vetoed: '#e15759',
  closed: '#bab0ac',
  waiting: '#edc948',
};

const DECISION_COLORS = ['#59a14f', '#8cd17d', '#b6992d', '#e15759', '#ff9d9a', '#4e79a7', '#f28e2b', '#b07aa1'];
// Without a browser the renderer estimates text widths with Arial's metrics: draw in Arial (or its
// metric twin Liberation Sans) so that labels fit where they were laid out.
const FONT = 'Arial, "Liberation Sans", Helvetica, sans-serif';
const WIDTH = 580;
const HEIGHT = 320;

function svgOf(option: echarts.EChartsOption, height = HEIGHT): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: WIDTH, height });
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: FONT, color: '#24292f' }, ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

// The legend stands on the right, one entry a line: without a browser the renderer can only estimate
// text widths, and entries side by side would overlap.
const legend = {
  orient: 'vertical' as const,
  left: WIDTH - 172,
  top: 'middle' as const,
  itemWidth: 12,
  itemHeight: 12,
  itemGap: 8,
  textStyle: { fontSize: 12 },
};
const grid = { left: 8, right: 188, top: 28, bottom: 8, containLabel: true };

/** Outcomes that occur anywhere in the report (empty series only clutter the legend). */
function outcomesSeen(report: AttentionReport): Outcome[] {
  const seen = OUTCOMES.filter((o) => report.total.outcomes[o] > 0);
  return seen.length > 0 ? seen : ['waiting'];
}

export function outcomesPerWeekChart(report: AttentionReport): string {
  return svgOf({
    legend,
    grid,
    xAxis: { type: 'category', data: report.weeks.map((w) => weekLabel(w.week)), axisLabel: { hideOverlap: true } },
    yAxis: { type: 'value', minInterval: 1, name: 'PRs', nameTextStyle: { align: 'left' } },
    series: outcomesSeen(report).map((o) => ({
      name: OUTCOME_LABELS[o],
      type: 'bar',
      stack: 'outcome',
      barMaxWidth: 48,
      itemStyle: { color: OUTCOME_COLORS[o] },
      data: report.weeks.map((w) => w.outcomes[o]),
    })),
  });
}

export function outcomesByTierChart(report: AttentionReport): string {
  const tiers = (['fyi', 'soft', 'hard', 'unknown'] as const).filter(
    (t) => t !== 'unknown' || OUTCOMES.some((o) => report.total.by_tier.unknown[o] > 0),
  );
  return svgOf(
    {
      legend,
      grid,
      yAxis: { type: 'category', data: [...tiers], inverse: true },
      xAxis: { type: 'value', minInterval: 1, name: 'PRs' },
      series: outcomesSeen(report).map((o) => ({
        name: OUTCOME_LABELS[o],
        type: 'bar',
        stack: 'outcome',
        barMaxWidth: 36,
        itemStyle: { color: OUTCOME_COLORS[o] },
        data: tiers.map((t) => report.total.by_tier[t][o]),
      })),
    },
    260,
  );
}

export function decisionsPerWeekChart(report: AttentionReport): string {
  const kinds = DECISION_KINDS.filter((k) => report.total.decisions[k] > 0);
  return svgOf({
    legend,
    grid,
    xAxis: { type: 'category', data: report.weeks.map((w) => weekLabel(w.week)), axisLabel: { hideOverlap: true } },
    yAxis: { type: 'value', minInterval: 1, name: 'decisions', nameTextStyle: { align: 'left' } },
    series: (kinds.length > 0 ? kinds : (['veto'] as const)).map((k) => ({
      name: DECISION_LABELS[k],
      type: 'bar',
      stack: 'decisions',
      barMaxWidth: 48,
      itemStyle: { color: DECISION_COLORS[DECISION_KINDS.indexOf(k)] as string },
      data: report.weeks.map((w) => w.decisions[k]),
    })),
  });
}

export function waitsChart(report: AttentionReport): string {
  const tiers = ['soft', 'hard'] as const;
  const unit = durationUnit(Math.max(0, ...tiers.map((t) => report.total.waits[t].p90_seconds ?? 0)));
  const value = (s: number | null): number | null => (s === null ? null : Math.round((s / unit.seconds) * 100) / 100);
  const label = {
    show: true,
    position: 'top' as const,
    formatter: (p: { value: unknown }) => (typeof p.value === 'number' ? formatDuration(p.value * unit.seconds) : ''),
  };
  return svgOf(
    {
      legend,
      grid,
      xAxis: { type: 'category', data: [...tiers] },
      yAxis: { type: 'value', name: unit.name, nameTextStyle: { align: 'left' } },
      series: [
        {
          name: 'median',
          type: 'bar',
          barMaxWidth: 48,
          itemStyle: { color: '#4e79a7' },
          label,
          data: tiers.map((t) => value(report.total.waits[t].median_seconds)),
        },
        {
          name: '90th percentile',
          type: 'bar',
          barMaxWidth: 48,
          itemStyle: { color: '#f28e2b' },
          label,
          data: tiers.map((t) => value(report.total.waits[t].p90_seconds)),
        },
      ],
    },
    280,
  );
}

export const NO_HARD_RULE = 'no hard rule (a floor, an escalation, the risk score)';

export function hardRulesChart(report: AttentionReport): string {
  const rows = report.hard_rules.slice(0, 10);
  return svgOf(
    {
      // Rule names are long: their column has a fixed width, names beyond it are cut with an ellipsis
      // (the table beside the chart has them whole).
      legend,
      grid: { ...grid, left: 200, containLabel: false },
      yAxis: {
        type: 'category',
        inverse: true,
        data: rows.map((r) => r.rule ?? 'no hard rule'),
        axisLabel: { width: 160, overflow: 'truncate' },
      },
      xAxis: { type: 'value', minInterval: 1, name: 'PRs' },
      series: [
        { name: 'sent to hard', type: 'bar', barMaxWidth: 24, itemStyle: { color: '#bab0ac' }, data: rows.map((r) => r.prs) },
        {
          name: 'approved unchanged',
          type: 'bar',
          barMaxWidth: 24,
          itemStyle: { color: '#59a14f' },
          data: rows.map((r) => r.approved_unchanged),
        },
      ],
    },
    Math.max(200, 96 + rows.length * 44),
  );
}
