// A client of the local GitHub as the gate's installation sees one repository: for tests that call
// reconcile in-process rather than through the App server.
import { getOctokit } from '@actions/github';
import type { GitHubClient } from '../../src/github/index.js';
import type { GitHubSimulator } from '../sim/index.js';

export function installationClient(sim: GitHubSimulator, repo: string): GitHubClient {
  const token = `ghs_test_${repo.replace(/[^A-Za-z0-9]/g, '_')}`;
  sim.world.tokens.set(token, { token, installationId: sim.world.repo(repo).installationId, expiresAt: Date.now() + 3600_000 });
  return getOctokit(token, { baseUrl: sim.apiUrl }) as unknown as GitHubClient;
}

/** The gate's identity in the local GitHub. */
export const gateIdentity = (sim: GitHubSimulator) => ({ appId: sim.app.id, login: sim.app.botLogin });
