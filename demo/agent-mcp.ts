// The demo's agent asking for a human the way a coding agent would: through `hitl-gate mcp`, started
// as a child process and spoken to with the MCP SDK's own client over stdio.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { GitHubSimulator } from '../test/sim/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface ReviewRequest {
  repo: string;
  pr: number;
  tier: 'fyi' | 'soft' | 'hard';
  message: string;
  context?: string;
}

/** Calls `request_human_review` as `login` (a personal token of the local GitHub); the tool's structured answer. */
export async function requestHumanReview(sim: GitHubSimulator, login: string, request: ReviewRequest): Promise<Record<string, unknown>> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'mcp'],
    cwd: root,
    env: { PATH: process.env.PATH ?? '', GITHUB_TOKEN: sim.personalToken(login), GITHUB_API_URL: sim.apiUrl, HITL_APP_SLUG: sim.app.slug },
    stderr: 'ignore',
  });
  const client = new Client({ name: 'demo-agent', version: '1.0.0' });
  await client.connect(transport);
  try {
    const result = (await client.callTool({ name: 'request_human_review', arguments: { ...request } })) as CallToolResult;
    if (result.isError)
      throw new Error(`request_human_review failed: ${result.content.map((c) => (c.type === 'text' ? c.text : '')).join(' ')}`);
    return result.structuredContent ?? {};
  } finally {
    await client.close();
  }
}
