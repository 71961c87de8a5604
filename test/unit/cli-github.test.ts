// The commands that talk to GitHub read their access as GitHub Actions names it, and refuse clearly without it.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { audit } from '../../src/cli/audit.js';
import { DEFAULT_API_URL, githubAccess, githubClient, resolveGateIdentity } from '../../src/cli/github-client.js';
import { main } from '../../src/cli/main.js';
import { report } from '../../src/cli/report.js';
import type { CliIO } from '../../src/cli/io.js';

function io(): CliIO & { out: string; err: string } {
  const o = { out: '', err: '' } as CliIO & { out: string; err: string };
  o.stdout = (t) => void (o.out += t);
  o.stderr = (t) => void (o.err += t);
  o.readStdin = () => Promise.resolve('');
  o.readFile = () => Promise.reject(new Error('unused'));
  return o;
}

describe('GitHub access from the environment', () => {
  it('GITHUB_TOKEN first, then GH_TOKEN; GITHUB_API_URL without its trailing slash; the default App slug', () => {
    expect(githubAccess({ GITHUB_TOKEN: 'a', GH_TOKEN: 'b' })).toEqual({ token: 'a', apiUrl: DEFAULT_API_URL, appSlug: 'hitl-gate' });
    expect(
      githubAccess({ GITHUB_TOKEN: ' ', GH_TOKEN: 'b', GITHUB_API_URL: 'https://ghe.example.com/api/v3/', HITL_APP_SLUG: 'gate' }),
    ).toEqual({ token: 'b', apiUrl: 'https://ghe.example.com/api/v3', appSlug: 'gate' });
    expect(githubAccess({}).token).toBeUndefined();
  });

  it('audit without a token is a usage error that names the variables', async () => {
    await expect(audit(['acme/shop'], io(), { env: {} })).rejects.toThrow(/GITHUB_TOKEN \(or GH_TOKEN\)/);
  });

  it('report takes the same repository, period and token as audit, and only html or json', async () => {
    await expect(report(['acme/shop'], io(), { env: {} })).rejects.toThrow(/GITHUB_TOKEN \(or GH_TOKEN\)/);
    const help = io();
    expect(await main(['--help'], help)).toBe(0);
    expect(help.out).toMatch(/^ {2}report OWNER\/REPO/m);
    for (const [args, message] of [
      [['report', 'acme/shop', '--format', 'pdf'], 'hitl-gate: --format expects html or json, got "pdf"\n'],
      [['report', 'acme'], 'hitl-gate: expected OWNER/REPO, got "acme"\n'],
      [['report', 'acme/shop', '--since', '2026-02-30'], 'hitl-gate: --since expects a date YYYY-MM-DD, got "2026-02-30"\n'],
      [['report', 'acme/shop', '--since', '2026-12-02', '--until', '2026-12-01'], 'hitl-gate: --since is after --until\n'],
    ] as const) {
      const out = io();
      expect(await main([...args], out), args.join(' ')).toBe(2);
      expect(out.err).toBe(message);
    }
  });

  it('a token GitHub refuses is named as the problem, not the App slug', async () => {
    // A stand-in for GitHub on loopback: the token is refused for one slug, the other slug is unknown.
    const server = createServer((req, res) => {
      const refused = req.url === '/apps/hitl-gate';
      res.writeHead(refused ? 401 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: refused ? 'Bad credentials' : 'Not Found' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const client = githubClient({ token: 'wrong', apiUrl: `http://127.0.0.1:${port}`, appSlug: 'hitl-gate' }, () => undefined);
      await expect(resolveGateIdentity(client, 'hitl-gate')).rejects.toMatchObject({ status: 401 });
      await expect(resolveGateIdentity(client, 'nope')).rejects.toThrow(/set HITL_APP_SLUG to the slug of the App/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('the new commands are listed in the help and reachable from main', async () => {
    const help = io();
    expect(await main(['--help'], help)).toBe(0);
    expect(help.out).toMatch(/^ {2}mcp /m);
    expect(help.out).toMatch(/^ {2}audit OWNER\/REPO/m);
    const bad = io();
    expect(await main(['audit', 'acme/shop', '--format', 'xml'], bad)).toBe(2);
    expect(bad.err).toBe('hitl-gate: --format expects jsonl or csv, got "xml"\n');
    const extra = io();
    expect(await main(['mcp', 'now'], extra)).toBe(2);
    expect(extra.err).toMatch(/mcp takes no arguments/);
  });
});
