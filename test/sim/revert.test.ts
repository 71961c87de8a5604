// The simulator's GraphQL `revertPullRequest` answers like GitHub's schema says: a PR by the caller
// from a branch that undoes the merged change, announced by `pull_request.opened` (held to the webhook
// schema), and a GraphQL error when the revert does not apply (a later merge touched the same files).
import { generateKeyPairSync } from 'node:crypto';
import { Probot, ProbotOctokit } from 'probot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitHubSimulator } from './simulator.js';

type Octokit = Awaited<ReturnType<Probot['auth']>>;

const { privateKey, publicKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const REPO = 'revert-org/widgets';

let sim: GitHubSimulator;
let gh: Octokit;

const PR_ID = `query($number: Int!) { repository(owner: "revert-org", name: "widgets") { pullRequest(number: $number) { id } } }`;
const REVERT = `mutation($input: RevertPullRequestInput!) { revertPullRequest(input: $input) { pullRequest { number state } revertPullRequest { number title headRefOid baseRefName } } }`;

interface Reverted {
  revertPullRequest: {
    pullRequest: { number: number; state: string };
    revertPullRequest: { number: number; title: string; headRefOid: string; baseRefName: string };
  };
}

async function mergedPr(path: string, content: string): Promise<{ number: number; id: string }> {
  const number = sim.openPullRequest(REPO, { author: 'alice', files: [{ path, content }] });
  await gh.request('PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge', {
    owner: 'revert-org',
    repo: 'widgets',
    pull_number: number,
    merge_method: 'squash',
  });
  const data = await gh.graphql<{ repository: { pullRequest: { id: string } } }>(PR_ID, { number });
  return { number, id: data.repository.pullRequest.id };
}

beforeAll(async () => {
  sim = await new GitHubSimulator({ appPublicKey: publicKey }).start();
  sim.createRepo({ name: REPO, policy: 'version: 1\n', files: { 'src/a.ts': 'export const a = 0;\n' }, collaborators: { alice: 'write' } });
  const probot = new Probot({
    appId: sim.app.id,
    privateKey,
    baseUrl: sim.apiUrl,
    logLevel: 'fatal',
    Octokit: ProbotOctokit.defaults({ throttle: { enabled: false }, retry: { enabled: false } }),
  });
  const app = await probot.auth();
  const installs = await app.request('GET /app/installations');
  gh = await probot.auth((installs.data as { id: number }[])[0]!.id);
});

afterAll(async () => {
  await sim?.stop();
});

describe('revertPullRequest', () => {
  it('opens a PR by the App that undoes the merged change', async () => {
    const { number, id } = await mergedPr('src/a.ts', 'export const a = 1;\n');
    const data = await gh.graphql<Reverted>(REVERT, {
      input: { pullRequestId: id, title: `Revert #${number}`, body: 'why', draft: false },
    });
    const revert = sim.pull(REPO, data.revertPullRequest.revertPullRequest.number);
    expect(data.revertPullRequest.pullRequest).toEqual({ number, state: 'MERGED' });
    expect(revert.user.login).toBe(sim.app.botLogin);
    expect(revert).toMatchObject({
      title: `Revert #${number}`,
      body: 'why',
      baseRef: 'main',
      headRef: `revert-${number}-${sim.pull(REPO, number).headRef}`,
    });
    expect(revert.files).toEqual([expect.objectContaining({ filename: 'src/a.ts', status: 'modified', content: 'export const a = 0;\n' })]);
    await sim.webhooks.settled();
    expect(sim.timeline.some((e) => e.kind === 'revert-opened' && e.number === number && e.data?.revert === revert.number)).toBe(true);
  });

  it('refuses a revert that a later merge of the same file conflicts with, and one of an open PR', async () => {
    const first = await mergedPr('src/b.ts', 'b1\n');
    await mergedPr('src/b.ts', 'b2\n');
    const pulls = sim.world.repo(REPO).pulls.size;
    await expect(gh.graphql(REVERT, { input: { pullRequestId: first.id } })).rejects.toMatchObject({
      errors: [expect.objectContaining({ type: 'UNPROCESSABLE', message: expect.stringContaining('reverted automatically') })],
    });
    expect(sim.world.repo(REPO).pulls.size).toBe(pulls);
    const open = sim.openPullRequest(REPO, { author: 'alice', files: [{ path: 'src/c.ts', content: 'c\n' }] });
    const { repository } = await gh.graphql<{ repository: { pullRequest: { id: string } } }>(PR_ID, { number: open });
    await expect(gh.graphql(REVERT, { input: { pullRequestId: repository.pullRequest.id } })).rejects.toMatchObject({
      errors: [expect.objectContaining({ type: 'UNPROCESSABLE' })],
    });
  });
});
