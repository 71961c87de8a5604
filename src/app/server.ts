// `npm start`: the hitl-gate GitHub App server. Probot's standard environment plus
// HITL_SWEEP_INTERVAL and REDIS_URL; see docs/app.md.
import { existsSync, realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { Probot, Server } from 'probot';
import { readServerConfig, type ServerConfig } from './config.js';
import { gateOctokit } from './octokit.js';
import hitlGateApp from './index.js';
import type { Gate, GateOptions } from './gate.js';
import { errorMessage } from './log.js';

/** How long shutdown waits for reconciles in flight (Kubernetes gives 30 s by default). */
const DRAIN_MS = 20_000;

export interface RunningServer {
  server: Server;
  gate: Gate;
  port: number;
  stop(): Promise<void>;
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  /** Tests shrink retry waits and write pacing; production uses `gateOctokit()`. */
  Octokit?: ReturnType<typeof gateOctokit>;
  /** Overrides of the gate's collaborators and settings (tests). */
  gate?: GateOptions;
}

export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  const env = options.env ?? process.env;
  const log = pino({
    // No `name` here: Probot's child loggers set their own (`probot`, `http`, `hitl-gate`).
    level: config.logLevel,
    ...(config.logFormat === 'pretty' ? { transport: { target: 'pino-pretty', options: { colorize: true } } } : {}),
  });
  const server = new Server({
    Probot: Probot.defaults({
      appId: config.appId,
      privateKey: config.privateKey,
      secret: config.webhookSecret,
      log,
      // Behind a proxy, Node's fetch: `main` routes it through the proxy.
      Octokit:
        options.Octokit ??
        gateOctokit({
          ...(proxyFrom(env) ? { fetch: globalThis.fetch } : {}),
          ...(config.writeLimits ? { writeLimits: config.writeLimits } : {}),
        }),
      ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}),
      // Probot clusters its rate limiter in the same Redis the gate scales out with.
      ...(config.redisUrl ? { redisConfig: config.redisUrl } : {}),
    }),
    port: config.port,
    ...(config.host ? { host: config.host } : {}),
    ...(config.webhookPath ? { webhookPath: config.webhookPath } : {}),
    ...(config.webhookProxy ? { webhookProxy: config.webhookProxy } : {}),
    log,
  });
  let gate: Gate | undefined;
  await server.load(async (app, appOptions) => {
    gate = await hitlGateApp(app, { ...appOptions, env, ...(options.gate ? { hitl: options.gate } : {}) });
  });
  if (!gate) throw new Error('the app did not load');
  const loaded = gate;
  await server.start();
  let stopping: Promise<void> | undefined;
  return {
    server,
    gate: loaded,
    port: server.port,
    stop() {
      stopping ??= (async () => {
        loaded.closed = true; // /healthz answers 503 while we drain
        // Stop taking webhooks first, then let reconciles in flight finish (bounded): a merge
        // half-done is redone by the next sweep anyway, but finishing it is kinder.
        await Promise.race([server.stop(), new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
        await loaded.close(DRAIN_MS);
      })();
      return stopping;
    },
  };
}

/** Node's fetch (which Probot's Octokit uses) ignores HTTPS_PROXY; route it through the proxy,
 * honouring NO_PROXY. */
const proxyFrom = (env: NodeJS.ProcessEnv): string | undefined =>
  env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy || undefined;

async function useProxyFromEnv(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const proxy = proxyFrom(env);
  if (!proxy) return undefined;
  const { EnvHttpProxyAgent, setGlobalDispatcher } = await import('undici');
  setGlobalDispatcher(new EnvHttpProxyAgent());
  return proxy.replace(/\/\/[^@/]*@/, '//***@');
}

async function main(): Promise<void> {
  // Like Probot's own runner (and what `npm run setup` writes): `.env` in the working directory.
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = readServerConfig(process.env);
  if (!config.ok) {
    console.error(`hitl-gate: cannot start: ${config.errors.join('; ')} (see docs/app.md; \`npm run setup\` registers a new App)`);
    process.exit(1);
  }
  let running: RunningServer;
  try {
    const proxy = await useProxyFromEnv(process.env);
    if (proxy) console.error(`hitl-gate: GitHub requests go through the proxy ${proxy}`);
    running = await startServer(config.value);
  } catch (error) {
    console.error(`hitl-gate: cannot start: ${errorMessage(error)}`);
    process.exit(1);
  }
  const shutdown = (signal: string) => {
    console.error(`hitl-gate: ${signal}: finishing reconciles in flight`);
    running.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`hitl-gate: shutdown: ${errorMessage(error)}`);
        process.exit(1);
      },
    );
  };
  // A bug in one reconcile must not take down every other PR's gate: log it; GitHub still holds the
  // truth and the next sweep redoes whatever was interrupted.
  process.on('unhandledRejection', (reason) => console.error(`hitl-gate: unhandled rejection: ${errorMessage(reason)}`));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

// Run only as the entry point (`node dist/src/app/server.js`), not when a test imports startServer.
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) void main();
