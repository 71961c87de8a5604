// The rules GitHub applies to a base branch (rulesets at every level), read with metadata permission
// only. Rules change rarely and are read whenever the gate is about to merge, so every read is
// conditional (with the answers the session keeps): a 304 costs nothing against the rate limit. The
// sweep re-reads (conditionally) on each pass, so a ruleset an admin changes is seen within one sweep.
import type { MergeMethod } from '../core/model/policy.js';
import type { BranchRules } from '../core/model/base-branch.js';
import { rulesetIds, summarizeBranchRules, type RawBranchRule, type RulesetInfo } from '../core/branch-rules.js';
import { readConditionally } from './conditional-read.js';
import { httpStatus } from './errors.js';
import type { Session } from './session.js';
import type { RepositoryRef } from './types.js';

/** GET with If-None-Match; the kept body on 304. `undefined` on 404. */
const conditionalGet = (session: Session, key: string, route: string, params: Record<string, unknown>): Promise<unknown> =>
  readConditionally(session, key, (c, conditional) => c.request(route, { ...params, ...conditional }));

async function readRuleset(session: Session, repo: RepositoryRef, id: number): Promise<RulesetInfo | undefined> {
  const key = `${repo.owner}/${repo.repo}\0ruleset\0${id}`.toLowerCase();
  try {
    const data = await conditionalGet(session, key, 'GET /repos/{owner}/{repo}/rulesets/{ruleset_id}', {
      owner: repo.owner,
      repo: repo.repo,
      ruleset_id: id,
    });
    if (typeof data !== 'object' || data === null) return undefined;
    const r = data as { name?: unknown; current_user_can_bypass?: unknown };
    return {
      id,
      name: typeof r.name === 'string' ? r.name : `ruleset ${id}`,
      ...(typeof r.current_user_can_bypass === 'string' ? { bypass: r.current_user_can_bypass } : {}),
    };
  } catch (error) {
    // A ruleset we cannot read only costs its name and any bypass (which then counts as none).
    session.log.warn({ repo, ruleset: id, status: httpStatus(error) }, 'ruleset unreadable; assuming no bypass');
    return undefined;
  }
}

/**
 * What `branch` demands. Throws when GitHub will not list the rules (the caller then merges nothing
 * it could not explain, and says so); a repository without rulesets answers an empty list.
 */
export async function readBranchRules(session: Session, repo: RepositoryRef, branch: string): Promise<BranchRules> {
  const key = `${repo.owner}/${repo.repo}\0rules\0${branch}`.toLowerCase();
  const data = await conditionalGet(session, key, 'GET /repos/{owner}/{repo}/rules/branches/{branch}', {
    owner: repo.owner,
    repo: repo.repo,
    branch,
    per_page: 100,
  });
  const raw = Array.isArray(data) ? (data as RawBranchRule[]) : [];
  const infos = await Promise.all(rulesetIds(raw).map((id) => readRuleset(session, repo, id)));
  const rulesets = new Map(infos.filter((i): i is RulesetInfo => i !== undefined).map((i) => [i.id, i]));
  return summarizeBranchRules(raw, rulesets);
}

/**
 * The merge methods the repository allows (`allow_merge_commit`, `allow_squash_merge`,
 * `allow_rebase_merge`). GitHub returns them only to a token with contents write: the App has it, an
 * Action's `GITHUB_TOKEN` may not. Unknown is `undefined`: the gate then learns from a refused merge.
 */
export async function readMergeSettings(session: Session, repo: RepositoryRef): Promise<MergeMethod[] | undefined> {
  const key = `${repo.owner}/${repo.repo}\0repository`.toLowerCase();
  try {
    const data = await conditionalGet(session, key, 'GET /repos/{owner}/{repo}', { owner: repo.owner, repo: repo.repo });
    if (typeof data !== 'object' || data === null) return undefined;
    const r = data as { allow_merge_commit?: unknown; allow_squash_merge?: unknown; allow_rebase_merge?: unknown };
    const flags: [MergeMethod, unknown][] = [
      ['merge', r.allow_merge_commit],
      ['squash', r.allow_squash_merge],
      ['rebase', r.allow_rebase_merge],
    ];
    if (flags.some(([, v]) => typeof v !== 'boolean')) return undefined;
    return flags.filter(([, v]) => v === true).map(([m]) => m);
  } catch (error) {
    session.log.warn({ repo, status: httpStatus(error) }, 'repository settings unreadable; merge methods unknown');
    return undefined;
  }
}
