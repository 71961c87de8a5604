// `hitl-gate`: validate a policy, explain a pull request's tier, print the policy's JSON Schema.
import { readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { POLICY_SCHEMA } from '../core/policy.js';
import { POLICY_TEST_SCHEMA } from '../core/policy-tests/schema.js';
import { explain } from './explain.js';
import { processIO, UsageError, type CliIO } from './io.js';
import { validate } from './validate.js';

export const HELP = `Usage: hitl-gate <command> [options]

Commands:
  validate [FILE...]     Check policy files (default .github/hitl.yml). Exit 0 when all are
                         valid, else 1 with one FILE:LINE:COL: message line per problem.
  explain [options]      The tier a pull request would get, and why.
      --policy FILE          policy to use (default .github/hitl.yml)
      --files-from FILE|-    changed files: the JSON of GET /repos/{o}/{r}/pulls/{n}/files
                             (gh api --paginate output too) or one path per line ("old -> new"
                             for a rename); - reads stdin
      --file PATH            a changed file (repeatable)
      --label NAME           a label on the PR (repeatable)
      --author LOGIN         the PR author
      --base BRANCH          the target branch (default main)
      --head BRANCH          the head branch
      --commit MESSAGE       a commit message (repeatable): its trailers may make the PR an
                             agent's (agents.trailers)
      --changed-files N      how many files GitHub counts (more than listed = truncated)
      --changed-lines N      added + deleted lines (default: summed from --files-from JSON)
      --json                 print a JSON object: tier, governed, rules, reasons, governedBy
                         Without --author, --label, --head or --commit the PR is taken to be
                         an agent's.
  test [FILE|DIR...]     Run policy tests: fixture PRs and the tier the policy must give them
                         (default .github/hitl-tests/*.yml). One PASS/FAIL line per case and
                         a summary; exit 0 all pass, 1 one fails, 2 a malformed test file
                         (FILE:LINE:COL: message).
      --format text|junit    junit: JUnit XML on stdout (lines and summary on stderr)
  schema [--tests]       Print the JSON Schema of the policy file (--tests: of a test file).
  mcp                    Serve the MCP tools request_human_review, get_review_status and
                         classify_change on stdio (for coding agents). Uses GITHUB_TOKEN or
                         GH_TOKEN, GITHUB_API_URL and HITL_APP_SLUG (default hitl-gate).
  audit OWNER/REPO [options]
                         The approval log of governed PRs updated in a period, as evidence.
      --since YYYY-MM-DD     first day (UTC) of the period
      --until YYYY-MM-DD     last day (UTC) of the period
      --format jsonl|csv     default jsonl
      --out FILE             write there instead of stdout
  report OWNER/REPO [options]
                         Where human attention went: governed PRs by tier and outcome, human
                         decisions and waits, the rules that send PRs to hard, vetoes, per week.
      --since YYYY-MM-DD     first day (UTC) of the period
      --until YYYY-MM-DD     last day (UTC) of the period
      --format html|json     one self-contained HTML page of charts (default), or JSON
      --out FILE             write there instead of stdout

Options:
  -h, --help             Show this help.
  -v, --version          Show the version.

Exit status: 0 ok, 1 invalid policy (test: a failing case), 2 usage error (unknown flag,
unreadable file, bad JSON, malformed test file).
`;

export function version(): string {
  // Walk up from this module (src/cli or dist/src/cli) to the package's own package.json.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'hitl-gate' && pkg.version) return pkg.version;
    } catch {
      // not here: keep walking up
    }
    dir = dirname(dir);
  }
  return 'unknown';
}

export function schemaText(): string {
  return `${JSON.stringify(POLICY_SCHEMA, null, 2)}\n`;
}

/** Runs one command; returns the exit status. Never throws. */
export async function main(argv: string[], io: CliIO): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        io.stdout(HELP);
        return command === undefined ? 2 : 0;
      case '-v':
      case '--version':
        io.stdout(`${version()}\n`);
        return 0;
      case 'validate':
        if (rest.includes('--help') || rest.includes('-h')) return help(io);
        return await validate(rest, io);
      case 'explain':
        if (rest.includes('--help') || rest.includes('-h')) return help(io);
        return await explain(rest, io);
      case 'mcp':
        if (rest.includes('--help') || rest.includes('-h')) return help(io);
        return await (await import('./mcp.js')).mcp(rest, io, version());
      case 'audit':
        if (rest.includes('--help') || rest.includes('-h')) return help(io);
        return await (await import('./audit.js')).audit(rest, io);
      case 'test':
        if (rest.includes('--help') || rest.includes('-h')) return help(io);
        return await (await import('./policy-test.js')).policyTest(rest, io);
      case 'report':
        if (rest.includes('--help') || rest.includes('-h')) return help(io);
        return await (await import('./report.js')).report(rest, io);
      case 'schema':
        if (rest.length === 1 && rest[0] === '--tests') {
          io.stdout(`${JSON.stringify(POLICY_TEST_SCHEMA, null, 2)}\n`);
          return 0;
        }
        if (rest.length > 0) throw new UsageError(`schema takes only --tests, got "${rest[0]}"`);
        io.stdout(schemaText());
        return 0;
      default:
        throw new UsageError(`unknown command "${command}" (expected validate, explain, test, schema, mcp, audit or report; see --help)`);
    }
  } catch (e) {
    const err = e as Error & { code?: string };
    // parseArgs reports unknown flags and missing values with ERR_PARSE_ARGS_* codes.
    if (e instanceof UsageError || err.code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr(`hitl-gate: ${err.message}\n`);
      return 2;
    }
    io.stderr(`hitl-gate: internal error: ${err.message ?? String(e)}\n`);
    return 2;
  }
}

function help(io: CliIO): number {
  io.stdout(HELP);
  return 0;
}

export async function run(argv: string[] = process.argv.slice(2)): Promise<void> {
  process.exitCode = await main(argv, processIO());
}

// Run when executed directly (`node --import tsx src/cli/main.ts`); bin/hitl-gate.js calls run().
function isEntry(): boolean {
  try {
    const entry = process.argv[1];
    return entry !== undefined && realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}
if (isEntry()) await run();
