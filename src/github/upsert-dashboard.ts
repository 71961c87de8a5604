// Writes the dashboard issue: opened once, edited only when its body would change (a person's edit
// counts as a change and is overwritten), never reopened or recreated once a person closed it.
import { DASHBOARD_LABEL, DASHBOARD_TITLE } from '../core/model/after-merge.js';
import { dashboardUnchanged } from '../core/dashboard.js';
import { dashboardKey, type DashboardIssue, type DashboardNumbers } from './find-dashboard.js';
import { request, type Session } from './session.js';
import type { RepositoryRef } from './types.js';

export type DashboardWrite =
  | { kind: 'created'; number: number }
  | { kind: 'updated'; number: number }
  | { kind: 'unchanged'; number: number }
  | { kind: 'closed'; number: number };

export async function upsertDashboard(
  session: Session,
  repo: RepositoryRef,
  found: DashboardIssue | undefined,
  body: string,
  numbers?: DashboardNumbers,
): Promise<DashboardWrite> {
  if (found?.state === 'closed') return { kind: 'closed', number: found.number };
  if (found) {
    if (dashboardUnchanged(found.body, body) && found.title === DASHBOARD_TITLE) return { kind: 'unchanged', number: found.number };
    await request(session, (c) =>
      c.rest.issues.update({ owner: repo.owner, repo: repo.repo, issue_number: found.number, title: DASHBOARD_TITLE, body }),
    );
    return { kind: 'updated', number: found.number };
  }
  const { data } = await request(session, (c) =>
    c.rest.issues.create({ owner: repo.owner, repo: repo.repo, title: DASHBOARD_TITLE, body, labels: [DASHBOARD_LABEL] }),
  );
  numbers?.set(dashboardKey(repo), data.number);
  return { kind: 'created', number: data.number };
}
