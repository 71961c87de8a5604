import { describe, expect, it } from 'vitest';
import { ProbotOctokit } from 'probot';
import { getOctokit } from '@actions/github';
import type { GitHubClient } from '../../src/github/index.js';

describe('GitHubClient', () => {
  it('is satisfied by both faces\' clients', () => {
    const fromProbot: GitHubClient = new ProbotOctokit({ auth: { token: 'test' } });
    const fromAction: GitHubClient = getOctokit('test');
    expect(typeof fromProbot.rest.pulls.get).toBe('function');
    expect(typeof fromAction.paginate).toBe('function');
  });
});
