// When the policy lets a pull request merge, what GitHub still needs before it will, and how the gate
// merges: the single place that chooses the method and the way (a merge, an update of the branch, or
// waiting). Its list of needs feeds the status comment, the `hitl` check's summary and the log line,
// so a PR the policy lets through is never left stalled without a word (design.md, invariant 7).
//
// GitHub's answer is the authority: the gate never merges past `mergeable_state` on its own. The two
// exceptions are narrow: a `blocked` or `unstable` state that the gate's own check (turning green in
// this very plan) explains; and a ruleset that lists the gate as a bypass actor for pull requests,
// where the gate merges past missing reviews only with every required check green, verified itself.
import type { MergeMethod } from './model/policy.js';
import type { PullRequestFacts } from './model/pull-request.js';
import type { Decision } from './model/decision.js';
import { CHECK_NAME, type GitHubView } from './model/effects.js';
import { chooseMergeMethod, methodsRefusedIn, type MethodVerdict } from './merge-method.js';
import { escapeText } from './markdown.js';

/** The key under which a check run is also known by the app that reported it: a required check pinned
 * to an app (`integration_id`) is satisfied only by that app's run, never by a same-named status anyone
 * with write access could post (which matters most when the gate merges as a bypass actor). */
export function pinnedCheck(name: string, appId: number | undefined): string | undefined {
  return appId === undefined ? undefined : `${name}\u0000app:${appId}`;
}
const isPinnedKey = (key: string): boolean => key.includes('\u0000');

/** How the policy asks the gate to merge (`merge:` in the policy). */
export interface MergeSettings {
  /** In order of preference. */
  methods: MergeMethod[];
  /** Bring a branch that is behind its base up to date (`PUT …/update-branch`). */
  updateBranch: boolean;
}

export type MergeNeed =
  | { kind: 'reviews'; missing: number; required: number; ruleset: string }
  /** `unseen`: not among the check runs, and the statuses were not read: waited for, nothing more known. */
  | { kind: 'check'; name: string; state: 'pending' | 'failure' | 'missing' | 'unseen'; ruleset: string }
  | { kind: 'other-checks'; state: 'pending' | 'failure'; names: string[] }
  | { kind: 'behind'; updating: boolean }
  | { kind: 'method'; verdicts: MethodVerdict[] }
  | { kind: 'conflict' }
  | { kind: 'rules-unreadable'; message: string }
  | { kind: 'blocked'; unknownRules: string[] }
  | { kind: 'refused'; message: string };

export type MergeWay =
  | {
      kind: 'merge';
      method: MergeMethod;
      /** The ruleset the gate merges past as a bypass actor. */
      bypass?: string;
      /** GitHub says `blocked` for a reason the gate cannot read (classic protection): asked once, so
       * that GitHub's own refusal says why. GitHub still enforces every rule on it. */
      probe?: true;
    }
  | { kind: 'update-branch' }
  | { kind: 'wait' };

export interface MergeAssessment {
  way: MergeWay;
  /** What GitHub still needs, in the order a maintainer would act on it. Empty when nothing is known
   * to stand in the way (or the policy does not let the PR merge: the decision says why). */
  needs: MergeNeed[];
}

const WRITE = new Set(['write', 'maintain', 'admin']);

/** Approving reviews GitHub would count: each person's latest verdict, by a user (apps never count),
 * with write access when the gate knows it, of the head when stale approvals are dismissed. */
export function countedApprovals(
  facts: Pick<PullRequestFacts, 'reviews' | 'author' | 'authorizations' | 'headSha'>,
  dismissStale: boolean,
): number {
  const latest = new Map<string, PullRequestFacts['reviews'][number]>();
  const ordered = [...facts.reviews].sort((a, b) => Date.parse(a.submittedAt) - Date.parse(b.submittedAt));
  for (const r of ordered) {
    if (!['APPROVED', 'CHANGES_REQUESTED', 'DISMISSED'].includes(r.state)) continue;
    latest.set(r.author.login.toLowerCase(), r);
  }
  let n = 0;
  for (const [login, r] of latest) {
    if (r.state !== 'APPROVED' || r.author.type !== 'User') continue;
    if (login === facts.author.login.toLowerCase()) continue;
    const permission = facts.authorizations[login]?.permission;
    if (permission !== undefined && !WRITE.has(permission)) continue;
    if (dismissStale && r.commitId !== facts.headSha) continue;
    n += 1;
  }
  return n;
}

/** Whether the gate's own check turns green in this plan (it was not green before). */
export function gateCheckTurnsGreen(decision: Decision, view: GitHubView): boolean {
  const green = decision.state === 'ready' || decision.state === 'ignored';
  const wasGreen = view.checkRun?.status === 'completed' && view.checkRun.conclusion === 'success';
  return green && !wasGreen;
}

export function assessMerge(decision: Decision, facts: PullRequestFacts, view: GitHubView, settings: MergeSettings): MergeAssessment {
  const wait: MergeAssessment = { way: { kind: 'wait' }, needs: [] };
  if (!decision.merge || decision.state !== 'ready' || facts.draft || facts.state !== 'open' || facts.merged) return wait;
  const base = view.base;
  const rules = base?.rules;
  const refusal = base?.refusal && base.refusal.sha === facts.headSha ? base.refusal : undefined;
  const state = view.mergeableState;
  const turnsGreen = gateCheckTurnsGreen(decision, view);
  const needs: MergeNeed[] = [];

  const choice = chooseMergeMethod(settings.methods, base?.repositoryMethods, rules, methodsRefusedIn(refusal?.message));
  if (!choice.method) needs.push({ kind: 'method', verdicts: choice.verdicts });
  if (base?.rulesError) needs.push({ kind: 'rules-unreadable', message: base.rulesError });

  // Required checks, verified by the gate itself (what a bypass actor would otherwise skip).
  const checks = base?.checks;
  let requiredGreen = true;
  const required = new Set<string>();
  for (const rc of rules?.requiredChecks ?? []) {
    // The gate's own check is never a requirement it waits for: it writes it.
    if (rc.context === CHECK_NAME || required.has(rc.context)) continue;
    required.add(rc.context);
    const v = checks?.[rc.integrationId !== undefined ? pinnedCheck(rc.context, rc.integrationId)! : rc.context];
    if (v === 'success') continue;
    requiredGreen = false;
    if (base)
      needs.push({ kind: 'check', name: rc.context, state: v ?? (base.statusesUnread ? 'unseen' : 'missing'), ruleset: rc.ruleset.name });
  }
  // Checks still running are what "merges as soon as the other checks pass" already says; a failed one
  // is a stall a maintainer must hear about.
  if (view.otherChecks === 'failure' && base) {
    const names = Object.entries(checks ?? {})
      .filter(([n, v]) => !isPinnedKey(n) && !required.has(n) && v === 'failure')
      .map(([n]) => n)
      .sort();
    if (names.length > 0 || !needs.some((n) => n.kind === 'check' && n.state === 'failure'))
      needs.push({ kind: 'other-checks', state: 'failure', names });
  }
  if (view.mergeable === false) needs.push({ kind: 'conflict' });
  if (state === 'behind') needs.push({ kind: 'behind', updating: settings.updateBranch });

  const bypass = rules?.reviews?.ruleset.canBypass ? rules.reviews.ruleset.name : undefined;
  let reviewsMissing = false;
  if (rules?.reviews && !bypass && !['clean', 'has_hooks', 'unstable'].includes(state)) {
    const counted = countedApprovals(facts, rules.reviews.dismissStaleOnPush);
    if (counted < rules.reviews.count) {
      reviewsMissing = true;
      needs.push({
        kind: 'reviews',
        missing: rules.reviews.count - counted,
        required: rules.reviews.count,
        ruleset: rules.reviews.ruleset.name,
      });
    }
  }
  if (refusal) needs.push({ kind: 'refused', message: refusal.message });
  else if (base && state === 'blocked' && !turnsGreen && !bypass && needs.length === 0) {
    needs.push({ kind: 'blocked', unknownRules: [...new Set((rules?.other ?? []).map((o) => o.type))] });
  }

  const ways = (way: MergeWay): MergeAssessment => ({ way, needs: way.kind === 'merge' ? [] : needs });
  if (!choice.method || base?.rulesError) return ways({ kind: 'wait' });
  if (view.mergeable !== true) return ways({ kind: 'wait' });
  if (view.otherChecks !== 'success' && view.otherChecks !== 'none') return ways({ kind: 'wait' });
  if (!requiredGreen) return ways({ kind: 'wait' });
  const method = choice.method;
  if (state === 'clean' || state === 'has_hooks') return ways({ kind: 'merge', method });
  if (state === 'behind') return ways(settings.updateBranch ? { kind: 'update-branch' } : { kind: 'wait' });
  // GitHub refused this very head: ask again only once GitHub's own view changes (an event, the sweep).
  if (refusal) return ways({ kind: 'wait' });
  // Every other check passed (verified above): what GitHub waits for is the gate's own check, which
  // turns green in this plan (a required `hitl` makes it `blocked`, a non-required one `unstable`).
  if ((state === 'blocked' || state === 'unstable') && turnsGreen && !reviewsMissing) return ways({ kind: 'merge', method });
  // An admin made the gate a bypass actor of the ruleset that requires reviews: it merges what its
  // policy allows, with every required check green (checked above, not left to GitHub).
  if (state === 'blocked' && bypass && rules) return ways({ kind: 'merge', method, bypass });
  // Blocked by something the gate cannot read (classic branch protection is not readable without
  // administration permission): ask once. GitHub enforces every protection on the request, and its
  // refusal, kept in the ledger for this head, then says why; it is not asked again until GitHub's
  // view changes.
  if (state === 'blocked' && needs.length === 1 && needs[0]!.kind === 'blocked') return ways({ kind: 'merge', method, probe: true });
  return ways({ kind: 'wait' });
}

const METHOD_WORDS: Record<MergeMethod, string> = { merge: 'merge commits', squash: 'squash merges', rebase: 'rebase merges' };
const italic = (name: string): string => `*${escapeText(name, 100)}*`;
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function describeMethod(v: MethodVerdict): string {
  const what = METHOD_WORDS[v.method];
  switch (v.refusedBy) {
    case 'repository':
      return `${what} are not allowed here (repository settings)`;
    case 'ruleset':
      return `${what} are not allowed here (ruleset ${italic(v.ruleset ?? 'a ruleset')})`;
    case 'linear-history':
      return `${what} are not allowed here: ruleset ${italic(v.ruleset ?? 'a ruleset')} requires a linear history`;
    case 'github':
      return `${what} are not allowed here (GitHub refused one)`;
    default:
      return `${what} are allowed`;
  }
}

/** One need in words a maintainer acts on (Markdown, every name escaped). */
export function describeNeed(need: MergeNeed, baseRef: string): string {
  const base = escapeText(baseRef, 100);
  switch (need.kind) {
    case 'reviews':
      return `GitHub still requires ${plural(need.missing, 'approving review')} (ruleset ${italic(need.ruleset)}) from someone with write access; approvals by apps do not count`;
    case 'check':
      return need.state === 'pending'
        ? `waiting for the required check ${italic(need.name)} (in progress)`
        : need.state === 'unseen'
          ? `waiting for the required check ${italic(need.name)}`
          : need.state === 'failure'
            ? `the required check ${italic(need.name)} failed`
            : `the required check ${italic(need.name)} has not reported on this commit`;
    case 'other-checks': {
      const names = need.names.length ? `: ${need.names.slice(0, 10).map(italic).join(', ')}` : '';
      if (need.state === 'pending') return `waiting for other checks${names}`;
      return need.names.length ? `${need.names.slice(0, 10).map(italic).join(', ')} failed` : 'other checks failed';
    }
    case 'behind':
      return `the branch is behind ${base} and must be up to date${need.updating ? '; the gate updates it' : ' (update it, or set `merge.update_branch: true`)'}`;
    case 'method':
      return `none of the policy's merge methods can be used: ${need.verdicts.map(describeMethod).join('; ')}`;
    case 'conflict':
      return `the branch has conflicts with ${base} that must be resolved`;
    case 'rules-unreadable':
      return `the rules of ${base} could not be read (${escapeText(need.message, 200)}); the gate merges nothing it cannot explain and looks again`;
    case 'blocked':
      return `GitHub reports the merge blocked by a protection the gate cannot read (classic branch protection${need.unknownRules.length ? ` or the rules ${need.unknownRules.map(italic).join(', ')}` : ''})`;
    case 'refused':
      return `GitHub refused the merge: “${escapeText(need.message, 300)}”`;
  }
}

/** Where admins read how to set up the base branch. */
export const PROTECTED_BRANCHES_DOCS = 'docs/protected-branches.md';
