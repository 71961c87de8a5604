// The evidence `audit` and `report` share: which repository and period the user asked for, and the
// gate's record of every governed PR in it, read from GitHub with the same token, API URL, App slug,
// progress line and rate-limit waits.
import { describeError, httpStatus } from '../github/errors.js';
import { gatherAuditRecords, type AuditPeriod, type AuditRecord } from '../github/gather-audit-records.js';
import type { GitHubClient } from '../github/client.js';
import type { GateIdentity } from '../github/identity.js';
import type { RepositoryRef } from '../github/types.js';
import { githubAccess, githubClient, NO_TOKEN, resolveGateIdentity } from './github-client.js';
import { UsageError, type CliIO } from './io.js';

const DAY_MS = 86_400_000;

/** The command-line options `audit` and `report` share. */
export const EVIDENCE_OPTIONS = {
  since: { type: 'string' },
  until: { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string' },
} as const;

export interface EvidenceRequest {
  repo: RepositoryRef;
  period: AuditPeriod;
}

export interface EvidenceEnv {
  env?: NodeJS.ProcessEnv;
  /** Whether stderr is a terminal (then a progress line is drawn there). */
  stderrIsTTY?: boolean;
}

/** `YYYY-MM-DD` as the start of that UTC day. */
function day(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : NaN;
  if (!Number.isFinite(ms) || new Date(ms).toISOString().slice(0, 10) !== value)
    throw new UsageError(`--${flag} expects a date YYYY-MM-DD, got "${value}"`);
  return ms;
}

/** OWNER/REPO and --since/--until, as `audit` and `report` take them. */
export function evidenceRequest(command: string, positionals: string[], values: { since?: string; until?: string }): EvidenceRequest {
  if (positionals.length !== 1)
    throw new UsageError(`${command} takes one OWNER/REPO, got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`);
  const m = /^([A-Za-z0-9][A-Za-z0-9-]*)\/([A-Za-z0-9._-]+)$/.exec(positionals[0] as string);
  if (!m) throw new UsageError(`expected OWNER/REPO, got "${positionals[0]}"`);
  const since = day('since', values.since);
  const untilDay = day('until', values.until);
  // --until names the last day of the period: everything before the next midnight.
  const until = untilDay === undefined ? undefined : untilDay + DAY_MS;
  if (since !== undefined && until !== undefined && since >= until) throw new UsageError('--since is after --until');
  return {
    repo: { owner: m[1] as string, repo: m[2] as string },
    period: { ...(since !== undefined ? { since } : {}), ...(until !== undefined ? { until } : {}) },
  };
}

/** A failure as the user can act on it: a token GitHub refuses, a repository it does not show. */
function explainFailure(error: unknown, repo: RepositoryRef): string {
  const status = httpStatus(error);
  if (status === 401)
    return `GitHub refused the token (401 ${error instanceof Error ? error.message : ''}): set GITHUB_TOKEN (or GH_TOKEN) to a valid token`.replace(
      ' )',
      ')',
    );
  if (status === 404) return `GitHub answered 404 for ${repo.owner}/${repo.repo}: no such repository, or the token cannot read it`;
  return describeError(error);
}

export interface Evidence {
  client: GitHubClient;
  identity: GateIdentity;
}

/**
 * Reads the record of every governed PR in the period and hands each to `each` as it comes. Returns
 * how many were read and, when GitHub failed part-way, why (the records handed over before stand).
 * No token is a usage error; everything GitHub answers is a failure.
 */
export interface EvidenceReader {
  /** Once the gate's App is known, before the first record. */
  start?: (evidence: Evidence) => void;
  each: (record: AuditRecord) => void;
  /** After the last record, while GitHub may still be read; a failure here is a failure of the run. */
  end?: (evidence: Evidence) => Promise<void>;
}

export async function readEvidence(
  command: string,
  request: EvidenceRequest,
  io: CliIO,
  options: EvidenceEnv,
  reader: EvidenceReader,
): Promise<{ count: number; failure?: string }> {
  const access = githubAccess(options.env ?? process.env);
  if (!access.token) throw new UsageError(NO_TOKEN);
  const client = githubClient({ ...access, token: access.token }, (line) => io.stderr(`hitl-gate ${command}: ${line}\n`));
  const tty = options.stderrIsTTY ?? process.stderr.isTTY === true;
  let count = 0;
  try {
    const identity = await resolveGateIdentity(client, access.appSlug);
    reader.start?.({ client, identity });
    const records = gatherAuditRecords(client, request.repo, identity, request.period, (p) => {
      if (tty) io.stderr(`\r${p.seen} pull requests read, ${p.governed} governed`);
    });
    for await (const record of records) {
      count += 1;
      reader.each(record);
    }
    await reader.end?.({ client, identity });
    return { count };
  } catch (error) {
    return { count, failure: explainFailure(error, request.repo) };
  } finally {
    if (tty) io.stderr('\n');
  }
}
