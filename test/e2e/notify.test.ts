// Chat through the real App server: Slack (a local Web API endpoint) and the signed webhook. One
// message per PR per event, later ones in the PR's thread; and nothing a chat service does delays or
// stops a merge.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verify } from '@octokit/webhooks-methods';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRecord } from '../../src/core/ledger.js';
import { notifiedOf } from '../../src/core/notify.js';
import { examplePolicy } from '../fixtures/example-policy.js';
import { SlackSimulator, type GitHubSimulator } from '../sim/index.js';
import { AGENT, FILES, gateCheck, idle, merged, mergesOf, startGate, type Gate } from './harness.js';

const SECRET = 'notify-e2e-secret';
let gate: Gate;
let slack: SlackSimulator;
let receiver: Server;
const hooks: { body: string; signature: string; event: string }[] = [];

beforeAll(async () => {
  slack = await new SlackSimulator().start();
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hooks.push({
        body: Buffer.concat(chunks).toString('utf8'),
        signature: String(req.headers['x-hitl-signature-256']),
        event: String(req.headers['x-hitl-event']),
      });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  gate = await startGate({
    env: {
      SLACK_BOT_TOKEN: slack.token,
      SLACK_API_URL: slack.apiUrl,
      HITL_NOTIFY_URL: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hitl`,
      HITL_NOTIFY_SECRET: SECRET,
    },
  });
});
afterAll(async () => {
  await gate?.close();
  await slack?.stop();
  await new Promise<void>((r) => receiver?.close(() => r()));
});

function repoWithChat(sim: GitHubSimulator, org: string, notify: string, windowSeconds = 4): string {
  const policy = `${examplePolicy({ window: `${windowSeconds}s`, authors: [AGENT] })}\nnotify:\n${notify}`;
  return sim.createRepo({
    name: `${org}/app`,
    policy,
    files: { 'README.md': '# app\n', 'src/app.ts': 'export const x = 0;\n' },
    collaborators: { alice: 'write', bob: 'write', eve: 'read' },
  });
}

const postsFor = (repo: string, n: number) => slack.posts.filter((p) => p.text.includes(`${repo}#${n}`));
const hooksFor = (repo: string, n: number) =>
  hooks
    .map((h) => ({ ...h, json: JSON.parse(h.body) as Record<string, unknown> }))
    .filter((h) => h.json.repository === repo && h.json.number === n);

describe('chat', () => {
  it(
    'a hard PR is announced once in Slack and by a signed webhook; the approval by click merges it and the merge goes into the thread',
    { timeout: 90_000 },
    async () => {
      const { sim } = gate;
      const repo = repoWithChat(
        sim,
        'chat-org',
        '  slack: { channel: "#agent-prs", on: [hard, merged] }\n  webhook: { on: [hard, merged] }\n',
      );
      const n = sim.openPullRequest(repo, { author: AGENT, title: 'Add an index', files: FILES.hard.map((f) => ({ ...f })) });
      const head = sim.pull(repo, n).headSha;
      await gateCheck(sim, repo, head, (c) => c.conclusion === 'failure');
      await sim.until(() => postsFor(repo, n).length === 1 && hooksFor(repo, n).length === 1, 30_000, 'the hard announcements');
      const [first] = postsFor(repo, n);
      expect(first).toMatchObject({ channel: '#agent-prs' });
      expect(first!.text).toContain(`/${repo}/pull/${n}|${repo}#${n}>`);
      expect(first!.text).toContain('Add an index');
      expect(first!.text).toMatch(/Tier \*hard\*: rule Database migrations/);
      expect(first!.text).toMatch(/Needs 1 approval/);
      const [hook] = hooksFor(repo, n);
      expect(await verify(SECRET, hook!.body, hook!.signature)).toBe(true);
      expect(hook!.json).toMatchObject({ event: 'hard', tier: 'hard', number: n, title: 'Add an index' });

      // Reconciles that follow (a sweep, a comment) send nothing again.
      sim.comment(repo, n, 'eve', 'looks interesting');
      await idle(gate, { repo });
      expect(postsFor(repo, n)).toHaveLength(1);

      const run = sim
        .checkRuns(repo, head, 'hitl')
        .filter((r) => (r.actions ?? []).some((a) => a.identifier === 'approve'))
        .at(-1)!;
      sim.clickCheckRunAction(repo, run.id, 'bob', 'approve');
      await merged(sim, repo, n);
      await sim.until(() => postsFor(repo, n).length === 2 && hooksFor(repo, n).length === 2, 30_000, 'the merged messages');
      expect(postsFor(repo, n)[1]).toMatchObject({ threadTs: first!.ts });
      expect(postsFor(repo, n)[1]!.text).toMatch(/merged/);
      // The thread is kept in the gate's record (its check run), for other replicas and restarts.
      const record = readRecord(
        sim
          .checkRuns(repo, head, 'hitl')
          .filter((r) => r.app.id === sim.app.id)
          .at(-1)?.output.text,
        n,
      );
      expect(notifiedOf(record)?.slack).toMatchObject({ ts: first!.ts, sent: ['hard'] });
    },
  );

  it('a reminder step of a stale hard PR reaches chat once, as `stale`', { timeout: 90_000 }, async () => {
    const { sim } = gate;
    const org = 'stale-chat-org';
    const policy = examplePolicy({ window: '4s', authors: [AGENT] }).replace(
      'hard: { approvals: 1, merge: true, invalidate_on_push: true }',
      'hard: { approvals: 1, merge: true, invalidate_on_push: true, remind: [3s] }',
    );
    const repo = sim.createRepo({
      name: `${org}/app`,
      policy: `${policy}\nnotify:\n  webhook: { on: [stale] }\n`,
      files: { 'README.md': '# app\n' },
      collaborators: { alice: 'write' },
    });
    const n = sim.openPullRequest(repo, { author: AGENT, title: 'Rename a table', files: FILES.hard.map((f) => ({ ...f })) });
    await sim.until(() => hooksFor(repo, n).length === 1, 40_000, 'the stale message');
    expect(hooksFor(repo, n)[0]!.json).toMatchObject({ event: 'stale', tier: 'hard', number: n });
    // Later reconciles (a comment, the sweep) post no second reminder and send nothing again.
    sim.comment(repo, n, 'eve', 'any news?');
    await idle(gate, { repo });
    expect(hooksFor(repo, n)).toHaveLength(1);
  });

  it('a restart does not announce a PR again: what was sent is in the ledger', { timeout: 90_000 }, async () => {
    const { sim } = gate;
    const repo = repoWithChat(sim, 'restart-chat-org', '  slack: { channel: "#agent-prs", on: [hard] }\n  webhook: { on: [hard] }\n');
    const n = sim.openPullRequest(repo, { author: AGENT, title: 'Drop a column', files: FILES.hard.map((f) => ({ ...f })) });
    await sim.until(() => postsFor(repo, n).length === 1 && hooksFor(repo, n).length === 1, 30_000, 'the hard announcements');
    await gate.restart('kill');
    // The new process sweeps every governed PR at start-up; let it, and a periodic sweep, pass.
    const reconciled = sim.requests.length;
    await sim.until(
      () => sim.requests.some((r, i) => i >= reconciled && r.path.startsWith(`/repos/${repo}/issues/${n}/comments`)),
      30_000,
      'a reconcile after the restart',
    );
    await idle(gate, { repo });
    expect(postsFor(repo, n)).toHaveLength(1);
    expect(hooksFor(repo, n)).toHaveLength(1);
  });

  it('a Slack outage (5xx, then down) during a merge neither delays nor stops it', { timeout: 90_000 }, async () => {
    const { sim } = gate;
    const repo = repoWithChat(sim, 'outage-org', '  slack: { channel: "#agent-prs", on: [soft, merged] }\n', 4);
    slack.fault = 'error';
    const before = slack.attempts;
    const opened = Date.now();
    const n = sim.openPullRequest(repo, { author: AGENT, title: 'soft change', files: FILES.soft.map((f) => ({ ...f })) });
    const head = sim.pull(repo, n).headSha;
    await gateCheck(sim, repo, head, (c) => c.status === 'in_progress');
    await sim.until(() => slack.attempts > before, 20_000, 'a Slack attempt');
    slack.fault = 'down';
    const m = await merged(sim, repo, n, 30_000);
    // The window is 4 s; the merge comes as it does without chat (a sweep at worst is 10 s away).
    expect(m.at - opened).toBeGreaterThanOrEqual(4_000);
    expect(m.at - opened).toBeLessThan(15_000);
    expect(m.data?.sha).toBe(head);
    expect(mergesOf(sim, repo, n)).toHaveLength(1);
    expect(postsFor(repo, n)).toEqual([]);
    // The failures are counted where operators look.
    const metrics = await (await fetch(`${gate.app.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/hitl_notifications_total\{channel="slack",event="soft",result="retried"\} [1-9]/);
    slack.fault = 'none';
  });
  it(
    "a soft PR sampled for review after merge is announced once as `after_merge`, with its deadline, in the PR's thread",
    { timeout: 90_000 },
    async () => {
      const { sim } = gate;
      const policy = `${examplePolicy({ window: '3s', authors: [AGENT] })}\nnotify:\n  slack: { channel: "#agent-prs", on: [soft, after_merge] }\n  webhook: { on: [after_merge] }\nafter_merge:\n  sample: { soft: 1 }\n  within: 2d\n`;
      const repo = sim.createRepo({
        name: 'chat-after-merge/app',
        policy,
        files: { 'README.md': '# app\n', 'src/app.ts': 'export const x = 0;\n' },
        collaborators: { alice: 'write' },
      });
      const n = sim.openPullRequest(repo, { author: AGENT, title: 'Tweak the app', files: FILES.soft.map((f) => ({ ...f })) });
      await merged(sim, repo, n);
      await sim.until(() => postsFor(repo, n).some((p) => p.text.includes('review after merge')), 30_000, 'the after_merge message');
      // A later look (a comment on the merged PR) sends nothing again: the claim is in the record.
      sim.comment(repo, n, 'alice', 'thanks');
      await idle(gate, { repo });
      const posts = postsFor(repo, n);
      const announced = posts.filter((p) => p.text.includes('review after merge'));
      expect(announced).toHaveLength(1);
      // Into the thread the soft window opened, with the deadline the record keeps (two days after the merge).
      const soft = posts.find((p) => p.text.includes('veto window open'));
      expect(announced[0]?.threadTs).toBe(soft?.ts);
      const deadline = /Deadline: (\S+)/.exec(announced[0]?.text ?? '')?.[1];
      const mergedAt = Date.parse(sim.pull(repo, n).mergedAt ?? '');
      expect(Date.parse(deadline ?? '') - mergedAt).toBeGreaterThan(2 * 86_400_000 - 60_000);
      expect(Date.parse(deadline ?? '') - mergedAt).toBeLessThan(2 * 86_400_000 + 60_000);
      const signed = hooksFor(repo, n).filter((h) => h.event === 'after_merge');
      expect(signed).toHaveLength(1);
      expect(await verify(SECRET, signed[0]!.body, signed[0]!.signature)).toBe(true);
    },
  );
});
