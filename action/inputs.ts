// The Action's inputs and the parts of the runner's environment it needs, validated up front so that a
// typo in a workflow fails the step with a message that says what to write instead.
import { readFileSync } from 'node:fs';

export const MODES = ['check', 'full', 'sweep', 'test'] as const;
export type Mode = (typeof MODES)[number];

export interface ActionInputs {
  token: string;
  mode: Mode;
  policyPath: string;
  /** `mode: test`: the directory of policy tests, read from the PR head. */
  testsPath: string;
  appSlug: string;
  /** The running job's own check run (`job.check_run_id`): not one of the "other checks" a merge waits for. */
  jobCheckRunId?: number;
}

export interface ActionEvent {
  name: string;
  payload: Record<string, unknown>;
}

export interface ActionEnvironment {
  event: ActionEvent;
  owner: string;
  repo: string;
  apiUrl: string;
}

/** A mistake in the workflow, not in GitHub: the step fails with this message and nothing is written. */
export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

export type InputReader = (name: string) => string;

export function readInputs(getInput: InputReader): ActionInputs {
  const token = getInput('token').trim();
  if (!token) {
    throw new ConfigurationError('Input `token` is empty. Leave it unset to use the workflow token (`${{ github.token }}`).');
  }
  const rawMode = getInput('mode').trim().toLowerCase() || 'check';
  if (!isMode(rawMode)) {
    throw new ConfigurationError(`Input \`mode\` is "${getInput('mode').trim()}"; expected one of: ${MODES.join(', ')}.`);
  }
  const policyPath = getInput('policy').trim() || '.github/hitl.yml';
  if (policyPath.startsWith('/') || policyPath.split('/').includes('..')) {
    throw new ConfigurationError(`Input \`policy\` is "${policyPath}"; expected a path inside the repository such as .github/hitl.yml.`);
  }
  const testsPath = getInput('tests').trim() || '.github/hitl-tests';
  if (testsPath.startsWith('/') || testsPath.split('/').includes('..')) {
    throw new ConfigurationError(
      `Input \`tests\` is "${testsPath}"; expected a directory inside the repository such as .github/hitl-tests.`,
    );
  }
  const appSlug = getInput('app-slug').trim() || 'github-actions';
  if (!/^[a-z0-9][a-z0-9-]*$/i.test(appSlug)) {
    throw new ConfigurationError(`Input \`app-slug\` is "${appSlug}"; expected a GitHub App slug such as github-actions.`);
  }
  const rawJob = getInput('job-check-run-id').trim();
  if (rawJob && !/^[1-9]\d{0,18}$/.test(rawJob)) {
    throw new ConfigurationError(
      `Input \`job-check-run-id\` is "${rawJob}"; expected the number \`\${{ job.check_run_id }}\` gives, or nothing.`,
    );
  }
  return { token, mode: rawMode, policyPath, testsPath, appSlug, ...(rawJob ? { jobCheckRunId: Number(rawJob) } : {}) };
}

function isMode(value: string): value is Mode {
  return (MODES as readonly string[]).includes(value);
}

/** The event and repository the runner describes in `GITHUB_*` variables. */
export function readEnvironment(env: NodeJS.ProcessEnv): ActionEnvironment {
  const name = env.GITHUB_EVENT_NAME?.trim();
  if (!name) throw new ConfigurationError('GITHUB_EVENT_NAME is not set: this Action runs inside a GitHub Actions workflow.');
  const repository = env.GITHUB_REPOSITORY?.trim() ?? '';
  const match = /^([^/\s]+)\/([^/\s]+)$/.exec(repository);
  if (!match) throw new ConfigurationError(`GITHUB_REPOSITORY is "${repository}"; expected owner/repo.`);
  const apiUrl = (env.GITHUB_API_URL?.trim() || 'https://api.github.com').replace(/\/+$/, '');
  return { event: { name, payload: readPayload(env.GITHUB_EVENT_PATH) }, owner: match[1]!, repo: match[2]!, apiUrl };
}

function readPayload(path: string | undefined): Record<string, unknown> {
  // schedule and some workflow_dispatch runs come with an empty or absent payload: that is not an error.
  if (!path) return {};
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigurationError(`Cannot read the event payload at GITHUB_EVENT_PATH: ${(error as Error).message}`);
  }
  if (!text.trim()) return {};
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch (error) {
    throw new ConfigurationError(`The event payload at GITHUB_EVENT_PATH is not JSON: ${(error as Error).message}`);
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new ConfigurationError('The event payload at GITHUB_EVENT_PATH is not a JSON object.');
  }
  return payload as Record<string, unknown>;
}
