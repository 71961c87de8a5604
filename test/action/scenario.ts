// The repository every Action test starts from: a policy on the base branch and one pull request of
// each kind the gate tells apart. Tests copy it, change what they need and hand it to FakeGitHub.
import { examplePolicy } from '../fixtures/example-policy.js';
import { emptyRepository, type FakeComment, type FakePull, type FakeRepository } from './fake-github.js';

export const POLICY = examplePolicy({ window: '15m', authors: ['copilot-swe-agent[bot]'], branches: ['copilot/**'] });

/** `default` names a tier that does not exist: an error on line 9, column 10. */
export const BROKEN_POLICY = POLICY.replace('default: soft', 'default: medium');
export const BROKEN_LINE = POLICY.split('\n').findIndex((l) => l.startsWith('default:')) + 1;

export const AGENT = { login: 'copilot-swe-agent[bot]', type: 'Bot' as const };
export const HUMAN = { login: 'octocat', type: 'User' as const };
export const ALICE = { login: 'alice', type: 'User' as const };

const sha = (n: number): string => n.toString(16).padStart(2, '0').repeat(20);

function agentPull(number: number, title: string, files: string[], extra: Partial<FakePull> = {}): FakePull {
  return { number, title, user: AGENT, headSha: sha(number), headRef: `copilot/change-${number}`, files: files.map((filename) => ({ filename, additions: 3 })), ...extra };
}

export const PULLS = {
  fyi: agentPull(1, 'Fix a typo in the guide', ['docs/guide.md']),
  soft: agentPull(2, 'Refactor the parser', ['src/parser.ts', 'docs/parser.md']),
  hard: agentPull(3, 'Add an index to users', ['db/migrations/0042_users_index.sql']),
  vetoed: agentPull(4, 'Switch the HTTP client', ['src/http.ts']),
  ungoverned: { number: 5, title: 'Human change', user: HUMAN, headSha: sha(5), headRef: 'feature/human', files: [{ filename: 'src/human.ts' }] } as FakePull,
};

export function vetoComment(at: string): FakeComment {
  return { id: 501, user: ALICE, body: '/veto this breaks the retry logic', created_at: at };
}

export function scenario(overrides: { policy?: string | null; pulls?: FakePull[] } = {}): FakeRepository {
  const policy = overrides.policy === undefined ? POLICY : overrides.policy;
  const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
  const pulls = overrides.pulls ?? [
    PULLS.fyi,
    PULLS.soft,
    PULLS.hard,
    { ...PULLS.vetoed, comments: [vetoComment(minutesAgo(2))] },
    PULLS.ungoverned,
  ];
  return emptyRepository({
    branches: { main: policy === null ? {} : { '.github/hitl.yml': policy } },
    pulls: structuredClone(pulls),
    permissions: { alice: 'write', octocat: 'write' },
  });
}
