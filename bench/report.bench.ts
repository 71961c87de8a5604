// What `hitl-gate report` spends beyond reading GitHub: the model from a year of records (5000
// governed PRs over 52 weeks), the page with its five charts, and how big the page is. Also what
// loading the charting library costs, which only the page pays (`--format json` never loads it).
import { buildReport, type GovernedPull } from '../src/core/report.js';
import { fyiMerged, hardApproved, pull, REPO, RULE_TIERS, softMerged } from '../test/fixtures/governed-pulls.js';
import { timed } from './timed.js';

export default async function (): Promise<void> {
  const since = Date.parse('2025-12-01T00:00:00Z');
  const now = new Date(since + 364 * 86_400_000);
  const pulls: GovernedPull[] = Array.from({ length: 5000 }, (_, i) => {
    const at = since + (i / 5000) * 360 * 86_400_000;
    switch (i % 5) {
      case 0:
        return fyiMerged(at, { pr: i + 1 });
      case 1:
        return softMerged(at, { pr: i + 1 });
      case 2:
        return hardApproved(at, (i % 97) * 60_000, {
          pr: i + 1,
          rules: [['Database migrations', 'Large change', 'Marked irreversible'][i % 3] as string],
        });
      case 3:
        return pull({
          pr: i + 1,
          tier: 'soft',
          state: 'closed',
          window_start: new Date(at).toISOString(),
          closed_at: new Date(at + 3_600_000).toISOString(),
          vetoes: [{ by: 'bob', at: new Date(at + 60_000).toISOString(), reason: 'not now', withdrawn_at: null }],
        });
      default:
        return pull({
          pr: i + 1,
          tier: 'hard',
          state: 'blocked',
          rules: ['Database migrations'],
          head_seen_at: new Date(at).toISOString(),
        });
    }
  });
  const input = { repo: REPO, pulls, now, since, until: now.getTime(), ruleTiers: RULE_TIERS };
  console.log(`model, 5000 PRs over 52 weeks:  ${timed(10, () => buildReport(input)).toFixed(1)} ms`);
  const load = performance.now();
  const { reportPage } = await import('../src/cli/report-page.js');
  console.log(`loading the page's chunk and echarts (first time): ${(performance.now() - load).toFixed(0)} ms`);
  const model = buildReport(input);
  let html = '';
  console.log(`page, 5 charts, 5000 PRs:       ${timed(5, () => void (html = reportPage(model))).toFixed(1)} ms`);
  console.log(
    `page size: ${(Buffer.byteLength(html) / 1024).toFixed(0)} KiB (${(Buffer.byteLength(reportPage(buildReport({ ...input, pulls: pulls.slice(0, 20) }))) / 1024).toFixed(0)} KiB for 20 PRs)`,
  );
}
