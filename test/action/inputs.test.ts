// Input and event handling, in-process: what a workflow author gets for each mistake.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { targetOfEvent } from '../../action/event-target.js';
import { ConfigurationError, readEnvironment, readInputs } from '../../action/inputs.js';

const inputs = (values: Record<string, string>) => (name: string) => values[name] ?? '';

describe('readInputs', () => {
  it('fills the documented defaults', () => {
    expect(readInputs(inputs({ token: 't' }))).toEqual({
      token: 't',
      mode: 'check',
      policyPath: '.github/hitl.yml',
      testsPath: '.github/hitl-tests',
      appSlug: 'github-actions',
    });
  });

  it('accepts every mode, in any case', () => {
    for (const mode of ['check', 'full', 'sweep', 'FULL']) {
      expect(readInputs(inputs({ token: 't', mode })).mode).toBe(mode.toLowerCase());
    }
  });

  it('rejects an unknown mode and names the valid ones', () => {
    expect(() => readInputs(inputs({ token: 't', mode: 'auto-merge' }))).toThrow(ConfigurationError);
    expect(() => readInputs(inputs({ token: 't', mode: 'auto-merge' }))).toThrow(
      'Input `mode` is "auto-merge"; expected one of: check, full, sweep, test.',
    );
  });

  it('rejects an empty token (a secret that does not exist in this repository)', () => {
    expect(() => readInputs(inputs({ token: '  ' }))).toThrow(/Input `token` is empty/);
  });

  it('rejects a policy path outside the repository', () => {
    expect(() => readInputs(inputs({ token: 't', policy: '../secrets.yml' }))).toThrow(/inside the repository/);
    expect(() => readInputs(inputs({ token: 't', policy: '/etc/hitl.yml' }))).toThrow(/inside the repository/);
  });

  it('rejects an app slug that is not one', () => {
    expect(() => readInputs(inputs({ token: 't', 'app-slug': 'my app/../x' }))).toThrow(/app-slug/);
  });

  it("takes the job's own check run id as a number, and refuses anything else with what to write", () => {
    expect(readInputs(inputs({ token: 't', 'job-check-run-id': '51725241954' })).jobCheckRunId).toBe(51725241954);
    expect(readInputs(inputs({ token: 't' })).jobCheckRunId).toBeUndefined();
    for (const bad of ['abc', '-4', '0', '1.5', '${{ job.check_run_id }}']) {
      expect(() => readInputs(inputs({ token: 't', 'job-check-run-id': bad }))).toThrow(/job\.check_run_id/);
    }
  });
});

describe('readEnvironment', () => {
  it('reads the event, the repository and GITHUB_API_URL (GitHub Enterprise Server)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hitl-env-'));
    try {
      writeFileSync(join(dir, 'event.json'), JSON.stringify({ pull_request: { number: 7 } }));
      const env = readEnvironment({
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_EVENT_PATH: join(dir, 'event.json'),
        GITHUB_REPOSITORY: 'acme/widgets',
        GITHUB_API_URL: 'https://ghe.example.com/api/v3/',
      });
      expect(env).toEqual({
        event: { name: 'pull_request', payload: { pull_request: { number: 7 } } },
        owner: 'acme',
        repo: 'widgets',
        apiUrl: 'https://ghe.example.com/api/v3',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('defaults to api.github.com and an empty payload', () => {
    expect(readEnvironment({ GITHUB_EVENT_NAME: 'schedule', GITHUB_REPOSITORY: 'acme/widgets' })).toMatchObject({
      apiUrl: 'https://api.github.com',
      event: { payload: {} },
    });
  });

  it('says so when it is not inside a workflow', () => {
    expect(() => readEnvironment({ GITHUB_REPOSITORY: 'acme/widgets' })).toThrow(/GITHUB_EVENT_NAME is not set/);
    expect(() => readEnvironment({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_REPOSITORY: 'widgets' })).toThrow(/expected owner\/repo/);
  });

  it('rejects a payload that is not a JSON object', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hitl-env-'));
    try {
      writeFileSync(join(dir, 'event.json'), '{ nope');
      expect(() =>
        readEnvironment({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: join(dir, 'event.json'), GITHUB_REPOSITORY: 'a/b' }),
      ).toThrow(/not JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('targetOfEvent', () => {
  const pr = { pull_request: { number: 12 } };

  it('takes the number from every pull request event', () => {
    for (const name of ['pull_request', 'pull_request_target', 'pull_request_review']) {
      expect(targetOfEvent({ name, payload: pr }, 'check')).toEqual({ kind: 'pull-request', number: 12 });
    }
    const comment = { issue: { number: 12, pull_request: { url: 'x' } } };
    expect(targetOfEvent({ name: 'issue_comment', payload: comment }, 'full')).toEqual({ kind: 'pull-request', number: 12 });
  });

  it('turns a comment on a plain issue into a notice', () => {
    const target = targetOfEvent({ name: 'issue_comment', payload: { issue: { number: 3 } } }, 'check');
    expect(target).toEqual({ kind: 'nothing', notice: 'The comment is on issue #3, not on a pull request: nothing to gate.' });
  });

  it('sweeps the repository in sweep mode, whatever the event', () => {
    for (const name of ['schedule', 'workflow_dispatch', 'pull_request']) {
      expect(targetOfEvent({ name, payload: pr }, 'sweep')).toEqual({ kind: 'repository' });
    }
  });

  it('refuses events it does not handle, in every mode', () => {
    for (const mode of ['check', 'full', 'sweep'] as const) {
      expect(() => targetOfEvent({ name: 'push', payload: {} }, mode)).toThrow(/does not handle the `push` event/);
    }
  });

  it('asks for sweep mode on schedule and workflow_dispatch', () => {
    expect(() => targetOfEvent({ name: 'schedule', payload: {} }, 'check')).toThrow('Use `mode: sweep` on schedule.');
    expect(() => targetOfEvent({ name: 'workflow_dispatch', payload: {} }, 'full')).toThrow('Use `mode: sweep` on workflow_dispatch.');
  });

  it('rejects a payload without a usable pull request number', () => {
    expect(() => targetOfEvent({ name: 'pull_request', payload: {} }, 'check')).toThrow(/no pull_request object/);
    expect(() => targetOfEvent({ name: 'pull_request', payload: { pull_request: { number: '12' } } }, 'check')).toThrow(
      /not a pull request number/,
    );
  });
});
