// The daily digest through the real App server: at the start of working hours, one message per chat
// channel for the repository (reviews after merge overdue and due today, hard PRs waiting), recorded
// in the gate's own check run before it is sent, and not sent again after a restart, even once the
// default branch has moved on.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verify } from '@octokit/webhooks-methods';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDigestMarker } from '../../src/core/digest.js';
import { examplePolicy } from '../fixtures/example-policy.js';
import { SlackSimulator } from '../sim/index.js';
import { AGENT, gateCheck, merged, openAgentPr, startGate, story, type Gate } from './harness.js';
import { DAY_MS, iso, recordAfterMerge } from './after-merge-state.js';

const SECRET = 'digest-e2e-secret';
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
      HITL_DASHBOARD_INTERVAL: '3s',
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

const pad = (n: number) => String(n).padStart(2, '0');

describe('the daily digest', () => {
  it(
    'goes out once per channel at the start of working hours, and not again after a restart once the default branch moved on',
    { timeout: 150_000 },
    async () => {
      const { sim } = gate;
      // Working hours that started a minute ago (UTC, every day): today's digest is due now.
      const started = new Date(Date.now() - 60_000);
      const policy = `${examplePolicy({ window: '4s', authors: [AGENT] })}working_hours:
  timezone: UTC
  days: [mon, tue, wed, thu, fri, sat, sun]
  from: "${pad(started.getUTCHours())}:${pad(started.getUTCMinutes())}"
  to: "24:00"
notify:
  slack: { channel: "#digest", on: [stale] }
  webhook: { on: [stale] }
after_merge:
  sample: { soft: 0 }
`;
      const repo = sim.createRepo({
        name: 'digest-org/app',
        policy,
        files: { 'README.md': '# app\n', 'src/app.ts': 'export const x = 0;\n' },
        collaborators: { alice: 'write', bob: 'write' },
      });
      const digests = () => slack.posts.filter((p) => p.text.includes('daily digest') && p.text.includes(repo));
      const digestHooks = () =>
        hooks.filter((h) => h.event === 'digest' && (JSON.parse(h.body) as { repository?: string }).repository === repo);
      try {
        const overdue = openAgentPr(sim, repo, 'fyi');
        const later = openAgentPr(sim, repo, 'fyi');
        for (const n of [overdue, later]) await merged(sim, repo, n);
        const base = { sampled: true as const, mergedAt: iso(Date.now()), reviewers: { users: ['alice'], teams: [] }, concerns: [] };
        await recordAfterMerge(sim, repo, overdue, { ...base, due: iso(Date.now() - DAY_MS) });
        await recordAfterMerge(sim, repo, later, { ...base, due: iso(Date.now() + 3 * DAY_MS) });
        const hard = openAgentPr(sim, repo, 'hard');
        await gateCheck(sim, repo, sim.pull(repo, hard).headSha, (c) => c.conclusion === 'failure');

        await sim.until(() => digests().length === 1 && digestHooks().length === 1, 60_000, 'the digest on both channels');
        const [post] = digests();
        expect(post!.channel).toBe('#digest');
        expect(post!.text).toContain(`|#${overdue}>`);
        expect(post!.text).toContain('Review after merge overdue (1)');
        expect(post!.text).toContain(`|#${hard}>`);
        expect(post!.text).not.toContain(`|#${later}>`);
        const [hook] = digestHooks();
        expect(await verify(SECRET, hook!.body, hook!.signature)).toBe(true);
        expect(JSON.parse(hook!.body)).toMatchObject({
          event: 'digest',
          repository: repo,
          overdue: [{ number: overdue }],
          waiting: [{ number: hard }],
        });
        // The record is the gate's own check run on the default branch.
        const records = sim.world.repo(repo).checkRuns.filter((r) => r.name === 'hitl-digest');
        expect(records).toHaveLength(1);
        expect(records[0]!.app.id).toBe(sim.app.id);
        expect(readDigestMarker(records[0]!.output.text)).toBe(new Date().toISOString().slice(0, 10));

        // The default branch moves on (another merge), and the App restarts: it finds the record again.
        sim.advanceBase(repo, { files: [{ path: 'docs/more.md', content: 'more\n' }] });
        await gate.restart('kill');
        const mark = sim.requests.length;
        await sim.until(
          () =>
            sim.requests.slice(mark).filter((r) => r.kind === 'GET /repos/{owner}/{repo}/commits' && r.path === `/repos/${repo}/commits`)
              .length >= 1,
          60_000,
          'the record looked for after the restart',
        );
        // A sweep and a refresh later, still one digest.
        await sim.until(
          () => sim.requests.slice(mark).filter((r) => r.method === 'GET' && r.path === `/repos/${repo}/pulls`).length >= 2,
          60_000,
          'two sweeps after the restart',
        );
        expect(digests()).toHaveLength(1);
        expect(digestHooks()).toHaveLength(1);
        expect(sim.world.repo(repo).checkRuns.filter((r) => r.name === 'hitl-digest')).toHaveLength(1);
      } catch (error) {
        throw new Error(`${String(error)}\n${story(gate, [repo])}`);
      }
    },
  );
});
