// The App's fetch over undici's request API, against a real loopback server: what Octokit gets back, how
// redirects, compression, failures and time-outs come out, and that connections are kept.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { httpFetch } from '../../src/app/http-fetch.js';
import { gateOctokit } from '../../src/app/octokit.js';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

let server: Server;
let base: string;
let handler: Handler;
let connections: number;
const seen: { method: string; url: string; authorization?: string; body: string }[] = [];

beforeEach(async () => {
  seen.length = 0;
  connections = 0;
  handler = (_req, _body, res) => res.end();
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({
        method: req.method!,
        url: req.url!,
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
        body,
      });
      handler(req, body, res);
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('the fetch the App sends GitHub requests with', () => {
  it('gives Octokit the status, headers and parsed JSON, and sends a JSON body', async () => {
    handler = (_req, _body, res) => {
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.setHeader('etag', '"abc"');
      res.setHeader('x-ratelimit-remaining', '4999');
      res.end(JSON.stringify({ id: 7, name: 'hitl' }));
    };
    const octokit = new (gateOctokit({ fetch: httpFetch(), writeIntervalMs: 0 }))({ baseUrl: base, auth: { token: 't' } } as never);
    const response = await octokit.request('POST /repos/{owner}/{repo}/check-runs', {
      owner: 'acme',
      repo: 'widgets',
      name: 'hitl',
      head_sha: 'a'.repeat(40),
    });
    expect(response.status).toBe(200);
    expect(response.data).toEqual({ id: 7, name: 'hitl' });
    expect(response.headers.etag).toBe('"abc"');
    expect(response.headers['x-ratelimit-remaining']).toBe('4999');
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/repos/acme/widgets/check-runs', authorization: 'token t' });
    expect(JSON.parse(seen[0]!.body)).toEqual({ name: 'hitl', head_sha: 'a'.repeat(40) });
  });

  it('keeps its connections: thirty requests one after another open at most two', async () => {
    handler = (_req, _body, res) => res.end('{}');
    const send = httpFetch();
    for (let i = 0; i < 30; i++) expect((await send(`${base}/n/${i}`)).status).toBe(200);
    // undici may open a second connection while the first is being handed back to its pool.
    expect(connections).toBeLessThanOrEqual(2);
  });

  it("turns an error answer into Octokit's RequestError with GitHub's message", async () => {
    handler = (_req, _body, res) => {
      res.statusCode = 422;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ message: 'Validation Failed', documentation_url: 'https://docs.github.com' }));
    };
    const octokit = new (gateOctokit({ fetch: httpFetch(), writeIntervalMs: 0 }))({ baseUrl: base, auth: { token: 't' } } as never);
    await expect(octokit.request('GET /repos/{owner}/{repo}', { owner: 'acme', repo: 'widgets' })).rejects.toMatchObject({
      status: 422,
      message: expect.stringContaining('Validation Failed'),
    });
  });

  it('follows a moved repository, and drops the credentials when the redirect leaves the origin', async () => {
    const other = createServer((req, res) => {
      seen.push({
        method: req.method!,
        url: `other${req.url}`,
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
        body: '',
      });
      res.end('{"elsewhere":true}');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const otherBase = `http://127.0.0.1:${(other.address() as { port: number }).port}`;
    try {
      handler = (req, _body, res) => {
        if (req.url === '/repositories/1') res.writeHead(301, { location: '/repositories/2' }).end();
        else if (req.url === '/repositories/2') res.writeHead(307, { location: `${otherBase}/x` }).end();
        else res.end('{}');
      };
      const response = await httpFetch()(`${base}/repositories/1`, { headers: { authorization: 'token secret' } });
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('{"elsewhere":true}');
      expect(response.redirected).toBe(true);
      expect(seen.map((s) => [s.url, s.authorization])).toEqual([
        ['/repositories/1', 'token secret'],
        ['/repositories/2', 'token secret'],
        ['other/x', undefined],
      ]);
    } finally {
      other.closeAllConnections();
      other.close();
    }
  });

  it('continues a POST answered 303 as a GET without its body, as fetch does', async () => {
    handler = (req, _body, res) => (req.url === '/form' ? res.writeHead(303, { location: '/done' }).end() : res.end('ok'));
    const response = await httpFetch()(`${base}/form`, { method: 'POST', body: '{"a":1}' });
    expect(await response.text()).toBe('ok');
    expect(seen.map((s) => [s.method, s.url, s.body])).toEqual([
      ['POST', '/form', '{"a":1}'],
      ['GET', '/done', ''],
    ]);
  });

  it('gives up on a redirect loop with a clear error', async () => {
    handler = (_req, _body, res) => res.writeHead(302, { location: '/again' }).end();
    await expect(httpFetch({ maxRedirects: 3 })(`${base}/again`)).rejects.toThrow('more than 3 redirects');
  });

  it('reads a compressed answer', async () => {
    handler = (_req, _body, res) => {
      res.setHeader('content-type', 'application/json');
      res.setHeader('content-encoding', 'gzip');
      res.end(gzipSync(JSON.stringify({ compressed: true })));
    };
    expect(await (await httpFetch()(`${base}/z`)).json()).toEqual({ compressed: true });
  });

  it('fails a request GitHub never answers, within the time-out', async () => {
    handler = () => undefined; // never answers
    await expect(httpFetch({ timeoutMs: 100 })(`${base}/slow`)).rejects.toThrow(/no answer from 127\.0\.0\.1:\d+ within 0\.1 s/);
  });

  it('fails an answer cut off half-way, or stalled half-way, instead of waiting for the rest', async () => {
    handler = (req, _body, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"partial":');
      if (req.url === '/cut') setTimeout(() => res.socket?.destroy(), 20);
    };
    await expect(httpFetch()(`${base}/cut`)).rejects.toThrow();
    await expect(httpFetch({ timeoutMs: 100 })(`${base}/stalled`)).rejects.toThrow(/within 0\.1 s/);
  });

  it('stops when the caller aborts, also while the answer is arriving', async () => {
    handler = (req, _body, res) => {
      if (req.url === '/started') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
        res.write('{"partial":');
      }
    };
    for (const path of ['/slow', '/started']) {
      const abort = new AbortController();
      const pending = httpFetch()(`${base}${path}`, { signal: abort.signal });
      setTimeout(() => abort.abort(), 20);
      await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    }
  });

  it('reports a refused connection as a 500 that the client may retry, and not as a crash', async () => {
    const octokit = new (gateOctokit({ fetch: httpFetch(), writeIntervalMs: 0, retries: 0 }))({
      baseUrl: 'http://127.0.0.1:1',
      auth: { token: 't' },
    } as never);
    await expect(octokit.request('GET /repos/{owner}/{repo}', { owner: 'acme', repo: 'widgets' })).rejects.toMatchObject({
      status: 500,
      message: expect.stringContaining('ECONNREFUSED'),
    });
  });
});
