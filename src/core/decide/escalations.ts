// The PR's tier once escalations are counted: the policy's classification, raised by `/escalate`
// commands, `hitl:<tier>` labels and what the ledger remembers of both. Escalations come before every
// other command because they can only raise the tier, and every other verdict depends on the tier.
import { classify, type Escalation } from '../classify.js';
import type { ClassifyInput } from '../model/pull-request.js';
import type { Ledger } from '../model/ledger.js';
import type { TimelineEntry } from '../timeline.js';
import type { Classification, CommandVerdict } from '../model/decision.js';
import type { PolicyLoad } from '../model/policy.js';
import type { Tier } from '../model/tier.js';
import { maxTier, tierRank } from '../model/tier.js';
import { refused, verdictBase } from './verdicts.js';

export interface Escalated {
  classification: Classification;
  /** The highest tier ever asked for, for the ledger (never lowered). */
  escalation: Tier | undefined;
  /** The verdict of every `/escalate` command. */
  verdicts: Map<TimelineEntry, CommandVerdict>;
}

/** What the ledger stands in for: an earlier escalation, or a record the gate could not trust. */
function ledgerEscalations(previous: Ledger): Escalation[] {
  if (!previous.escalation) return [];
  // An earlier version's record the gate could not trust (its comment was edited by someone else) holds
  // the PR as hard: fail closed, until approvals on the current head say otherwise.
  const notices = previous.notices ?? [];
  const untrusted = notices.some((n) => n.kind === 'legacy-untrusted');
  const unreadable = notices.some((n) => n.kind === 'record-unreadable');
  const by = untrusted
    ? 'the gate: its earlier record was edited by someone else'
    : unreadable
      ? 'the gate: its record on a replaced head could not be read'
      : 'an earlier command';
  return [{ tier: previous.escalation, by, via: 'ledger' }];
}

export function tierAfterEscalations(
  load: PolicyLoad,
  input: ClassifyInput,
  entries: readonly TimelineEntry[],
  previous: Ledger,
): Escalated {
  const verdicts = new Map<TimelineEntry, CommandVerdict>();
  let escalation = previous.escalation;
  const remembered = ledgerEscalations(previous);
  try {
    const before = classify(load, input, remembered);
    const raised: Escalation[] = [];
    for (const e of entries) {
      if (e.command.kind !== 'escalate') continue;
      const command = e.command;
      if (tierRank(command.tier) < tierRank(before.tier)) {
        verdicts.set(
          e,
          refused(
            e,
            command,
            'lowers-tier',
            `\`/escalate ${command.tier}\` cannot lower the tier: this PR is already ${before.tier}, and tiers can only be raised.`,
          ),
        );
      } else {
        verdicts.set(e, { ...verdictBase(e, command), accepted: true });
        raised.push({ tier: command.tier, by: e.actor.login, via: 'command' });
        escalation = escalation ? maxTier(escalation, command.tier) : command.tier;
      }
    }
    // A `hitl:<tier>` label is an escalation too, and labels can be removed (by the agent as well):
    // the ledger remembers the highest one, so that taking the label off never lowers the tier.
    const labelled = before.reasons.flatMap((r) => (r.kind === 'escalation' && r.via === 'label' ? [r.tier] : []));
    for (const t of labelled) escalation = escalation ? maxTier(escalation, t) : t;
    // The ledger only stands in for escalations whose label or command is gone: while one still says
    // as much, leave the ledger's copy out, so the explanation does not change once it is recorded.
    const visible = [...labelled, ...raised.map((r) => r.tier)].reduce<Tier | undefined>((t, r) => (t ? maxTier(t, r) : r), undefined);
    const stillNeeded = remembered.filter((l) => !visible || tierRank(l.tier) > tierRank(visible));
    const classification =
      raised.length || stillNeeded.length !== remembered.length ? classify(load, input, [...stillNeeded, ...raised]) : before;
    return { classification, escalation, verdicts };
  } catch (error) {
    // A bug in classification must not open the gate: treat the PR as governed, hard and blocked.
    const message = `the gate could not classify this PR (${error instanceof Error ? error.message : String(error)})`;
    return {
      classification: { governed: true, governedBy: [], tier: 'hard', reasons: [{ kind: 'policy-unreadable', tier: 'hard', message }] },
      escalation,
      verdicts,
    };
  }
}
