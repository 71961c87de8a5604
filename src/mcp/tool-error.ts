// A tool call that cannot be answered because of its input or of GitHub: reported to the agent as an
// error result with this message, never as a crash of the server.
import { httpStatus } from '../github/errors.js';

export class ToolError extends Error {}

/** Splits `owner/name`; a ToolError for anything else. */
export function parseRepo(repo: string): { owner: string; repo: string } {
  const m = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})$/.exec(repo.trim());
  if (!m) throw new ToolError(`repo must be "owner/name", got "${repo}"`);
  return { owner: m[1] as string, repo: m[2] as string };
}

/** What GitHub's refusal means to the agent, in one sentence. */
export function gitHubRefusal(error: unknown, what: string): ToolError {
  const status = httpStatus(error);
  const message = error instanceof Error ? error.message : String(error);
  if (status === 401) return new ToolError(`GitHub refused the token (401 ${message}): check GITHUB_TOKEN / GH_TOKEN`);
  if (status === 403)
    return new ToolError(`GitHub refused ${what} (403 ${message}): the token lacks the permission, or a rate limit was hit`);
  if (status === 404) return new ToolError(`${what}: not found (or the token cannot see it)`);
  return new ToolError(`GitHub failed on ${what}: ${status !== undefined ? `${status} ` : ''}${message}`);
}
