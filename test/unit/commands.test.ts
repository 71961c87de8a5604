import { describe, expect, it } from 'vitest';
import { commandAuthors, parseCommands } from '../../src/core/commands.js';
import type { Command } from '../../src/core/model/decision.js';
import { AGENT, HEAD, T0, at, comment, makeFacts, review } from './facts.js';

const approve: Command = { kind: 'approve' };

describe('parseCommands', () => {
  it.each<[string, string, Command[]]>([
    ['bare approve', '/approve', [approve]],
    ['surrounding whitespace', '   /approve  \t', [approve]],
    ['upper case', '/APPROVE', [approve]],
    ['approve cancel', '/Approve   Cancel', [{ kind: 'approve-cancel' }]],
    [
      'extra words are not an approval (its author is told)',
      '/approve this later',
      [{ kind: 'unrecognized', text: '/approve this later', suggestion: '/approve' }],
    ],
    ['inline mention is not a command', 'I will /approve tomorrow', []],
    [
      'a longer word is not an approval (its author is told)',
      '/approved',
      [{ kind: 'unrecognized', text: '/approved', suggestion: '/approve' }],
    ],
    ['veto without reason', '/veto', [{ kind: 'veto' }]],
    ['veto with reason keeps its case', '/veto Breaks the Billing API', [{ kind: 'veto', reason: 'Breaks the Billing API' }]],
    ['veto with colon', '/veto: too risky', [{ kind: 'veto', reason: 'too risky' }]],
    ['veto cancel', '/VETO cancel', [{ kind: 'veto-cancel' }]],
    ['vetoed is not a veto', '/vetoed', []],
    ['escalate hard', '/escalate HARD', [{ kind: 'escalate', tier: 'hard' }]],
    [
      'escalate to nothing',
      '/escalate urgent',
      [{ kind: 'unrecognized', text: '/escalate urgent', suggestion: '/escalate fyi|soft|hard' }],
    ],
    ['explain', '/hitl explain', [{ kind: 'explain' }]],
    ['hitl alone', '/hitl', [{ kind: 'unrecognized', text: '/hitl', suggestion: '/hitl explain' }]],
    ['several lines', 'LGTM\n/approve\n/escalate soft', [approve, { kind: 'escalate', tier: 'soft' }]],
    ['CRLF', 'LGTM\r\n/approve\r\n', [approve]],
    ['CR only', 'LGTM\r/veto\r', [{ kind: 'veto' }]],
    ['quoted', '> /approve', []],
    ['quoted without space', '>/approve', []],
    ['nested quote', '> > /approve', []],
    ['indented quote', '   > /veto', []],
    ['backtick fence', '```\n/approve\n```', []],
    ['tilde fence', '~~~sh\n/approve\n~~~', []],
    ['long fence needs a long close', '````\n```\n/approve\n````\n/veto', [{ kind: 'veto' }]],
    ['tilde fence not closed by backticks', '~~~\n```\n/approve\n~~~', []],
    ['fence indented 3 spaces', '   ```\n/approve\n   ```\n/veto', [{ kind: 'veto' }]],
    ['unclosed fence runs to the end', '```\n/approve', []],
    ['fence in a list item', '- ```\n  /approve\n  ```', []],
    ['fence in a quote does not swallow the next line', '> ```\n/veto', [{ kind: 'veto' }]],
    ['indented code', '    /approve', []],
    ['tab-indented code', '\t/approve', []],
    ['inline code', '`/approve`', []],
    ['after a closed fence', '```\ncode\n```\n/approve', [approve]],
    ['list item is not a command', '- /approve', []],
    ['empty body', '', []],
    ['hidden in an HTML comment', '<!--\n/approve\n-->\n/veto', [{ kind: 'veto' }]],
    ['one-line HTML comment', '<!-- /approve -->\n/approve', [approve]],
    // Typos: a likely veto counts (its author is told how it was read); anything else counts for nothing.
    ['a veto typed with an extra letter', '/vetoo too risky', [{ kind: 'veto', reason: 'too risky', readFrom: '/vetoo too risky' }]],
    ['a veto with two letters swapped', '/vteo', [{ kind: 'veto', readFrom: '/vteo' }]],
    ['a misspelled veto cancel is still a veto', '/veto cancle', [{ kind: 'veto', reason: 'cancle', readFrom: '/veto cancle' }]],
    ['a misspelled approve', '/aprove', [{ kind: 'unrecognized', text: '/aprove', suggestion: '/approve' }]],
    ['a misspelled approve cancel', '/approve cancle', [{ kind: 'unrecognized', text: '/approve cancle', suggestion: '/approve cancel' }]],
    ['a misspelled escalate', '/escalte hrad', [{ kind: 'unrecognized', text: '/escalte hrad', suggestion: '/escalate hard' }]],
    ["other tools' commands stay theirs", '/assign @bob\n/retest\n/lgtm\n/hold\n/label bug\n/vote', []],
  ])('%s', (_name, body, expected) => {
    expect(parseCommands(body)).toEqual(expected);
  });
});

describe('commandAuthors', () => {
  it('names reviewers whose commands need authorization, lower case, once each', () => {
    const facts = makeFacts({
      comments: [
        comment('Alice', '/approve', at(1)),
        comment('alice', '/veto', at(2)),
        comment('bob', '/veto cancel', at(3)),
        comment('carol', '/escalate hard\n/hitl explain', at(4)),
        comment('dave', 'looks good', at(5)),
      ],
    });
    expect(commandAuthors(facts)).toEqual(['alice', 'bob']);
  });

  it('never names the PR author or a bot', () => {
    const facts = makeFacts({
      author: { login: 'Devin', type: 'User' },
      comments: [
        comment('devin', '/approve', at(1)),
        comment({ login: 'ci[bot]', type: 'Bot' }, '/veto', at(1)),
        comment({ login: 'helper', type: 'Bot' }, '/veto', at(1)),
      ],
      reviews: [review(AGENT, 'APPROVED', HEAD, at(2))],
    });
    expect(commandAuthors(facts)).toEqual([]);
  });

  it('names authors of approving reviews and of vetoes in review text', () => {
    const facts = makeFacts({
      reviews: [
        review('erin', 'APPROVED', HEAD, at(1)),
        review('frank', 'COMMENTED', HEAD, at(1), { body: '/veto not yet' }),
        review('gina', 'COMMENTED', HEAD, at(1), { body: 'nice' }),
        review('hal', 'PENDING', HEAD, at(1), { body: '/veto' }),
      ],
    });
    expect(commandAuthors(facts)).toEqual(['erin', 'frank']);
  });

  it('skips permissive commands that are refused whoever sent them (edited comments, review text)', () => {
    const facts = makeFacts({
      comments: [comment('ivan', '/approve', T0, { updatedAt: at(3) }), comment('judy', '/veto', T0, { updatedAt: at(3) })],
      reviews: [review('kim', 'COMMENTED', HEAD, at(1), { body: '/approve' })],
    });
    expect(commandAuthors(facts)).toEqual(['judy']);
  });
});
