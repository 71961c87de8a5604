// Real webhook payloads (@octokit/webhooks-examples), adapted to the pull request a test is about.
// The Action takes only the PR's number from them; everything else it reads through the API.
import { createRequire } from 'node:module';
import type { WebhookEventMap, WebhookEventName } from '@octokit/webhooks-types';
import type { WebhookDefinition } from '@octokit/webhooks-examples';

const definitions = createRequire(import.meta.url)('@octokit/webhooks-examples') as WebhookDefinition[];

function example<N extends WebhookEventName>(name: N, action?: string): WebhookEventMap[N] {
  const found = definitions
    .find((d): d is WebhookDefinition<N> => d.name === name)
    ?.examples.find((e) => action === undefined || (e as { action?: string }).action === action);
  if (!found) throw new Error(`no ${name}${action ? `.${action}` : ''} example in @octokit/webhooks-examples`);
  return structuredClone(found);
}

export interface PullRequestLike {
  number: number;
  headSha: string;
  headRef: string;
  user: { login: string; type: string };
}

export function pullRequestEvent(pull: PullRequestLike, action = 'opened'): WebhookEventMap['pull_request'] {
  const payload = example('pull_request', action);
  payload.number = pull.number;
  payload.pull_request.number = pull.number;
  payload.pull_request.user = { ...payload.pull_request.user, login: pull.user.login, type: pull.user.type as 'User' | 'Bot' };
  payload.pull_request.head = { ...payload.pull_request.head, sha: pull.headSha, ref: pull.headRef };
  return payload;
}

export function reviewEvent(pull: PullRequestLike): WebhookEventMap['pull_request_review'] {
  const payload = example('pull_request_review', 'submitted');
  payload.pull_request.number = pull.number;
  payload.pull_request.head = { ...payload.pull_request.head, sha: pull.headSha, ref: pull.headRef };
  return payload;
}

/** A comment on a pull request: GitHub sends it as an issue with a `pull_request` link. */
export function pullRequestCommentEvent(pull: PullRequestLike, body: string, login: string): WebhookEventMap['issue_comment'] {
  const payload = example('issue_comment', 'created');
  const url = `https://api.github.com/repos/Codertocat/Hello-World/pulls/${pull.number}`;
  payload.issue.number = pull.number;
  payload.issue.pull_request = { url, html_url: url, diff_url: `${url}.diff`, patch_url: `${url}.patch`, merged_at: null };
  payload.comment.body = body;
  payload.comment.user = { ...payload.comment.user, login };
  return payload;
}

/** A comment on a plain issue, as the examples ship it. */
export function issueCommentEvent(): WebhookEventMap['issue_comment'] {
  const payload = example('issue_comment', 'created');
  delete payload.issue.pull_request;
  return payload;
}

export function workflowDispatchEvent(): WebhookEventMap['workflow_dispatch'] {
  return example('workflow_dispatch');
}
