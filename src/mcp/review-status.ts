// `get_review_status`: what the gate decides about a PR right now, derived by the same engine the
// Action's `check` mode runs (reconcile, read-only: nothing is written).
import { plainText } from '../core/markdown.js';
import type { Decision } from '../core/model/decision.js';
import type { PullRequestFacts } from '../core/model/pull-request.js';
import { reasonLine } from '../core/reason-text.js';
import { nextStep } from '../core/render.js';
import type { GitHubClient } from '../github/client.js';
import { httpStatus } from '../github/errors.js';
import type { GateIdentity } from '../github/identity.js';
import { reconcile } from '../github/reconcile.js';
import type { PullRequestRef } from '../github/types.js';
import { gitHubRefusal, ToolError } from './tool-error.js';

export interface ReviewStatus {
  repo: string;
  pr: number;
  url: string;
  title: string;
  headSha: string;
  tier: Decision['tier'];
  /** The gate's state, or `merged` / `closed` once the PR is. */
  state: Decision['state'] | 'merged' | 'closed';
  governed: boolean;
  reasons: string[];
  approvals: { by: string; at: string; via: 'comment' | 'review' | 'click' }[];
  vetoes: { by: string; at: string; reason?: string }[];
  /** End of the veto window (ISO), while one runs. */
  deadline?: string;
  /** What happens next, in one sentence. */
  next: string;
}

export interface StatusDeps {
  client: GitHubClient;
  identity: () => Promise<GateIdentity>;
  now: () => Date;
}

/** The PR, or a ToolError that tells an unknown repository from an unknown PR. */
export async function getPull(client: GitHubClient, ref: PullRequestRef): Promise<Record<string, unknown>> {
  const name = `${ref.owner}/${ref.repo}`;
  try {
    const { data } = await client.rest.pulls.get({ owner: ref.owner, repo: ref.repo, pull_number: ref.number });
    return data as unknown as Record<string, unknown>;
  } catch (error) {
    if (httpStatus(error) !== 404) throw gitHubRefusal(error, `pull request ${name}#${ref.number}`);
  }
  try {
    await client.rest.repos.get({ owner: ref.owner, repo: ref.repo });
  } catch (error) {
    throw gitHubRefusal(error, `repository ${name}`);
  }
  throw new ToolError(`${name} has no pull request #${ref.number}`);
}

function nextStepOf(decision: Decision, facts: PullRequestFacts | undefined, pull: Record<string, unknown>, now: Date): string {
  if (pull.merged === true) return 'Merged.';
  if (pull.state === 'closed') return 'Closed without merging.';
  if (!decision.governed) return 'Not governed by hitl-gate: nothing to wait for from the gate.';
  return (facts ? plainText(nextStep(decision, facts, now.getTime(), false)) : '') || decision.title;
}

export async function reviewStatus(deps: StatusDeps, ref: PullRequestRef): Promise<ReviewStatus> {
  const pull = await getPull(deps.client, ref);
  const identity = await deps.identity().catch((error: unknown) => {
    throw new ToolError(error instanceof Error ? error.message : String(error));
  });
  const outcome = await reconcile(deps.client, ref, { mode: 'check', identity, now: deps.now, pullRequest: pull });
  if (outcome.error) throw new ToolError(`the gate could not decide on ${ref.owner}/${ref.repo}#${ref.number}: ${outcome.error}`);
  const d = outcome.decision;
  const state: ReviewStatus['state'] = pull.merged === true ? 'merged' : pull.state === 'closed' ? 'closed' : d.state;
  return {
    repo: `${ref.owner}/${ref.repo}`,
    pr: ref.number,
    url: typeof pull.html_url === 'string' ? pull.html_url : '',
    title: typeof pull.title === 'string' ? pull.title : '',
    headSha: outcome.facts?.headSha ?? '',
    tier: d.tier,
    state,
    governed: d.governed,
    reasons: d.classification.reasons.map((r) => reasonLine(r)),
    approvals: d.approvals.map((a) => ({ by: a.by, at: a.at, via: a.via })),
    vetoes: d.vetoes.map((v) => ({ by: v.by, at: v.at, ...(v.reason ? { reason: v.reason } : {}) })),
    ...(d.state === 'waiting' && d.window ? { deadline: d.window.end } : {}),
    next: nextStepOf(d, outcome.facts, pull, deps.now()),
  };
}
