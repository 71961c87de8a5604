// `npm run demo`: a local GitHub (the simulator), the real App server pointed at it, and agent PRs of
// every tier. Prints what happens as it happens, then a summary; exits 0 only when every PR ended the
// way the policy says it must.
import { GitHubSimulator, SlackSimulator, type TimelineEntry } from '../test/sim/index.js';
import { registerApp, startApp, type AppProcess } from '../test/sim/app-process.js';
import { requestHumanReview } from './agent-mcp.js';
import { writeAttentionReport } from './attention-report.js';
import { formatLine, plain, table } from './report.js';
import { AGENT, buttonOn, openPulls, REPO, setUp, slackEnv, WINDOW_SECONDS, type DemoPull } from './scenario.js';

const DEADLINE_MS = 50_000;

async function main(): Promise<number> {
  const sim = await new GitHubSimulator().start();
  const credentials = registerApp(sim);
  setUp(sim);
  const slack = await new SlackSimulator().start();
  console.log(`hitl-gate demo
  local GitHub   ${sim.apiUrl} (repository ${REPO}, policy .github/hitl.yml: docs fyi, code soft with a ${WINDOW_SECONDS}s veto window, migrations hard)
  people         alice (named reviewer), bob (write access), eve (read access), ${AGENT} (the agent)`);
  let app: AppProcess | undefined;
  try {
    app = await startApp(sim, { credentials, logLevel: 'warn', sweepInterval: '10s', env: slackEnv(slack) });
    console.log(`  App server     ${app.baseUrl} (the code \`npm start\` runs; webhooks signed with a fresh secret, key generated now)
  Slack          ${slack.apiUrl} (a local Web API endpoint; the policy sends hard, veto and merged to #agent-prs)\n`);
    return await story(sim, app, slack);
  } finally {
    await app?.stop();
    await sim.stop();
    await slack.stop();
  }
}

async function story(sim: GitHubSimulator, app: AppProcess, slack: SlackSimulator): Promise<number> {
  const t0 = Date.now();
  const names = new Map<number, string>();
  const labels = { pr: (n: number | undefined) => (n === undefined ? '' : (names.get(n) ?? `#${n}`)) };
  const seen = new Set<TimelineEntry>();
  const print = (e: TimelineEntry): void => {
    if (seen.has(e)) return;
    seen.add(e);
    // Check runs are recorded without a PR number; the head SHA says whose they are.
    if (e.number === undefined && typeof e.data?.headSha === 'string') {
      for (const p of sim.world.repo(REPO).pulls.values()) if (p.commits.includes(e.data.headSha)) e.number = p.number;
    }
    const line = formatLine(e, t0, sim, labels);
    if (line) console.log(line);
  };
  sim.on('entry', print);
  const slackSeen = new Set<number>();
  const printSlack = setInterval(() => {
    slack.posts.forEach((p, i) => {
      if (slackSeen.has(i)) return;
      slackSeen.add(i);
      console.log(
        `${`+${((p.at - t0) / 1000).toFixed(1)}s`.padStart(7)}  slack ${p.channel}${p.threadTs ? ' (thread)' : ''}: ${p.text.split('\n').join(' / ')}`,
      );
    });
  }, 100);

  const { pulls } = openPulls(sim);
  for (const p of Object.values(pulls)) names.set(p.number, `#${p.number} ${p.tier}`);
  // The agent is unsure of its payment retries and asks for a human itself as it opens the PR, through
  // the MCP server (before the PR's short veto window can end). The story goes on meanwhile.
  console.log(
    `${' '.repeat(9)}${AGENT} calls the MCP tool request_human_review { pr: ${pulls.asked.number}, tier: "hard" } (hitl-gate mcp)`,
  );
  const askedCall = requestHumanReview(sim, AGENT, {
    repo: REPO,
    pr: pulls.asked.number,
    tier: 'hard',
    message: 'I am not sure retrying a declined card is safe: please check that a retry can never charge twice.',
    context: 'Retries happen on 5xx from the processor only.\n/approve  <- a line like this in my notes is never a command',
  });
  const gateSaw = (p: DemoPull) =>
    sim.waitFor(
      (e) => e.kind === 'check-run' && e.actor === sim.app.botLogin && e.data?.headSha === sim.pull(REPO, p.number).headSha,
      20_000,
      `gate check on #${p.number}`,
    );

  // bob vetoes the second code change while its window is open.
  await gateSaw(pulls.vetoed);
  const vetoAt = Date.now();
  sim.comment(REPO, pulls.vetoed.number, 'bob', '/veto a one-day price cache shows stale prices after a sale');
  // eve, who can only read, tries to approve the migration; then alice, a named reviewer, approves it.
  await gateSaw(pulls.hard);
  const eveComment = sim.comment(REPO, pulls.hard.number, 'eve', '/approve');
  await sim
    .waitFor(
      (e) =>
        e.kind === 'commented' &&
        e.actor === sim.app.botLogin &&
        e.number === pulls.hard.number &&
        typeof e.data?.body === 'string' &&
        !e.data.body.includes('hitl-gate:status'),
      20_000,
      'the answer to eve',
    )
    .catch(() => undefined);
  // alice approves with one click on the check's Approve button.
  const button = await buttonOn(sim, pulls.hard.number, 'approve');
  const approvedAt = Date.now();
  sim.clickCheckRunAction(REPO, button, 'alice', 'approve');

  const asked = await askedCall;
  console.log(`${' '.repeat(9)}MCP answer: tier ${String(asked.tier)}, ${String(asked.state)} (${String(asked.commentUrl)})`);
  await sim
    .waitFor(
      (e) =>
        e.kind === 'check-run' &&
        e.actor === sim.app.botLogin &&
        e.data?.headSha === sim.pull(REPO, pulls.asked.number).headSha &&
        e.data?.conclusion === 'failure',
      20_000,
      'the escalated PR blocked',
    )
    .catch(() => undefined);
  const askedApprovedAt = Date.now();
  sim.comment(REPO, pulls.asked.number, 'alice', '/approve');

  const mustMerge = Object.values(pulls).filter((p) => p.expect === 'merged');
  await sim
    .until(() => mustMerge.every((p) => sim.pull(REPO, p.number).merged), DEADLINE_MS - (Date.now() - t0), 'every expected merge')
    .catch(() => undefined);
  // The docs PR merged with nobody looking: it was sampled for review after merge, and alice reverts it.
  const revertOf = await reviewAfterMerge(sim, pulls.fyi);

  // The vetoed PR's window is long over by now: it must still be open.
  await sim.webhooks.settled();

  const problems: string[] = [];
  const rows: string[][] = [['PR', 'title', 'tier', 'outcome', 'merged at']];
  for (const p of Object.values(pulls)) {
    const pr = sim.pull(REPO, p.number);
    const check = sim
      .checkRuns(REPO, pr.headSha, 'hitl')
      .filter((r) => r.app.id === sim.app.id)
      .at(-1);
    const status = sim.appComments(REPO, p.number).filter((c) => c.body.includes('hitl-gate:status'));
    // A PR reviewed after merge shows that view; it says the tier the PR had when it merged.
    const tier =
      (/^\*\*Tier (fyi|soft|hard)\b/m.exec(status[0]?.body ?? '') ?? /tier (fyi|soft|hard) at merge/.exec(status[0]?.body ?? ''))?.[1] ??
      '?';
    const mergedAt = pr.merged ? sim.merges(REPO).find((m) => m.number === p.number)?.at : undefined;
    rows.push([
      `#${p.number}`,
      p.title,
      tier,
      pr.merged ? 'merged' : plain(check?.output.title ?? 'no decision'),
      mergedAt ? `+${((mergedAt - t0) / 1000).toFixed(1)}s` : '-',
    ]);
    if (tier !== p.tier) problems.push(`#${p.number}: tier ${tier}, expected ${p.tier}`);
    if (pr.merged !== (p.expect === 'merged')) problems.push(`#${p.number}: ${pr.merged ? 'merged' : 'not merged'}, expected ${p.expect}`);
    if (status.length !== 1) problems.push(`#${p.number}: ${status.length} status comments, expected exactly one`);
  }
  const softMerge = sim.merges(REPO).find((m) => m.number === pulls.soft.number);
  if (softMerge && softMerge.at - t0 < WINDOW_SECONDS * 1000)
    problems.push(`#${pulls.soft.number} merged before its ${WINDOW_SECONDS}s veto window ended`);
  const hardMerge = sim.merges(REPO).find((m) => m.number === pulls.hard.number);
  if (hardMerge && hardMerge.at < approvedAt) problems.push(`#${pulls.hard.number} merged before alice approved it`);
  const askedMerge = sim.merges(REPO).find((m) => m.number === pulls.asked.number);
  if (askedMerge && askedMerge.at < askedApprovedAt)
    problems.push(`#${pulls.asked.number} merged before alice approved it, although the agent asked for a human`);
  if (asked.tier !== 'hard') problems.push(`#${pulls.asked.number}: the MCP answer said tier ${String(asked.tier)}, expected hard`);
  if (Date.now() - vetoAt < WINDOW_SECONDS * 1000) problems.push(`#${pulls.vetoed.number}: the demo ended before its window would have`);
  const eveAnswered = sim.appComments(REPO, pulls.hard.number).some((c) => !c.body.includes('hitl-gate:status') && c.body.includes('eve'));
  if (!eveAnswered) problems.push(`eve's /approve (comment ${eveComment}) got no answer saying why it does not count`);
  const reviewRequests = sim.timeline.filter((e) => e.kind === 'review-requested' && e.number === pulls.hard.number);
  if (reviewRequests.length !== 1 || !(reviewRequests[0]?.data?.users as string[] | undefined)?.includes('alice'))
    problems.push(`#${pulls.hard.number}: ${reviewRequests.length} review requests, expected exactly one, of alice`);
  const otherMerges = sim.merges(REPO).filter((m) => m.number !== revertOf).length;
  if (otherMerges !== mustMerge.length) problems.push(`${otherMerges} merges of the story's PRs, expected ${mustMerge.length}`);
  if (revertOf === undefined) problems.push(`#${pulls.fyi.number}: alice's /revert opened no revert PR`);
  else if (!sim.pull(REPO, revertOf).labels.includes('hitl:revert'))
    problems.push(`#${revertOf}: the revert PR is not labelled hitl:revert`);
  if (!sim.appComments(REPO, pulls.fyi.number).some((c) => c.body.includes('review after merge due by')))
    problems.push(`#${pulls.fyi.number}: its status comment does not name the review after merge's deadline`);

  const announced = slack.posts.some((p) => p.text.includes(`${REPO}#${pulls.hard.number}`) && p.text.includes('needs approval'));
  if (!announced) problems.push(`#${pulls.hard.number} was not announced in Slack`);
  await new Promise((r) => setTimeout(r, 300));
  clearInterval(printSlack);
  sim.off('entry', print);
  console.log(`\n${table(rows)}\n`);
  const requests = sim.requests.length;
  console.log(
    `${requests} REST requests to the local GitHub, ${sim.deliveries.length} webhooks delivered, ${((Date.now() - t0) / 1000).toFixed(1)}s.`,
  );
  const page = await writeAttentionReport(sim, REPO);
  if ('path' in page) console.log(`Where human attention went (hitl-gate report ${REPO}): ${page.path}`);
  else problems.push(`hitl-gate report failed: ${page.error}`);
  if (problems.length > 0) {
    console.log(
      `\nUNEXPECTED:\n${problems.map((p) => `  - ${p}`).join('\n')}\n\nLast lines of the App server:\n${app.lines.slice(-15).join('\n')}`,
    );
    return 1;
  }
  console.log(
    'Every PR ended as the policy says: the docs merged, the code merged after its window, the vetoed change waits for bob, the migration asked alice for a review and merged after she approved it with one click (eve could not), the payment change the agent asked a human about (MCP request_human_review) merged only after alice approved it, the docs change that merged with nobody looking was sampled for review after merge and reverted by alice in one comment, and Slack heard of it.',
  );
  return 0;
}

/** The sampled PR's status comment names its deadline; alice comments `/revert`; the gate opens the
 * revert through GitHub's `revertPullRequest`. The revert PR's number, once opened. */
async function reviewAfterMerge(sim: GitHubSimulator, pull: DemoPull): Promise<number | undefined> {
  const sampled = () => sim.appComments(REPO, pull.number).some((c) => c.body.includes('review after merge due by'));
  await sim.until(sampled, 20_000, `the review after merge of #${pull.number}`).catch(() => undefined);
  sim.comment(REPO, pull.number, 'alice', '/revert the old setup steps were right: npm ci needs the lockfile');
  const opened = await sim
    .waitFor((e) => e.kind === 'revert-opened' && e.number === pull.number, 20_000, `the revert of #${pull.number}`)
    .catch(() => undefined);
  const revert = typeof opened?.data?.revert === 'number' ? opened.data.revert : undefined;
  if (revert !== undefined)
    await sim.until(() => sim.pull(REPO, revert).labels.includes('hitl:revert'), 10_000, 'the revert label').catch(() => undefined);
  return revert;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`demo failed: ${error instanceof Error ? error.stack : String(error)}`);
    process.exit(1);
  },
);
