// `npm run sim`: the demo's local GitHub and the real App server, driven by you. Type commands to open
// agent PRs, push, comment as anyone, inject faults; the timeline prints what the gate does.
import { createInterface } from 'node:readline/promises';
import { GitHubSimulator, SlackSimulator } from '../test/sim/index.js';
import { registerApp, startApp } from '../test/sim/app-process.js';
import { formatLine, plain, table } from './report.js';
import { PROTECTIONS } from './protections.js';
import { AGENT, buttonOn, REPO, setUp, slackEnv, WINDOW_SECONDS } from './scenario.js';

const HELP = `commands:
  open fyi|soft|hard [AUTHOR]     an agent PR (docs, code or a migration); AUTHOR defaults to ${AGENT}
  push N                          a new commit on PR #N
  comment N USER TEXT...          USER comments on PR #N (e.g. comment 2 alice /veto too risky)
  review N USER approve|changes   a review
  click N USER approve|veto       USER clicks a button on the hitl check of PR #N
  label N USER NAME               a label (e.g. hitl:hard, ai-generated)
  perm USER read|write|admin|none repository permission
  ci N NAME success|failure|pending  another check on PR #N's head (e.g. ci 1 build success)
  protect ${Object.keys(PROTECTIONS).join('|')}   protect main (see docs/protected-branches.md)
  advance                         a commit lands on main: open PRs fall behind
  queue N [USER]                  USER adds PR #N to the merge queue by hand, bypassing its requirements (with --merge-queue)
  dequeue N [USER]                USER takes PR #N out of the merge queue
  faults 5xx RATE | drop RATE | ratelimit N | off
  show                            every PR: tier, state, merged
  help | quit`;

const FILES = {
  fyi: (i: number) => [{ path: `docs/page-${i}.md`, content: `# Page ${i}\n` }],
  soft: (i: number) => [{ path: `src/feature-${i}.ts`, content: `export const f${i} = ${i};\n` }],
  hard: (i: number) => [{ path: `db/migrations/${100 + i}_change.sql`, content: 'alter table cart add column x int;\n' }],
};

async function main(): Promise<void> {
  const sim = await new GitHubSimulator().start();
  const credentials = registerApp(sim);
  // `npm run sim -- --merge-queue`: main has a merge queue (the gate enqueues, and answers merge groups).
  const mergeQueue = process.argv.includes('--merge-queue');
  setUp(sim, { mergeQueue });
  // `npm run sim -- --protected b` starts with main protected (setups of docs/protected-branches.md).
  const protectedArg = process.argv.indexOf('--protected');
  const preset = protectedArg >= 0 ? PROTECTIONS[process.argv[protectedArg + 1] ?? ''] : undefined;
  if (protectedArg >= 0 && !preset) throw new Error(`--protected takes one of: ${Object.keys(PROTECTIONS).join(', ')}`);
  if (preset) sim.protect(REPO, preset.protection);
  const t0 = Date.now();
  // What the gate would post to Slack, printed as it is posted.
  const slack = await new SlackSimulator({
    onPost: (p) =>
      console.log(
        `${`+${((p.at - t0) / 1000).toFixed(1)}s`.padStart(7)}  slack ${p.channel}${p.threadTs ? ' (thread)' : ''}: ${p.text.split('\n').join(' / ')}`,
      ),
  }).start();
  const app = await startApp(sim, { credentials, logLevel: 'warn', sweepInterval: '10s', env: slackEnv(slack) });
  const labels = { pr: (n: number | undefined) => (n === undefined ? '' : `#${n}`) };
  sim.on('entry', (e) => {
    if (e.number === undefined && typeof e.data?.headSha === 'string') {
      for (const p of sim.world.repo(REPO).pulls.values()) if (p.commits.includes(e.data.headSha)) e.number = p.number;
    }
    const line = formatLine(e, t0, sim, labels);
    if (line) console.log(line);
  });
  console.log(
    `local GitHub ${sim.apiUrl}, App server ${app.baseUrl}; repository ${REPO} (docs fyi, code soft with a ${WINDOW_SECONDS}s window, migrations hard)${mergeQueue ? ', main has a merge queue' : ''}; alice may decide, bob has write, eve reads.${preset ? `\nmain is protected: ${preset.about}.` : ''}\n${HELP}`,
  );

  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: false });
  let count = 0;
  for await (const raw of rl) {
    const [cmd, ...args] = raw.trim().split(/\s+/);
    const n = Number(args[0]);
    try {
      if (!cmd) continue;
      if (cmd === 'quit' || cmd === 'exit') break;
      else if (cmd === 'help') console.log(HELP);
      else if (cmd === 'open' && (args[0] === 'fyi' || args[0] === 'soft' || args[0] === 'hard')) {
        count += 1;
        sim.openPullRequest(REPO, { author: args[1] ?? AGENT, title: `${args[0]} change ${count}`, files: FILES[args[0]](count) });
      } else if (cmd === 'push')
        sim.push(REPO, n, {
          files: [...sim.pull(REPO, n).files.map((f) => ({ path: f.filename, content: `${f.content ?? ''}// again\n` }))],
        });
      else if (cmd === 'comment') sim.comment(REPO, n, args[1] ?? 'alice', args.slice(2).join(' '));
      else if (cmd === 'review') sim.review(REPO, n, args[1] ?? 'alice', args[2] === 'changes' ? 'CHANGES_REQUESTED' : 'APPROVED');
      else if (cmd === 'click')
        sim.clickCheckRunAction(
          REPO,
          await buttonOn(sim, n, args[2] === 'veto' ? 'veto' : 'approve', 2_000),
          args[1] ?? 'alice',
          args[2] === 'veto' ? 'veto' : 'approve',
        );
      else if (cmd === 'label') sim.label(REPO, n, args[1] ?? 'alice', args[2] ?? '');
      else if (cmd === 'ci') {
        const state = args[2] === 'pending' ? null : args[2] === 'failure' ? 'failure' : 'success';
        sim.ciCheck(REPO, sim.pull(REPO, n).headSha, args[1] ?? 'build', state);
      } else if (cmd === 'protect') {
        const p = PROTECTIONS[args[0] ?? ''];
        if (!p) console.log(`protect takes one of: ${Object.keys(PROTECTIONS).join(', ')}`);
        else {
          sim.protect(REPO, p.protection);
          console.log(`main is protected: ${p.about}.`);
        }
      } else if (cmd === 'advance') sim.advanceBase(REPO);
      else if (cmd === 'queue') sim.enqueue(REPO, n, args[1] ?? 'alice', { force: true });
      else if (cmd === 'dequeue') sim.dequeue(REPO, n, args[1] ?? 'alice');
      else if (cmd === 'perm') sim.setPermission(REPO, args[0] ?? '', (args[1] ?? 'none') as 'read' | 'write' | 'admin' | 'none');
      else if (cmd === 'faults') {
        const rate = Number(args[1]);
        if (args[0] === '5xx') sim.setRestFaults({ errorRate: rate });
        else if (args[0] === 'drop') sim.setWebhookFaults({ dropRate: rate });
        else if (args[0] === 'ratelimit') sim.rateLimitEpisode({ kind: 'secondary', requests: rate || 5, retryAfterSeconds: 2 });
        else sim.clearFaults();
      } else if (cmd === 'show') {
        const rows = [['PR', 'title', 'gate', 'merged']];
        for (const p of sim.world.repo(REPO).pulls.values()) {
          const check = sim
            .checkRuns(REPO, p.headSha, 'hitl')
            .filter((r) => r.app.id === sim.app.id)
            .at(-1);
          rows.push([`#${p.number}`, p.title, plain(check?.output.title ?? 'not yet decided'), p.merged ? 'yes' : 'no']);
        }
        console.log(table(rows));
      } else console.log(`unknown command: ${raw}\n${HELP}`);
    } catch (error) {
      console.log(`refused: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  await app.stop();
  await sim.stop();
  await slack.stop();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`sim failed: ${error instanceof Error ? error.stack : String(error)}`);
    process.exit(1);
  },
);
