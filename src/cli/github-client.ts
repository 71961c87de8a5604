// GitHub for the commands that talk to it (`mcp`, `audit`): the token and API URL as GitHub Actions
// names them, and a client that waits out rate limits (saying so) instead of failing half-way.
import { getOctokit } from '@actions/github';
import { throttling } from '@octokit/plugin-throttling';
import type { GitHubClient } from '../github/client.js';
import { httpStatus } from '../github/errors.js';
import type { GateIdentity } from '../github/identity.js';

export const DEFAULT_API_URL = 'https://api.github.com';
/** The slug of the GitHub App the gate runs as, to recognise its check runs and status comments. */
export const DEFAULT_APP_SLUG = 'hitl-gate';
/** How many times one request waits out a rate limit before it gives up. */
const MAX_RATE_LIMIT_RETRIES = 4;

export interface GitHubAccess {
  token?: string;
  apiUrl: string;
  appSlug: string;
}

export function githubAccess(env: NodeJS.ProcessEnv): GitHubAccess {
  const token = (env.GITHUB_TOKEN ?? '').trim() || (env.GH_TOKEN ?? '').trim() || undefined;
  return {
    ...(token ? { token } : {}),
    apiUrl: (env.GITHUB_API_URL ?? '').trim().replace(/\/+$/, '') || DEFAULT_API_URL,
    appSlug: (env.HITL_APP_SLUG ?? '').trim() || DEFAULT_APP_SLUG,
  };
}

export const NO_TOKEN =
  'no GitHub token: set GITHUB_TOKEN (or GH_TOKEN) to a token that can read the repository (and comment on its pull requests, to ask for a review)';

/** `notice` gets one line per wait, e.g. for stderr. */
export function githubClient(access: GitHubAccess & { token: string }, notice: (line: string) => void): GitHubClient {
  const wait =
    (kind: string) =>
    (retryAfter: number, options: { method: string; url: string }, _octokit: unknown, retryCount: number): boolean => {
      if (retryCount >= MAX_RATE_LIMIT_RETRIES) {
        notice(`GitHub ${kind} rate limit on ${options.method} ${options.url}: giving up after ${retryCount} waits`);
        return false;
      }
      notice(`GitHub ${kind} rate limit on ${options.method} ${options.url}: waiting ${retryAfter} s`);
      return true;
    };
  return getOctokit(
    access.token,
    {
      baseUrl: access.apiUrl,
      throttle: { onRateLimit: wait('primary'), onSecondaryRateLimit: wait('secondary') },
    },
    throttling,
  ) as unknown as GitHubClient;
}

/** The gate's identity: the App's id from its public page (GET /apps/{slug}). */
export async function resolveGateIdentity(client: GitHubClient, appSlug: string): Promise<GateIdentity> {
  try {
    const { data } = await client.rest.apps.getBySlug({ app_slug: appSlug });
    if (!data) throw new Error('empty response');
    return { appId: data.id, login: `${data.slug ?? appSlug}[bot]` };
  } catch (error) {
    // A token GitHub refuses is the problem to name, not the slug.
    if (httpStatus(error) === 401) throw error;
    // Without the App's id its check runs and status comment cannot be told from anyone else's.
    throw new Error(
      `cannot look up the gate's GitHub App "${appSlug}" (GET /apps/${appSlug}: ${(error as Error).message}); set HITL_APP_SLUG to the slug of the App that runs hitl-gate`,
    );
  }
}
