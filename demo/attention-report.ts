// The demo's last step: `hitl-gate report` over the PRs it played, as one HTML page beside the
// terminal's timeline (demo-report.html in the working directory).
import { resolve } from 'node:path';
import type { CliIO } from '../src/cli/io.js';
import { report } from '../src/cli/report.js';
import type { GitHubSimulator } from '../test/sim/index.js';

/** Writes the page; returns its path, or why it could not. */
export async function writeAttentionReport(
  sim: GitHubSimulator,
  repo: string,
  file = 'demo-report.html',
): Promise<{ path: string } | { error: string }> {
  const path = resolve(file);
  let stderr = '';
  const io: CliIO = {
    stdout: () => undefined,
    stderr: (t) => void (stderr += t),
    readStdin: () => Promise.resolve(''),
    readFile: () => Promise.reject(new Error('unused')),
  };
  const env = { GITHUB_TOKEN: sim.personalToken('alice'), GITHUB_API_URL: sim.apiUrl, HITL_APP_SLUG: sim.app.slug };
  const code = await report([repo, '--out', path], io, { env, stderrIsTTY: false });
  return code === 0 ? { path } : { error: stderr.trim() };
}
