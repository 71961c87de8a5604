// Configuration from the environment: Probot's standard variables plus the gate's own. Every
// problem is collected and reported in one line each, so a misconfigured server says what to fix
// and exits instead of starting half-working.
import { getPrivateKey } from '@probot/get-private-key';
import { parseConfigDuration } from './config-duration.js';

import { parseWriteLimits, type WriteLimit } from './write-budget.js';

export const DEFAULT_SWEEP_INTERVAL = '5m';
/** Reconciles one process runs at once. Most of a reconcile is waiting (GitHub's answers, and a
 * second between writes of one installation), so the width, not the CPU, bounded throughput at 64. */
export const DEFAULT_CONCURRENCY = 256;
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The gate's own settings (also read by the app function when Probot's `run` loads it). */
export interface GateEnv {
  sweepIntervalMs: number;
  /** The most reconciles at a time in this process (`HITL_CONCURRENCY`); see ./queue-width.ts. */
  concurrency: number;
  /** Content-creating requests per installation per window (`HITL_WRITE_LIMITS`, default GitHub's
   * `80/1m,500/1h`; a GitHub Enterprise Server admin may have set others). */
  writeLimits?: WriteLimit[];
  redisUrl?: string;
  /** The dashboard issue is refreshed at most once per this per repository (`HITL_DASHBOARD_INTERVAL`, default 1m). */
  dashboardIntervalMs?: number;
}

export interface ServerConfig extends GateEnv {
  appId: number;
  privateKey: string;
  webhookSecret: string;
  port: number;
  host?: string;
  logLevel: LogLevel;
  logFormat: 'json' | 'pretty';
  /** GitHub Enterprise Server: `${GHE_PROTOCOL}://${GHE_HOST}/api/v3`. */
  baseUrl?: string;
  webhookPath?: string;
  webhookProxy?: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; errors: string[] };

export function readGateEnv(env: NodeJS.ProcessEnv): Result<GateEnv> {
  const errors: string[] = [];
  const interval = parseConfigDuration(env.HITL_SWEEP_INTERVAL?.trim() || DEFAULT_SWEEP_INTERVAL);
  if (!interval.ok) errors.push(`HITL_SWEEP_INTERVAL: ${interval.message}`);
  else if (interval.ms < 10_000) errors.push('HITL_SWEEP_INTERVAL: must be at least 10s (every sweep costs API requests)');
  const concurrencyText = env.HITL_CONCURRENCY?.trim() || String(DEFAULT_CONCURRENCY);
  const concurrency = Number(concurrencyText);
  if (!/^\d+$/.test(concurrencyText) || concurrency < 1 || concurrency > 4096)
    errors.push(`HITL_CONCURRENCY: "${concurrencyText}" must be a whole number from 1 to 4096`);
  const redisUrl = env.REDIS_URL?.trim() || undefined;
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) errors.push('REDIS_URL: must start with redis:// or rediss://');
  const dashboardText = env.HITL_DASHBOARD_INTERVAL?.trim();
  const dashboard = dashboardText ? parseConfigDuration(dashboardText) : undefined;
  if (dashboard && !dashboard.ok) errors.push(`HITL_DASHBOARD_INTERVAL: ${dashboard.message}`);
  else if (dashboard?.ok && dashboard.ms < 1_000) errors.push('HITL_DASHBOARD_INTERVAL: must be at least 1s');
  if (errors.length > 0) return { ok: false, errors };
  const limitsText = env.HITL_WRITE_LIMITS?.trim();
  const writeLimits = limitsText ? parseWriteLimits(limitsText) : undefined;
  if (limitsText && !writeLimits) errors.push(`HITL_WRITE_LIMITS: "${limitsText}" must be COUNT/DURATION pairs like 80/1m,500/1h`);
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      sweepIntervalMs: interval.ok ? interval.ms : 0,
      concurrency,
      ...(redisUrl ? { redisUrl } : {}),
      ...(writeLimits ? { writeLimits } : {}),
      ...(dashboard?.ok ? { dashboardIntervalMs: dashboard.ms } : {}),
    },
  };
}

export function readServerConfig(env: NodeJS.ProcessEnv): Result<ServerConfig> {
  const errors: string[] = [];
  const gate = readGateEnv(env);
  if (!gate.ok) errors.push(...gate.errors);

  const appId = Number(env.APP_ID);
  if (!env.APP_ID) errors.push('APP_ID is not set: the id of your GitHub App (its settings page shows it)');
  else if (!Number.isSafeInteger(appId) || appId <= 0) errors.push(`APP_ID: "${env.APP_ID}" is not a number`);

  let privateKey: string | null = null;
  try {
    privateKey = getPrivateKey({ env });
  } catch (error) {
    errors.push(`PRIVATE_KEY_PATH: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!privateKey && errors.every((e) => !e.startsWith('PRIVATE_KEY'))) {
    errors.push('PRIVATE_KEY or PRIVATE_KEY_PATH is not set: the App private key (.pem) from its settings page');
  }

  const webhookSecret = env.WEBHOOK_SECRET;
  if (!webhookSecret) errors.push('WEBHOOK_SECRET is not set: the webhook secret of your GitHub App (unsigned webhooks are refused)');

  const port = env.PORT ? Number(env.PORT) : 3000;
  if (!Number.isInteger(port) || port < 0 || port > 65535) errors.push(`PORT: "${env.PORT}" is not a port number`);

  const logLevel = (env.LOG_LEVEL || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) errors.push(`LOG_LEVEL: "${env.LOG_LEVEL}" is not one of ${LOG_LEVELS.join(', ')}`);

  const protocol = env.GHE_PROTOCOL || 'https';
  if (protocol !== 'https' && protocol !== 'http') errors.push(`GHE_PROTOCOL: "${protocol}" must be https or http`);
  const baseUrl = env.GHE_HOST ? `${protocol}://${env.GHE_HOST}/api/v3` : undefined;

  if (errors.length > 0 || !gate.ok || !privateKey || !webhookSecret) return { ok: false, errors };
  return {
    ok: true,
    value: {
      ...gate.value,
      appId,
      privateKey,
      webhookSecret,
      port,
      ...(env.HOST ? { host: env.HOST } : {}),
      logLevel,
      logFormat:
        env.LOG_FORMAT === 'pretty' || (!env.LOG_FORMAT && env.NODE_ENV !== 'production' && process.stdout.isTTY) ? 'pretty' : 'json',
      ...(baseUrl ? { baseUrl } : {}),
      ...(env.WEBHOOK_PATH ? { webhookPath: env.WEBHOOK_PATH } : {}),
      ...(env.WEBHOOK_PROXY_URL ? { webhookProxy: env.WEBHOOK_PROXY_URL } : {}),
    },
  };
}
