// The report as a page and as JSON, from records: what a reader (and a screen reader) gets, what the
// JSON promises, and what an agent that writes PR titles and veto reasons cannot do to the page.
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { reportPage } from '../../src/cli/report-page.js';
import { buildReport, type AttentionReport } from '../../src/core/report.js';
import { busyRepository, NOW, pull, REPO, RULE_TIERS, SINCE, softMerged, UNTIL } from '../fixtures/governed-pulls.js';

const SCHEMA = JSON.parse(readFileSync(new URL('../../schema/report.schema.json', import.meta.url), 'utf8')) as object;
const validate = new Ajv({ allErrors: true, strict: true }).compile(SCHEMA);

function busyReport(): AttentionReport {
  const extra = [
    softMerged(Date.parse('2026-11-17T10:00:00Z'), {
      mode: 'observe',
      after_merge: {
        concern: { by: 'carol', at: '2026-11-18T09:00:00Z', reason: 'no test' },
        revert: { by: 'alice', at: '2026-11-18T10:00:00Z', reason: null },
      },
    }),
    pull({ tier: null, state: null }),
  ];
  return buildReport({ repo: REPO, pulls: [...busyRepository(), ...extra], now: NOW, since: SINCE, until: UNTIL, ruleTiers: RULE_TIERS });
}

describe('report JSON', () => {
  it('matches its published schema, every section filled', () => {
    const json = JSON.parse(JSON.stringify(busyReport())) as unknown;
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
    const empty = JSON.parse(JSON.stringify(buildReport({ repo: REPO, pulls: [], now: NOW }))) as AttentionReport;
    expect(reportPage(empty)).toContain('No governed pull request was updated in this period');
    expect(reportPage(busyReport())).not.toContain('No governed pull request');
    expect(validate(empty), JSON.stringify(validate.errors)).toBe(true);
  });

  it('the schema is strict enough to notice a number that went missing or a tier that does not exist', () => {
    const json = JSON.parse(JSON.stringify(busyReport())) as { total: { outcomes: Record<string, number> }; pulls: { tier: string }[] };
    delete json.total.outcomes.vetoed;
    expect(validate(json)).toBe(false);
    const other = JSON.parse(JSON.stringify(busyReport())) as { pulls: { tier: string }[] };
    (other.pulls[0] as { tier: string }).tier = 'medium';
    expect(validate(other)).toBe(false);
  });
});

describe('report page', () => {
  const html = reportPage(busyReport());

  it('is one self-contained page: no script, nothing to fetch, and says so to the browser', () => {
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\b(?:src|srcset|xlink:href|action)\s*=/i);
    expect(html).not.toMatch(/url\(\s*['"]?(?!#)/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    );
  });

  it("links only to the repository's pull requests", () => {
    const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
    expect(hrefs.length).toBeGreaterThan(0);
    for (const href of hrefs) expect(href).toMatch(/^https:\/\/github\.com\/acme\/shop\/pull\/\d+$/);
  });

  it('escapes what the agent wrote: a title or a veto reason is text, never markup', () => {
    expect(html).toContain('Drop the legacy orders table &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('not before the &lt;b&gt;freeze&lt;/b&gt; ends');
    expect(html).not.toContain('<b>freeze</b>');
  });

  it('draws a rule name with markup in it as text inside the chart, too', () => {
    const page = reportPage(
      buildReport({
        repo: REPO,
        now: NOW,
        since: SINCE,
        until: UNTIL,
        pulls: [pull({ tier: 'hard', state: 'blocked', rules: ['<img src=x onerror=alert(1)>'], head_seen_at: '2026-11-20T08:00:00Z' })],
      }),
    );
    expect(page).not.toMatch(/<img/i);
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it("does not link a PR whose address is not one of the repository's pull requests", () => {
    const forged = buildReport({
      repo: REPO,
      now: NOW,
      since: SINCE,
      until: UNTIL,
      pulls: [
        pull({ pr: 7, url: 'javascript:alert(1)', tier: 'hard', state: 'blocked', head_seen_at: '2026-11-20T08:00:00Z' }),
        pull({
          pr: 8,
          url: 'https://evil.example/x/acme/shop/pull/8',
          tier: 'hard',
          state: 'blocked',
          head_seen_at: '2026-11-20T08:00:00Z',
        }),
        pull({
          pr: 9,
          url: 'https://github.com/acme/shop/pull/9?next=https://evil.example',
          tier: 'hard',
          state: 'blocked',
          head_seen_at: '2026-11-20T08:00:00Z',
        }),
      ],
    });
    const page = reportPage(forged);
    expect(page).not.toMatch(/href=/);
    expect(page).toMatch(/<th scope="row">#7<\/th>/);
  });

  it('gives every chart a title, a text alternative and a table of its numbers', () => {
    const figures = [...html.matchAll(/<figure class="chart" aria-labelledby="(chart-\d+)-title">([\s\S]*?)<\/figure>/g)];
    expect(figures.length).toBeGreaterThanOrEqual(5);
    for (const [, id, inner] of figures) {
      expect(inner).toMatch(new RegExp(`<h3 id="${id}-title">[^<]+</h3>`));
      expect(inner).toContain(`role="img" aria-labelledby="${id}-title ${id}-alt"`);
      expect(inner).toMatch(new RegExp(`<p id="${id}-alt" class="alt">[^<]{40,}</p>`));
      expect(inner).toMatch(/<svg[\s\S]*<\/svg>/);
      expect(inner).toMatch(/<table>[\s\S]*<\/table>/);
    }
  });

  it('shows no count that the JSON does not have', () => {
    const numbers = new Set<number>();
    const walk = (v: unknown): void => {
      if (typeof v === 'number') numbers.add(v);
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(busyReport());
    const shown = [...html.matchAll(/<(?:td class="num"|div class="kpi-value")>(\d+)<\/(?:td|div)>/g)].map((m) => Number(m[1]));
    expect(shown.length).toBeGreaterThan(50);
    for (const n of shown) expect(numbers.has(n), String(n)).toBe(true);
  });

  it('shows the numbers of the model: totals per outcome, waits, rules, objections with who and why', () => {
    const r = busyReport();
    const outcomes = html.match(/<caption>PRs per week and outcome<\/caption>[\s\S]*?<\/table>/)?.[0] ?? '';
    expect(outcomes).toMatch(
      new RegExp(
        `<th scope="row">total</th>${Object.values(r.total.outcomes)
          .filter((n) => n > 0)
          .map((n) => `<td class="num">${n}</td>`)
          .join('')}<td class="num">${r.total.governed}</td>`,
      ),
    );
    expect(html).toMatch(
      /<th scope="row">hard<\/th><td class="num">6<\/td><td class="num">3<\/td><td class="num">40 min<\/td><td class="num">3 h<\/td>/,
    );
    expect(html).toMatch(/<th scope="row">Database migrations<\/th><td class="num">4<\/td><td class="num">2<\/td><td class="num">2<\/td>/);
    expect(html).toContain('@bob');
    expect(html).toContain('a one-day cache shows stale prices');
    expect(html).toContain('would have merged after its window');
  });
});
