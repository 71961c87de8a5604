// Which issue is the dashboard, with GitHub's answers stood in for: the remembered number is read
// directly while it is still the App's issue in this repository; moved (GitHub follows the redirect to
// the new repository), deleted or taken over, it is looked for again by label and author.
import { describe, expect, it } from 'vitest';
import { DASHBOARD_LABEL } from '../../src/core/model/after-merge.js';
import { findDashboard } from '../../src/github/find-dashboard.js';
import { openSession } from '../../src/github/session.js';
import type { GitHubClient } from '../../src/github/client.js';

const identity = { appId: 42, login: 'hitl-gate[bot]' };
const repo = { owner: 'acme', repo: 'app' };
const bot = { login: 'hitl-gate[bot]', type: 'Bot' };
const issue = (number: number, o: Record<string, unknown> = {}) => ({
  number,
  state: 'open',
  title: 't',
  body: 'b',
  user: bot,
  labels: [{ name: DASHBOARD_LABEL }],
  repository_url: 'https://api.github.com/repos/acme/app',
  ...o,
});

function client(get: (n: number) => unknown, listed: unknown[]): { client: GitHubClient; lists: () => number } {
  let lists = 0;
  const c = {
    rest: { issues: { get: async ({ issue_number }: { issue_number: number }) => ({ data: get(issue_number) }), listForRepo: {} } },
    paginate: {
      iterator: () => {
        lists += 1;
        return (async function* () {
          yield { data: listed };
        })();
      },
    },
  };
  return { client: c as unknown as GitHubClient, lists: () => lists };
}

describe('finding the dashboard', () => {
  it('reads the remembered number without listing', async () => {
    const numbers = new Map([['acme/app', 7]]);
    const fake = client(() => issue(7), []);
    expect(await findDashboard(openSession(fake.client, new Date(), undefined), repo, identity, numbers)).toMatchObject({
      number: 7,
      state: 'open',
    });
    expect(fake.lists()).toBe(0);
  });

  it('looks again when the remembered issue moved to another repository', async () => {
    const numbers = new Map([['acme/app', 7]]);
    const fake = client(() => issue(3, { repository_url: 'https://api.github.com/repos/acme/elsewhere' }), [issue(12)]);
    expect(await findDashboard(openSession(fake.client, new Date(), undefined), repo, identity, numbers)).toMatchObject({ number: 12 });
    expect(numbers.get('acme/app')).toBe(12);
  });

  it("looks again when it was deleted (410), and finds none when only others' issues carry the label", async () => {
    const numbers = new Map([['acme/app', 7]]);
    const gone = Object.assign(new Error('This issue was deleted'), { status: 410 });
    const fake = client(() => {
      throw gone;
    }, [
      issue(2, { user: { login: 'eve', type: 'User' } }),
      issue(3, { user: { login: 'hitl-gate[bot]', type: 'User' } }),
      issue(4, { pull_request: {} }),
    ]);
    expect(await findDashboard(openSession(fake.client, new Date(), undefined), repo, identity, numbers)).toBeUndefined();
    expect(numbers.has('acme/app')).toBe(false);
  });

  it('prefers an open dashboard of the App; a closed one is returned as closed, never replaced', async () => {
    const closedOnly = client(() => undefined, [issue(5, { state: 'closed' })]);
    expect(await findDashboard(openSession(closedOnly.client, new Date(), undefined), repo, identity)).toMatchObject({
      number: 5,
      state: 'closed',
    });
    const both = client(() => undefined, [issue(5, { state: 'closed' }), issue(9)]);
    expect(await findDashboard(openSession(both.client, new Date(), undefined), repo, identity)).toMatchObject({
      number: 9,
      state: 'open',
    });
  });
});
