import { describe, expect, it } from 'vitest';
import { decide } from '../../src/core/decide.js';
import type { NotifyPolicy } from '../../src/core/model/policy.js';
import type { Ledger } from '../../src/core/model/ledger.js';
import type { PullRequestFacts } from '../../src/core/model/pull-request.js';
import { mergeRecords, readLedger, ledgerMarker, readRecord, recordMarker } from '../../src/core/ledger.js';
import { claimNotifications, mergedNotifications, notifiedOf, slackText } from '../../src/core/notify.js';
import { loadPolicy } from '../../src/core/policy.js';
import { at, comment, file, makeFacts, okLoad, writer } from './facts.js';

const NOW = new Date(at(5));
const URL = 'https://github.com/acme/widgets/pull/7';
const POLICY: NotifyPolicy = { slack: { channel: '#agent-prs', on: ['hard', 'veto', 'merged'] }, webhook: { on: ['soft', 'veto'] } };
const hard = makeFacts({ title: 'Add <column> & index', files: [file('db/migrations/001.sql')] });

const claim = (facts: PullRequestFacts, available: ('slack' | 'webhook')[] = ['slack', 'webhook'], policy = POLICY) =>
  claimNotifications({ decision: decide(okLoad(), facts, NOW), facts, policy, available, url: URL, now: NOW });

describe('notify: one message per PR per event', () => {
  it('a hard PR waiting for approvals is announced on the channels that ask for `hard`, with what a person needs', () => {
    const { notifications } = claim(hard);
    expect(notifications.map((n) => `${n.channel}:${n.event}`)).toEqual(['slack:hard']);
    const [n] = notifications;
    expect(n).toMatchObject({ slackChannel: '#agent-prs', message: { tier: 'hard', url: URL, number: 7, repository: 'acme/widgets' } });
    expect(n!.message.reasons).toContain('Database migrations');
    const text = slackText(n!.message);
    expect(text).toContain(`<${URL}|acme/widgets#7>`);
    expect(text).toContain('Add &lt;column&gt; &amp; index');
    expect(text).toMatch(/Needs 1 approval/);
  });

  it('a soft PR announces its window with the deadline', () => {
    const { notifications } = claim(makeFacts());
    expect(notifications.map((n) => `${n.channel}:${n.event}`)).toEqual(['webhook:soft']);
    expect(notifications[0]!.message.deadline).toBe(at(15));
    expect(notifications[0]!.message.action).toMatch(/14:15 UTC/);
  });

  it('claims what it sends in the record, so the next reconcile (or another replica) sends nothing again', () => {
    const first = claim(hard);
    // The record in the gate's check run is what the next reconcile reads.
    const ledger = readRecord(recordMarker(first.ledger, hard.number), hard.number);
    expect(notifiedOf(ledger)).toEqual({ slack: { sent: ['hard'] } });
    // An earlier version's comment ledger kept it the same way (the upgrade path).
    expect(notifiedOf(readLedger(ledgerMarker(first.ledger)))).toEqual({ slack: { sent: ['hard'] } });
    // A writer whose record does not have the claim yet does not lose it when the records are merged.
    expect(notifiedOf(mergeRecords({ vetoes: [], answered: [] }, ledger))).toEqual({ slack: { sent: ['hard'] } });
    expect(notifiedOf(mergeRecords(ledger, { vetoes: [], answered: [] }))).toEqual({ slack: { sent: ['hard'] } });
    const again = claim({ ...hard, ledger: ledger! });
    expect(again.notifications).toEqual([]);
    // ...and keeps the record through the decision.
    expect(notifiedOf(decide(okLoad(), { ...hard, ledger: ledger! }, NOW).ledger)).toEqual({ slack: { sent: ['hard'] } });
  });

  it("a veto later goes into the PR's Slack thread", () => {
    const ledger: Ledger = { vetoes: [], answered: [], notified: { slack: { sent: ['hard'], ts: '1700000000.000100' } } };
    const vetoed = { ...hard, comments: [comment('bob', '/veto not now', at(2))], authorizations: { bob: writer() }, ledger };
    const { notifications } = claim(vetoed);
    expect(notifications.map((n) => `${n.channel}:${n.event}`)).toEqual(['slack:veto', 'webhook:veto']);
    expect(notifications[0]).toMatchObject({ threadTs: '1700000000.000100' });
    expect(notifications[0]!.message.action).toContain('@bob');
  });

  it('claims nothing on a channel the App has no credentials for', () => {
    expect(claim(hard, ['webhook']).notifications).toEqual([]);
    expect(notifiedOf(claim(hard, ['webhook']).ledger)).toBeUndefined();
  });

  it('accepts a reminder step as `stale`, once per step', () => {
    const policy: NotifyPolicy = { webhook: { on: ['stale'] } };
    const decision = decide(okLoad(), hard, NOW);
    const one = claimNotifications({
      decision,
      facts: hard,
      policy,
      available: ['webhook'],
      url: URL,
      now: NOW,
      extra: [{ event: 'stale', key: 'stale:1' }],
    });
    expect(one.notifications.map((n) => n.key)).toEqual(['stale:1']);
    const facts = { ...hard, ledger: one.ledger };
    expect(
      claimNotifications({
        decision,
        facts,
        policy,
        available: ['webhook'],
        url: URL,
        now: NOW,
        extra: [{ event: 'stale', key: 'stale:1' }],
      }).notifications,
    ).toEqual([]);
    expect(
      claimNotifications({
        decision,
        facts,
        policy,
        available: ['webhook'],
        url: URL,
        now: NOW,
        extra: [{ event: 'stale', key: 'stale:2' }],
      }).notifications,
    ).toHaveLength(1);
  });

  it('merged goes to the channels that ask for it, in the thread', () => {
    const facts = { ...hard, ledger: { vetoes: [], answered: [], notified: { slack: { sent: ['hard'], ts: '1.2' } } } as Ledger };
    const n = mergedNotifications({
      decision: decide(okLoad(), facts, NOW),
      facts,
      policy: POLICY,
      available: ['slack', 'webhook'],
      url: URL,
      now: NOW,
    });
    expect(n).toEqual([expect.objectContaining({ channel: 'slack', event: 'merged', threadTs: '1.2' })]);
  });
});

describe('notify: the policy key', () => {
  it('parses and validates `notify`, with line and column', () => {
    const ok = loadPolicy({
      kind: 'text',
      path: '.github/hitl.yml',
      text: 'version: 1\nnotify:\n  slack: { channel: "#agent-prs", on: [hard, veto] }\n  webhook: { on: [merged] }\n',
    });
    expect(ok.kind === 'ok' && ok.policy.notify).toEqual({
      slack: { channel: '#agent-prs', on: ['hard', 'veto'] },
      webhook: { on: ['merged'] },
    });
    const bad = loadPolicy({
      kind: 'text',
      path: '.github/hitl.yml',
      text: 'version: 1\nnotify:\n  slack: { channel: "#agent-prs", on: [hard], token: xoxb-1 }\n',
    });
    expect(bad.kind).toBe('invalid');
    expect(bad.kind === 'invalid' && bad.errors[0]).toMatchObject({ line: 3, message: expect.stringContaining('token') });
    const none = loadPolicy({ kind: 'text', path: '.github/hitl.yml', text: 'version: 1\n' });
    expect(none.kind === 'ok' && none.policy.notify).toBeUndefined();
  });
});

describe('notify: the reasons line', () => {
  it('is plain text that keeps globs and file names as written', () => {
    const facts = makeFacts({ files: [file('db/migrations/002_add_discount.sql')] });
    const { notifications } = claimNotifications({
      decision: decide(okLoad(), facts, NOW),
      facts,
      policy: POLICY,
      available: ['slack'],
      url: URL,
      now: NOW,
    });
    expect(notifications[0]!.message.reasons).toBe(
      'rule Database migrations → hard (1 file matches db/migrations/**): db/migrations/002_add_discount.sql',
    );
  });
});
