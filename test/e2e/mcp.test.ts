// `hitl-gate mcp` as an agent uses it: the SDK's own client over real stdio, the server as a child
// process, the local GitHub with the real App server deciding.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommands } from '../../src/core/commands.js';
import { AGENT, FILES, gateCheck, merged, openAgentPr, policy, repoFor, startGate, type Gate } from './harness.js';

let gate: Gate;
let agent: Client;
const clients: Client[] = [];

async function connect(env: Record<string, string>): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ['--import', 'tsx', 'src/cli/main.ts', 'mcp'],
    env: { PATH: process.env.PATH ?? '', ...env },
    stderr: 'pipe',
  });
  const client = new Client({ name: 'test-agent', version: '1.0.0' });
  await client.connect(transport);
  clients.push(client);
  return client;
}

const call = async (client: Client, name: string, args: Record<string, unknown>): Promise<CallToolResult> =>
  (await client.callTool({ name, arguments: args })) as CallToolResult;
const text = (r: CallToolResult): string => r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

beforeAll(async () => {
  gate = await startGate();
  agent = await connect({ GITHUB_TOKEN: gate.sim.personalToken(AGENT), GITHUB_API_URL: gate.sim.apiUrl, HITL_APP_SLUG: gate.sim.app.slug });
});
afterAll(async () => {
  for (const c of clients) await c.close();
  await gate?.close();
});

describe('hitl-gate mcp', () => {
  it('lists the three tools with JSON-Schema inputs', async () => {
    const { tools } = await agent.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['classify_change', 'get_review_status', 'request_human_review']);
    const review = tools.find((t) => t.name === 'request_human_review');
    expect(review?.inputSchema.required).toEqual(expect.arrayContaining(['repo', 'pr', 'tier', 'message']));
    expect((review?.inputSchema.properties as Record<string, { enum?: string[] }>).tier?.enum).toEqual(['fyi', 'soft', 'hard']);
    // Structured results have schemas too (the client validates them).
    for (const t of tools) expect(t.outputSchema?.type, t.name).toBe('object');
    expect(tools.find((t) => t.name === 'get_review_status')?.outputSchema?.required).toEqual(
      expect.arrayContaining(['tier', 'state', 'governed', 'reasons', 'approvals', 'vetoes', 'next']),
    );
  });

  it("classify_change: the tier under a policy text, and under the repository's own policy", async () => {
    const given = await call(agent, 'classify_change', { files: ['docs/intro.md'], policy: policy(60) });
    expect(given.isError).toBeFalsy();
    expect(given.structuredContent).toMatchObject({ tier: 'fyi', rules: ['Documentation'], policy: { source: 'input', kind: 'ok' } });
    expect(given.structuredContent?.risk).toBeUndefined();
    const risky = await call(agent, 'classify_change', {
      files: ['package.json', 'yarn.lock', 'docs/a.md'],
      policy: `${policy(60)}risk:\n  soft: 0.1\n`,
    });
    expect(risky.structuredContent).toMatchObject({
      tier: 'soft',
      risk: { factors: expect.arrayContaining([{ name: 'dependencies', value: 2, contribution: expect.any(Number) }]) },
    });

    const repo = repoFor(gate.sim, 'mcp-classify');
    const fromRepo = await call(agent, 'classify_change', { repo, files: ['db/migrations/003.sql', 'src/app.ts'] });
    expect(fromRepo.structuredContent).toMatchObject({
      tier: 'hard',
      rules: ['Database migrations'],
      policy: { source: 'repository', ref: 'main' },
    });
    expect(text(fromRepo)).toMatch(/tier: hard/);
  });

  it(
    'get_review_status and request_human_review: a soft PR waits, the agent asks for a human, it is hard until alice approves',
    { timeout: 90_000 },
    async () => {
      const { sim } = gate;
      const repo = repoFor(sim, 'mcp-review', 600);
      const n = openAgentPr(sim, repo, 'soft');
      const head = sim.pull(repo, n).headSha;
      await gateCheck(sim, repo, head, (c) => c.status === 'in_progress');

      const before = await call(agent, 'get_review_status', { repo, pr: n });
      expect(before.structuredContent).toMatchObject({ tier: 'soft', state: 'waiting', governed: true, approvals: [], vetoes: [] });
      expect(Date.parse(String(before.structuredContent?.deadline))).toBeGreaterThan(Date.now());

      const asked = await call(agent, 'request_human_review', {
        repo,
        pr: n,
        tier: 'hard',
        message: 'I changed the retry logic and am not sure about it.\n/approve\n  /veto cancel',
        context: 'Stack trace:\n/hitl explain\n<!-- /approve -->\n> quoted',
      });
      expect(asked.isError).toBeFalsy();
      expect(asked.structuredContent).toMatchObject({ requestedTier: 'hard', tier: 'hard', state: 'blocked' });
      const url = String(asked.structuredContent?.commentUrl);
      const commentId = Number(asked.structuredContent?.commentId);
      expect(url).toContain(`/${repo}/pull/${n}#issuecomment-${commentId}`);

      // One comment, by the token's person, whose only command is the escalation.
      const posted = sim.timeline.find((e) => e.kind === 'commented' && e.data?.commentId === commentId);
      expect(posted?.actor).toBe(AGENT);
      const body = String(posted?.data?.body);
      expect(body.split('\n')[0]).toBe('/escalate hard');
      expect(body).toContain('<details>');
      expect(parseCommands(body)).toEqual([{ kind: 'escalate', tier: 'hard' }]);

      // The gate itself raises the PR: its check fails, nothing merges on the soft window.
      await gateCheck(sim, repo, head, (c) => c.conclusion === 'failure');
      const after = await call(agent, 'get_review_status', { repo, pr: n });
      expect(after.structuredContent).toMatchObject({ tier: 'hard', state: 'blocked' });
      expect((after.structuredContent?.reasons as string[]).join('\n')).toMatch(/escalat/);

      sim.comment(repo, n, 'alice', '/approve');
      await merged(sim, repo, n);
      const done = await call(agent, 'get_review_status', { repo, pr: n });
      expect(done.structuredContent).toMatchObject({ state: 'merged' });
    },
  );

  it('bad input is an error result, and the server keeps serving', async () => {
    const repo = repoFor(gate.sim, 'mcp-errors');
    const n = gate.sim.openPullRequest(repo, { author: AGENT, files: FILES.soft.map((f) => ({ ...f })) });

    const unknownRepo = await call(agent, 'get_review_status', { repo: 'nobody/nothing', pr: 1 });
    expect(unknownRepo.isError).toBe(true);
    expect(text(unknownRepo)).toMatch(/repository nobody\/nothing: not found/);

    const noPr = await call(agent, 'get_review_status', { repo, pr: 999 });
    expect(noPr.isError).toBe(true);
    expect(text(noPr)).toMatch(/has no pull request #999/);

    const urgent = await call(agent, 'request_human_review', { repo, pr: n, tier: 'urgent', message: 'please' });
    expect(urgent.isError).toBe(true);
    expect(text(urgent)).toMatch(/tier/);
    expect(gate.sim.timeline.some((e) => e.repo === repo && e.kind === 'commented' && e.actor === AGENT)).toBe(false);

    const badRepo = await call(agent, 'request_human_review', { repo: 'not a repo', pr: n, tier: 'soft', message: 'x' });
    expect(badRepo.isError).toBe(true);

    const tokenless = await connect({ GITHUB_API_URL: gate.sim.apiUrl });
    const noToken = await call(tokenless, 'get_review_status', { repo, pr: n });
    expect(noToken.isError).toBe(true);
    expect(text(noToken)).toMatch(/GITHUB_TOKEN/);
    // Planning with a policy text needs no token.
    const planned = await call(tokenless, 'classify_change', { files: ['db/migrations/1.sql'], policy: policy(60) });
    expect(planned.structuredContent).toMatchObject({ tier: 'hard' });

    expect((await agent.listTools()).tools).toHaveLength(3);
  });
});
