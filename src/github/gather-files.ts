// Changed files, 100 per page. GitHub lists at most 3000; the core compares with `changed_files`
// to detect truncation, so nothing here pretends the list is complete.
import type { ChangedFile } from '../core/model/pull-request.js';
import { reading } from './errors.js';
import { gatherPages, type Session } from './session.js';
import type { PullRequestRef } from './types.js';

const STATUSES = new Set<ChangedFile['status']>(['added', 'removed', 'modified', 'renamed', 'copied', 'changed', 'unchanged']);

export async function gatherFiles(session: Session, ref: PullRequestRef): Promise<ChangedFile[]> {
  return reading('the changed files', async () => {
    const pages = session.client.paginate.iterator(session.client.rest.pulls.listFiles, {
      owner: ref.owner,
      repo: ref.repo,
      pull_number: ref.number,
      per_page: 100,
    });
    return gatherPages(session, pages, (f): ChangedFile => ({
      filename: f.filename,
      ...(f.previous_filename ? { previousFilename: f.previous_filename } : {}),
      // An unknown status is still a change: 'modified' keeps the path under the rules.
      status: STATUSES.has(f.status) ? f.status : 'modified',
      additions: f.additions,
      deletions: f.deletions,
    }));
  });
}
