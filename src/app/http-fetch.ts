// The `fetch` the App's Octokit sends its requests with: node:http(s) over kept-alive connections.
// Node's own fetch (undici behind WHATWG streams, abort signals and header guards) cost about a
// quarter more CPU per request (`npm run bench -- client`: 0.59 against 0.46 ms, the loopback
// server's share included); a reconcile makes six requests, and under load the App makes thousands
// a second on the thread that must also answer webhooks within GitHub's 10 s.
//
// It answers what @octokit/request reads of a response (status, url, headers, text, arrayBuffer),
// follows redirects as fetch does, and rejects as fetch would (Octokit turns a rejection into a 500
// that the traffic plugin may retry). Anything it was not built for (a streamed body, `redirect`
// other than "follow") goes to Node's fetch.
import { request as httpRequest, Agent as HttpAgent, type IncomingMessage } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';

type FetchInit = {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal | null;
  redirect?: string;
};

/** A response with the parts of the Fetch API's that Octokit uses. */
export interface HttpResponse {
  status: number;
  statusText: string;
  url: string;
  ok: boolean;
  redirected: boolean;
  headers: { get(name: string): string | null; has(name: string): boolean; [Symbol.iterator](): IterableIterator<[string, string]> };
  text(): Promise<string>;
  json(): Promise<unknown>;
  arrayBuffer(): Promise<ArrayBuffer>;
  readonly body: ReadableStream<Uint8Array> | null;
}

export interface HttpFetchOptions {
  /** Idle time on a connection (waiting for the answer or the rest of it) before it is abandoned. */
  timeoutMs?: number;
  /** Redirects followed before failing, as fetch's 20. */
  maxRedirects?: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function headersOf(message: IncomingMessage): HttpResponse['headers'] {
  const entries: [string, string][] = [];
  for (const [name, value] of Object.entries(message.headers)) {
    if (value !== undefined) entries.push([name, Array.isArray(value) ? value.join(', ') : value]);
  }
  const byName = new Map(entries);
  return {
    get: (name) => byName.get(name.toLowerCase()) ?? null,
    has: (name) => byName.has(name.toLowerCase()),
    [Symbol.iterator]: () => entries[Symbol.iterator](),
  };
}

/** GitHub answers uncompressed unless asked; a server that compresses anyway is still read. */
function decoded(message: IncomingMessage): Readable {
  const encoding = (message.headers['content-encoding'] ?? '').trim().toLowerCase();
  const decoder = encoding === 'gzip' || encoding === 'x-gzip' ? createGunzip() : encoding === 'deflate' ? createInflate() : encoding === 'br' ? createBrotliDecompress() : undefined;
  if (!decoder) return message;
  message.once('error', (error) => decoder.destroy(error));
  return message.pipe(decoder);
}

function readAll(stream: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('error', reject);
    stream.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
  });
}

function responseOf(url: string, message: IncomingMessage, body: Buffer, redirected: boolean): HttpResponse {
  const status = message.statusCode ?? 0;
  let text: string | undefined;
  const asText = () => (text ??= body.toString('utf8'));
  return {
    status,
    statusText: message.statusMessage ?? '',
    url,
    ok: status >= 200 && status < 300,
    redirected,
    headers: headersOf(message),
    text: async () => asText(),
    json: async () => JSON.parse(asText()) as unknown,
    arrayBuffer: async () => body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer,
    get body() {
      return Readable.toWeb(Readable.from([body])) as ReadableStream<Uint8Array>;
    },
  };
}

/** Builds the fetch; each one has its own kept-alive connections. */
export function httpFetch(options: HttpFetchOptions = {}): typeof fetch {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const maxRedirects = options.maxRedirects ?? 20;
  // LIFO: the connection used last is the one least likely to have been closed by the other side.
  const agents = {
    'http:': new HttpAgent({ keepAlive: true, scheduling: 'lifo' }),
    'https:': new HttpsAgent({ keepAlive: true, scheduling: 'lifo' }),
  };

  const once = (url: URL, init: FetchInit, body: string | Buffer | undefined): Promise<{ message: IncomingMessage; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(url, {
        method: init.method ?? 'GET',
        headers: init.headers,
        agent: agents[url.protocol as keyof typeof agents],
        timeout: timeoutMs,
        ...(init.signal ? { signal: init.signal } : {}),
      }, (message) => {
        readAll(decoded(message)).then((data) => resolve({ message, body: data }), reject);
      });
      req.once('timeout', () => req.destroy(new Error(`no answer from ${url.host} within ${timeoutMs / 1000} s`)));
      req.once('error', reject);
      req.end(body);
    });

  const fetchOverHttp = async (input: string | URL, init: FetchInit = {}): Promise<HttpResponse> => {
    let url = new URL(String(input));
    let current = init;
    let body = init.body as string | Buffer | undefined;
    for (let redirects = 0; ; redirects++) {
      const { message, body: data } = await once(url, current, body);
      const status = message.statusCode ?? 0;
      const location = message.headers.location;
      if (!REDIRECTS.has(status) || !location) return responseOf(url.href, message, data, redirects > 0);
      if (redirects >= maxRedirects) throw new TypeError(`more than ${maxRedirects} redirects from ${String(input)}`);
      const next = new URL(location, url);
      const headers = { ...current.headers };
      // As fetch: credentials stay with the origin they were given for.
      if (next.origin !== url.origin) for (const name of Object.keys(headers)) if (name.toLowerCase() === 'authorization') delete headers[name];
      // As fetch: 303 (and 301/302 after a POST) continue as a GET without the body.
      if (status === 303 || ((status === 301 || status === 302) && current.method === 'POST')) {
        current = { ...current, method: 'GET', headers };
        body = undefined;
      } else current = { ...current, headers };
      url = next;
    }
  };

  return ((input: string | URL, init?: FetchInit) => {
    const body = init?.body;
    const plain = body === undefined || body === null || typeof body === 'string' || Buffer.isBuffer(body);
    if (!plain || (init?.redirect !== undefined && init.redirect !== 'follow')) return globalThis.fetch(input, init as RequestInit);
    return fetchOverHttp(input, { ...init, body: body ?? undefined });
  }) as unknown as typeof fetch;
}
