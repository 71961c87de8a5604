// The decision as evidence: a small machine-readable record the gate writes, hidden, into its own
// check run (which only the gate's App can write), so that `hitl-gate audit` can later show from
// GitHub alone who approved which commit, under which rules and policy. Like the ledger it travels
// as base64 JSON inside an HTML comment, and reading it never throws.
import { type Tier, TIERS } from './model/tier.js';
import type { PullRequestFacts } from './model/pull-request.js';
import type { Decision } from './model/decision.js';
import { hiddenMarker, markerPattern } from './hidden-marker.js';
import { clicksOf } from './clicks.js';
import { outcomeOf } from './observe.js';
import { wouldDo } from './render-observe.js';
import { describeApprovers } from './approvers.js';

export interface RecordedApproval {
  by: string;
  at: string;
  via: 'comment' | 'review' | 'click';
  /** The commit approved: a review's own commit; a comment's when it came after the gate first saw the head. */
  sha: string | null;
}

export interface RecordedVeto {
  by: string;
  at: string;
  reason: string | null;
  withdrawnAt: string | null;
}

export interface DecisionRecord {
  tier: Tier;
  state: Decision['state'];
  rules: string[];
  approvals: RecordedApproval[];
  vetoes: RecordedVeto[];
  window: { start: string; end: string } | null;
  policy: { path: string; sha256: string | null };
  /** `observe`: nothing was acted on; `would` says what the gate would have done. Absent: enforce. */
  mode?: 'observe';
  /** Observe mode: what the gate would have done. Observed rules: what they would have added. */
  would?: string;
  /** Rules in `mode: observe` that matched (their demands were shown, not enforced). */
  observedRules?: string[];
  /** A hard PR still missing approvals: who may give them (the dashboard shows it). */
  mayApprove?: string;
}

const MARKER_RE = markerPattern('decision');
const MAX_ENTRIES = 100;
const MAX_REASON = 300;
const MAX_CHARS = 40_000;

export function decisionRecord(decision: Decision, facts: PullRequestFacts): DecisionRecord | undefined {
  if (!decision.governed || decision.tier === 'none') return undefined;
  const seenMs = facts.headSeenAt !== undefined ? Date.parse(facts.headSeenAt) : NaN;
  const approvals = decision.approvals.slice(0, MAX_ENTRIES).map((a): RecordedApproval => {
    const review = a.via === 'review' ? facts.reviews.find((r) => r.id === a.sourceId) : undefined;
    const click = a.via === 'click' ? clicksOf(facts.ledger).find((c) => c.id === a.sourceId) : undefined;
    // A click names the head of the check it was made on; a comment only shows when it was made.
    const sha = review ? review.commitId : click ? click.headSha : Date.parse(a.at) >= seenMs ? facts.headSha : null;
    return { by: a.by, at: a.at, via: a.via, sha: sha || null };
  });
  return {
    tier: decision.tier,
    state: decision.state,
    rules: decision.classification.reasons.flatMap((r) => (r.kind === 'rule' ? [r.rule] : [])),
    approvals,
    vetoes: vetoHistory(decision).slice(0, MAX_ENTRIES),
    window: decision.window ? { start: decision.window.start, end: decision.window.end } : null,
    policy: { path: decision.policy.path, sha256: decision.policy.hash ?? null },
    // Times in full (no "today"): the record is read long after.
    ...(decision.mode === 'observe'
      ? { mode: 'observe' as const, would: wouldDo(decision.observed ?? outcomeOf(decision), Number.NaN) }
      : {}),
    ...(decision.observed && decision.mode !== 'observe'
      ? { observedRules: decision.observed.rules, would: wouldDo(decision.observed, Number.NaN) }
      : {}),
    ...mayApprove(decision),
  };
}

function mayApprove(decision: Decision): Pick<DecisionRecord, 'mayApprove'> {
  const missing = (decision.approvers ?? []).filter((g) => g.missing > 0);
  if (decision.tier !== 'hard' || missing.length === 0) return {};
  return { mayApprove: [...new Set(missing.map((g) => describeApprovers(g.reviewers)))].join('; ').slice(0, MAX_REASON) };
}

/** Every veto that counted, active or not: the accepted `/veto` commands, and the ones only the ledger
 * still remembers (their comment edited away or deleted). A veto is withdrawn by its author's next
 * accepted `/veto cancel`. */
function vetoHistory(decision: Decision): RecordedVeto[] {
  const out: (RecordedVeto & { login: string; id: number })[] = [];
  for (const v of decision.commands) {
    if (!v.accepted || v.command.kind !== 'veto') continue;
    out.push({
      by: v.by,
      at: v.at,
      reason: v.command.reason?.slice(0, MAX_REASON) ?? null,
      withdrawnAt: null,
      login: v.by.toLowerCase(),
      id: v.source.id,
    });
  }
  for (const r of decision.ledger.vetoes) {
    if (out.some((v) => v.id === r.commentId)) continue;
    out.push({
      by: r.by,
      at: r.at,
      reason: r.reason?.slice(0, MAX_REASON) ?? null,
      withdrawnAt: null,
      login: r.by.toLowerCase(),
      id: r.commentId,
    });
  }
  const cancels = decision.commands.filter((v) => v.accepted && v.command.kind === 'veto-cancel');
  for (const veto of out) {
    const at = Date.parse(veto.at);
    const cancel = cancels.find((c) => c.by.toLowerCase() === veto.login && Date.parse(c.at) > at);
    if (cancel) veto.withdrawnAt = cancel.at;
  }
  // Still standing now? Then it was not withdrawn, whatever the comments say (a cancel the gate refused).
  const active = new Set(decision.vetoes.map((v) => v.commentId));
  return out.map(({ login: _l, id, ...v }) => (active.has(id) ? { ...v, withdrawnAt: null } : v)).sort((a, b) => a.at.localeCompare(b.at));
}

export function decisionMarker(record: DecisionRecord): string {
  let fitted = record;
  let encoded = Buffer.from(JSON.stringify(fitted), 'utf8').toString('base64');
  if (encoded.length > MAX_CHARS) {
    fitted = { ...record, vetoes: record.vetoes.map((v) => ({ ...v, reason: null })) };
    encoded = Buffer.from(JSON.stringify(fitted), 'utf8').toString('base64');
  }
  return hiddenMarker('decision', encoded);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** The record in a check run's text, or undefined. Never throws; drops entries it cannot read. */
export function readDecisionRecord(text: string | null | undefined): DecisionRecord | undefined {
  if (typeof text !== 'string') return undefined;
  let last: string | undefined;
  for (const m of text.matchAll(MARKER_RE)) last = m[1];
  if (last === undefined || last.length > MAX_CHARS * 2) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(Buffer.from(last, 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isObject(data) || !(TIERS as readonly unknown[]).includes(data.tier)) return undefined;
  const list = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter(isObject) : []);
  const window =
    isObject(data.window) && str(data.window.start) && str(data.window.end)
      ? { start: str(data.window.start) as string, end: str(data.window.end) as string }
      : null;
  const policy = isObject(data.policy) ? data.policy : {};
  return {
    tier: data.tier as Tier,
    state: (['ready', 'waiting', 'blocked', 'ignored'] as const).find((s) => s === data.state) ?? 'blocked',
    rules: Array.isArray(data.rules) ? data.rules.filter((r): r is string => typeof r === 'string') : [],
    approvals: list(data.approvals).flatMap((a) =>
      str(a.by) && str(a.at) && (a.via === 'comment' || a.via === 'review' || a.via === 'click')
        ? [{ by: str(a.by) as string, at: str(a.at) as string, via: a.via, sha: str(a.sha) }]
        : [],
    ),
    vetoes: list(data.vetoes).flatMap((v) =>
      str(v.by) && str(v.at)
        ? [{ by: str(v.by) as string, at: str(v.at) as string, reason: str(v.reason), withdrawnAt: str(v.withdrawnAt) }]
        : [],
    ),
    window,
    policy: { path: str(policy.path) ?? '', sha256: str(policy.sha256) },
    ...(data.mode === 'observe' ? { mode: 'observe' as const } : {}),
    ...(str(data.would) !== null ? { would: str(data.would) as string } : {}),
    ...(Array.isArray(data.observedRules) ? { observedRules: data.observedRules.filter((r): r is string => typeof r === 'string') } : {}),
    ...(str(data.mayApprove) !== null ? { mayApprove: (str(data.mayApprove) as string).slice(0, MAX_REASON) } : {}),
  };
}
