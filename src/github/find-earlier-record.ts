// The gate's record from the PR's earlier heads, for a head the gate has no record on yet (a push, a
// force-push whose webhook was lost, a restart). A record lives in the gate's check runs, one set per
// commit, and a push makes a new head: this finds every earlier head that may carry one (the PR's
// commits, and the heads that force-pushes replaced, which GitHub keeps in the timeline) and merges
// the records of the gate's own runs on them. One GraphQL request: REST would need one per commit.
import { EXTERNAL_ID } from './identity.js';
import { CHECK_NAME } from '../core/model/effects.js';
import { recordOfRuns, type RunLike } from './find-gate-check.js';
import type { Ledger } from '../core/model/ledger.js';
import { reading } from './errors.js';
import { isOwnCheckRun, type GateIdentity } from './identity.js';
import { request, type Session } from './session.js';
import type { PullRequestRef } from './types.js';

/** How far back the search looks: GitHub pages a PR's commits and timeline by at most 100. */
const HEADS = 100;

const runs = (appFilter: string) => `checkSuites(first: 10${appFilter}) {
        nodes { app { databaseId } checkRuns(first: 20, filterBy: { checkName: "${CHECK_NAME}" }) { nodes { databaseId externalId text } } }
      }`;

const query = (appFilter: string) => `query($owner: String!, $repo: String!, $number: Int!) {
  repository(owner: $owner, name: $repo) {
    pullRequest(number: $number) {
      commits(last: ${HEADS}) { nodes { commit { oid ${runs(appFilter)} } } }
      timelineItems(last: ${HEADS}, itemTypes: [HEAD_REF_FORCE_PUSHED_EVENT]) {
        nodes { ... on HeadRefForcePushedEvent { beforeCommit { oid ${runs(appFilter)} } } }
      }
    }
  }
}`;

interface CommitNode {
  oid?: string;
  checkSuites?: {
    nodes?: ({
      app?: { databaseId?: number } | null;
      checkRuns?: { nodes?: ({ databaseId?: number; externalId?: string | null; text?: string | null } | null)[] };
    } | null)[];
  };
}

interface Answer {
  repository?: {
    pullRequest?: {
      commits?: { nodes?: ({ commit?: CommitNode | null } | null)[] };
      timelineItems?: { nodes?: ({ beforeCommit?: CommitNode | null } | null)[] };
    } | null;
  } | null;
}

export interface EarlierRecord {
  record?: Ledger;
  /** Heads searched, for the log. */
  heads: number;
  /** Force-pushes whose replaced head GitHub no longer shows (`beforeCommit` is null): a record may have
   * been on it, and cannot be read. */
  unreadable: number;
}

/** Every own governed run on `commit`, as the REST reader sees runs. */
function ownRuns(commit: CommitNode | null | undefined, identity: GateIdentity): RunLike[] {
  const out: RunLike[] = [];
  for (const suite of commit?.checkSuites?.nodes ?? []) {
    const app = suite?.app?.databaseId !== undefined ? { id: suite.app.databaseId } : null;
    for (const run of suite?.checkRuns?.nodes ?? []) {
      if (!run || typeof run.databaseId !== 'number') continue;
      const r: RunLike = {
        id: run.databaseId,
        status: 'completed',
        conclusion: null,
        external_id: run.externalId ?? null,
        app,
        output: { text: run.text ?? null },
      };
      if (isOwnCheckRun(r, identity) && r.external_id !== EXTERNAL_ID.ignored) out.push(r);
    }
  }
  return out;
}

export async function findEarlierRecord(
  session: Session,
  ref: PullRequestRef,
  headSha: string,
  identity: GateIdentity,
): Promise<EarlierRecord> {
  return reading("the gate's record on earlier heads", async () => {
    const appFilter = identity.appId !== undefined ? `, filterBy: { appId: ${Number(identity.appId)} }` : '';
    const data = await request(session, (c) =>
      c.graphql<Answer>(query(appFilter), { owner: ref.owner, repo: ref.repo, number: ref.number }),
    );
    const pull = data?.repository?.pullRequest;
    if (!pull) throw new Error(`GitHub did not return pull request #${ref.number}`);
    const commits = [
      ...(pull.commits?.nodes ?? []).map((n) => n?.commit),
      ...(pull.timelineItems?.nodes ?? []).map((n) => n?.beforeCommit),
    ].filter((c): c is CommitNode => !!c && typeof c.oid === 'string' && c.oid !== headSha);
    const record = recordOfRuns(
      commits.flatMap((c) => ownRuns(c, identity)),
      ref.number,
    );
    const unreadable = (pull.timelineItems?.nodes ?? []).filter((n) => n && !n.beforeCommit).length;
    return { ...(record ? { record } : {}), heads: commits.length, unreadable };
  });
}
