// Who may decide: repository permission and policy team membership of every command author, looked
// up once per login per reconcile. A lookup GitHub refuses is recorded as an error (fail closed).
import { type Permission, PERMISSIONS, type Policy } from '../core/model/policy.js';
import type { Authorization } from '../core/model/pull-request.js';
import { describeError, httpStatus } from './errors.js';
import { request, type Session } from './session.js';

const rank = (p: Permission): number => PERMISSIONS.indexOf(p);
const isPermission = (v: unknown): v is Permission => typeof v === 'string' && (PERMISSIONS as readonly string[]).includes(v);

async function permissionOf(session: Session, repo: { owner: string; repo: string }, login: string): Promise<Authorization['permission']> {
  try {
    const { data } = await request(session, (c) =>
      c.rest.repos.getCollaboratorPermissionLevel({ owner: repo.owner, repo: repo.repo, username: login }),
    );
    // `role_name` distinguishes maintain and triage; custom roles fall back to their base `permission`.
    if (isPermission(data.role_name)) return data.role_name;
    if (isPermission(data.permission)) return data.permission;
    return 'none';
  } catch (error) {
    if (httpStatus(error) === 404) return 'none';
    session.log.warn({ login, error: describeError(error) }, 'permission lookup failed');
    return 'error';
  }
}

async function isTeamMember(session: Session, team: string, login: string): Promise<boolean> {
  const [org, slug, ...rest] = team.split('/');
  if (!org || !slug || rest.length > 0) throw new Error(`"${team}" is not org/team-slug`);
  try {
    const { data } = await request(session, (c) => c.rest.teams.getMembershipForUserInOrg({ org, team_slug: slug, username: login }));
    return data.state === 'active';
  } catch (error) {
    if (httpStatus(error) === 404) return false;
    throw error;
  }
}

/**
 * Look up every login. Team lookups are skipped for someone the policy already lets decide by name or
 * by permission: they could only add a reason that is already there.
 */
export async function gatherAuthorizations(
  session: Session,
  repo: { owner: string; repo: string },
  logins: string[],
  reviewers: Policy['reviewers'] | undefined,
  /** Teams of rules' own approvers: looked up for everyone, since a rule asks for its team by name. */
  ruleTeams: string[] = [],
): Promise<Record<string, Authorization>> {
  const result: Record<string, Authorization> = {};
  const users = new Set((reviewers?.users ?? []).map((u) => u.toLowerCase()));
  for (const raw of new Set(logins.map((l) => l.toLowerCase()))) {
    const permission = await permissionOf(session, repo, raw);
    const auth: Authorization = { permission, teams: [] };
    const enough =
      users.has(raw) ||
      (permission !== 'error' && permission !== 'none' && reviewers !== undefined && rank(permission) >= rank(reviewers.permission));
    const teams = [...new Set([...(enough ? [] : (reviewers?.teams ?? [])), ...ruleTeams])];
    for (const team of teams) {
      try {
        if (await isTeamMember(session, team, raw)) auth.teams.push(team);
      } catch (error) {
        session.log.warn({ login: raw, team, error: describeError(error) }, 'team membership lookup failed');
        (auth.teamErrors ??= []).push(team);
      }
    }
    result[raw] = auth;
  }
  return result;
}
