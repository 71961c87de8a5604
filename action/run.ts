// The runner: translates between the Actions runtime (@actions/core, GITHUB_* variables) and main.
// Everything the step prints, outputs and fails on goes through here.
import * as core from '@actions/core';
import { getOctokit } from '@actions/github';
import { reconcile, sweep, type GitHubClient, type ReconcileLog } from '../src/github/index.js';
import { ConfigurationError, readEnvironment, readInputs } from './inputs.js';
import { main } from './main.js';
import type { ActionReport } from './report.js';
import type { Annotation } from './annotate-policy.js';

export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let report: ActionReport;
  try {
    const inputs = readInputs((name) => core.getInput(name));
    core.setSecret(inputs.token);
    const environment = readEnvironment(env);
    // baseUrl explicitly, so GitHub Enterprise Server (GITHUB_API_URL) is honoured whatever the bundle cached.
    const client: GitHubClient = getOctokit(inputs.token, { baseUrl: environment.apiUrl });
    report = await main(inputs, environment, { client, engine: { reconcile, sweep }, now: () => new Date(), log: actionsLog });
  } catch (error) {
    core.setFailed(error instanceof ConfigurationError ? error.message : `hitl-gate failed: ${messageOf(error)}`);
    return;
  }
  await publish(report);
}

async function publish(report: ActionReport): Promise<void> {
  if (report.outputs.tier !== undefined) core.setOutput('tier', report.outputs.tier);
  if (report.outputs.state !== undefined) core.setOutput('state', report.outputs.state);
  for (const annotation of report.annotations) annotate(annotation);
  if (report.summary) {
    try {
      await core.summary.addRaw(report.summary, true).write();
    } catch (error) {
      // Outside a runner (or on an old one) there is no summary file: the verdict still stands.
      core.warning(`Could not write the job summary: ${messageOf(error)}`);
    }
  }
  if (report.failure) core.setFailed(report.failure);
}

function annotate({ level, message, ...properties }: Annotation): void {
  if (level === 'error') core.error(message, properties);
  else if (level === 'warning') core.warning(message, properties);
  else core.notice(message, properties);
}

/** The engine's structured log lines, one JSON object a line in the step's log. */
const actionsLog: ReconcileLog = {
  info: (o, m) => core.info(line(o, m)),
  warn: (o, m) => core.info(`warning: ${line(o, m)}`),
  error: (o, m) => core.info(`error: ${line(o, m)}`),
};

function line(o: object, m?: string): string {
  return m === undefined ? JSON.stringify(o) : `${m} ${JSON.stringify(o)}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
