// The HTTP face of the simulator: routing (with and without GHES's `/api/v3` prefix), App and
// installation authentication, rate-limit headers, conditional requests, faults and a request log.
import { createHash, createPublicKey, createVerify, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ContentCounter, type ContentLimits } from './content-limits.js';
import { checkRestAnswer } from './contract.js';
import { pickLatency, type Faults } from './faults.js';
import type { SimApp, SimToken, SimUser, World } from './model.js';
import type { Random } from './random.js';
import type { Urls } from './shapes.js';
import { NOT_ACCESSIBLE, writeScope } from './token-scopes.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface SimRequest {
  method: string;
  /** Path without the `/api/v3` prefix and without the query. */
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
  headers: IncomingMessage['headers'];
  /** Set for installation-token requests. */
  installationId?: number;
  /** Set for personal-access-token requests: who is acting. */
  user?: SimUser;
  /** Set for a workflow's token: the App it writes as (GitHub Actions) instead of the installed App. */
  app?: SimApp;
  urls: Urls;
  /** The full URL of this request, for `Link` headers. */
  self: URL;
}

export interface Reply {
  status: number;
  body?: unknown;
  /** Sent as-is instead of JSON (the `raw` media type). */
  text?: string;
  headers?: Record<string, string>;
}

export type Auth = 'app' | 'installation' | 'none';

export interface Route {
  method: string;
  /** OpenAPI path template, e.g. `/repos/{owner}/{repo}/pulls/{pull_number}`. */
  path: string;
  auth: Auth;
  handle: (req: SimRequest) => Reply | Promise<Reply>;
}

export interface RecordedRequest {
  at: number;
  method: string;
  /** `METHOD /openapi/template`, or `METHOD /raw/path` when no route matched. */
  kind: string;
  /** Whether a route of the simulator answered it (a 404 without one: GitHub has no such endpoint here). */
  routed: boolean;
  path: string;
  query: string;
  body: unknown;
  status: number;
  installationId?: number;
  ghes: boolean;
  /** The credential as sent, so a test can see which token went where. */
  authorization?: string;
  /** Why the simulator refused it, when a fault did. */
  fault?: 'error' | 'error-after-write' | 'rate-limit' | 'secondary-limit';
}

interface CompiledRoute extends Route {
  regex: RegExp;
  names: string[];
}

function compile(route: Route): CompiledRoute {
  const names: string[] = [];
  const pattern = route.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    names.push(name);
    // `{path}` in contents spans slashes, every other parameter is one segment.
    return name === 'path' ? '(.+)' : '([^/]+)';
  });
  return { ...route, names, regex: new RegExp(`^${pattern}$`) };
}

export interface RestOptions {
  world: World;
  routes: Route[];
  faults: () => Faults;
  random: Random;
  /** The App's public key: JWTs are verified against it when given. */
  appPublicKey?: KeyObject | string;
  /** Secondary limits on content-creating requests (undefined: not enforced). */
  contentLimits?: () => ContentLimits | undefined;
}

const RATE_LIMIT = 5000;

export class RestServer {
  readonly requests: RecordedRequest[] = [];
  private readonly server: Server;
  private readonly routes: CompiledRoute[];
  private publicKey?: KeyObject;
  private readonly usage = new Map<string, { used: number; reset: number }>();
  readonly content = new ContentCounter();
  port = 0;

  constructor(private readonly options: RestOptions) {
    this.routes = options.routes.map(compile);
    if (options.appPublicKey)
      this.publicKey = typeof options.appPublicKey === 'string' ? createPublicKey(options.appPublicKey) : options.appPublicKey;
    this.server = createServer((req, res) => {
      this.serve(req, res).catch((err: unknown) => {
        res.statusCode = 500;
        res.end(JSON.stringify({ message: `simulator bug: ${String(err)}` }));
      });
    });
    this.server.keepAliveTimeout = 30_000;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  setPublicKey(key: KeyObject | string): void {
    this.publicKey = typeof key === 'string' ? createPublicKey(key) : key;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const self = new URL(req.url ?? '/', `http://127.0.0.1:${this.port}`);
    const ghes = self.pathname.startsWith('/api/v3/') || self.pathname === '/api/v3';
    const path = ghes ? self.pathname.slice('/api/v3'.length) || '/' : self.pathname;
    const method = (req.method ?? 'GET').toUpperCase();
    const origin = `http://127.0.0.1:${this.port}`;
    const urls: Urls = { api: ghes ? `${origin}/api/v3` : origin, web: origin };
    const record: RecordedRequest = {
      at: this.options.world.nowMs(),
      method,
      kind: `${method} ${path}`,
      routed: false,
      path,
      query: self.search,
      body: undefined,
      status: 0,
      ghes,
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    };
    let reply: Reply;
    let template: string | undefined;
    let installationId: number | undefined;
    let rateKey: string | undefined;
    try {
      let body: Record<string, unknown> = {};
      if (raw.length > 0) {
        try {
          body = JSON.parse(raw) as Record<string, unknown>;
        } catch {
          throw new HttpError(400, 'Problems parsing JSON');
        }
      }
      record.body = raw.length > 0 ? body : undefined;
      const match = this.match(method, path);
      if (!match) throw new HttpError(404, 'Not Found');
      const { route, params } = match;
      record.kind = `${method} ${route.path}`;
      record.routed = true;
      template = route.path;
      const faults = this.options.faults();
      const subject = !faults.rest.only || faults.rest.only(method, route.path);
      const latency = subject ? pickLatency(faults.rest, this.options.random) : 0;
      if (latency > 0) await new Promise((r) => setTimeout(r, latency));
      const person = this.personOf(route.auth, req.headers.authorization);
      const token = person ? undefined : this.authenticate(route.auth, req.headers.authorization);
      installationId = token?.installationId;
      record.installationId = installationId;
      if (
        token?.repositoryId !== undefined &&
        params.owner !== undefined &&
        this.options.world.findRepo(params.owner, params.repo ?? '')?.id !== token.repositoryId
      )
        throw new HttpError(404, 'Not Found');
      const scope = token?.writes ? writeScope(method, route.path, body) : undefined;
      if (scope && !token!.writes!.has(scope))
        throw new HttpError(403, NOT_ACCESSIBLE, { 'x-accepted-github-permissions': `${scope}=write` });
      if (subject && faults.rateLimit && faults.rateLimit.requests > 0) {
        faults.rateLimit.requests -= 1;
        record.fault = 'rate-limit';
        throw this.rateLimited(faults.rateLimit.kind, faults.rateLimit.retryAfterSeconds, installationId);
      }
      const contentLimits = this.options.contentLimits?.();
      if (contentLimits && installationId !== undefined && method !== 'GET' && method !== 'HEAD') {
        const retryAfter = this.content.admit(installationId, contentLimits, this.options.world.nowMs());
        if (retryAfter > 0) {
          record.fault = 'secondary-limit';
          throw new HttpError(403, 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', {
            'retry-after': String(retryAfter),
          });
        }
      }
      if (subject && (faults.rest.errorRate ?? 0) > 0 && this.options.random() < (faults.rest.errorRate ?? 0)) {
        record.fault = 'error';
        throw new HttpError(this.options.random() < 0.5 ? 502 : 500, 'Server Error');
      }
      reply = await route.handle({
        method,
        path,
        params,
        query: self.searchParams,
        body,
        headers: req.headers,
        installationId,
        ...(person ? { user: person } : {}),
        ...(token?.actsAs ? { app: token.actsAs } : {}),
        urls,
        self,
      });
      if (person) rateKey = `user:${person.login}`;
      if (
        subject &&
        method !== 'GET' &&
        (faults.rest.errorAfterWriteRate ?? 0) > 0 &&
        this.options.random() < (faults.rest.errorAfterWriteRate ?? 0)
      ) {
        record.fault = 'error-after-write';
        throw new HttpError(502, 'Server Error');
      }
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      reply = {
        status: err.status,
        body: { message: err.message, documentation_url: 'https://docs.github.com/rest', status: String(err.status) },
        headers: err.headers,
      };
    }
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'x-github-media-type': 'github.v3; format=json',
      'x-github-request-id': `SIM:${this.requests.length + 1}`,
      ...(reply.headers ?? {}),
    };
    let payload = reply.text ?? (reply.body === undefined ? '' : JSON.stringify(reply.body));
    // GraphQL answers are checked where they are executed (merge-queue.ts); raw bytes have no schema.
    if (template && !template.endsWith('/graphql') && !record.fault && reply.text === undefined)
      checkRestAnswer(method, template, reply.status, payload);
    let status = reply.status;
    if (method === 'GET' && status === 200) {
      const etag = `W/"${createHash('sha1').update(payload).digest('hex')}"`;
      headers.etag = etag;
      if (req.headers['if-none-match'] === etag) {
        status = 304;
        payload = '';
      }
    }
    if (installationId !== undefined) rateKey = `installation:${installationId}`;
    if (rateKey !== undefined && !('x-ratelimit-remaining' in headers)) Object.assign(headers, this.rateHeaders(rateKey, status !== 304));
    record.status = status;
    this.requests.push(record);
    res.writeHead(status, headers);
    res.end(payload);
  }

  private match(method: string, path: string): { route: CompiledRoute; params: Record<string, string> } | undefined {
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const m = route.regex.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      route.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1] ?? '')));
      return { route, params };
    }
    return undefined;
  }

  private rateLimited(kind: 'secondary' | 'primary' | '429', retryAfter: number, installationId?: number): HttpError {
    const reset = String(Math.ceil(this.options.world.nowMs() / 1000) + retryAfter);
    if (kind === 'primary') {
      return new HttpError(403, `API rate limit exceeded for installation ID ${installationId ?? 0}.`, {
        'x-ratelimit-limit': String(RATE_LIMIT),
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': reset,
        'x-ratelimit-used': String(RATE_LIMIT),
        'x-ratelimit-resource': 'core',
      });
    }
    return new HttpError(
      kind === '429' ? 429 : 403,
      'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
      { 'retry-after': String(retryAfter) },
    );
  }

  private rateHeaders(key: string, count: boolean): Record<string, string> {
    const now = Math.floor(this.options.world.nowMs() / 1000);
    let u = this.usage.get(key);
    if (!u || u.reset <= now) {
      u = { used: 0, reset: now + 3600 };
      this.usage.set(key, u);
    }
    if (count) u.used += 1;
    return {
      'x-ratelimit-limit': String(RATE_LIMIT),
      'x-ratelimit-remaining': String(Math.max(0, RATE_LIMIT - u.used)),
      'x-ratelimit-reset': String(u.reset),
      'x-ratelimit-used': String(u.used),
      'x-ratelimit-resource': 'core',
    };
  }

  /** The person a personal access token belongs to; it may call whatever an installation token may. */
  private personOf(auth: Auth, header: string | undefined): SimUser | undefined {
    if (auth !== 'installation') return undefined;
    const m = /^(?:token|bearer)\s+(\S+)$/i.exec(header ?? '');
    return m?.[1] ? this.options.world.personalTokens.get(m[1]) : undefined;
  }

  /** Returns the installation token of a request; throws 401 like GitHub on a bad credential. */
  private authenticate(auth: Auth, header: string | undefined): SimToken | undefined {
    if (auth === 'none') return undefined;
    const m = /^(?:token|bearer)\s+(\S+)$/i.exec(header ?? '');
    if (!m?.[1]) throw new HttpError(401, 'Requires authentication');
    const credential = m[1];
    if (auth === 'app') {
      this.verifyJwt(credential);
      return undefined;
    }
    const token = this.options.world.tokens.get(credential);
    if (!token) {
      if (credential.split('.').length === 3) throw new HttpError(403, 'A JSON web token could not be decoded');
      throw new HttpError(401, 'Bad credentials');
    }
    if (token.expiresAt <= this.options.world.nowMs()) throw new HttpError(401, 'Bad credentials');
    return token;
  }

  private verifyJwt(jwt: string): void {
    const [h, p, s] = jwt.split('.');
    if (!h || !p || !s) throw new HttpError(401, 'A JSON web token could not be decoded');
    let claims: { iss?: string | number; exp?: number; iat?: number };
    try {
      claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as typeof claims;
    } catch {
      throw new HttpError(401, 'A JSON web token could not be decoded');
    }
    if (String(claims.iss) !== String(this.options.world.app.id)) throw new HttpError(401, "'Issuer' claim ('iss') must be an Integer");
    const now = Math.floor(this.options.world.nowMs() / 1000);
    // GitHub allows 60 s of clock drift on iat and at most 10 minutes of validity.
    if (!claims.exp || claims.exp < now || (claims.iat ?? now) > now + 60)
      throw new HttpError(401, "'Expiration time' claim ('exp') is too far in the future");
    if (this.publicKey) {
      const ok = createVerify('RSA-SHA256').update(`${h}.${p}`).verify(this.publicKey, Buffer.from(s, 'base64url'));
      if (!ok) throw new HttpError(401, 'A JSON web token could not be decoded');
    }
  }
}
