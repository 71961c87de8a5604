// Check-run actions in the simulator: the App's `actions` on create and update are taken within
// GitHub's limits (and the requests are checked against GitHub's OpenAPI description), and a person's
// click is delivered as a signed `check_run.requested_action` webhook of GitHub's documented shape.
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verify } from '@octokit/webhooks-methods';
import { Probot, ProbotOctokit } from 'probot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestErrors, responseErrors, webhookErrors } from './openapi.js';
import { GitHubSimulator } from './simulator.js';

type Octokit = Awaited<ReturnType<Probot['auth']>>;

const { privateKey, publicKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const SECRET = 'actions-test-secret';
const REPO = 'acme/buttons';
const ACTIONS = [
  { label: 'Approve', description: 'Approve this commit (as /approve)', identifier: 'approve' },
  { label: 'Veto', description: 'Hold this PR (as /veto)', identifier: 'veto' },
];

let sim: GitHubSimulator;
let receiver: Server;
const received: { event: string; body: string; signature: string }[] = [];
let gh: Octokit;
let headSha: string;
let pr: number;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        event: String(req.headers['x-github-event']),
        body: Buffer.concat(chunks).toString('utf8'),
        signature: String(req.headers['x-hub-signature-256']),
      });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  sim = await new GitHubSimulator({
    appPublicKey: publicKey,
    webhookSecret: SECRET,
    webhookUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/github/webhooks`,
  }).start();
  sim.createRepo({ name: REPO, policy: 'version: 1\n', files: { 'README.md': '# buttons\n' }, collaborators: { alice: 'write' } });
  pr = sim.openPullRequest(REPO, { author: 'copilot-swe-agent[bot]', files: [{ path: 'db/migrations/1.sql', content: 'x\n' }] });
  headSha = sim.pull(REPO, pr).headSha;
  const probot = new Probot({
    appId: sim.app.id,
    privateKey,
    secret: SECRET,
    baseUrl: sim.apiUrl,
    logLevel: 'fatal',
    Octokit: ProbotOctokit.defaults({ throttle: { enabled: false } }),
  });
  const app = await probot.auth();
  const installs = await app.request('GET /app/installations');
  gh = await probot.auth((installs.data as { id: number }[])[0]!.id);
});

afterAll(async () => {
  await sim?.stop();
  await new Promise<void>((r) => receiver?.close(() => r()));
});

describe('check-run actions', () => {
  it('are taken on create and update, as GitHub documents the requests and answers', async () => {
    const create = {
      owner: 'acme',
      repo: 'buttons',
      name: 'hitl',
      head_sha: headSha,
      status: 'completed' as const,
      conclusion: 'failure' as const,
      output: { title: 'Blocked', summary: 's' },
      actions: ACTIONS,
    };
    expect(requestErrors('POST', '/repos/{owner}/{repo}/check-runs', { ...create, owner: undefined, repo: undefined })).toEqual([]);
    const res = await gh.request('POST /repos/{owner}/{repo}/check-runs', create);
    expect(responseErrors('POST', '/repos/{owner}/{repo}/check-runs', res.status, res.data)).toEqual([]);
    const id = (res.data as { id: number }).id;
    expect(sim.checkRuns(REPO, headSha, 'hitl')[0]?.actions).toEqual(ACTIONS);
    const update = { actions: [ACTIONS[1]!] };
    expect(requestErrors('PATCH', '/repos/{owner}/{repo}/check-runs/{check_run_id}', update)).toEqual([]);
    await gh.request('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {
      owner: 'acme',
      repo: 'buttons',
      check_run_id: id,
      ...update,
    });
    expect(sim.checkRuns(REPO, headSha, 'hitl')[0]?.actions).toEqual([ACTIONS[1]]);
  });

  it("are refused beyond GitHub's limits, as its schema refuses them, and leave the run unchanged", async () => {
    const id = sim.checkRuns(REPO, headSha, 'hitl')[0]!.id;
    const tooMany = { actions: [...ACTIONS, ...ACTIONS] };
    const tooLong = { actions: [{ label: 'Approve this right now!', description: 'x', identifier: 'approve' }] };
    for (const body of [tooMany, tooLong]) {
      expect(requestErrors('PATCH', '/repos/{owner}/{repo}/check-runs/{check_run_id}', body)).not.toEqual([]);
      await expect(
        gh.request('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {
          owner: 'acme',
          repo: 'buttons',
          check_run_id: id,
          ...body,
          request: { retries: 0 },
        }),
      ).rejects.toMatchObject({ status: 422 });
    }
    expect(sim.checkRuns(REPO, headSha, 'hitl')[0]?.actions).toEqual([ACTIONS[1]]);
  });

  it("a click is a signed check_run.requested_action webhook of GitHub's shape; a button the run does not show cannot be clicked", async () => {
    const run = sim.checkRuns(REPO, headSha, 'hitl')[0]!;
    expect(() => sim.clickCheckRunAction(REPO, run.id, 'alice', 'approve')).toThrow(/no button/);
    sim.clickCheckRunAction(REPO, run.id, 'alice', 'veto');
    await sim.webhooks.settled();
    const delivery = sim.deliveries.find((d) => d.event === 'check_run' && d.action === 'requested_action');
    expect(delivery).toBeDefined();
    expect(webhookErrors('check_run', 'requested_action', delivery!.payload)).toEqual([]);
    expect(delivery!.payload).toMatchObject({
      requested_action: { identifier: 'veto' },
      sender: { login: 'alice' },
      check_run: { id: run.id, name: 'hitl', head_sha: headSha, pull_requests: [{ number: pr }], app: { id: sim.app.id } },
    });
    const got = received.find((r) => r.event === 'check_run' && JSON.parse(r.body).action === 'requested_action');
    expect(got && (await verify(SECRET, got.body, got.signature))).toBe(true);
    expect(sim.timeline.some((e) => e.kind === 'clicked' && e.actor === 'alice' && e.data?.identifier === 'veto')).toBe(true);
  });
});
