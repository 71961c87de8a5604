// The repository an Action test describes (scenario.ts), set up on the local GitHub simulator (test/sim)
// that the App's end-to-end tests use too: the Action talks to its REST and GraphQL with a workflow's
// GITHUB_TOKEN, answers are held to GitHub's published schemas, and every request is recorded so a test
// can assert what was written (and that nothing was, in check mode).
import { GitHubSimulator } from '../sim/index.js';
import type { SimCheckRun, SimComment, SimPull, SimStatus, TokenScope } from '../sim/model.js';
import type { Scenario } from './scenario.js';

/** The token the Action is given (run-action.ts passes it as the `token` input). */
export const WORKFLOW_TOKEN = 'ghs_workflowtoken';

export interface ActionRequest {
  method: string;
  /** Decoded, without the API root (`/api/v3`); GraphQL is `/graphql` on either root. */
  path: string;
  query: Record<string, string>;
  body: unknown;
  authorization: string | undefined;
  status: number;
  /** Whether the simulator has a route for it: a GitHub endpoint it knows. */
  routed: boolean;
}

export class SimulatedGitHub {
  /** Ids of the check runs the scenario started with, by name. */
  readonly seededCheckRuns = new Map<string, number>();
  /** Ids of the comments the scenario started with, by body. */
  readonly seededComments = new Map<string, number>();

  private constructor(
    readonly sim: GitHubSimulator,
    readonly repo: string,
    readonly url: string,
  ) {}

  /** `ghes`: the API under `/api/v3` and GraphQL at `/api/graphql`, as GitHub Enterprise Server serves them. */
  static async start(scenario: Scenario, o: { ghes?: boolean } = {}): Promise<SimulatedGitHub> {
    const sim = await new GitHubSimulator({ checkRunWebhooks: false }).start();
    const repo = sim.createRepo({
      name: `${scenario.owner}/${scenario.repo}`,
      ownerType: 'User',
      defaultBranch: scenario.defaultBranch,
      files: { 'README.md': '# Hello-World\n', ...scenario.files },
      collaborators: scenario.permissions,
      requiredChecks: scenario.requiredChecks ?? [],
      ...(scenario.requiredReviews ? { protection: { classic: { requiredReviews: scenario.requiredReviews } } } : {}),
    });
    const writes: TokenScope[] = scenario.readOnly
      ? []
      : ['contents', 'issues', 'pull_requests', 'statuses', ...(scenario.canWriteChecks ? (['checks'] as const) : [])];
    sim.workflowToken(repo, { token: WORKFLOW_TOKEN, writes });
    const github = new SimulatedGitHub(sim, repo, o.ghes ? sim.apiUrl : `http://127.0.0.1:${sim.port}`);
    for (const p of scenario.pulls) {
      const number = sim.openPullRequest(repo, {
        author: p.user.login,
        title: p.title,
        head: p.headRef,
        sha: p.headSha,
        files: p.files.map((f) => ({ path: f.filename, content: `${'line\n'.repeat(f.additions ?? 1)}`.trimEnd() })),
      });
      if (number !== p.number)
        throw new Error(`scenario: pull requests must be numbered 1, 2, … in order (got #${p.number} as #${number})`);
      for (const c of p.comments ?? [])
        github.seededComments.set(c.body, sim.comment(repo, number, c.user.login, c.body, { at: c.created_at }));
      for (const r of p.reviews ?? []) sim.review(repo, number, r.user.login, r.state, r.body, { at: r.submitted_at });
    }
    for (const r of scenario.checkRuns) {
      github.seededCheckRuns.set(
        r.name,
        sim.workflowCheckRun(repo, r.head_sha, {
          name: r.name,
          status: r.status,
          conclusion: r.conclusion,
          startedAt: r.started_at,
          externalId: r.external_id,
          title: r.output.title,
        }),
      );
    }
    return github;
  }

  async stop(): Promise<void> {
    await this.sim.stop();
  }

  get requests(): ActionRequest[] {
    return this.sim.requests.map((r) => ({
      method: r.method,
      path: r.path === '/api/graphql' ? '/graphql' : decodeURIComponent(r.path),
      query: Object.fromEntries(new URLSearchParams(r.query)),
      body: r.body,
      authorization: r.authorization,
      status: r.status,
      routed: r.routed,
    }));
  }

  /** Requests that change something on GitHub (a GraphQL query reads: only a mutation writes). */
  writes(): ActionRequest[] {
    return this.requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD' && !isGraphqlQuery(r));
  }

  /** Requests no route of the simulator answered: the gate asked for something GitHub does not serve. */
  unhandled(): ActionRequest[] {
    return this.requests.filter((r) => !r.routed);
  }

  pull(number: number): SimPull {
    return this.sim.pull(this.repo, number);
  }

  comments(number: number): SimComment[] {
    return this.sim.comments(this.repo, number);
  }

  /** The check runs on a head, by name when given. */
  checkRuns(sha: string, name?: string): SimCheckRun[] {
    return this.sim.checkRuns(this.repo, sha, name);
  }

  statuses(sha: string): SimStatus[] {
    return this.sim.world.repo(this.repo).statuses.filter((s) => s.sha === sha);
  }
}

function isGraphqlQuery(r: ActionRequest): boolean {
  const query = (r.body as { query?: unknown } | undefined)?.query;
  return r.method === 'POST' && r.path === '/graphql' && typeof query === 'string' && !/^\s*mutation\b/.test(query);
}
