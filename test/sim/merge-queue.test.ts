// The simulator's merge queue answers like GitHub: the rules endpoint says `merge_queue`, a direct
// merge is refused, GraphQL is executed against GitHub's published schema (so a mistyped field or a
// wrong input is refused as GitHub refuses it), groups are built and announced by `merge_group`
// webhooks that match GitHub's payload schemas, and the front group merges once its required checks pass.
import { generateKeyPairSync } from 'node:crypto';
import { Probot, ProbotOctokit } from 'probot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { responseErrors, webhookErrors } from './openapi.js';
import { GitHubSimulator } from './simulator.js';

type Octokit = Awaited<ReturnType<Probot['auth']>>;

const { privateKey, publicKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const REPO = 'queue-org/widgets';
const AGENT = 'copilot-swe-agent[bot]';

let sim: GitHubSimulator;
let gh: Octokit;

const PR_QUERY = `query($owner: String!, $repo: String!, $number: Int!) {
  repository(owner: $owner, name: $repo) { pullRequest(number: $number) { id headRefOid isInMergeQueue mergeQueueEntry { id position } } }
}`;
const ENQUEUE = `mutation($id: ID!, $head: GitObjectID!) { enqueuePullRequest(input: { pullRequestId: $id, expectedHeadOid: $head }) { mergeQueueEntry { id position } } }`;
const DEQUEUE = `mutation($id: ID!) { dequeuePullRequest(input: { id: $id }) { mergeQueueEntry { id } } }`;
const ENTRIES = `query($owner: String!, $repo: String!) { repository(owner: $owner, name: $repo) { mergeQueue(branch: "main") { entries(first: 100) { totalCount nodes { position headCommit { oid } pullRequest { number headRefOid } } } } } }`;

interface PrState {
  repository: {
    pullRequest: { id: string; headRefOid: string; isInMergeQueue: boolean; mergeQueueEntry: { id: string; position: number } | null };
  };
}

async function prState(number: number): Promise<PrState['repository']['pullRequest']> {
  const data = await gh.graphql<PrState>(PR_QUERY, { owner: 'queue-org', repo: 'widgets', number });
  return data.repository.pullRequest;
}

/** A PR whose required `hitl` check passed on its head, as the gate leaves a PR it lets merge. */
function readyPr(path: string): { number: number; head: string } {
  const number = sim.openPullRequest(REPO, { author: AGENT, files: [{ path, content: `${path}\n` }] });
  const head = sim.pull(REPO, number).headSha;
  sim.ciCheck(REPO, head, 'hitl', 'success');
  return { number, head };
}

/** GitHub's errors as Octokit's GraphqlResponseError carries them. */
async function graphqlErrors(query: string, variables: Record<string, unknown>): Promise<{ type?: string; message: string }[]> {
  try {
    await gh.graphql(query, variables);
  } catch (error) {
    return (error as { errors?: { type?: string; message: string }[] }).errors ?? [{ message: String(error) }];
  }
  return [];
}

beforeAll(async () => {
  sim = await new GitHubSimulator({ appPublicKey: publicKey }).start();
  sim.createRepo({
    name: REPO,
    policy: 'version: 1\n',
    requiredChecks: ['hitl'],
    mergeQueue: { method: 'SQUASH' },
    collaborators: { alice: 'write' },
  });
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

describe('a branch with a merge queue', () => {
  it('lists a merge_queue rule, answers its ruleset, and refuses a direct merge as GitHub does', async () => {
    const rules = await gh.request('GET /repos/{owner}/{repo}/rules/branches/{branch}', {
      owner: 'queue-org',
      repo: 'widgets',
      branch: 'main',
    });
    expect(responseErrors('GET', '/repos/{owner}/{repo}/rules/branches/{branch}', 200, rules.data)).toEqual([]);
    const queueRule = (rules.data as { type: string; ruleset_id: number; parameters: { merge_method: string } }[]).find(
      (r) => r.type === 'merge_queue',
    );
    expect(queueRule?.parameters.merge_method).toBe('SQUASH');
    const ruleset = await gh.request('GET /repos/{owner}/{repo}/rulesets/{ruleset_id}', {
      owner: 'queue-org',
      repo: 'widgets',
      ruleset_id: queueRule!.ruleset_id,
    });
    expect(responseErrors('GET', '/repos/{owner}/{repo}/rulesets/{ruleset_id}', 200, ruleset.data)).toEqual([]);
    const other = await gh.request('GET /repos/{owner}/{repo}/rules/branches/{branch}', {
      owner: 'queue-org',
      repo: 'widgets',
      branch: 'dev',
    });
    expect(other.data).toEqual([]);

    const { number, head } = readyPr('src/direct.ts');
    await expect(
      gh.request('PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge', {
        owner: 'queue-org',
        repo: 'widgets',
        pull_number: number,
        sha: head,
        merge_method: 'squash',
      }),
    ).rejects.toMatchObject({ status: 405, message: expect.stringMatching(/merge queue/) });
    expect(sim.pull(REPO, number).merged).toBe(false);
  });

  it("GraphQL is checked against GitHub's schema: an unknown field or a missing input is refused", async () => {
    const unknown = await graphqlErrors(
      'query { repository(owner: "queue-org", name: "widgets") { pullRequest(number: 1) { isQueued } } }',
      {},
    );
    expect(unknown[0]?.message).toMatch(/Cannot query field "isQueued" on type "PullRequest"/);
    const missing = await graphqlErrors('mutation { enqueuePullRequest(input: { expectedHeadOid: "abc" }) { clientMutationId } }', {});
    expect(missing[0]?.message).toMatch(/pullRequestId/);
  });

  it('enqueue refuses a head that is not the expected one, and a PR whose required checks did not pass', async () => {
    const { number, head } = readyPr('src/moved.ts');
    const pr = await prState(number);
    const wrong = await graphqlErrors(ENQUEUE, { id: pr.id, head: 'f'.repeat(40) });
    expect(wrong).toMatchObject([{ type: 'UNPROCESSABLE', message: expect.stringMatching(/Head branch was modified/) }]);
    expect((await prState(number)).isInMergeQueue).toBe(false);

    const unchecked = sim.openPullRequest(REPO, { author: AGENT, files: [{ path: 'src/unchecked.ts' }] });
    const u = await prState(unchecked);
    expect(await graphqlErrors(ENQUEUE, { id: u.id, head: u.headRefOid })).toMatchObject([
      { message: expect.stringMatching(/Required status check "hitl"/) },
    ]);
    expect(head).toBe(pr.headRefOid);
  });

  it('builds a merge group per entry, announces it, and merges the front once hitl passed on the group', async () => {
    const first = readyPr('src/one.ts');
    const second = readyPr('src/two.ts');
    const a = await prState(first.number);
    const b = await prState(second.number);
    await gh.graphql(ENQUEUE, { id: a.id, head: first.head });
    await gh.graphql(ENQUEUE, { id: b.id, head: second.head });
    expect(await prState(first.number)).toMatchObject({ isInMergeQueue: true, mergeQueueEntry: { position: 1 } });
    expect(await prState(second.number)).toMatchObject({ isInMergeQueue: true, mergeQueueEntry: { position: 2 } });

    const listed = await gh.graphql<{
      repository: {
        mergeQueue: {
          entries: { totalCount: number; nodes: { position: number; headCommit: { oid: string }; pullRequest: { number: number } }[] };
        };
      };
    }>(ENTRIES, { owner: 'queue-org', repo: 'widgets' });
    const nodes = listed.repository.mergeQueue.entries.nodes;
    expect(nodes.map((n) => n.pullRequest.number)).toEqual([first.number, second.number]);
    const [groupA, groupB] = sim.mergeQueue(REPO);
    expect(nodes[0]!.headCommit.oid).toBe(groupA!.groupHeadSha);
    // As GitHub names them: the SHA is the commit the group is built on, the branch's tip for the
    // first group and the first group's commit for the second (docs/github.md#merge-group-branch).
    const mainTip = sim.world.repo(REPO).branches.get('main')!;
    expect(groupA!.groupRef).toBe(`refs/heads/gh-readonly-queue/main/pr-${first.number}-${mainTip}`);
    expect(groupB!.groupRef).toBe(`refs/heads/gh-readonly-queue/main/pr-${second.number}-${groupA!.groupHeadSha}`);
    // The second group is built on the first: it holds both PRs' changes.
    expect(groupB!.groupBaseSha).toBe(groupA!.groupHeadSha);
    const contents = await gh.request('GET /repos/{owner}/{repo}/contents/{path}', {
      owner: 'queue-org',
      repo: 'widgets',
      path: 'src/one.ts',
      ref: groupB!.groupHeadSha,
    });
    expect(contents.status).toBe(200);

    // Nothing merges before the required check reports on the group's head.
    expect(sim.pull(REPO, first.number).merged).toBe(false);
    sim.ciCheck(REPO, groupA!.groupHeadSha, 'hitl', 'success');
    expect(sim.pull(REPO, first.number).merged).toBe(true);
    expect(sim.merges(REPO).at(-1)?.data).toMatchObject({ sha: first.head, via: 'merge-queue' });
    expect(sim.pull(REPO, second.number).merged).toBe(false);
    sim.ciCheck(REPO, groupB!.groupHeadSha, 'hitl', 'success');
    expect(sim.pull(REPO, second.number).merged).toBe(true);
    expect(sim.mergeQueue(REPO)).toEqual([]);
  });

  it('a failing required check on a group, or a dequeue, takes the entry out and rebuilds the groups behind it', async () => {
    const first = readyPr('src/three.ts');
    const second = readyPr('src/four.ts');
    const a = await prState(first.number);
    await gh.graphql(ENQUEUE, { id: a.id, head: first.head });
    await gh.graphql(ENQUEUE, { id: (await prState(second.number)).id, head: second.head });
    const before = sim.mergeQueue(REPO)[1]!.groupHeadSha;
    await gh.graphql(DEQUEUE, { id: a.id });
    expect((await prState(first.number)).isInMergeQueue).toBe(false);
    const [only] = sim.mergeQueue(REPO);
    expect(only!.number).toBe(second.number);
    expect(only!.groupHeadSha).not.toBe(before);
    expect(await graphqlErrors(DEQUEUE, { id: a.id })).toMatchObject([{ type: 'UNPROCESSABLE' }]);

    sim.ciCheck(REPO, only!.groupHeadSha, 'hitl', 'failure');
    expect(sim.mergeQueue(REPO)).toEqual([]);
    expect(sim.pull(REPO, second.number).merged).toBe(false);
  });

  it("merge_group and pull_request queue webhooks match GitHub's payload schemas", async () => {
    await sim.webhooks.settled();
    const keys = new Set<string>();
    for (const d of sim.deliveries) {
      if (d.event !== 'merge_group' && !(d.event === 'pull_request' && (d.action === 'enqueued' || d.action === 'dequeued'))) continue;
      keys.add(`${d.event}.${d.action}`);
      expect(webhookErrors(d.event, d.action, d.payload), `${d.event}.${d.action}`).toEqual([]);
    }
    expect([...keys].sort()).toEqual([
      'merge_group.checks_requested',
      'merge_group.destroyed',
      'pull_request.dequeued',
      'pull_request.enqueued',
    ]);
    const reasons = sim.deliveries.filter((d) => d.event === 'merge_group' && d.action === 'destroyed').map((d) => d.payload.reason);
    expect(new Set(reasons)).toEqual(new Set(['merged', 'dequeued', 'invalidated']));
  });
});
