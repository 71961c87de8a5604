// The Probot app function: `export default (app, options) => …`, loadable by Probot's `run`,
// `Server#load` or `probot.load`. Configuration comes from the environment (HITL_SWEEP_INTERVAL,
// REDIS_URL); tests and embedders pass collaborators as `options.hitl`.
import type { ApplicationFunctionOptions, Probot } from 'probot';
import { createGate, type Gate, type GateOptions } from './gate.js';
import { readGateEnv } from './config.js';
import { chatSenders } from './notify-env.js';
import { gateRoutes } from './http.js';

export { createGate } from './gate.js';
export type { Gate, GateOptions } from './gate.js';
export type { ReconcileQueue, ReconcileJob } from './queue.js';
export type { Timers } from './timers.js';

export type HitlAppOptions = ApplicationFunctionOptions & { hitl?: GateOptions; env?: NodeJS.ProcessEnv };

export default async function hitlGateApp(app: Probot, options: HitlAppOptions): Promise<Gate> {
  const env = options.env ?? process.env;
  const config = readGateEnv(env);
  if (!config.ok) throw new Error(`hitl-gate configuration: ${config.errors.join('; ')}`);
  const notify = chatSenders(env);
  let scaleOut: Partial<GateOptions> = {};
  if (config.value.redisUrl && !options.hitl?.queue) {
    const { redisBackends } = await import('./redis.js');
    scaleOut = await redisBackends(config.value.redisUrl, {
      sweepIntervalMs: config.value.sweepIntervalMs,
      concurrency: config.value.concurrency,
      log: app.log,
    });
  }
  const dashboard = config.value.dashboardIntervalMs !== undefined ? { dashboardIntervalMs: config.value.dashboardIntervalMs } : {};
  const gate = createGate(app, {
    sweepIntervalMs: config.value.sweepIntervalMs,
    queueConcurrency: config.value.concurrency,
    ...dashboard,
    ...(notify ? { notify } : {}),
    ...scaleOut,
    ...options.hitl,
  });
  options.addHandler(gateRoutes(gate));
  return gate;
}
