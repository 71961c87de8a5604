// What observe mode says (observe.ts): the same decision, told as what the gate WOULD do. The check
// run's title starts "Observe mode:", the status comment says what would happen and that nothing did.
import type { ApproverStatus, Decision, ObservedOutcome } from './model/decision.js';
import { code, escapeText, person } from './markdown.js';
import { outcomeOf } from './observe.js';
import { formatUtc, parseTime } from './time.js';

/** How a command or a name is shown: plain in a check run's title, Markdown in comments. */
interface Style {
  command: (text: string) => string;
  name: (login: string) => string;
  team: (slug: string) => string;
}

const PLAIN: Style = { command: (t) => t, name: (l) => l, team: (t) => t };
const MARKDOWN: Style = { command: (t) => code(t), name: (l) => person(l), team: (t) => code(t, 100) };

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
const either = (items: string[]): string =>
  items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;

function fromWhom(groups: ApproverStatus[] | undefined, style: Style): string {
  const who = (groups ?? [])
    .filter((g) => g.missing > 0)
    .flatMap((g) => [
      ...g.reviewers.users.slice(0, 5).map((u) => style.name(u.replace(/^@/, ''))),
      ...g.reviewers.teams.slice(0, 5).map(style.team),
    ]);
  return who.length ? ` from ${either([...new Set(who)])}` : ' from an authorized reviewer';
}

/** "Would merge at 14:32 UTC unless someone vetoes (soft)", "a /veto by alice would block this PR (soft)". */
export function wouldDo(o: ObservedOutcome, nowMs: number, style: Style = PLAIN): string {
  const tier = o.tier === 'none' ? '' : ` (${o.tier})`;
  if (o.state === 'ignored') return 'Would not gate this PR';
  if (o.vetoes.length) return `a ${style.command('/veto')} by ${either(o.vetoes.map(style.name))} would block this PR${tier}`;
  if (o.state === 'waiting' && o.window) {
    const end = formatUtc(parseTime(o.window.end) ?? nowMs, nowMs);
    return o.merge ? `Would merge at ${end} unless someone vetoes${tier}` : `Veto window would close at ${end}${tier}`;
  }
  if (o.state === 'blocked' && o.approvalsRequired > o.approvals) {
    const perGroup = (o.approvers ?? []).reduce((n, g) => n + g.missing, 0);
    const missing = perGroup || o.approvalsRequired - o.approvals;
    return `Would wait for ${plural(missing, 'approval')}${fromWhom(o.approvers, style)}${tier}`;
  }
  if (o.state === 'ready') return o.merge ? `Would merge now${tier}` : `Would pass; merging is left to a person${tier}`;
  return `Would ${o.state === 'blocked' ? 'block' : 'wait'}: ${o.title}`;
}

/** The check run's title in observe mode. */
export function observeTitle(decision: Decision, nowMs: number): string {
  return `Observe mode: ${wouldDo(decision.observed ?? outcomeOf(decision), nowMs)}`;
}

/** Lines of the status comment and check summary that say what observe mode means here. */
export function observeLines(decision: Decision, nowMs: number): string[] {
  if (decision.mode === 'observe') {
    return [
      `**Observe mode** (${code('mode: observe')} in ${code(decision.policy.path)}): ${wouldDo(decision.observed ?? outcomeOf(decision), nowMs, MARKDOWN)}. The gate decides as it would and acts on nothing: it merges nothing, asks nobody for a review, sends no reminder or chat, and its ${code('hitl')} check stays neutral. Commands still count and are shown. Set ${code('mode: enforce')} to let it act.`,
      '',
    ];
  }
  if (decision.observed && decision.observed.rules.length > 0) {
    const rules = decision.observed.rules.map((r) => `**${escapeText(r, 80)}**`).join(', ');
    return [
      `**Observed rules** (${code('mode: observe')}, not enforced): ${rules}. Enforced, they would make this PR ${decision.observed.tier}: ${wouldDo(decision.observed, nowMs, MARKDOWN)}. What the other rules demand is enforced as usual.`,
      '',
    ];
  }
  return [];
}
