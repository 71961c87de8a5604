// Review after merge against the real App server and a local GitHub: a sampled PR's status comment
// names the deadline, `/reviewed` closes it, `/revert` opens a revert PR through GraphQL
// `revertPullRequest`, and nobody but an authorized reviewer changes anything.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AFTER_MERGE_LABEL, REVERT_LABEL } from '../../src/core/model/after-merge.js';
import { readRecord } from '../../src/core/ledger.js';
import type { Ledger } from '../../src/core/model/ledger.js';
import { audit } from '../../src/cli/audit.js';
import type { CliIO } from '../../src/cli/io.js';
import type { AuditRecord } from '../../src/github/gather-audit-records.js';
import { examplePolicy } from '../fixtures/example-policy.js';
import { AGENT, FILES, merged, replies, sleep, startGate, statusComments, story, type Gate } from './harness.js';

/** An agent account that is a person's account, not an app: the gate answers it (it never answers a bot). */
const PERSON_AGENT = 'devin-ai';

let gate: Gate;
beforeAll(async () => {
  gate = await startGate();
});
afterAll(async () => {
  await gate?.close();
});

function repoWith(org: string, afterMerge: string): string {
  const text = `${examplePolicy({ window: '3s', authors: [AGENT, PERSON_AGENT] })}after_merge:\n${afterMerge}`;
  return gate.sim.createRepo({
    name: `${org}/app`,
    policy: text,
    files: { 'README.md': '# app\n', 'src/app.ts': 'export const x = 0;\n' },
    collaborators: { alice: 'write', bob: 'write', eve: 'read' },
  });
}

const SOFT_SAMPLED = '  sample: { fyi: 0, soft: 1 }\n  within: 3d\n';

function openSoft(repo: string, author = PERSON_AGENT, path = 'src/app.ts'): number {
  return gate.sim.openPullRequest(repo, { author, title: 'soft change', files: [{ path, content: 'export const x = 1;\n' }] });
}

/** The gate's record of the PR, read from its check run on the PR's last head. */
function recordOf(repo: string, number: number): Ledger | undefined {
  const head = gate.sim.pull(repo, number).headSha;
  const runs = gate.sim.checkRuns(repo, head, 'hitl');
  return runs
    .map((r) => readRecord(r.output?.text, number))
    .filter((r) => r !== undefined)
    .at(-1);
}

const labels = (repo: string, number: number) => gate.sim.pull(repo, number).labels;
const until = (what: string, condition: () => boolean, ms = 30_000) => gate.sim.until(condition, ms, what);
function thumbs(repo: string, id: number): number {
  const entry = gate.sim.timeline.find((e) => e.repo === repo && e.kind === 'commented' && e.data?.commentId === id);
  const c = entry?.number !== undefined ? gate.sim.comments(repo, entry.number).find((x) => x.id === id) : undefined;
  return c?.reactions.filter((r) => r.content === '+1').length ?? 0;
}

/** `hitl-gate audit` of the repository, as JSON lines. */
async function auditOf(repo: string): Promise<AuditRecord[]> {
  let stdout = '';
  const io: CliIO = {
    stdout: (t) => void (stdout += t),
    stderr: () => undefined,
    readStdin: () => Promise.resolve(''),
    readFile: () => Promise.reject(new Error('unused')),
  };
  const env = { GITHUB_TOKEN: gate.sim.personalToken('auditor'), GITHUB_API_URL: gate.sim.apiUrl, HITL_APP_SLUG: gate.sim.app.slug };
  expect(await audit([repo], io, { env })).toBe(0);
  return stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditRecord);
}

describe.concurrent('review after merge', () => {
  it(
    'a sampled soft PR: the status comment names the deadline; refusals change nothing; /reviewed closes it',
    { timeout: 90_000 },
    async () => {
      const repo = repoWith('am-reviewed', SOFT_SAMPLED);
      const n = openSoft(repo);
      try {
        await merged(gate.sim, repo, n);
        await until('the after-merge status comment', () =>
          statusComments(gate.sim, repo, n).some((b) => b.includes('review after merge due by')),
        );
        const status = statusComments(gate.sim, repo, n);
        expect(status).toHaveLength(1);
        expect(status[0]).toMatch(/Merged without a human; review after merge due by \w{3} \d+ \d\d:\d\d UTC, by \*\*alice\*\*/);
        await until('the index label', () => labels(repo, n).includes(AFTER_MERGE_LABEL));
        await until('the record', () => recordOf(repo, n)?.afterMerge !== undefined);
        expect(recordOf(repo, n)?.afterMerge).toMatchObject({ sampled: true, concerns: [] });

        // The author, a read-only user and the agent's bot: refused (the bot is never answered), nothing changes.
        const before = replies(gate.sim, repo, n).length;
        gate.sim.comment(repo, n, PERSON_AGENT, '/reviewed');
        gate.sim.comment(repo, n, 'eve', '/revert looks wrong');
        gate.sim.comment(repo, n, AGENT, '/reviewed');
        await until('two refusals', () => replies(gate.sim, repo, n).length >= before + 2);
        await sleep(1_500);
        const refusals = replies(gate.sim, repo, n).slice(before);
        expect(refusals).toHaveLength(2);
        expect(refusals.join('\n')).toMatch(/opened this pull request; its author cannot review it after merge/);
        expect(refusals.join('\n')).toMatch(/eve is not an authorized reviewer/);
        expect(recordOf(repo, n)?.afterMerge?.reviewed).toBeUndefined();
        expect(recordOf(repo, n)?.afterMerge?.revert).toBeUndefined();
        expect(labels(repo, n)).toContain(AFTER_MERGE_LABEL);
        expect(gate.sim.timeline.some((e) => e.repo === repo && e.kind === 'revert-opened')).toBe(false);

        // A forged /reviewed: the agent edits a person's comment to say it. Commands count as created only.
        const bobs = gate.sim.comment(repo, n, 'bob', 'looking at this later');
        await sleep(1_000);
        gate.sim.editComment(repo, bobs, '/reviewed', PERSON_AGENT);
        await until('the refusal of the edited comment', () => replies(gate.sim, repo, n).some((r) => r.includes('was edited')));
        expect(recordOf(repo, n)?.afterMerge?.reviewed).toBeUndefined();
        expect(labels(repo, n)).toContain(AFTER_MERGE_LABEL);

        // A concern: the agent that opened the PR is told the reason; the item stays open.
        gate.sim.comment(repo, n, 'bob', '/concern the default changed for every caller');
        await until('the concern told to the author', () =>
          replies(gate.sim, repo, n).some((r) =>
            r.startsWith(`@${PERSON_AGENT}: **bob** raised a concern after merge: the default changed for every caller`),
          ),
        );
        await until('the concern in the record', () => (recordOf(repo, n)?.afterMerge?.concerns.length ?? 0) === 1);
        expect(labels(repo, n)).toContain(AFTER_MERGE_LABEL);
        await until('the status comment shows it', () => statusComments(gate.sim, repo, n).some((b) => b.includes('Concern raised')));

        // The label is an index the gate keeps: taken off while the item is open, it is put back.
        gate.sim.unlabel(repo, n, PERSON_AGENT, AFTER_MERGE_LABEL);
        await until('the label put back', () => labels(repo, n).includes(AFTER_MERGE_LABEL));

        // An authorized reviewer: 👍, the item closes, the label goes.
        const ok = gate.sim.comment(repo, n, 'alice', '/reviewed');
        await until('the label removed', () => !labels(repo, n).includes(AFTER_MERGE_LABEL));
        await until('the review in the record', () => recordOf(repo, n)?.afterMerge?.reviewed !== undefined);
        expect(recordOf(repo, n)?.afterMerge?.reviewed).toMatchObject({ by: 'alice', commentId: ok });
        await until('the 👍', () => thumbs(repo, ok) === 1);
        await until('the status comment says reviewed', () =>
          statusComments(gate.sim, repo, n).some((b) => b.includes('Reviewed after merge** by **alice**')),
        );

        // The agent edits the status comment and deletes the gate's replies: nothing it decides changes.
        const statusId = gate.sim.appComments(repo, n).find((c) => c.body.includes('hitl-gate:status'))!.id;
        const shown = statusComments(gate.sim, repo, n)[0]!;
        for (const c of gate.sim.appComments(repo, n).filter((x) => !x.body.includes('hitl-gate:status')))
          gate.sim.deleteComment(repo, c.id, PERSON_AGENT);
        gate.sim.editComment(repo, statusId, 'Needs review after merge: nobody looked at it', PERSON_AGENT);
        await until('the status comment restored', () => statusComments(gate.sim, repo, n)[0] === shown);
        await sleep(1_500);
        expect(recordOf(repo, n)?.afterMerge?.reviewed?.by).toBe('alice');
        expect(labels(repo, n)).not.toContain(AFTER_MERGE_LABEL);
        expect(replies(gate.sim, repo, n)).toEqual([]);

        // The evidence: merged without a human, reviewed after merge within the deadline, by whom.
        const evidence = (await auditOf(repo)).find((r) => r.pr === n);
        expect(evidence).toMatchObject({
          merged: true,
          merged_by_gate: true,
          approvals: [],
          after_merge: { sampled: true, reviewed_by: 'alice', within_sla: true, revert: null },
        });
      } catch (error) {
        throw new Error(`${(error as Error).message}\n${story(gate, [repo])}`);
      }
    },
  );

  it('/revert by an authorized reviewer opens a revert PR through revertPullRequest, labelled and gated', { timeout: 90_000 }, async () => {
    const repo = repoWith('am-revert', SOFT_SAMPLED);
    const n = openSoft(repo);
    try {
      await merged(gate.sim, repo, n);
      await until('the index label', () => labels(repo, n).includes(AFTER_MERGE_LABEL));
      gate.sim.comment(repo, n, 'bob', '/revert the value is wrong');
      const opened = await gate.sim.waitFor(
        (e) => e.repo === repo && e.kind === 'revert-opened' && e.number === n,
        30_000,
        'the revert PR',
      );
      const revert = opened.data?.revert as number;
      const pr = gate.sim.pull(repo, revert);
      expect(pr.user.login).toBe(gate.sim.app.botLogin);
      await until('the revert label', () => labels(repo, revert).includes(REVERT_LABEL));
      await until("the merged PR's label removed", () => !labels(repo, n).includes(AFTER_MERGE_LABEL));
      await until('the link', () => replies(gate.sim, repo, n).some((r) => r.includes(`opened #${revert} to revert`)));
      await until('the revert in the record', () => recordOf(repo, n)?.afterMerge?.revert?.number === revert);
      expect(recordOf(repo, n)?.afterMerge?.revert).toMatchObject({ by: 'bob', reason: 'the value is wrong', number: revert });
      // The revert goes through the gate like any PR: soft here (src/), so it waits for its window.
      await until('the revert PR is gated', () => statusComments(gate.sim, repo, revert).length === 1);
      expect(statusComments(gate.sim, repo, revert)[0]).toMatch(/soft/);
      expect(gate.sim.timeline.filter((e) => e.repo === repo && e.kind === 'revert-opened')).toHaveLength(1);
      expect((await auditOf(repo)).find((r) => r.pr === n)?.after_merge?.revert).toMatchObject({ by: 'bob', pr: revert, refused: null });
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${story(gate, [repo])}`);
    }
  });

  it('a revert GitHub refuses (a later PR changed the same file) is said once; the item stays open', { timeout: 90_000 }, async () => {
    const repo = repoWith('am-conflict', SOFT_SAMPLED);
    const n = openSoft(repo);
    try {
      await merged(gate.sim, repo, n);
      const later = openSoft(repo, PERSON_AGENT);
      await merged(gate.sim, repo, later);
      await until('the index label', () => labels(repo, n).includes(AFTER_MERGE_LABEL));
      gate.sim.comment(repo, n, 'alice', '/revert');
      await until('the refusal', () => replies(gate.sim, repo, n).some((r) => r.includes('GitHub refused to open a revert')));
      await until('the refusal in the record', () => recordOf(repo, n)?.afterMerge?.revert?.refused !== undefined);
      await sleep(1_500);
      expect(replies(gate.sim, repo, n).filter((r) => r.includes('GitHub refused'))).toHaveLength(1);
      expect(labels(repo, n)).toContain(AFTER_MERGE_LABEL);
      expect(recordOf(repo, n)?.afterMerge?.revert).toMatchObject({
        by: 'alice',
        refused: expect.stringContaining('reverted automatically'),
      });
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${story(gate, [repo])}`);
    }
  });

  it('sample 0 and a risk below always_above: no record, no label, commands refused as unsampled', { timeout: 90_000 }, async () => {
    const repo = repoWith('am-unsampled', '  sample: { fyi: 0, soft: 0 }\n  always_above: 0.99\n  within: 3d\n');
    const n = gate.sim.openPullRequest(repo, { author: PERSON_AGENT, title: 'docs', files: FILES.fyi.map((f) => ({ ...f })) });
    try {
      await merged(gate.sim, repo, n);
      await sleep(2_000);
      gate.sim.comment(repo, n, 'alice', '/reviewed');
      await until('the refusal', () => replies(gate.sim, repo, n).some((r) => r.includes('not sampled for review after merge')));
      expect(labels(repo, n)).not.toContain(AFTER_MERGE_LABEL);
      expect(recordOf(repo, n)?.afterMerge).toBeUndefined();
      expect((await auditOf(repo)).find((r) => r.pr === n)?.after_merge).toBeNull();
      expect(
        gate.sim.timeline.some(
          (e) => e.repo === repo && e.kind === 'labeled' && e.actor === gate.sim.app.botLogin && e.detail.includes(AFTER_MERGE_LABEL),
        ),
      ).toBe(false);
      // The agent puts the index label on its unsampled PR: the gate takes it off (the record says nothing is due).
      gate.sim.label(repo, n, PERSON_AGENT, AFTER_MERGE_LABEL);
      await until('the forged label removed', () => !labels(repo, n).includes(AFTER_MERGE_LABEL));
      expect(recordOf(repo, n)?.afterMerge).toBeUndefined();
      expect(statusComments(gate.sim, repo, n).join('\n')).toMatch(/it will not be reviewed after merge/);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${story(gate, [repo])}`);
    }
  });
});
