// What one REST request costs inside the App's client, against a loopback server that answers at once:
// Probot's stock client (retry and throttling through Bottleneck, Node's fetch) beside the gate's
// (traffic plugin, undici's request API over a kept-alive pool), and the gate's on Node's fetch to
// show what the fetch adds.
// Sequential requests show the added wait (a reconcile's reads and first write are a short chain of
// them); eight at a time show throughput and CPU per request (the server's share included).
import { createServer } from 'node:http';
import { ProbotOctokit } from 'probot';
import { gateOctokit } from '../src/app/octokit.js';

type Client = { request: (route: string) => Promise<unknown> };

async function measure(make: () => Client): Promise<{ sequentialMs: number; perSecond: number; cpuMs: number }> {
  const client = make();
  const chain = async (n: number) => {
    for (let i = 0; i < n; i++) await client.request('GET /repos/acme/widgets');
  };
  await chain(30);
  let start = performance.now();
  await chain(200);
  const sequentialMs = (performance.now() - start) / 200;
  const total = 4000;
  const cpu = process.cpuUsage();
  start = performance.now();
  await Promise.all(Array.from({ length: 8 }, () => chain(total / 8)));
  const elapsed = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { sequentialMs, perSecond: (total / elapsed) * 1000, cpuMs: (used.user + used.system) / 1000 / total };
}

export default async function (): Promise<void> {
  // A page of changed files, about the size of what a reconcile reads.
  const body = JSON.stringify(
    Array.from({ length: 30 }, (_, i) => ({
      sha: 'a'.repeat(40),
      filename: `src/module-${i}.ts`,
      status: 'modified',
      additions: 3,
      deletions: 1,
      changes: 4,
      patch: '@@ -1 +1 @@\n-old\n+new\n'.repeat(5),
    })),
  );
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const clients: [string, () => Client][] = [
    ["Probot's client (plugin-retry + plugin-throttling)", () => new ProbotOctokit({ baseUrl, auth: { token: 't' } } as never)],
    ["the gate's client (traffic plugin, undici request)", () => new (gateOctokit())({ baseUrl, auth: { token: 't' } } as never)],
    ["the gate's client on Node's fetch", () => new (gateOctokit({ fetch: globalThis.fetch }))({ baseUrl, auth: { token: 't' } } as never)],
    [
      "Probot's client with both plugins off (floor)",
      () => new ProbotOctokit({ baseUrl, auth: { token: 't' }, retry: { enabled: false }, throttle: { enabled: false } } as never),
    ],
  ];
  // Each client twice, in turn; the better round is printed (the first pays for JIT and connections).
  const best = new Map<string, Awaited<ReturnType<typeof measure>>>();
  for (let round = 0; round < Number(process.env.HITL_BENCH_ROUNDS ?? 2); round++) {
    for (const [name, make] of clients) {
      const m = await measure(make);
      const before = best.get(name);
      if (!before || m.cpuMs < before.cpuMs) best.set(name, m);
    }
  }
  for (const [name, m] of best) {
    console.log(
      `${name.padEnd(52)} ${m.sequentialMs.toFixed(2).padStart(6)} ms per request in a chain, ${m.perSecond.toFixed(0).padStart(5)} requests/s eight at a time, ${m.cpuMs.toFixed(2)} ms CPU each`,
    );
  }
  server.close();
}
