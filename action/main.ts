// The Action's orchestration: event -> target -> reconcile (or sweep) -> a report of outputs,
// annotations, summary and failure. It writes nothing to the runner itself (run.ts does), so it can be
// tested in-process; everything it knows about GitHub comes through the client it is given.
import {
  answerMergeGroup,
  type GitHubClient,
  type MergeGroupAnswer,
  type MergeGroupOptions,
  type MergeGroupPayload,
  type ReconcileLog,
  type ReconcileOutcome,
  type SweepOptions,
  type ReconcileOptions,
  type PullRequestRef,
  type RepositoryRef,
} from '../src/github/index.js';
import { KeptAnswers } from '../src/github/kept-answers.js';
import { annotatePolicy, type Annotation } from './annotate-policy.js';
import { buildPullRequestSummary, buildSweepSummary } from './build-summary.js';
import { targetOfEvent, type Target } from './event-target.js';
import type { ActionEnvironment, ActionInputs } from './inputs.js';
import { resolveIdentity } from './resolve-identity.js';
import type { ActionReport } from './report.js';
import { runPolicyTests } from './run-policy-tests.js';

export interface Engine {
  reconcile(client: GitHubClient, ref: PullRequestRef, options: ReconcileOptions): Promise<ReconcileOutcome>;
  sweep(client: GitHubClient, repo: RepositoryRef, options: SweepOptions): Promise<ReconcileOutcome[]>;
  /** Default: the shell's own (it decides each PR of the group with `reconcile` in check mode). */
  answerMergeGroup?(
    client: GitHubClient,
    repo: RepositoryRef,
    group: MergeGroupPayload,
    options: MergeGroupOptions,
  ): Promise<MergeGroupAnswer>;
}

export interface MainDependencies {
  client: GitHubClient;
  engine: Engine;
  now: () => Date;
  log: ReconcileLog;
}

export async function main(inputs: ActionInputs, environment: ActionEnvironment, deps: MainDependencies): Promise<ActionReport> {
  const target = targetOfEvent(environment.event, inputs.mode);
  if (target.kind === 'nothing') {
    return { outputs: {}, annotations: [{ level: 'notice', message: target.notice, title: 'hitl-gate' }] };
  }
  try {
    return await gate(target, inputs, environment, deps);
  } catch (error) {
    // GitHub (or the engine) failed before there was a verdict: fail closed, never read as a pass.
    const message = error instanceof Error ? error.message : String(error);
    const failure =
      target.kind === 'pull-request'
        ? `#${target.number}: ${message}`
        : target.kind === 'merge-group'
          ? `The merge group could not be judged: ${message}`
          : `The sweep failed: ${message}`;
    return {
      outputs: target.kind === 'pull-request' ? { tier: 'hard', state: 'blocked' } : {},
      annotations: [],
      summary: `## hitl-gate\n\n> [!CAUTION]\n> ${failure}\n\nNothing was merged. The next run tries again.\n`,
      failure,
    };
  }
}

async function gate(
  target: Exclude<Target, { kind: 'nothing' }>,
  inputs: ActionInputs,
  environment: ActionEnvironment,
  deps: MainDependencies,
): Promise<ActionReport> {
  if (inputs.mode === 'test') {
    if (target.kind !== 'pull-request')
      return {
        outputs: {},
        annotations: [
          {
            level: 'notice',
            title: 'hitl-gate',
            message: 'Mode `test` runs the policy tests of a pull request: run it on pull_request events.',
          },
        ],
      };
    return runPolicyTests(deps.client, { owner: environment.owner, repo: environment.repo, number: target.number }, inputs, deps.now());
  }
  const identity = await resolveIdentity(deps.client, inputs.appSlug, environment.apiUrl);
  const base = {
    identity,
    policyPath: inputs.policyPath,
    now: deps.now,
    log: deps.log,
    // This run's answers from GitHub: a second read of the same policy or rules asks conditionally.
    kept: new KeptAnswers(),
    ...(inputs.jobCheckRunId !== undefined ? { ignoreCheckRunIds: [inputs.jobCheckRunId] } : {}),
  };
  const repository = { owner: environment.owner, repo: environment.repo };

  if (target.kind === 'merge-group') {
    const answer = deps.engine.answerMergeGroup ?? answerMergeGroup;
    const result = await answer(deps.client, repository, target.group, {
      ...base,
      mode: inputs.mode === 'full' ? 'full' : 'check',
      reconcile: deps.engine.reconcile,
    });
    return reportMergeGroup(result, inputs);
  }

  if (target.kind === 'repository') {
    const run = (checkRunAs: 'check-run' | 'status') => deps.engine.sweep(deps.client, repository, { ...base, mode: 'full', checkRunAs });
    const { result: outcomes, annotations } = await withCheckFallback(run, (list) => list.some(cannotWriteChecks));
    return reportSweep(outcomes, annotations);
  }

  const ref = { ...repository, number: target.number };
  const first = target.firstHead ? { firstHead: target.firstHead } : {};
  if (inputs.mode === 'check') {
    const outcome = await deps.engine.reconcile(deps.client, ref, { ...base, ...first, mode: 'check' });
    return reportPullRequest(outcome, inputs, deps.now(), []);
  }
  const run = (checkRunAs: 'check-run' | 'status') =>
    deps.engine.reconcile(deps.client, ref, { ...base, ...first, mode: 'full', checkRunAs });
  const { result: outcome, annotations } = await withCheckFallback(run, cannotWriteChecks);
  return reportPullRequest(outcome, inputs, deps.now(), annotations);
}

function reportPullRequest(outcome: ReconcileOutcome, inputs: ActionInputs, now: Date, extra: Annotation[]): ActionReport {
  const { decision } = outcome;
  const report: ActionReport = {
    outputs: { tier: decision.tier, state: decision.state },
    annotations: [...annotatePolicy(decision), ...extra],
    summary: buildPullRequestSummary(outcome, inputs.mode, now),
  };
  if (outcome.error) {
    // GitHub failed us part-way: the verdict may rest on missing facts, so it must not read as a pass.
    report.outputs = { tier: decision.tier === 'none' ? 'hard' : decision.tier, state: 'blocked' };
    report.failure = `#${outcome.ref.number}: GitHub failed us: ${outcome.error}`;
  } else if (inputs.mode === 'check' && decision.state === 'blocked' && decision.mode !== 'observe') {
    // Observe mode never blocks, the Action's check mode included: the summary says what it would do.
    report.failure = `#${outcome.ref.number} is blocked: ${decision.title}${decision.blockers.length ? ` (${decision.blockers.join('; ')})` : ''}`;
  }
  return report;
}

/** The step fails exactly when the group adds a PR the gate would not merge now (or it cannot tell). */
function reportMergeGroup(answer: MergeGroupAnswer, inputs: ActionInputs): ActionReport {
  const { verdict } = answer;
  const head = answer.headSha ? ` ${answer.headSha.slice(0, 7)}` : '';
  const lines = [
    `## hitl-gate: merge group${head} ${verdict.conclusion === 'failure' ? 'must not merge' : 'may merge'}`,
    '',
    `**${verdict.title}**`,
    '',
    verdict.summary,
    '',
  ];
  if (inputs.mode === 'full')
    lines.push(
      answer.written
        ? 'The `hitl` check on the group says so.'
        : `The \`hitl\` check on the group could not be written${answer.error ? `: ${answer.error}` : ''}.`,
      '',
    );
  const report: ActionReport = { outputs: {}, annotations: [], summary: lines.join('\n') };
  if (verdict.conclusion === 'failure') report.failure = `Merge group${head}: ${verdict.title}`;
  else if (answer.error) report.failure = `Merge group${head}: ${answer.error}`;
  return report;
}

function reportSweep(outcomes: ReconcileOutcome[], extra: Annotation[]): ActionReport {
  const failed = outcomes.filter((o) => o.error);
  const annotations = [...extra];
  for (const outcome of outcomes) {
    for (const a of annotatePolicy(outcome.decision)) {
      // The same broken policy blocks every PR: annotate it once.
      if (!annotations.some((b) => b.message === a.message && b.file === a.file && b.startLine === a.startLine)) annotations.push(a);
    }
  }
  const report: ActionReport = { outputs: {}, annotations, summary: buildSweepSummary(outcomes) };
  if (failed.length > 0) {
    report.failure = `The sweep could not reconcile ${failed.map((o) => `#${o.ref.number} (${o.error})`).join(', ')}.`;
  }
  return report;
}

/**
 * A workflow token without `checks: write` cannot create the `hitl` check run. Rather than leave the
 * PR without a verdict, report it as a commit status (same name, same meaning) and say how to upgrade.
 * A token that cannot write the status either is read-only (a `pull_request` run from a fork): say so.
 */
async function withCheckFallback<T>(
  run: (as: 'check-run' | 'status') => Promise<T>,
  refused: (result: T) => boolean,
): Promise<{ result: T; annotations: Annotation[] }> {
  const first = await run('check-run');
  if (!refused(first)) return { result: first, annotations: [] };
  const result = await run('status');
  if (refused(result)) {
    return {
      result,
      annotations: [
        {
          level: 'error',
          title: 'hitl-gate',
          message:
            'The token may not write to this repository (a `pull_request` run from a fork gets a read-only token). Run full mode on `pull_request_target` with the permissions in the docs.',
        },
      ],
    };
  }
  return {
    result,
    annotations: [
      {
        level: 'warning',
        title: 'hitl-gate',
        message:
          'The token cannot write check runs, so the verdict is a commit status named `hitl`. Grant `checks: write` to get the check run.',
      },
    ],
  };
}

/** GitHub refused the gate's verdict (check run, or commit status on the retry) for lack of permission. */
function cannotWriteChecks(outcome: ReconcileOutcome): boolean {
  if (!outcome.error) return false;
  const planned = outcome.effects.some((e) => e.kind === 'check-run');
  const applied = outcome.applied.some((e) => e.kind === 'check-run');
  return planned && !applied && /\b403\b|not accessible by integration/i.test(outcome.error);
}
