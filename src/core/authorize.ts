// Who may decide (design.md, invariant 2): never the PR author, a committer on the PR, an agent
// account or a bot; then only people the policy's `reviewers` name, by login, team or permission.
// A failed lookup is reported as such so that callers can fail closed in the right direction.
import { FAIL_CLOSED_AGENTS } from './agents.js';
import { isBot } from './commands.js';
import { authorizedReviewers } from './approvers.js';
import { loginPattern, sameLogin } from './login.js';
import { type Permission, PERMISSIONS, type Policy } from './model/policy.js';
import type { Actor, PullRequestFacts } from './model/pull-request.js';

export type Standing =
  | { kind: 'excluded'; reason: 'author' | 'committer' | 'agent' | 'bot'; message: string }
  | { kind: 'reviewer'; via: 'user' | 'team' | 'permission'; detail: string }
  | { kind: 'not-reviewer'; message: string }
  /** GitHub would not tell us (or the policy is unusable): we cannot know. */
  | { kind: 'unknown'; message: string };

/** Login patterns of `agents.authors`: `*` is the only wildcard, everything else literal, case-insensitive. */
export function matchesLogin(pattern: string, login: string): boolean {
  return loginPattern(pattern).test(login.trim());
}

export function isCommitter(login: string, facts: Pick<PullRequestFacts, 'commits'>): boolean {
  return facts.commits.some(
    (c) =>
      (c.authorLogin !== undefined && sameLogin(c.authorLogin, login)) ||
      (c.committerLogin !== undefined && sameLogin(c.committerLogin, login)),
  );
}

const rank = (p: Permission | 'none' | 'error'): number => PERMISSIONS.indexOf(p as Permission);

export function standing(
  actor: Actor,
  facts: Pick<PullRequestFacts, 'author' | 'commits' | 'authorizations'>,
  policy: Policy | undefined,
): Standing {
  const login = actor.login.toLowerCase();
  const at = `@${actor.login}`;
  if (isBot(actor)) return { kind: 'excluded', reason: 'bot', message: `${at} is a bot; only people may approve or veto.` };
  if (sameLogin(login, facts.author.login)) {
    return { kind: 'excluded', reason: 'author', message: `${at} opened this pull request; its author cannot approve or veto it.` };
  }
  // Without a usable policy, every known agent (and every app) counts as one: fail closed.
  const agents = policy?.agents.authors ?? FAIL_CLOSED_AGENTS.authors;
  if (agents.some((p) => matchesLogin(p, login))) {
    return {
      kind: 'excluded',
      reason: 'agent',
      message: `${at} is an agent account in the policy's \`agents.authors\`; agents cannot approve or veto.`,
    };
  }
  if (isCommitter(login, facts)) {
    return {
      kind: 'excluded',
      reason: 'committer',
      message: `${at} authored or committed commits on this pull request; people who wrote the change cannot approve or veto it.`,
    };
  }
  if (!policy) return { kind: 'unknown', message: `the policy could not be read, so the gate cannot tell whether ${at} is a reviewer.` };

  // The top-level reviewers and every rule's own approvers: all of them may approve and veto.
  const { users, teams, permission } = authorizedReviewers(policy);
  if (users.some((u) => u.replace(/^@/, '').toLowerCase() === login))
    return { kind: 'reviewer', via: 'user', detail: `listed in reviewers.users` };
  const auth = facts.authorizations[login];
  if (!auth) return { kind: 'unknown', message: `the gate has no permission information for ${at} yet.` };
  const team = auth.teams.find((t) => teams.some((p) => p.toLowerCase() === t.toLowerCase()));
  if (team) return { kind: 'reviewer', via: 'team', detail: `member of ${team}` };
  if (rank(auth.permission) >= rank(permission)) return { kind: 'reviewer', via: 'permission', detail: `${auth.permission} permission` };
  if (auth.permission === 'error' || (auth.teamErrors?.length ?? 0) > 0) {
    return { kind: 'unknown', message: `GitHub would not tell the gate whether ${at} may review here (permission or team lookup failed).` };
  }
  const accepted = [
    ...(users.length ? [`listed users (${users.map((u) => `@${u}`).join(', ')})`] : []),
    ...(teams.length ? [`members of ${teams.join(', ')}`] : []),
    `people with ${permission} permission or more`,
  ];
  return { kind: 'not-reviewer', message: `${at} is not an authorized reviewer: the policy accepts ${accepted.join(', ')}.` };
}
