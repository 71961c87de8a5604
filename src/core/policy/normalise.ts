// The valid policy's data (ajv has filled every default) as the Policy the core works with: camelCase
// keys, durations in milliseconds, merge methods as a list, and the whole frozen.
import { KNOWN_TRAILERS } from '../agents.js';
import { parseDuration } from '../duration.js';
import type { NotifyEvent, NotifyPolicy } from '../model/policy.js';
import type { Policy, Rule } from '../model/policy.js';
import { normaliseAfterMerge } from './normalise-after-merge.js';
import { normaliseAttention } from './normalise-attention.js';
import type { Raw } from './raw.js';

export function normaliseAgents(a: Raw): Policy['agents'] {
  const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);
  // Trailers left out mean the known ones (the schema's default), in a policy that failed validation too.
  return {
    authors: list(a.authors),
    labels: list(a.labels),
    branches: list(a.branches),
    trailers: a.trailers === undefined ? [...KNOWN_TRAILERS] : list(a.trailers),
  };
}

export function normalise(raw: Raw): Policy {
  const r = raw as {
    agents: Raw;
    reviewers: { users: string[]; teams: string[]; permission: Policy['reviewers']['permission'] };
    default: Policy['default'];
    tiers: {
      fyi: { merge: boolean };
      soft: { window: string; merge: boolean };
      hard: { approvals: number; merge: boolean; invalidate_on_push: boolean };
    };
    merge: { method: Policy['merge']['method'] | Policy['merge']['method'][]; update_branch: boolean };
    rules: Raw[];
    risk?: { soft?: number; hard?: number };
  };
  const policy = {
    version: 1,
    ...(raw.mode === 'observe' ? { mode: 'observe' as const } : {}),
    agents: normaliseAgents(r.agents),
    reviewers: { users: r.reviewers.users, teams: r.reviewers.teams, permission: r.reviewers.permission },
    default: r.default,
    tiers: {
      fyi: { merge: r.tiers.fyi.merge },
      soft: { windowMs: parseDuration(r.tiers.soft.window) as number, merge: r.tiers.soft.merge },
      hard: { approvals: r.tiers.hard.approvals, merge: r.tiers.hard.merge, invalidateOnPush: r.tiers.hard.invalidate_on_push },
    },
    merge: normaliseMerge(r.merge),
    rules: r.rules.map(normaliseRule),
    ...(r.risk
      ? {
          risk: {
            ...(r.risk.soft !== undefined ? { soft: r.risk.soft } : {}),
            ...(r.risk.hard !== undefined ? { hard: r.risk.hard } : {}),
          },
        }
      : {}),
    ...(isNotify(raw.notify) ? { notify: normaliseNotify(raw.notify) } : {}),
    ...(raw.after_merge !== undefined ? { afterMerge: normaliseAfterMerge(raw.after_merge) as NonNullable<Policy['afterMerge']> } : {}),
  } satisfies Policy;
  return normaliseAttention(raw, policy);
}

type RawNotify = { slack?: { channel: string; on: NotifyEvent[] }; webhook?: { on: NotifyEvent[] } };
const isNotify = (v: unknown): v is RawNotify => typeof v === 'object' && v !== null;

function normaliseNotify(n: RawNotify): NotifyPolicy {
  return {
    ...(n.slack ? { slack: { channel: n.slack.channel, on: [...n.slack.on] } } : {}),
    ...(n.webhook ? { webhook: { on: [...n.webhook.on] } } : {}),
  };
}

function normaliseMerge(m: { method: Policy['merge']['method'] | Policy['merge']['method'][]; update_branch: boolean }): Policy['merge'] {
  const methods = Array.isArray(m.method) ? m.method : [m.method];
  return { method: methods[0] ?? 'squash', methods, updateBranch: m.update_branch === true };
}

function normaliseRule(r: Raw): Rule {
  const rule: Rule = { name: r.name as string, tier: r.tier as Rule['tier'] };
  if (r.paths !== undefined) rule.paths = r.paths as string[];
  if (r.labels !== undefined) rule.labels = r.labels as string[];
  if (r.authors !== undefined) rule.authors = r.authors as string[];
  if (r.base !== undefined) rule.base = r.base as string[];
  if (r.changed_lines !== undefined) rule.changedLines = r.changed_lines as number;
  if (r.changed_files !== undefined) rule.changedFiles = r.changed_files as number;
  if (r.risk !== undefined) rule.risk = r.risk as number;
  if (r.mode === 'observe' || r.mode === 'enforce') rule.mode = r.mode;
  return rule;
}

/** Loaded policies are shared through the cache: nobody may change one under another's feet. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
