// The local GitHub simulator and the harness that runs the real App server against it.
export { GitHubSimulator, type FileSpec, type PullSpec, type RepoSpec, type SimulatorOptions } from './simulator.js';
export type { TimelineEntry } from './notify.js';
export type { RecordedRequest } from './rest.js';
export type { Delivery } from './webhooks.js';
export type { Faults, RateLimitEpisode, RestFaults, WebhookFaults } from './faults.js';
export { sign } from './webhooks.js';
export { SlackSimulator, type SlackPost } from './slack.js';
