// The demo's story: one repository, a policy with a short veto window, four agent PRs and three
// people (one who may decide, one who vetoes, one who may not).
import { examplePolicy } from '../test/fixtures/example-policy.js';
import type { GitHubSimulator } from '../test/sim/index.js';

export const REPO = 'acme/shop';
export const AGENT = 'copilot-swe-agent[bot]';
export const WINDOW_SECONDS = 5;

export const POLICY = `# The design's example policy, with a ${WINDOW_SECONDS}-second veto window so the demo is quick.
${examplePolicy({ window: `${WINDOW_SECONDS}s`, authors: [AGENT, 'devin-ai-integration[bot]'], branches: ['copilot/**', 'codex/**', 'claude/**'] })}
notify:
  slack: { channel: "#agent-prs", on: [hard, veto, merged] }
# Every docs PR that merges without a human is reviewed after merge, within a day.
after_merge:
  sample: { fyi: 1, soft: 0 }
  within: 1d
`;

/** The App's chat environment for a local Slack endpoint (test/sim/slack.ts). */
export function slackEnv(slack: { token: string; apiUrl: string }): Record<string, string> {
  return { SLACK_BOT_TOKEN: slack.token, SLACK_API_URL: slack.apiUrl };
}

/** The id of the gate's latest check run on the PR's head once it shows the button, for a click. */
export async function buttonOn(sim: GitHubSimulator, number: number, identifier: 'approve' | 'veto', timeoutMs = 20_000): Promise<number> {
  const runs = () =>
    sim
      .checkRuns(REPO, sim.pull(REPO, number).headSha, 'hitl')
      .filter((r) => r.app.id === sim.app.id && (r.actions ?? []).some((a) => a.identifier === identifier));
  await sim.until(() => runs().length > 0, timeoutMs, `the ${identifier} button on #${number}`);
  return runs().at(-1)!.id;
}

export interface DemoPull {
  number: number;
  title: string;
  tier: 'fyi' | 'soft' | 'hard';
  /** What must have happened by the end. */
  expect: 'merged' | 'blocked';
}

export interface Cast {
  pulls: { fyi: DemoPull; soft: DemoPull; vetoed: DemoPull; hard: DemoPull; asked: DemoPull };
}

/** `mergeQueue`: `main` has a merge queue that requires the `hitl` check (the gate enqueues instead of merging). */
export function setUp(sim: GitHubSimulator, o: { mergeQueue?: boolean } = {}): void {
  sim.createRepo({
    ...(o.mergeQueue ? { mergeQueue: { method: 'SQUASH' as const }, requiredChecks: ['hitl'] } : {}),
    name: REPO,
    policy: POLICY,
    files: {
      'README.md': '# shop\n',
      'src/cart.ts': 'export const cart = [];\n',
      'db/migrations/001_init.sql': 'create table cart (id int);\n',
    },
    // alice is named by the policy; bob may decide through his write permission; eve only reads.
    collaborators: { alice: 'write', bob: 'write', eve: 'read' },
  });
}

export function openPulls(sim: GitHubSimulator): Cast {
  const open = (
    title: string,
    head: string,
    files: { path: string; content: string }[],
    tier: DemoPull['tier'],
    expect: DemoPull['expect'],
  ): DemoPull => ({
    number: sim.openPullRequest(REPO, { author: AGENT, title, head, files }),
    title,
    tier,
    expect,
  });
  return {
    pulls: {
      fyi: open(
        'Fix typos in the setup guide',
        'copilot/docs-typos',
        [{ path: 'docs/setup.md', content: '# Setup\n\nRun npm ci.\n' }],
        'fyi',
        'merged',
      ),
      soft: open(
        'Round cart totals to cents',
        'copilot/cart-rounding',
        [
          {
            path: 'src/cart.ts',
            content:
              'export const cart: number[] = [];\nexport const total = () => Math.round(cart.reduce((a, b) => a + b, 0) * 100) / 100;\n',
          },
        ],
        'soft',
        'merged',
      ),
      vetoed: open(
        'Cache prices for a day',
        'copilot/price-cache',
        [{ path: 'src/prices.ts', content: 'export const TTL = 86_400;\n' }],
        'soft',
        'blocked',
      ),
      hard: open(
        'Add a discount column',
        'copilot/discounts',
        [{ path: 'db/migrations/002_discount.sql', content: 'alter table cart add column discount int;\n' }],
        'hard',
        'merged',
      ),
      // Code, so soft by the policy; the agent itself asks for a human (MCP) and makes it hard.
      asked: open(
        'Retry failed card payments',
        'copilot/payment-retry',
        [{ path: 'src/payments.ts', content: 'export const MAX_RETRIES = 3;\n' }],
        'hard',
        'merged',
      ),
    },
  };
}
