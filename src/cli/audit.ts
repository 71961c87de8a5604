// `hitl-gate audit OWNER/REPO`: the approval log of the governed PRs updated in a period, as JSON
// lines or CSV, rebuilt from GitHub alone. Records go to stdout (or --out); waits and progress to stderr.
import { createWriteStream, type WriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { stringify } from 'csv-stringify/sync';
import { describeError } from '../github/errors.js';
import { gatherAuditRecords, type AuditRecord } from '../github/gather-audit-records.js';
import { githubAccess, githubClient, NO_TOKEN, resolveGateIdentity } from './github-client.js';
import { UsageError, type CliIO } from './io.js';

const OPTIONS = {
  since: { type: 'string' },
  until: { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string' },
} as const;

/** The columns, in the order of the issue that defined them. */
export const AUDIT_FIELDS: (keyof AuditRecord)[] = [
  'repo', 'pr', 'url', 'title', 'author', 'head_sha', 'tier', 'state', 'rules', 'approvals', 'vetoes',
  'window_start', 'window_end', 'merged', 'merge_sha', 'merged_at', 'merged_by', 'merged_by_gate', 'policy_sha', 'mode', 'would',
];

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` as the start of that UTC day. */
function day(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : NaN;
  if (!Number.isFinite(ms) || new Date(ms).toISOString().slice(0, 10) !== value) throw new UsageError(`--${flag} expects a date YYYY-MM-DD, got "${value}"`);
  return ms;
}

/** A CSV cell: lists and objects as JSON, null as empty. */
function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export interface AuditEnv {
  env?: NodeJS.ProcessEnv;
  /** Whether stderr is a terminal (then a progress line is drawn there). */
  stderrIsTTY?: boolean;
}

export async function audit(args: string[], io: CliIO, options: AuditEnv = {}): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: true });
  if (positionals.length !== 1) throw new UsageError(`audit takes one OWNER/REPO, got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`);
  const m = /^([A-Za-z0-9][A-Za-z0-9-]*)\/([A-Za-z0-9._-]+)$/.exec(positionals[0] as string);
  if (!m) throw new UsageError(`expected OWNER/REPO, got "${positionals[0]}"`);
  const repo = { owner: m[1] as string, repo: m[2] as string };
  const since = day('since', values.since);
  const untilDay = day('until', values.until);
  // --until names the last day of the period: everything before the next midnight.
  const until = untilDay === undefined ? undefined : untilDay + DAY_MS;
  if (since !== undefined && until !== undefined && since >= until) throw new UsageError('--since is after --until');
  const format = values.format ?? 'jsonl';
  if (format !== 'jsonl' && format !== 'csv') throw new UsageError(`--format expects jsonl or csv, got "${format}"`);

  const access = githubAccess(options.env ?? process.env);
  if (!access.token) throw new UsageError(NO_TOKEN);
  const client = githubClient({ ...access, token: access.token }, (line) => io.stderr(`hitl-gate audit: ${line}\n`));
  const tty = options.stderrIsTTY ?? process.stderr.isTTY === true;

  let file: WriteStream | undefined;
  const write = (text: string): void => {
    if (file) file.write(text);
    else io.stdout(text);
  };
  if (values.out !== undefined) file = createWriteStream(values.out, { encoding: 'utf8' });
  let count = 0;
  let failure: string | undefined;
  try {
    const identity = await resolveGateIdentity(client, access.appSlug);
    if (format === 'csv') write(stringify([AUDIT_FIELDS]));
    const records = gatherAuditRecords(client, repo, identity, { ...(since !== undefined ? { since } : {}), ...(until !== undefined ? { until } : {}) }, (p) => {
      if (tty) io.stderr(`\r${p.seen} pull requests read, ${p.governed} governed`);
    });
    for await (const record of records) {
      count += 1;
      write(format === 'csv' ? stringify([AUDIT_FIELDS.map((f) => cell(record[f]))]) : `${JSON.stringify(record)}\n`);
    }
  } catch (error) {
    failure = describeError(error);
  } finally {
    if (tty) io.stderr('\n');
    if (file) await new Promise<void>((resolve, reject) => file?.end((e?: Error | null) => (e ? reject(e) : resolve())));
  }
  if (failure !== undefined) {
    io.stderr(`hitl-gate audit: ${failure} (${count} records written before it)\n`);
    return 1;
  }
  io.stderr(`hitl-gate audit: ${count} governed pull request${count === 1 ? '' : 's'} of ${repo.owner}/${repo.repo}\n`);
  return 0;
}
