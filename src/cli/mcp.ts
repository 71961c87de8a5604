// `hitl-gate mcp`: the MCP server on stdio. stdout belongs to the protocol; everything else goes to stderr.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { GateIdentity } from '../github/identity.js';
import { createMcpServer } from '../mcp/server.js';
import { githubAccess, githubClient, NO_TOKEN, resolveGateIdentity } from './github-client.js';
import { UsageError, type CliIO } from './io.js';

export async function mcp(args: string[], io: CliIO, version: string, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (args.length > 0)
    throw new UsageError(
      `mcp takes no arguments, got "${args[0]}" (it is configured by GITHUB_TOKEN or GH_TOKEN, GITHUB_API_URL and HITL_APP_SLUG)`,
    );
  const access = githubAccess(env);
  const client = access.token
    ? githubClient({ ...access, token: access.token }, (line) => io.stderr(`hitl-gate mcp: ${line}\n`))
    : undefined;
  let identity: Promise<GateIdentity> | undefined;
  const server = createMcpServer({
    ...(client ? { client } : { noClient: NO_TOKEN }),
    // Looked up once, on first need; a failed lookup is tried again on the next call.
    identity: () => {
      if (!client) return Promise.reject(new Error(NO_TOKEN));
      identity ??= resolveGateIdentity(client, access.appSlug).catch((error: unknown) => {
        identity = undefined;
        throw error;
      });
      return identity;
    },
    now: () => new Date(),
    version,
  });
  if (!client) io.stderr(`hitl-gate mcp: ${NO_TOKEN}; only classify_change with a policy text will work\n`);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    server.server.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
  });
  await server.connect(transport);
  await closed;
  await server.close();
  return 0;
}
