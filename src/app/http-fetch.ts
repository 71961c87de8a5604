// The `fetch` the App's Octokit sends its requests with: undici's own `request` API over a kept-alive
// connection pool (undici is what Node's fetch is built on, without the WHATWG streams, abort-signal
// and header-guard layers that cost Node's fetch about a quarter more CPU per request; see
// `npm run bench -- client` and docs/libraries.md). Redirects, and dropping credentials when one
// leaves the origin, are undici's (its redirect handler); time-outs are the pool's.
//
// It answers what @octokit/request reads of a response (status, url, headers, text, arrayBuffer) and
// rejects as fetch would (Octokit turns a rejection into a 500 that the traffic plugin may retry).
// Anything it was not built for (a streamed body, `redirect` other than "follow") goes to Node's fetch.
import { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { Agent, errors, request } from 'undici';

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

function headersOf(raw: Record<string, string | string[] | undefined>): HttpResponse['headers'] {
  const entries: [string, string][] = [];
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined) entries.push([name, Array.isArray(value) ? value.join(', ') : value]);
  }
  const map = new Map(entries);
  return {
    get: (name) => map.get(name.toLowerCase()) ?? null,
    has: (name) => map.has(name.toLowerCase()),
    [Symbol.iterator]: () => map.entries(),
  };
}

function responseOf(url: string, status: number, headers: HttpResponse['headers'], body: Buffer, redirected: boolean): HttpResponse {
  return {
    status,
    statusText: '',
    // undici's request API does not say where redirects led: the URL asked for (Octokit only logs it).
    url,
    ok: status >= 200 && status < 300,
    redirected,
    headers,
    text: async () => body.toString('utf8'),
    json: async () => JSON.parse(body.toString('utf8')) as unknown,
    arrayBuffer: async () => body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer,
    get body() {
      return Readable.toWeb(Readable.from([body])) as ReadableStream<Uint8Array>;
    },
  };
}

/** The answer's bytes as sent, decoded when GitHub compressed them. */
async function bytesOf(body: Readable, encoding: string | null): Promise<Buffer> {
  const decoder =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? createGunzip()
      : encoding === 'deflate'
        ? createInflate()
        : encoding === 'br'
          ? createBrotliDecompress()
          : undefined;
  const stream = decoder ? body.pipe(decoder) : body;
  if (decoder) body.once('error', (error) => decoder.destroy(error));
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const abortError = (): Error => Object.assign(new Error('This operation was aborted'), { name: 'AbortError' });

export function httpFetch(options: HttpFetchOptions = {}): typeof fetch {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const maxRedirects = options.maxRedirects ?? 20;
  const pool = new Agent({ keepAliveTimeout: 60_000, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });

  async function send(input: string, init: FetchInit): Promise<HttpResponse> {
    const url = new URL(input);
    const signal = init.signal ?? undefined;
    if (signal?.aborted) throw abortError();
    try {
      const answer = await request(url, {
        method: (init.method ?? 'GET') as 'GET',
        headers: init.headers ?? {},
        body: (init.body as string | Buffer | undefined) ?? null,
        dispatcher: pool,
        maxRedirections: maxRedirects,
        ...(signal ? { signal } : {}),
      });
      const headers = headersOf(answer.headers);
      // undici hands back the last redirect when there were more than it may follow.
      if (REDIRECTS.has(answer.statusCode) && headers.has('location')) {
        await answer.body.dump();
        throw new TypeError(`more than ${maxRedirects} redirects from ${input}`);
      }
      const redirected = ((answer as { context?: { history?: unknown[] } }).context?.history?.length ?? 0) > 0;
      return responseOf(url.href, answer.statusCode, headers, await bytesOf(answer.body, headers.get('content-encoding')), redirected);
    } catch (error) {
      if (signal?.aborted) throw abortError();
      if (error instanceof errors.HeadersTimeoutError || error instanceof errors.BodyTimeoutError) {
        throw new TypeError(`no answer from ${url.host} within ${timeoutMs / 1000} s`, { cause: error });
      }
      throw error;
    }
  }

  const fetchLike = async (input: string | URL | Request, init?: FetchInit): Promise<HttpResponse> => {
    const plain =
      (typeof input === 'string' || input instanceof URL) &&
      (init?.body === undefined || init.body === null || typeof init.body === 'string' || Buffer.isBuffer(init.body));
    if (!plain || (init?.redirect !== undefined && init.redirect !== 'follow'))
      return globalThis.fetch(input, init as RequestInit) as unknown as HttpResponse;
    return send(String(input), init ?? {});
  };
  return fetchLike as unknown as typeof fetch;
}
