// The shell over GitHub, shared by the App and the Action.
export type { GitHubClient } from './client.js';
export type { GateIdentity } from './identity.js';
export { isOwnCheckRun, isOwnComment } from './identity.js';
export type { PullRequestRef, RepositoryRef, ReconcileOptions, ReconcileOutcome, ReconcileLog, SweepOptions } from './types.js';
export { reconcile } from './reconcile.js';
export { sweep } from './sweep.js';
export { answerMergeGroup, type MergeGroupAnswer, type MergeGroupOptions, type MergeGroupPayload } from './answer-merge-group.js';
export { parseMergeGroupRef } from '../core/merge-group.js';
export type { SweepMemo, QuietPullsOptions } from './types.js';
