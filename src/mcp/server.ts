// The MCP server: the agent's side of the gate. Three tools, each answering with text for the model
// and the same data as structured content; bad input and GitHub's refusals are error results.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { GitHubClient } from '../github/client.js';
import type { GateIdentity } from '../github/identity.js';
import { classifyChange } from './classify-change.js';
import { escalationComment, MAX_CONTEXT, MAX_MESSAGE } from './escalation-comment.js';
import { getPull, reviewStatus, type ReviewStatus } from './review-status.js';
import { gitHubRefusal, parseRepo, ToolError } from './tool-error.js';

export interface McpDeps {
  /** Undefined without a token: tools that need GitHub answer with an error saying so. */
  client?: GitHubClient;
  /** Why there is no client (shown to the agent). */
  noClient?: string;
  identity: () => Promise<GateIdentity>;
  now: () => Date;
  version: string;
}

const REPO = z.string().describe('The repository, "owner/name"');
const PR = z.number().int().positive().describe('The pull request number');
const TIER = z.enum(['fyi', 'soft', 'hard']);

const STATE = z.enum(['ready', 'waiting', 'blocked', 'ignored', 'merged', 'closed']);
const RESULT_TIER = z.enum(['fyi', 'soft', 'hard', 'none']).describe('`none`: the gate does not govern this PR');

const STATUS_OUTPUT = {
  repo: z.string(),
  pr: z.number(),
  url: z.string(),
  title: z.string(),
  headSha: z.string(),
  tier: RESULT_TIER,
  state: STATE,
  governed: z.boolean(),
  reasons: z.array(z.string()),
  approvals: z.array(z.object({ by: z.string(), at: z.string(), via: z.enum(['comment', 'review', 'click']) })),
  vetoes: z.array(z.object({ by: z.string(), at: z.string(), reason: z.string().optional() })),
  deadline: z.string().optional().describe('End of the veto window (ISO 8601), while one runs'),
  next: z.string().describe('What happens next, in one sentence'),
};

const REVIEW_OUTPUT = {
  commentUrl: z.string(),
  commentId: z.number(),
  requestedTier: TIER,
  tier: RESULT_TIER.optional(),
  state: STATE.optional(),
  next: z.string().optional(),
  statusError: z.string().optional().describe('Set when the comment was posted but the status could not be read'),
};

const CLASSIFY_OUTPUT = {
  tier: TIER,
  governed: z.boolean(),
  assumedAgent: z.boolean(),
  rules: z.array(z.string()),
  reasons: z.array(z.string()),
  details: z.array(z.object({ kind: z.string(), tier: TIER }).passthrough()),
  risk: z
    .object({ score: z.number(), factors: z.array(z.object({ name: z.string(), value: z.number(), contribution: z.number() })) })
    .optional(),
  policy: z.object({
    source: z.enum(['input', 'repository']),
    path: z.string(),
    kind: z.enum(['ok', 'missing', 'invalid']),
    ref: z.string().optional(),
    errors: z.array(z.string()).optional(),
  }),
};

function ok(text: string, data: object): CallToolResult {
  return { content: [{ type: 'text', text }], structuredContent: data as Record<string, unknown> };
}

/** Runs a tool; a ToolError (or anything unexpected) becomes an error result, never a crash. */
async function answer(run: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await run();
  } catch (error) {
    const message =
      error instanceof ToolError ? error.message : `internal error: ${error instanceof Error ? error.message : String(error)}`;
    return { content: [{ type: 'text', text: message }], isError: true };
  }
}

function statusText(s: ReviewStatus): string {
  const lines = [
    `${s.repo}#${s.pr}: tier ${s.tier}, ${s.state}${s.deadline ? ` (veto window ends ${s.deadline})` : ''}`,
    `next: ${s.next}`,
  ];
  if (s.approvals.length) lines.push(`approvals: ${s.approvals.map((a) => `${a.by} (${a.via}, ${a.at})`).join(', ')}`);
  if (s.vetoes.length) lines.push(`vetoes: ${s.vetoes.map((v) => `${v.by} (${v.at})${v.reason ? `: ${v.reason}` : ''}`).join(', ')}`);
  lines.push(...s.reasons.map((r) => `- ${r}`));
  return lines.join('\n');
}

export function createMcpServer(deps: McpDeps): McpServer {
  const server = new McpServer(
    { name: 'hitl-gate', version: deps.version },
    {
      instructions:
        'hitl-gate puts humans in the loop of agent pull requests. Use classify_change before opening a PR to see which tier it gets, request_human_review when you want a person to look, get_review_status to learn whether your PR waits, is vetoed or merged.',
    },
  );
  const client = (): GitHubClient => {
    if (!deps.client) throw new ToolError(deps.noClient ?? 'no GitHub client');
    return deps.client;
  };
  const statusDeps = () => ({ client: client(), identity: deps.identity, now: deps.now });

  server.registerTool(
    'request_human_review',
    {
      title: 'Ask a human to review a pull request',
      description:
        "Posts one comment on the PR, as the token's identity, whose first line is `/escalate TIER` (the gate raises the PR to at least that tier; it never lowers one) followed by your message and, folded away, your context. Returns at once with the comment's URL and the PR's current tier and state; poll get_review_status for the outcome.",
      inputSchema: {
        repo: REPO,
        pr: PR,
        tier: TIER.describe('fyi: inform; soft: a veto window before merge; hard: blocked until a person approves'),
        message: z.string().min(1).max(MAX_MESSAGE).describe('What the reviewer should look at and why, in a few sentences'),
        context: z.string().max(MAX_CONTEXT).optional().describe('Longer background (logs, reasoning), folded in the comment'),
      },
      outputSchema: REVIEW_OUTPUT,
      annotations: { destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    (args) =>
      answer(async () => {
        const ref = { ...parseRepo(args.repo), number: args.pr };
        const gh = client();
        const pull = await getPull(gh, ref);
        if (pull.state !== 'open')
          throw new ToolError(`${args.repo}#${args.pr} is ${pull.merged === true ? 'merged' : 'closed'}: there is nothing left to review`);
        const body = escalationComment(args.tier, args.message, args.context);
        let comment: { html_url: string; id: number };
        try {
          comment = (await gh.rest.issues.createComment({ owner: ref.owner, repo: ref.repo, issue_number: ref.number, body })).data;
        } catch (error) {
          throw gitHubRefusal(error, `commenting on ${args.repo}#${args.pr}`);
        }
        // The gate reacts to the comment by itself; the status read now already counts the escalation.
        let status: ReviewStatus | undefined;
        let statusError: string | undefined;
        try {
          status = await reviewStatus(statusDeps(), ref);
        } catch (error) {
          statusError = error instanceof Error ? error.message : String(error);
        }
        const data = {
          commentUrl: comment.html_url,
          commentId: comment.id,
          requestedTier: args.tier,
          ...(status ? { tier: status.tier, state: status.state, next: status.next } : { statusError }),
        };
        const text = `Asked for a ${args.tier} review on ${args.repo}#${args.pr}: ${comment.html_url}\n${status ? `now: tier ${status.tier}, ${status.state}. ${status.next}` : `the current status could not be read: ${statusError}`}`;
        return ok(text, data);
      }),
  );

  server.registerTool(
    'get_review_status',
    {
      title: 'What the gate decides about a pull request now',
      description:
        "The tier, state (ready, waiting, blocked, ignored, merged, closed), reasons, approvals, vetoes, the veto window's end and the next step, derived read-only by the same engine as the gate itself.",
      inputSchema: { repo: REPO, pr: PR },
      outputSchema: STATUS_OUTPUT,
      annotations: { readOnlyHint: true, openWorldHint: true },
    },
    (args) =>
      answer(async () => {
        const status = await reviewStatus(statusDeps(), { ...parseRepo(args.repo), number: args.pr });
        return ok(statusText(status), status);
      }),
  );

  server.registerTool(
    'classify_change',
    {
      title: 'Which tier a change would get',
      description:
        "The tier and reasons a pull request with these changed files would get, under the policy text given or the repository's policy (on the base branch, default: the default branch). For planning a PR before opening it, e.g. to split a risky change from a safe one. A change that says nothing of who made it (no author, labels, head or commits) is taken to be an agent's, as `hitl-gate explain` takes it, and assumedAgent says so.",
      inputSchema: {
        repo: REPO.optional(),
        files: z.array(z.string()).max(3000).describe('Changed paths; "old -> new" for a rename'),
        labels: z.array(z.string()).optional(),
        author: z
          .string()
          .optional()
          .describe(
            "The PR author's login. When nothing says who made the change (no author, labels, head or commits) it is taken to be an agent's (assumedAgent); otherwise the policy's agents section decides",
          ),
        base: z.string().optional().describe('The target branch'),
        head: z.string().optional().describe('The head branch (agents.branches may match it)'),
        commits: z.array(z.string().max(10_000)).max(250).optional().describe('Commit messages (agents.trailers may match their trailers)'),
        policy: z.string().optional().describe("Policy text (.github/hitl.yml) to use instead of the repository's"),
      },
      outputSchema: CLASSIFY_OUTPUT,
      annotations: { readOnlyHint: true, openWorldHint: true },
    },
    (args) =>
      answer(async () => {
        const { commits, ...rest } = args;
        const c = await classifyChange(deps.client, { ...rest, ...(commits !== undefined ? { commitMessages: commits } : {}) }, deps.now());
        const text = [
          `tier: ${c.tier}${c.governed ? '' : ' (not governed: the gate would pass it without asking anyone)'}`,
          ...c.reasons.map((r) => `- ${r}`),
        ].join('\n');
        return ok(text, c);
      }),
  );

  return server;
}
