// Which issue is the repository's dashboard: one the gate's App opened (GitHub's `user` of the issue
// is the App's bot account, which no one else can write as) and labelled `hitl-dashboard`. The label
// alone proves nothing (anyone with triage access can put it on any issue), and the title proves less.
// Found once by a list of the label's issues (closed ones too: a dashboard a person closed stays
// closed, and is not replaced), then remembered by number and read directly; an issue that is gone,
// moved to another repository or no longer the App's is looked for again.
import { DASHBOARD_LABEL } from '../core/model/after-merge.js';
import { httpStatus } from './errors.js';
import type { GateIdentity } from './identity.js';
import { request, type Session } from './session.js';
import type { RepositoryRef } from './types.js';

export interface DashboardIssue {
  number: number;
  state: 'open' | 'closed';
  title: string;
  body: string;
}

/** Remembers each repository's dashboard number (the App: in memory; losing it costs one list). */
export interface DashboardNumbers {
  get(key: string): number | undefined;
  set(key: string, number: number): void;
  delete(key: string): void;
}

interface IssueLike {
  number: number;
  state: string;
  title: string;
  body?: string | null;
  user?: { login: string; type?: string } | null;
  labels?: Array<string | { name?: string }>;
  pull_request?: unknown;
  repository_url?: string;
}

export const dashboardKey = (repo: RepositoryRef): string => `${repo.owner}/${repo.repo}`.toLowerCase();

const byTheApp = (issue: IssueLike, identity: GateIdentity): boolean =>
  issue.user?.type === 'Bot' && issue.user.login.toLowerCase() === identity.login.toLowerCase();

const labelled = (issue: IssueLike): boolean =>
  (issue.labels ?? []).some((l) => (typeof l === 'string' ? l : (l.name ?? '')).toLowerCase() === DASHBOARD_LABEL);

/** GitHub answers a moved issue's old address with the issue in its new repository. */
const inRepo = (issue: IssueLike, repo: RepositoryRef): boolean =>
  issue.repository_url === undefined || issue.repository_url.toLowerCase().endsWith(`/repos/${repo.owner}/${repo.repo}`.toLowerCase());

const toDashboard = (issue: IssueLike): DashboardIssue => ({
  number: issue.number,
  state: issue.state === 'closed' ? 'closed' : 'open',
  title: issue.title,
  body: issue.body ?? '',
});

/** The issue remembered as the dashboard, while it still is one; undefined when it must be looked for again. */
async function remembered(
  session: Session,
  repo: RepositoryRef,
  number: number,
  identity: GateIdentity,
): Promise<DashboardIssue | undefined> {
  try {
    const { data } = await request(session, (c) => c.rest.issues.get({ owner: repo.owner, repo: repo.repo, issue_number: number }));
    const issue = data as unknown as IssueLike;
    if (issue.pull_request || !inRepo(issue, repo) || !byTheApp(issue, identity)) return undefined;
    return toDashboard(issue);
  } catch (error) {
    // Deleted (404), or gone with its repository's issues turned off (410): look again.
    if (httpStatus(error) === 404 || httpStatus(error) === 410) return undefined;
    throw error;
  }
}

/**
 * The dashboard: an open one if there is (the oldest, should there be several), else the closed one a
 * person closed, else none. Issues others opened with the label or the title are never the dashboard.
 */
export async function findDashboard(
  session: Session,
  repo: RepositoryRef,
  identity: GateIdentity,
  numbers?: DashboardNumbers,
): Promise<DashboardIssue | undefined> {
  const key = dashboardKey(repo);
  const known = numbers?.get(key);
  if (known !== undefined) {
    const found = await remembered(session, repo, known, identity);
    if (found) return found;
    numbers?.delete(key);
  }
  // No `creator` filter: GitHub documents it for users, not for an App's bot account, and a filter
  // that silently matched nothing would open a new dashboard at every refresh. The author is checked here.
  const pages = session.client.paginate.iterator(session.client.rest.issues.listForRepo, {
    owner: repo.owner,
    repo: repo.repo,
    labels: DASHBOARD_LABEL,
    state: 'all',
    sort: 'created',
    direction: 'asc',
    per_page: 100,
  });
  let closed: DashboardIssue | undefined;
  for await (const page of pages) {
    session.requests += 1;
    for (const issue of page.data as unknown as IssueLike[]) {
      if (issue.pull_request || !byTheApp(issue, identity) || !labelled(issue)) continue;
      if (issue.state === 'open') {
        numbers?.set(key, issue.number);
        return toDashboard(issue);
      }
      closed ??= toDashboard(issue);
    }
  }
  if (closed) numbers?.set(key, closed.number);
  return closed;
}
