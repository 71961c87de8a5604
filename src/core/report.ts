// Where human attention went: the numbers of `hitl-gate report`, computed from the gate's own record
// of each governed PR (the evidence `hitl-gate audit` prints) and a time. Pure: the same records and
// the same `now` give the same report. A field the record does not carry counts as unknown, never as
// a guess; fields newer gate versions add (`mode`, `after_merge`) are read when present.
import { parseTime } from './time.js';
import type { AuditRecord } from './audit-record.js';
import { type Tier, TIERS } from './model/tier.js';

/** One governed PR as the audit record describes it (the field names of `hitl-gate audit`). Fields that
 * records of older versions lack are optional; `mode` and `after_merge` are read when present. */
export type GovernedPull = Pick<
  AuditRecord,
  | 'pr'
  | 'url'
  | 'title'
  | 'head_sha'
  | 'tier'
  | 'state'
  | 'rules'
  | 'approvals'
  | 'vetoes'
  | 'window_start'
  | 'merged'
  | 'merged_at'
  | 'merged_by_gate'
> &
  Partial<Pick<AuditRecord, 'head_seen_at' | 'closed_at'>> & { mode?: unknown; after_merge?: unknown };

export const OUTCOMES = [
  'merged_after_window',
  'merged_with_approval',
  'merged_no_human',
  'merged_outside_gate',
  'vetoed',
  'closed',
  'waiting',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const OUTCOME_LABELS: Record<Outcome, string> = {
  merged_after_window: 'merged after window',
  merged_with_approval: 'merged with approval',
  merged_no_human: 'merged, no human',
  merged_outside_gate: 'merged outside the gate',
  vetoed: 'vetoed',
  closed: 'closed',
  waiting: 'still open',
};

/** Tiers as the report counts them: a record too old to name its tier is `unknown`. */
export const REPORT_TIERS = [...TIERS, 'unknown'] as const;
export type ReportTier = (typeof REPORT_TIERS)[number];

export const DECISION_KINDS = [
  'approval_comment',
  'approval_review',
  'approval_click',
  'veto',
  'veto_withdrawn',
  'reviewed_after_merge',
  'concern',
  'revert',
] as const;
export type DecisionKind = (typeof DECISION_KINDS)[number];

export const DECISION_LABELS: Record<DecisionKind, string> = {
  approval_comment: 'approved by /approve',
  approval_review: 'approved in a review',
  approval_click: 'approved by button',
  veto: 'vetoed',
  veto_withdrawn: 'veto withdrawn',
  reviewed_after_merge: 'reviewed after merge',
  concern: 'concern raised',
  revert: 'reverted',
};

/** What the gate would have done in observe mode. */
export const WOULD = [
  'would_merge_no_human',
  'would_merge_after_window',
  'would_merge_with_approval',
  'would_block_veto',
  'would_wait_for_approval',
] as const;
export type Would = (typeof WOULD)[number];

export interface WaitStats {
  /** PRs that needed a human, and how many of them got a first human decision. */
  needed: number;
  decided: number;
  /** From "a human is needed" to the first human decision, nearest-rank percentiles; null when none. */
  median_seconds: number | null;
  p90_seconds: number | null;
}

export interface Summary {
  governed: number;
  /** Of them, merged (by the gate or not), and neither merged nor closed at the report's time. */
  merged: number;
  still_open: number;
  prs_by_tier: Record<ReportTier, number>;
  outcomes: Record<Outcome, number>;
  by_tier: Record<ReportTier, Record<Outcome, number>>;
  decisions: Record<DecisionKind, number>;
  /** All of `decisions`. */
  human_decisions: number;
  waits: Record<Tier, WaitStats>;
  observe: { prs: number; would: Record<Would, number> };
}

export interface WeekSummary extends Summary {
  /** The Monday (UTC) that starts the week, YYYY-MM-DD. */
  week: string;
}

export interface OpenWait {
  pr: number;
  url: string;
  title: string;
  tier: ReportTier;
  outcome: 'vetoed' | 'waiting';
  since: string;
  wait_seconds: number;
}

export interface HardRule {
  /** The rule's name; null for hard PRs no hard rule explains (a built-in floor, an escalation, the risk score). */
  rule: string | null;
  prs: number;
  approved: number;
  /** Merged with an approval of the very commit that merged, and never vetoed. */
  approved_unchanged: number;
  vetoed: number;
  still_open: number;
  /** From "a human is needed" to the first approval, nearest rank; null when none. */
  median_seconds_to_approval: number | null;
  p90_seconds_to_approval: number | null;
}

export interface Objection {
  kind: 'veto' | 'concern' | 'revert';
  pr: number;
  url: string;
  title: string;
  tier: ReportTier;
  by: string;
  at: string;
  reason: string | null;
  /** For a veto: when its author withdrew it. */
  withdrawn_at: string | null;
  outcome: Outcome;
}

export interface AttentionReport {
  version: 1;
  repo: string;
  generated_at: string;
  period: { since: string; until: string };
  /** Whether the rules' tiers came from the policy (else every rule of a hard PR counts as sending it there). */
  rule_tiers_known: boolean;
  total: Summary;
  weeks: WeekSummary[];
  /** The longest waits still open, longest first (at most OPEN_WAITS_SHOWN). */
  open_waits: OpenWait[];
  hard_rules: HardRule[];
  objections: Objection[];
  pulls: { pr: number; url: string; title: string; tier: ReportTier; outcome: Outcome; week: string; observe: boolean }[];
}

export interface ReportInput {
  repo: string;
  pulls: readonly GovernedPull[];
  now: Date;
  /** Inclusive start and exclusive end, ms; default: the earliest event and `now`. */
  since?: number;
  until?: number;
  /** Each rule's tier in the policy, to tell which rules sent PRs to `hard`. */
  ruleTiers?: Readonly<Record<string, Tier>>;
}

export const OPEN_WAITS_SHOWN = 10;
const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

const zeros = <K extends string>(keys: readonly K[]): Record<K, number> => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

/** The Monday 00:00 UTC of the week holding `ms`. */
export function weekStart(ms: number): number {
  const day = Math.floor(ms / DAY_MS);
  // 1970-01-01 was a Thursday: day 0 is 3 days after a Monday.
  return (day - ((day + 3) % 7)) * DAY_MS;
}

/** Nearest-rank percentile of sorted values (p in (0, 1]); null when empty. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length))) - 1] as number;
}

interface Event {
  kind: DecisionKind;
  by: string;
  at: string;
  reason: string | null;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

/** Reviews after merge, concerns and reverts from whatever shape the record gives them; entries without who and when are dropped. */
function afterMergeEvents(value: unknown): Event[] {
  if (!isObject(value)) return [];
  const out: Event[] = [];
  const person = (e: unknown, kind: DecisionKind): void => {
    if (!isObject(e)) return;
    const by = str(e.by);
    const at = str(e.at);
    if (by && at && parseTime(at) !== undefined) out.push({ kind, by, at, reason: str(e.reason) });
  };
  const reviewedBy = str(value.reviewed_by);
  const reviewedAt = str(value.reviewed_at);
  if (reviewedBy && reviewedAt) person({ by: reviewedBy, at: reviewedAt }, 'reviewed_after_merge');
  for (const r of asList(value.reviews)) person(r, 'reviewed_after_merge');
  for (const c of [...asList(value.concern), ...asList(value.concerns)]) person(c, 'concern');
  for (const r of [...asList(value.revert), ...asList(value.reverts)]) person(r, 'revert');
  return out;
}

function eventsOf(p: GovernedPull): Event[] {
  const events: Event[] = [];
  for (const a of p.approvals ?? []) events.push({ kind: `approval_${a.via}`, by: a.by, at: a.at, reason: null });
  for (const v of p.vetoes ?? []) {
    events.push({ kind: 'veto', by: v.by, at: v.at, reason: v.reason });
    if (v.withdrawn_at) events.push({ kind: 'veto_withdrawn', by: v.by, at: v.withdrawn_at, reason: null });
  }
  events.push(...afterMergeEvents(p.after_merge));
  return events.filter((e) => parseTime(e.at) !== undefined);
}

const standingVeto = (p: GovernedPull): boolean => (p.vetoes ?? []).some((v) => v.withdrawn_at === null);

export function outcomeOf(p: GovernedPull): Outcome {
  if (p.merged) {
    // A merge the gate did not make is one a person made past it (an admin, a changed protection).
    if (p.merged_by_gate === false) return 'merged_outside_gate';
    if ((p.approvals ?? []).length > 0) return 'merged_with_approval';
    if (p.tier === 'soft') return 'merged_after_window';
    // fyi by design; a hard PR merged with no approval on record is shown as such, never hidden.
    return 'merged_no_human';
  }
  if (standingVeto(p) && p.state !== 'ready') return 'vetoed';
  return p.state === 'closed' ? 'closed' : 'waiting';
}

const observed = (p: GovernedPull): boolean => p.mode === 'observe';

function wouldOf(p: GovernedPull): Would {
  if (p.tier === 'fyi') return 'would_merge_no_human';
  if (standingVeto(p)) return 'would_block_veto';
  if (p.tier === 'soft') return 'would_merge_after_window';
  return (p.approvals ?? []).length > 0 ? 'would_merge_with_approval' : 'would_wait_for_approval';
}

/** When a human became needed: a hard PR from the gate's first decision on its head, a soft one from its window's start. */
function neededSince(p: GovernedPull): number | undefined {
  if (p.tier === 'hard') return parseTime(p.head_seen_at ?? undefined) ?? parseTime(p.window_start ?? undefined);
  if (p.tier === 'soft') return parseTime(p.window_start ?? undefined) ?? parseTime(p.head_seen_at ?? undefined);
  return undefined;
}

/** Seconds from `since` to the earliest of `times` (none before `since` counts as negative). */
function firstAfter(since: number, times: readonly string[]): number | undefined {
  const ms = times.map((t) => parseTime(t)).filter((t): t is number => t !== undefined);
  if (ms.length === 0) return undefined;
  return Math.max(0, Math.round((Math.min(...ms) - since) / 1000));
}

const firstDecision = (p: GovernedPull, since: number): number | undefined =>
  firstAfter(since, [...(p.approvals ?? []).map((a) => a.at), ...(p.vetoes ?? []).map((v) => v.at)]);

function emptySummary(): Summary {
  return {
    governed: 0,
    merged: 0,
    still_open: 0,
    prs_by_tier: zeros(REPORT_TIERS),
    outcomes: zeros(OUTCOMES),
    by_tier: Object.fromEntries(REPORT_TIERS.map((t) => [t, zeros(OUTCOMES)])) as Summary['by_tier'],
    decisions: zeros(DECISION_KINDS),
    human_decisions: 0,
    waits: Object.fromEntries(
      TIERS.map((t) => [t, { needed: 0, decided: 0, median_seconds: null, p90_seconds: null }]),
    ) as Summary['waits'],
    observe: { prs: 0, would: zeros(WOULD) },
  };
}

class SummaryBuilder {
  readonly summary = emptySummary();
  private readonly waits: Record<Tier, number[]> = { fyi: [], soft: [], hard: [] };

  addPull(p: GovernedPull, outcome: Outcome, wait: number | undefined, needed: boolean): void {
    const s = this.summary;
    s.governed += 1;
    if (p.merged) s.merged += 1;
    else if (p.state !== 'closed') s.still_open += 1;
    s.prs_by_tier[p.tier ?? 'unknown'] += 1;
    s.outcomes[outcome] += 1;
    s.by_tier[p.tier ?? 'unknown'][outcome] += 1;
    if (observed(p)) {
      s.observe.prs += 1;
      s.observe.would[wouldOf(p)] += 1;
    }
    if (p.tier && needed) {
      s.waits[p.tier].needed += 1;
      if (wait !== undefined) {
        s.waits[p.tier].decided += 1;
        this.waits[p.tier].push(wait);
      }
    }
  }

  addDecision(kind: DecisionKind): void {
    this.summary.decisions[kind] += 1;
    this.summary.human_decisions += 1;
  }

  done(): Summary {
    for (const t of TIERS) {
      const sorted = [...this.waits[t]].sort((a, b) => a - b);
      this.summary.waits[t].median_seconds = percentile(sorted, 0.5);
      this.summary.waits[t].p90_seconds = percentile(sorted, 0.9);
    }
    return this.summary;
  }
}

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

export function buildReport(input: ReportInput): AttentionReport {
  const nowMs = input.now.getTime();
  const pulls = [...input.pulls].sort((a, b) => a.pr - b.pr);
  const events = pulls.map(eventsOf);
  const times = pulls
    .flatMap((p, i) => [
      parseTime(p.head_seen_at ?? undefined),
      parseTime(p.window_start ?? undefined),
      parseTime(p.closed_at ?? undefined),
      parseTime(p.merged_at ?? undefined),
      ...(events[i] ?? []).map((e) => parseTime(e.at)),
    ])
    .filter((t): t is number => t !== undefined);
  const until = input.until ?? nowMs;
  const since = input.since ?? times.reduce((a, b) => Math.min(a, b), until - 1);
  const firstWeek = weekStart(since);
  const lastWeek = weekStart(Math.max(since, until - 1));
  const weeks = new Map<number, SummaryBuilder>();
  for (let w = firstWeek; w <= lastWeek; w += WEEK_MS) weeks.set(w, new SummaryBuilder());
  // A PR counts in the week it ended, an open one in the last week; one that ended before the period
  // (it is in it because it was updated in it) in the first.
  const weekOf = (ms: number | undefined): number => Math.min(lastWeek, Math.max(firstWeek, weekStart(ms ?? Math.min(nowMs, until - 1))));
  const total = new SummaryBuilder();
  const rules = new Map<string | null, { row: HardRule; toApproval: number[] }>();
  const openWaits: OpenWait[] = [];
  const objections: Objection[] = [];
  const rows: AttentionReport['pulls'] = [];

  pulls.forEach((p, i) => {
    const outcome = outcomeOf(p);
    const tier: ReportTier = p.tier ?? 'unknown';
    const ended = p.merged || p.state === 'closed';
    const week = weekOf(ended ? (parseTime(p.closed_at ?? undefined) ?? parseTime(p.merged_at ?? undefined)) : undefined);
    const need = neededSince(p);
    const wait = need === undefined ? undefined : firstDecision(p, need);
    for (const b of [total, weeks.get(week) as SummaryBuilder]) b.addPull(p, outcome, wait, need !== undefined);
    rows.push({ pr: p.pr, url: p.url, title: p.title, tier, outcome, week: day(week), observe: observed(p) });

    for (const e of events[i] ?? []) {
      const at = parseTime(e.at) as number;
      if (at < since || at >= until) continue;
      total.addDecision(e.kind);
      weeks.get(weekStart(at))?.addDecision(e.kind);
      if (e.kind === 'veto' || e.kind === 'concern' || e.kind === 'revert') {
        const withdrawn = e.kind === 'veto' ? ((p.vetoes ?? []).find((v) => v.by === e.by && v.at === e.at)?.withdrawn_at ?? null) : null;
        objections.push({
          kind: e.kind,
          pr: p.pr,
          url: p.url,
          title: p.title,
          tier,
          by: e.by,
          at: e.at,
          reason: e.reason,
          withdrawn_at: withdrawn,
          outcome,
        });
      }
    }

    if (!ended && need !== undefined && (p.tier === 'hard' || outcome === 'vetoed')) {
      openWaits.push({
        pr: p.pr,
        url: p.url,
        title: p.title,
        tier,
        outcome: outcome === 'vetoed' ? 'vetoed' : 'waiting',
        since: new Date(need).toISOString(),
        wait_seconds: Math.max(0, Math.round((nowMs - need) / 1000)),
      });
    }

    if (p.tier === 'hard') {
      const matched = (p.rules ?? []).filter((r) => (input.ruleTiers ? input.ruleTiers[r] === 'hard' : true));
      const approvals = p.approvals ?? [];
      const toApproval =
        need === undefined
          ? undefined
          : firstAfter(
              need,
              approvals.map((a) => a.at),
            );
      for (const name of matched.length > 0 ? [...new Set(matched)] : [null]) {
        let entry = rules.get(name);
        if (!entry) {
          entry = {
            row: {
              rule: name,
              prs: 0,
              approved: 0,
              approved_unchanged: 0,
              vetoed: 0,
              still_open: 0,
              median_seconds_to_approval: null,
              p90_seconds_to_approval: null,
            },
            toApproval: [],
          };
          rules.set(name, entry);
        }
        const row = entry.row;
        row.prs += 1;
        if (approvals.length > 0) row.approved += 1;
        if (p.merged && approvals.some((a) => a.sha === p.head_sha) && (p.vetoes ?? []).length === 0) row.approved_unchanged += 1;
        if ((p.vetoes ?? []).length > 0) row.vetoed += 1;
        if (!ended) row.still_open += 1;
        if (toApproval !== undefined) entry.toApproval.push(toApproval);
      }
    }
  });

  const hardRules = [...rules.values()]
    .map(({ row, toApproval }) => {
      const sorted = toApproval.sort((a, b) => a - b);
      return { ...row, median_seconds_to_approval: percentile(sorted, 0.5), p90_seconds_to_approval: percentile(sorted, 0.9) };
    })
    .sort((a, b) => b.prs - a.prs || (a.rule === null ? 1 : b.rule === null ? -1 : a.rule.localeCompare(b.rule)));

  return {
    version: 1,
    repo: input.repo,
    generated_at: input.now.toISOString(),
    period: { since: new Date(since).toISOString(), until: new Date(until).toISOString() },
    rule_tiers_known: input.ruleTiers !== undefined,
    total: total.done(),
    weeks: [...weeks.entries()].map(([w, b]) => ({ week: day(w), ...b.done() })),
    open_waits: openWaits.sort((a, b) => b.wait_seconds - a.wait_seconds || a.pr - b.pr).slice(0, OPEN_WAITS_SHOWN),
    hard_rules: hardRules,
    objections: objections.sort((a, b) => a.at.localeCompare(b.at) || a.pr - b.pr),
    pulls: rows,
  };
}
