// `classify_change`: the tier a change would get before the PR exists, so an agent can split a risky
// change from a safe one. The policy is the text given, or the repository's as its base branch holds it.
import { describedFile, whatIf } from '../core/change.js';
import { loadPolicy, POLICY_PATH } from '../core/policy.js';
import { reasonLine } from '../core/reason-text.js';
import type { PolicyLoad } from '../core/model/policy.js';
import type { TierReason } from '../core/model/decision.js';
import type { GitHubClient } from '../github/client.js';
import { readPolicy } from '../github/read-policy.js';
import { openSession } from '../github/session.js';
import { gitHubRefusal, parseRepo, ToolError } from './tool-error.js';

export interface ChangeInput {
  repo?: string;
  files: string[];
  labels?: string[];
  author?: string;
  base?: string;
  head?: string;
  commitMessages?: string[];
  policy?: string;
}

export interface ChangeClassification {
  tier: 'fyi' | 'soft' | 'hard';
  governed: boolean;
  /** Nothing said who made the change (no author, label, head branch or commit message), so it was
   * taken to be an agent's (core/change.ts, the same rule as `hitl-gate explain`). */
  assumedAgent: boolean;
  rules: string[];
  reasons: string[];
  details: TierReason[];
  risk?: { score: number; factors: { name: string; value: number; contribution: number }[] };
  policy: { source: 'input' | 'repository'; path: string; kind: PolicyLoad['kind']; ref?: string; errors?: string[] };
}

async function repositoryPolicy(
  client: GitHubClient | undefined,
  repo: string,
  base: string | undefined,
  now: Date,
): Promise<{ load: PolicyLoad; ref: string }> {
  if (!client)
    throw new ToolError(
      'reading the policy from a repository needs a GitHub token (GITHUB_TOKEN or GH_TOKEN); or pass the policy text as "policy"',
    );
  const ref = parseRepo(repo);
  let branch = base;
  if (branch === undefined) {
    try {
      branch = (await client.rest.repos.get({ owner: ref.owner, repo: ref.repo })).data.default_branch;
    } catch (error) {
      throw gitHubRefusal(error, `repository ${repo}`);
    }
  }
  const read = await readPolicy(openSession(client, now, undefined), ref, branch, POLICY_PATH);
  // The gate blocks on an unreadable policy; planning cannot go on without one either.
  if (read.source.kind === 'unreadable') throw new ToolError(`could not read ${POLICY_PATH} of ${repo}@${branch}: ${read.source.message}`);
  return { load: read.remap(loadPolicy(read.source)), ref: branch };
}

export async function classifyChange(client: GitHubClient | undefined, input: ChangeInput, now: Date): Promise<ChangeClassification> {
  if (input.policy === undefined && input.repo === undefined)
    throw new ToolError('give "repo" (to read its policy) or "policy" (the policy text)');
  const { load, ref } =
    input.policy !== undefined
      ? { load: loadPolicy({ kind: 'text', path: POLICY_PATH, text: input.policy }), ref: undefined }
      : await repositoryPolicy(client, input.repo as string, input.base, now);
  const files = input.files
    .map((f) => f.trim())
    .filter((f) => f !== '')
    .map(describedFile);
  const base = input.base ?? ref;
  const verdict = whatIf(load, {
    files,
    ...(input.author !== undefined ? { author: input.author } : {}),
    ...(input.labels !== undefined ? { labels: input.labels } : {}),
    ...(base !== undefined ? { base } : {}),
    ...(input.head !== undefined ? { head: input.head } : {}),
    ...(input.commitMessages !== undefined ? { commitMessages: input.commitMessages } : {}),
  });
  const c = verdict.classification;
  return {
    tier: c.tier,
    governed: verdict.governed,
    assumedAgent: verdict.assumedAgent,
    rules: verdict.rules,
    reasons: c.reasons.map((r) => reasonLine(r)),
    details: c.reasons,
    ...(verdict.risk ? { risk: verdict.risk } : {}),
    policy: {
      source: input.policy !== undefined ? 'input' : 'repository',
      path: load.path,
      kind: load.kind,
      ...(ref !== undefined ? { ref } : {}),
      ...(load.kind === 'invalid' ? { errors: load.errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.message}`) } : {}),
    },
  };
}
