import { describe, expect, it } from 'vitest';
import type { Probot } from 'probot';
import { answerMergeGroupEvent } from '../../src/app/merge-group.js';
import { Metrics } from '../../src/app/metrics.js';
import type { MergeGroupAnswer } from '../../src/github/index.js';

const silent = { info() {}, warn() {}, error() {}, debug() {}, child: () => silent } as never;
const answer = (error?: string): MergeGroupAnswer => ({
  members: { kind: 'known', numbers: [1], entries: [], reading: 'group-commit' },
  verdicts: [],
  verdict: { conclusion: 'success', title: 'ok', summary: 'ok' },
  written: !error,
  requests: 3,
  ...(error ? { error } : {}),
});

function event(script: (attempt: number) => MergeGroupAnswer) {
  let attempts = 0;
  const app = { auth: async () => ({}) } as unknown as Probot;
  return {
    attempts: () => attempts,
    run: () =>
      answerMergeGroupEvent({
        app,
        repo: { installationId: 1, owner: 'acme', repo: 'widgets' },
        group: { head_sha: 'a'.repeat(40), head_ref: 'refs/heads/gh-readonly-queue/main/pr-1-' + 'b'.repeat(40) },
        identity: async () => ({ appId: 1, login: 'hitl-gate[bot]' }),
        log: silent,
        now: () => new Date(),
        metrics: new Metrics({ defaultMetrics: false }),
        answer: async () => script(++attempts),
        attempts: 3,
        retryBaseMs: 1,
      }),
  };
}

describe('answering a merge group in the App', () => {
  it('tries again when GitHub failed the write of the check: an unanswered group stalls the queue', async () => {
    const e = event((n) => (n < 3 ? answer('check-run failed: GitHub answered 502') : answer()));
    const result = await e.run();
    expect(e.attempts()).toBe(3);
    expect(result?.written).toBe(true);
  });

  it('gives up after the last attempt without throwing (the webhook was answered long ago)', async () => {
    const e = event(() => answer('check-run failed: GitHub answered 502'));
    await expect(e.run()).resolves.toBeUndefined();
    expect(e.attempts()).toBe(3);
  });
});
