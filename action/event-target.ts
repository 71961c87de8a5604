// Which pull request (or the whole repository) a workflow run is about, from the event that started it.
// Only events whose payload names the PR by itself are accepted: the PR's number comes from GitHub,
// and the PR itself is re-read through the API, never from the head branch's files.
import { ConfigurationError, type ActionEvent, type Mode } from './inputs.js';

export const PULL_REQUEST_TRIGGERS = ['pull_request', 'pull_request_target', 'pull_request_review', 'issue_comment'] as const;
export const REPOSITORY_EVENTS = ['schedule', 'workflow_dispatch'] as const;
/** A merge queue asks for checks on a group: the gate says whether every PR it adds may merge now. */
export const MERGE_GROUP_EVENT = 'merge_group';

export type Target =
  /** `firstHead`: the event opened the PR with this head, which cannot carry an earlier record of the gate's. */
  | { kind: 'pull-request'; number: number; firstHead?: string }
  | { kind: 'repository' }
  /** A merge queue's group (`merge_group` of the payload): judged PR by PR. */
  | { kind: 'merge-group'; group: Record<string, unknown> }
  /** The event is about something the gate does not govern (a comment on a plain issue): say so and stop. */
  | { kind: 'nothing'; notice: string };

export function targetOfEvent(event: ActionEvent, mode: Mode): Target {
  const supported = [...PULL_REQUEST_TRIGGERS, ...REPOSITORY_EVENTS, MERGE_GROUP_EVENT] as readonly string[];
  if (!supported.includes(event.name)) {
    throw new ConfigurationError(
      `hitl-gate does not handle the \`${event.name}\` event. Run it on ${PULL_REQUEST_TRIGGERS.join(', ')} or ${MERGE_GROUP_EVENT} ` +
        `(mode check or full) or on ${REPOSITORY_EVENTS.join(', ')} (mode sweep).`,
    );
  }
  if (event.name === MERGE_GROUP_EVENT) {
    if (mode === 'sweep')
      throw new ConfigurationError(
        `Mode \`sweep\` does not answer a merge queue. Use \`mode: check\` or \`mode: full\` on ${MERGE_GROUP_EVENT}.`,
      );
    const group = asObject(event.payload.merge_group);
    // A group whose payload says nothing usable is still judged (and fails): never a silent pass.
    return { kind: 'merge-group', group: group ?? {} };
  }
  if (mode === 'sweep') return { kind: 'repository' };
  if ((REPOSITORY_EVENTS as readonly string[]).includes(event.name)) {
    throw new ConfigurationError(
      `Mode \`${mode}\` gates one pull request, but \`${event.name}\` is not about one. Use \`mode: sweep\` on ${event.name}.`,
    );
  }
  if (event.name === 'issue_comment') {
    const issue = asObject(event.payload.issue);
    if (!issue || !asObject(issue.pull_request)) {
      const number = issue && typeof issue.number === 'number' ? ` #${issue.number}` : '';
      return { kind: 'nothing', notice: `The comment is on issue${number}, not on a pull request: nothing to gate.` };
    }
    return { kind: 'pull-request', number: readNumber(issue.number, 'issue.number') };
  }
  const pullRequest = asObject(event.payload.pull_request);
  if (!pullRequest) {
    throw new ConfigurationError(`The \`${event.name}\` event payload has no pull_request object.`);
  }
  // Only the number is taken from the payload. A re-run job replays its original payload, whose head
  // may be long gone: reconcile reads the PR as GitHub holds it now.
  // A PR's first head (the `opened` event) is told to reconcile, which then does not search earlier heads
  // for a record; it honours it only while the PR's head is still that one (a re-run replays old payloads).
  const head = asObject(pullRequest.head);
  const firstHead =
    event.payload.action === 'opened' && head && typeof head.sha === 'string' && /^[0-9a-f]{40}$/.test(head.sha) ? head.sha : undefined;
  return { kind: 'pull-request', number: readNumber(pullRequest.number, 'pull_request.number'), ...(firstHead ? { firstHead } : {}) };
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function readNumber(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new ConfigurationError(`The event payload's ${field} is not a pull request number.`);
  }
  return value;
}
