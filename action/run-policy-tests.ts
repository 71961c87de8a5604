// `mode: test`: the policy tests of a pull request, run on its head's policy and tests. The head is
// read through the contents API (tests directory, its test files, the policy file) and nothing else:
// no checkout, no code of the PR runs. The step fails when a case fails or a test file is malformed.
import { loadPolicy } from '../src/core/policy.js';
import { resultLine } from '../src/core/policy-tests/run.js';
import { exitCodeOf, policyPathOf, runSuite, summaryLine } from '../src/core/policy-tests/suite.js';
import type { GitHubClient, PullRequestRef } from '../src/github/index.js';
import { readHeadFile, readHeadTests } from '../src/github/read-head-tests.js';
import { openSession } from '../src/github/session.js';
import type { Annotation } from './annotate-policy.js';
import type { ActionInputs } from './inputs.js';
import type { ActionReport } from './report.js';

export async function runPolicyTests(client: GitHubClient, ref: PullRequestRef, inputs: ActionInputs, now: Date): Promise<ActionReport> {
  const session = openSession(client, now, undefined);
  const repo = { owner: ref.owner, repo: ref.repo };
  const { data: pull } = await client.rest.pulls.get({ ...repo, pull_number: ref.number });
  const head = pull.head.sha;
  const files = await readHeadTests(session, repo, head, inputs.testsPath);
  if (files.length === 0) {
    return {
      outputs: {},
      annotations: [
        { level: 'notice', title: 'hitl-gate', message: `No policy tests in ${inputs.testsPath} at ${head.slice(0, 7)}: nothing to run.` },
      ],
      summary: `## hitl-gate: policy tests\n\nNo test files in \`${inputs.testsPath}\` at \`${head.slice(0, 7)}\`.\n`,
    };
  }
  const policyText = await readHeadFile(session, repo, inputs.policyPath, head);
  const load = policyText === undefined ? undefined : loadPolicy({ kind: 'text', path: inputs.policyPath, text: policyText });
  const outcome = runSuite(files, (file, policy) => {
    // Only the configured policy of the head: a test file cannot make the step read another file.
    if (policyPathOf(file, policy, inputs.policyPath) !== inputs.policyPath)
      return `policy: ${policy ?? ''} is not ${inputs.policyPath}; in the Action, tests run against the PR head's ${inputs.policyPath} only`;
    return load ?? `there is no ${inputs.policyPath} at ${head.slice(0, 7)}`;
  });

  const annotations: Annotation[] = [
    ...outcome.errors.map((e): Annotation => ({
      level: 'error',
      title: 'hitl-gate policy test',
      message: e.message,
      file: e.file,
      startLine: e.line,
      startColumn: e.column,
    })),
    ...outcome.suites.flatMap((s) =>
      s.results
        .filter((r) => !r.passed)
        .map((r): Annotation => ({
          level: 'error',
          title: `hitl-gate: ${r.name}`,
          message: resultLine(r),
          file: s.file,
          startLine: r.line,
        })),
    ),
  ];
  const summary = summaryLine(outcome, files.length);
  const lines = [
    ...outcome.errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.message}`),
    ...outcome.suites.flatMap((s) => s.results.map(resultLine)),
  ];
  const code = exitCodeOf(outcome);
  return {
    outputs: {},
    annotations,
    summary: `## hitl-gate: policy tests at ${head.slice(0, 7)}\n\n**${summary}**\n\n\`\`\`\n${lines.join('\n').replace(/```/g, "'''")}\n\`\`\`\n`,
    ...(code !== 0 ? { failure: `Policy tests: ${summary}` } : {}),
  };
}
