// A local Slack Web API endpoint: `chat.postMessage` as Slack answers it (form or JSON body, bearer
// token, `{ ok, channel, ts, message }`), a record of what was posted, and the faults a chat service
// has: answering 5xx, or not answering at all (down). Point SLACK_API_URL at `apiUrl`.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface SlackPost {
  at: number;
  channel: string;
  text: string;
  threadTs?: string;
  ts: string;
}

export interface SlackSimulatorOptions {
  token?: string;
  /** Called with every message posted (`npm run sim` prints them). */
  onPost?: (post: SlackPost) => void;
}

export class SlackSimulator {
  readonly posts: SlackPost[] = [];
  /** Requests that reached the endpoint, answered or not (a 5xx counts too). */
  attempts = 0;
  /** `error`: answer 503; `down`: close every connection without an answer. */
  fault: 'none' | 'error' | 'down' = 'none';
  readonly token: string;
  #server: Server | undefined;
  #sockets = new Set<Socket>();
  #seq = 0;

  constructor(private readonly options: SlackSimulatorOptions = {}) {
    this.token = options.token ?? 'xoxb-local-test-token';
  }

  async start(): Promise<this> {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    this.#server.on('connection', (s) => {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
    await new Promise<void>((r) => this.#server!.listen(0, '127.0.0.1', r));
    return this;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${(this.#server!.address() as AddressInfo).port}/api/`;
  }

  async stop(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((r) => (this.#server ? this.#server.close(() => r()) : r()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    this.attempts += 1;
    if (this.fault === 'down') {
      req.socket.destroy();
      return;
    }
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    };
    if (this.fault === 'error') return reply(503, { ok: false, error: 'service_unavailable' });
    if (req.method !== 'POST' || !req.url?.startsWith('/api/chat.postMessage')) return reply(200, { ok: false, error: 'unknown_method' });
    const raw = Buffer.concat(chunks).toString('utf8');
    const type = req.headers['content-type'] ?? '';
    const params: Record<string, unknown> = type.includes('application/json')
      ? JSON.parse(raw || '{}')
      : Object.fromEntries(new URLSearchParams(raw));
    const auth = req.headers.authorization ?? (typeof params.token === 'string' ? `Bearer ${params.token}` : '');
    if (auth !== `Bearer ${this.token}`) return reply(200, { ok: false, error: 'invalid_auth' });
    const channel = typeof params.channel === 'string' ? params.channel : '';
    const text = typeof params.text === 'string' ? params.text : '';
    if (!channel) return reply(200, { ok: false, error: 'channel_not_found' });
    if (!text) return reply(200, { ok: false, error: 'no_text' });
    const ts = `${Math.floor(Date.now() / 1000)}.${String(++this.#seq).padStart(6, '0')}`;
    const threadTs = typeof params.thread_ts === 'string' && params.thread_ts ? params.thread_ts : undefined;
    const post: SlackPost = { at: Date.now(), channel, text, ts, ...(threadTs ? { threadTs } : {}) };
    this.posts.push(post);
    this.options.onPost?.(post);
    reply(200, { ok: true, channel, ts, message: { type: 'message', text, ts, ...(threadTs ? { thread_ts: threadTs } : {}) } });
  }
}
