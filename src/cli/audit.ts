// `hitl-gate audit OWNER/REPO`: the approval log of the governed PRs updated in a period, as JSON
// lines or CSV, rebuilt from GitHub alone. Records go to stdout (or --out); waits and progress to stderr.
import { createWriteStream, type WriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { stringify } from 'csv-stringify/sync';
import type { AuditRecord } from '../github/gather-audit-records.js';
import { evidenceRequest, readEvidence, type EvidenceEnv, EVIDENCE_OPTIONS } from './evidence.js';
import { UsageError, type CliIO } from './io.js';

/** The columns, in the order of the issue that defined them (later additions at their place in the record). */
export const AUDIT_FIELDS: (keyof AuditRecord)[] = [
  'repo',
  'pr',
  'url',
  'title',
  'author',
  'head_sha',
  'tier',
  'state',
  'rules',
  'approvals',
  'vetoes',
  'window_start',
  'window_end',
  'head_seen_at',
  'merged',
  'merge_sha',
  'merged_at',
  'merged_by',
  'merged_by_gate',
  'closed_at',
  'policy_sha',
  'mode',
  'would',
  'after_merge',
];

/** A CSV cell: lists and objects as JSON, null as empty. */
function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export type AuditEnv = EvidenceEnv;

export async function audit(args: string[], io: CliIO, options: AuditEnv = {}): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: EVIDENCE_OPTIONS, strict: true, allowPositionals: true });
  const request = evidenceRequest('audit', positionals, values);
  const format = values.format ?? 'jsonl';
  if (format !== 'jsonl' && format !== 'csv') throw new UsageError(`--format expects jsonl or csv, got "${format}"`);

  let file: WriteStream | undefined;
  const write = (text: string): void => {
    if (file) file.write(text);
    else io.stdout(text);
  };
  if (values.out !== undefined) file = createWriteStream(values.out, { encoding: 'utf8' });
  let result: Awaited<ReturnType<typeof readEvidence>>;
  try {
    result = await readEvidence('audit', request, io, options, {
      start: () => {
        if (format === 'csv') write(stringify([AUDIT_FIELDS]));
      },
      each: (record) => write(format === 'csv' ? stringify([AUDIT_FIELDS.map((f) => cell(record[f]))]) : `${JSON.stringify(record)}\n`),
    });
  } finally {
    if (file) await new Promise<void>((resolve, reject) => file?.end((e?: Error | null) => (e ? reject(e) : resolve())));
  }
  const { repo } = request;
  if (result.failure !== undefined) {
    io.stderr(`hitl-gate audit: ${result.failure} (${result.count} records written before it)\n`);
    return 1;
  }
  io.stderr(`hitl-gate audit: ${result.count} governed pull request${result.count === 1 ? '' : 's'} of ${repo.owner}/${repo.repo}\n`);
  return 0;
}
