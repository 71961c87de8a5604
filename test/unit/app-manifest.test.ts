// The App manifest asks for exactly what the App uses.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { COMMENT_EVENTS, PULL_REQUEST_EVENTS, REVIEW_EVENTS } from '../../src/app/gate.js';

const manifest = parse(readFileSync(new URL('../../app.yml', import.meta.url), 'utf8')) as { default_events: string[]; default_permissions: Record<string, string> };

describe('app.yml', () => {
  it('subscribes to exactly the events the App handles (installation events come to every App)', () => {
    const handled = new Set([...PULL_REQUEST_EVENTS, ...COMMENT_EVENTS, ...REVIEW_EVENTS, 'check_run.rerequested', 'check_suite.rerequested', 'check_suite.completed'].map((e) => e.split('.')[0]));
    expect(new Set(manifest.default_events)).toEqual(handled);
  });

  it('asks for the least permissions: read everywhere except checks, comments, and contents to merge', () => {
    expect(manifest.default_permissions).toEqual({ checks: 'write', contents: 'write', issues: 'write', pull_requests: 'write', members: 'read', metadata: 'read' });
  });
});
