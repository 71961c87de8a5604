// The repository every Action test starts from: a policy on the base branch and one pull request of
// each kind the gate tells apart. Tests copy it, change what they need and hand it to SimulatedGitHub,
// which sets it up on the local GitHub simulator.
import { examplePolicy } from '../fixtures/example-policy.js';
import type { SimPermission, SimReview } from '../sim/model.js';

export const POLICY = examplePolicy({ window: '15m', authors: ['copilot-swe-agent[bot]'], branches: ['copilot/**'] });

/** `default` names a tier that does not exist: an error on line 9, column 10. */
export const BROKEN_POLICY = POLICY.replace('default: soft', 'default: medium');
export const BROKEN_LINE = POLICY.split('\n').findIndex((l) => l.startsWith('default:')) + 1;

export interface ScenarioUser {
  login: string;
  type: 'User' | 'Bot';
}

export interface ScenarioComment {
  user: ScenarioUser;
  body: string;
  created_at: string;
}

export interface ScenarioReview {
  user: ScenarioUser;
  state: SimReview['state'];
  body: string;
  submitted_at: string;
}

export interface ScenarioPull {
  number: number;
  title: string;
  user: ScenarioUser;
  headSha: string;
  headRef: string;
  files: { filename: string; additions?: number }[];
  comments?: ScenarioComment[];
  reviews?: ScenarioReview[];
}

/** A check run a workflow job (the GitHub Actions app) wrote before the run under test. */
export interface ScenarioCheckRun {
  head_sha: string;
  name: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: string | null;
  started_at: string;
  external_id: string | null;
  output: { title: string | null };
}

export interface Scenario {
  owner: string;
  repo: string;
  defaultBranch: string;
  /** Files of the default branch besides a README: only what the gate reads (the policy). */
  files: Record<string, string>;
  pulls: ScenarioPull[];
  /** Repository permission by login; everyone else has none. */
  permissions: Record<string, SimPermission>;
  checkRuns: ScenarioCheckRun[];
  /** The workflow granted `checks: write`: without it POST /check-runs answers 403 like GitHub does. */
  canWriteChecks: boolean;
  /** A read-only token (a `pull_request` run from a fork): every write answers 403. */
  readOnly?: boolean;
  /** Checks classic branch protection requires on the default branch. */
  requiredChecks?: string[];
  /** Approving reviews classic branch protection requires on the default branch. */
  requiredReviews?: number;
}

export const AGENT = { login: 'copilot-swe-agent[bot]', type: 'Bot' as const };
export const HUMAN = { login: 'octocat', type: 'User' as const };
export const ALICE = { login: 'alice', type: 'User' as const };

const sha = (n: number): string => n.toString(16).padStart(2, '0').repeat(20);

function agentPull(number: number, title: string, files: string[]): ScenarioPull {
  return {
    number,
    title,
    user: AGENT,
    headSha: sha(number),
    headRef: `copilot/change-${number}`,
    files: files.map((filename) => ({ filename, additions: 3 })),
  };
}

export const PULLS = {
  fyi: agentPull(1, 'Fix a typo in the guide', ['docs/guide.md']),
  soft: agentPull(2, 'Refactor the parser', ['src/parser.ts', 'docs/parser.md']),
  hard: agentPull(3, 'Add an index to users', ['db/migrations/0042_users_index.sql']),
  vetoed: agentPull(4, 'Switch the HTTP client', ['src/http.ts']),
  ungoverned: {
    number: 5,
    title: 'Human change',
    user: HUMAN,
    headSha: sha(5),
    headRef: 'feature/human',
    files: [{ filename: 'src/human.ts' }],
  } as ScenarioPull,
};

export const VETO = '/veto this breaks the retry logic';

export function vetoComment(at: string): ScenarioComment {
  return { user: ALICE, body: VETO, created_at: at };
}

export function scenario(overrides: { policy?: string | null; pulls?: ScenarioPull[] } = {}): Scenario {
  const policy = overrides.policy === undefined ? POLICY : overrides.policy;
  const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
  const pulls = overrides.pulls ?? [
    PULLS.fyi,
    PULLS.soft,
    PULLS.hard,
    { ...PULLS.vetoed, comments: [vetoComment(minutesAgo(2))] },
    PULLS.ungoverned,
  ];
  return {
    owner: 'Codertocat',
    repo: 'Hello-World',
    defaultBranch: 'main',
    files: policy === null ? {} : { '.github/hitl.yml': policy },
    pulls: structuredClone(pulls),
    permissions: { alice: 'write', octocat: 'write' },
    checkRuns: [],
    canWriteChecks: true,
  };
}
