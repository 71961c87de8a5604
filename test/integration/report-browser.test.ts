// The report page in a real browser (headless Chromium): it renders with no console error, every chart
// is visible under its title, nothing is fetched from anywhere, and a screenshot is kept for people.
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportPage } from '../../src/cli/report-page.js';
import { buildReport } from '../../src/core/report.js';
import { busyRepository, NOW, REPO, RULE_TIERS, SINCE, UNTIL } from '../fixtures/governed-pulls.js';
import { artifactPath, browserMissing, launchChromium, type Headless } from '../support/browser.js';

const missing = browserMissing();
if (missing) console.warn(`report browser test skipped: ${missing}`);

describe.skipIf(missing !== undefined)('the report page in Chromium', () => {
  let chromium: Headless;
  const file = artifactPath('report.html');

  beforeAll(async () => {
    writeFileSync(
      file,
      reportPage(buildReport({ repo: REPO, pulls: busyRepository(), now: NOW, since: SINCE, until: UNTIL, ruleTiers: RULE_TIERS })),
    );
    chromium = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await chromium?.close();
  });

  it('shows every chart under its title, with no console error, no script run and no request', async () => {
    const page = await chromium.context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });

    const titles = await page.locator('figure.chart h3').allInnerTexts();
    expect(titles).toEqual([
      'Governed PRs per week, by how they ended',
      'How each tier ended',
      'Human decisions per week',
      'Time from "a human is needed" to the first human decision',
      'Rules that sent PRs to hard',
    ]);
    for (const title of titles) {
      // The chart is an image whose accessible name starts with its title.
      const chart = page.getByRole('img', { name: title });
      await expect.poll(() => chart.isVisible()).toBe(true);
      const box = await chart.locator('svg').boundingBox();
      expect(box?.width, title).toBeGreaterThan(300);
      expect(box?.height, title).toBeGreaterThan(150);
      // Its numbers are in a table beside it.
      expect(
        await page
          .locator('figure.chart', { has: page.getByRole('heading', { name: title }) })
          .locator('table tbody tr')
          .count(),
        title,
      ).toBeGreaterThan(0);
    }
    // The agent's <script> in a PR title is text on the page.
    await expect.poll(() => page.getByText('Drop the legacy orders table <script>alert(1)</script>').count()).toBeGreaterThan(0);
    await page.screenshot({ path: artifactPath('report.png'), fullPage: true });

    expect(problems).toEqual([]);
    expect(chromium.refused).toEqual([]);
    await page.close();
  }, 60_000);

  it('prints: the charts keep their place on paper', async () => {
    const page = await chromium.context.newPage();
    await page.goto(pathToFileURL(file).href);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('figure.chart svg').first().isVisible()).toBe(true);
    const pdf = await page.pdf({ format: 'A4', landscape: true, printBackground: true });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(chromium.refused).toEqual([]);
    await page.close();
  }, 60_000);
});
