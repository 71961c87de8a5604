// What one REST request costs inside the App's client, against a loopback server that answers at once:
// Probot's stock client (retry and throttling through Bottleneck) beside the gate's (traffic plugin).
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
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end('{"name":"widgets"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const clients: [string, () => Client][] = [
    ["Probot's client (plugin-retry + plugin-throttling)", () => new ProbotOctokit({ baseUrl, auth: { token: 't' } } as never)],
    ["the gate's client (traffic plugin)", () => new (gateOctokit())({ baseUrl, auth: { token: 't' } } as never)],
    ['Probot\'s client with both plugins off (floor)', () => new ProbotOctokit({ baseUrl, auth: { token: 't' }, retry: { enabled: false }, throttle: { enabled: false } } as never)],
  ];
  for (const [name, make] of clients) {
    const m = await measure(make);
    console.log(`${name.padEnd(52)} ${m.sequentialMs.toFixed(2).padStart(6)} ms per request in a chain, ${m.perSecond.toFixed(0).padStart(5)} requests/s eight at a time, ${m.cpuMs.toFixed(2)} ms CPU each`);
  }
  server.close();
}
