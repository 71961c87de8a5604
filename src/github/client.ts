// The one thing the shell needs from GitHub: an Octokit with the REST endpoint methods and paginate.
// Probot's per-installation octokit and @actions/github's getOctokit() both satisfy it, so the App and
// the Action hand their own client in and keep their own retries and pacing. `graphql` is used for
// the merge queue only (GitHub has no REST endpoint to enqueue or dequeue); everything else is REST.
import type { Octokit } from '@octokit/core';
import type { Api } from '@octokit/plugin-rest-endpoint-methods';
import type { PaginateInterface } from '@octokit/plugin-paginate-rest';

export type GitHubClient = Pick<Octokit, 'request' | 'graphql'> & Api & { paginate: PaginateInterface };
