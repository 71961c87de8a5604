// Who the gate is inside a workflow. The gate recognises its own check run (whose start is the trusted
// clock of the veto window) and its own status comment (which keeps the veto ledger) by the GitHub App
// that wrote them, so the Action needs that App's id, not just a login.
import type { GateIdentity, GitHubClient } from '../src/github/index.js';

/** The id of the GitHub Actions app on github.com, used only when GitHub will not tell us. */
const GITHUB_ACTIONS_APP_ID_ON_GITHUB_COM = 15368;

export async function resolveIdentity(client: GitHubClient, appSlug: string, apiUrl: string): Promise<GateIdentity> {
  try {
    const { data } = await client.rest.apps.getBySlug({ app_slug: appSlug });
    if (!data) throw new Error('empty response');
    return { appId: data.id, login: `${data.slug ?? appSlug}[bot]` };
  } catch (error) {
    if (appSlug === 'github-actions' && new URL(apiUrl).hostname === 'api.github.com') {
      return { appId: GITHUB_ACTIONS_APP_ID_ON_GITHUB_COM, login: 'github-actions[bot]' };
    }
    // Without the app id the gate cannot find its own check run, so a veto window would never start
    // and a ledgered veto would be forgotten: refuse to guess.
    throw new Error(`Cannot look up the GitHub App \`${appSlug}\` (GET /apps/${appSlug}): ${(error as Error).message}`);
  }
}
