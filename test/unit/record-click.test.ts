// Recording a click in the ledger: it counts only once written; a failed write or an unreadable
// ledger leaves the click uncounted (and never overwrites a ledger it could not read).
import { describe, expect, it, vi } from 'vitest';
import { clicksOf } from '../../src/core/clicks.js';
import { ledgerMarker, readLedger } from '../../src/core/ledger.js';
import type { GitHubClient } from '../../src/github/client.js';
import { recordClick } from '../../src/github/record-click.js';

const identity = { appId: 9, login: 'hitl-gate[bot]' };
const ref = { owner: 'acme', repo: 'widgets', number: 7 };
const NOW = new Date('2026-11-22T14:03:00Z');
const click = { identifier: 'approve', sender: { login: 'bob', type: 'User' }, checkRun: { id: 55, headSha: 'a'.repeat(40) } };

function client(body: string, update: (params: { body: string }) => Promise<unknown>) {
  const comment = { id: 1, user: { login: 'hitl-gate[bot]', type: 'Bot' }, performed_via_github_app: { id: 9 }, body, created_at: '2026-11-22T14:00:00Z', updated_at: '2026-11-22T14:00:00Z' };
  const updateComment = vi.fn(update);
  const c = { paginate: { iterator: async function* () { yield { data: [comment] }; } }, rest: { issues: { listComments: () => undefined, updateComment } } };
  return { client: c as unknown as GitHubClient, updateComment };
}

const status = `### 🔴 Blocked\n\ntext\n\n${ledgerMarker({ vetoes: [{ by: 'carol', at: '2026-11-22T14:01:00Z', commentId: 3 }], answered: [3] })}`;

describe('recordClick', () => {
  it('writes the click into the ledger, keeping what it held and the text above it', async () => {
    const { client: c, updateComment } = client(status, async () => ({ data: {} }));
    const result = await recordClick(c, ref, click, { identity, now: NOW });
    expect(result).toMatchObject({ kind: 'recorded', click: { by: 'bob', action: 'approve', at: NOW.toISOString(), headSha: 'a'.repeat(40), checkRunId: 55 } });
    const written = updateComment.mock.calls[0]![0].body;
    expect(written.startsWith('### 🔴 Blocked\n\ntext\n\n')).toBe(true);
    const ledger = readLedger(written);
    expect(ledger?.vetoes).toHaveLength(1);
    expect(clicksOf(ledger)).toHaveLength(1);
  });

  it('does not count a click whose record GitHub refused', async () => {
    const { client: c } = client(status, async () => { throw Object.assign(new Error('Server Error'), { status: 502 }); });
    expect(await recordClick(c, ref, click, { identity, now: NOW })).toMatchObject({ kind: 'failed' });
  });

  it('never overwrites a ledger it cannot read', async () => {
    const { client: c, updateComment } = client('### x\n\n<!-- hitl-gate:ledger v1 bm90IGpzb24= -->', async () => ({ data: {} }));
    expect(await recordClick(c, ref, click, { identity, now: NOW })).toMatchObject({ kind: 'failed' });
    expect(updateComment).not.toHaveBeenCalled();
  });

  it('ignores actions that are not the gate\'s', async () => {
    const { client: c, updateComment } = client(status, async () => ({ data: {} }));
    expect(await recordClick(c, ref, { ...click, identifier: 'merge' }, { identity, now: NOW })).toMatchObject({ kind: 'ignored' });
    expect(updateComment).not.toHaveBeenCalled();
  });
});
