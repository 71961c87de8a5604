// What a restricted token (a workflow's `GITHUB_TOKEN`) needs to write through a route, so the simulator
// refuses a write its scopes do not cover the way GitHub does: 403 "Resource not accessible by integration".
import type { TokenScope } from './model.js';

/** The scope a request writes under, or undefined when it only reads (a GraphQL query reads). */
export function writeScope(method: string, template: string, body: Record<string, unknown>): TokenScope | undefined {
  if (method === 'GET' || method === 'HEAD') return undefined;
  if (template.endsWith('/graphql')) return /^\s*mutation\b/.test(String(body.query ?? '')) ? 'pull_requests' : undefined;
  if (template.includes('/check-runs') || template.includes('/check-suites')) return 'checks';
  if (template.includes('/statuses/')) return 'statuses';
  // Merging and updating a branch write commits to the repository.
  if (template.endsWith('/merge') || template.endsWith('/update-branch')) return 'contents';
  if (template.includes('/pulls/')) return 'pull_requests';
  if (template.includes('/issues/')) return 'issues';
  return 'contents';
}

export const NOT_ACCESSIBLE = 'Resource not accessible by integration';
