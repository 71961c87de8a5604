/* global module */
// The import rules `npm run lint` enforces (with ESLint), over src/ and action/. Paths are relative to
// where depcruise runs, so test/unit/layers.test.ts runs these same rules over a small tree that breaks
// each of them.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles, `import type` included: a cycle of types is a knot the next change has to untie first.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-is-self-contained',
      severity: 'error',
      comment: 'The core is pure: data and a time in, decisions out. It imports nothing of ours outside src/core/.',
      from: { path: '^src/core/' },
      to: { path: '^(src|action)/', pathNot: '^src/core/' },
    },
    {
      name: 'model-is-data',
      severity: 'error',
      comment:
        'The model (src/core/model/) is data: its modules import only each other, and behaviour imports the model, never the reverse.',
      from: { path: '^src/core/model/' },
      to: { pathNot: '^src/core/model/' },
    },
    {
      name: 'shell-serves-faces',
      severity: 'error',
      comment: 'src/github/ is the shell the App and the Action share: it knows none of the faces that use it.',
      from: { path: '^src/github/' },
      to: { path: '^(src/(app|cli|mcp)|action)/' },
    },
    {
      name: 'mcp-not-cli',
      severity: 'error',
      comment:
        'The MCP server is given its client, identity and clock; it never reaches into the CLI (what both need lives in src/core or src/github).',
      from: { path: '^src/mcp/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'cli-not-mcp',
      severity: 'error',
      comment:
        'Only the `hitl-gate mcp` subcommand (src/cli/mcp.ts) loads the MCP server (src/mcp/server.ts), to serve it on stdio: the one binary people install runs both.',
      from: { path: '^src/cli/', pathNot: '^src/cli/mcp\\.ts$' },
      to: { path: '^src/mcp/' },
    },
    {
      name: 'cli-loads-mcp-server-only-from-its-subcommand',
      severity: 'error',
      comment: 'The exception to cli-not-mcp, spelled out: src/cli/mcp.ts may import src/mcp/server.ts, nothing else of src/mcp/.',
      from: { path: '^src/cli/mcp\\.ts$' },
      to: { path: '^src/mcp/', pathNot: '^src/mcp/server\\.ts$' },
    },
    {
      name: 'action-not-app',
      severity: 'error',
      comment: 'The Action and the App are two faces over one engine (src/github/): the Action never borrows from the App.',
      from: { path: '^action/' },
      to: { path: '^src/app/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist)/' },
    // Count `import type` too: type-only cycles are still cycles.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
