// `hitl-gate report OWNER/REPO`: where human attention went, as one self-contained HTML page of charts
// or as JSON, from the same evidence as `audit` (the gate's own record of each governed PR). Nothing is
// written when GitHub fails part-way: a page that silently left PRs out would mislead.
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadPolicy, POLICY_PATH } from '../core/policy.js';
import { buildReport, type AttentionReport } from '../core/report.js';
import type { Tier } from '../core/model/tier.js';
import { describeError } from '../github/errors.js';
import type { AuditRecord } from '../github/gather-audit-records.js';
import { readPolicy } from '../github/read-policy.js';
import { openSession, request } from '../github/session.js';
import { evidenceRequest, readEvidence, type Evidence, type EvidenceEnv, type EvidenceRequest, EVIDENCE_OPTIONS } from './evidence.js';
import { UsageError, type CliIO } from './io.js';

export interface ReportEnv extends EvidenceEnv {
  /** The report's "now" (tests); default the clock. */
  now?: Date;
}

/** Each rule's tier in the policy on the default branch today, or why there is none to read. */
async function ruleTiers(evidence: Evidence, req: EvidenceRequest): Promise<{ tiers: Record<string, Tier> } | { why: string }> {
  const session = openSession(evidence.client, new Date(), undefined);
  const { data } = await request(session, (c) => c.rest.repos.get({ owner: req.repo.owner, repo: req.repo.repo }));
  const read = await readPolicy(session, req.repo, data.default_branch, POLICY_PATH);
  const load = loadPolicy(read.source);
  if (load.kind === 'missing') return { why: `there is no ${POLICY_PATH} on ${data.default_branch}` };
  if (load.kind !== 'ok') return { why: `the policy on ${data.default_branch} could not be read or is invalid` };
  return { tiers: Object.fromEntries(load.policy.rules.map((r) => [r.name, r.tier])) };
}

export async function report(args: string[], io: CliIO, options: ReportEnv = {}): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: EVIDENCE_OPTIONS, strict: true, allowPositionals: true });
  const req = evidenceRequest('report', positionals, values);
  const format = values.format ?? 'html';
  if (format !== 'html' && format !== 'json') throw new UsageError(`--format expects html or json, got "${format}"`);

  const records: AuditRecord[] = [];
  let tiers: Record<string, Tier> | undefined;
  const result = await readEvidence('report', req, io, options, {
    each: (record) => void records.push(record),
    end: async (evidence) => {
      let why: string;
      try {
        const read = await ruleTiers(evidence, req);
        if ('tiers' in read) return void (tiers = read.tiers);
        why = read.why;
      } catch (error) {
        why = `the policy could not be read (${describeError(error)})`;
      }
      io.stderr(`hitl-gate report: ${why}: every rule a hard PR matched counts as sending it to hard\n`);
    },
  });
  const name = `${req.repo.owner}/${req.repo.repo}`;
  if (result.failure !== undefined) {
    io.stderr(
      `hitl-gate report: ${result.failure} (after ${result.count} governed pull request${result.count === 1 ? '' : 's'}; no report written)\n`,
    );
    return 1;
  }
  const model: AttentionReport = buildReport({
    repo: name,
    pulls: records,
    now: options.now ?? new Date(),
    ...(req.period.since !== undefined ? { since: req.period.since } : {}),
    ...(req.period.until !== undefined ? { until: req.period.until } : {}),
    ...(tiers ? { ruleTiers: tiers } : {}),
  });
  // The charting library is loaded only for the page.
  const text = format === 'json' ? `${JSON.stringify(model, null, 2)}\n` : (await import('./report-page.js')).reportPage(model);
  if (values.out === undefined) io.stdout(text);
  else {
    try {
      await writeFile(values.out, text, 'utf8');
    } catch (error) {
      const err = error as NodeJS.ErrnoException;
      throw new UsageError(`cannot write ${values.out}: ${err.code === 'ENOENT' ? 'no such directory' : (err.code ?? err.message)}`);
    }
  }
  io.stderr(
    `hitl-gate report: ${result.count} governed pull request${result.count === 1 ? '' : 's'} of ${name}${values.out !== undefined ? `, written to ${values.out}` : ''}\n`,
  );
  return 0;
}
