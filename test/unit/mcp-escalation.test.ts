// The agent's words in an escalation comment can never be read by the gate as a command of their own.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCommands } from '../../src/core/commands.js';
import { TIERS } from '../../src/core/model/tier.js';
import { escalationComment } from '../../src/mcp/escalation-comment.js';

const COMMANDS = [
  '/approve',
  '/approve cancel',
  '/veto',
  '/veto cancel',
  '/veto: no',
  '/escalate fyi',
  '/hitl explain',
  '/aprove',
  '/vetoo',
  '  /approve',
  '\t/veto',
];
const line = fc.oneof(fc.constantFrom(...COMMANDS, '```', '~~~', '> /approve', '<!--', '-->', '</details>', ''), fc.string());
const text = fc.array(line, { maxLength: 12 }).chain((lines) => fc.constantFrom('\n', '\r\n', '\r').map((sep) => lines.join(sep)));

describe('escalation comment', () => {
  it('starts with /escalate TIER and folds the context', () => {
    const body = escalationComment('hard', 'Please look at the retry logic.', 'log line 1\nlog line 2');
    expect(body.split('\n')[0]).toBe('/escalate hard');
    expect(body).toContain('Please look at the retry logic.');
    expect(body).toMatch(/<details><summary>[^<]+<\/summary>\n\nlog line 1\nlog line 2\n\n<\/details>/);
  });

  it('a command line in the message is shown but not a command', () => {
    const body = escalationComment('soft', 'ok\n/approve\n   /veto cancel');
    expect(body).toContain('\\/approve');
    expect(parseCommands(body)).toEqual([{ kind: 'escalate', tier: 'soft' }]);
  });

  it('whatever the message and context, the gate reads exactly the one escalation', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TIERS), text, fc.option(text, { nil: undefined }), (tier, message, context) => {
        const body = escalationComment(tier, message === '' ? 'x' : message, context);
        expect(parseCommands(body)).toEqual([{ kind: 'escalate', tier }]);
      }),
      { numRuns: 500 },
    );
  });
});
