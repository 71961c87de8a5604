// Ready-made protections of the demo repository's default branch, one per setup that
// docs/protected-branches.md describes, for `npm run sim -- --protected SETUP` and the `protect` command.
import type { SimProtection } from '../test/sim/protection.js';

const reviews = { type: 'pull_request', parameters: { required_approving_review_count: 1 } };
const requiredChecks = (contexts: string[], strict = false) => ({
  type: 'required_status_checks',
  parameters: { strict_required_status_checks_policy: strict, required_status_checks: contexts.map((context) => ({ context })) },
});
const ALL_METHODS = { merge: true, squash: true, rebase: true };

export const PROTECTIONS: Record<string, { about: string; protection: SimProtection }> = {
  none: { about: 'no protection', protection: { rulesets: [], classic: {}, methods: ALL_METHODS } },
  a: {
    about: 'ruleset "main": `hitl` a required check, no required reviews (recommended)',
    protection: { rulesets: [{ id: 1, name: 'main', rules: [requiredChecks(['hitl'])] }], classic: {}, methods: ALL_METHODS },
  },
  b: {
    about: 'ruleset "main": 1 approving review and the check `build`; the App is a bypass actor for pull requests',
    protection: {
      rulesets: [{ id: 1, name: 'main', appBypass: true, rules: [reviews, requiredChecks(['hitl', 'build'])] }],
      classic: {},
      methods: ALL_METHODS,
    },
  },
  c: {
    about: 'ruleset "main": 1 approving review, no bypass',
    protection: { rulesets: [{ id: 1, name: 'main', rules: [reviews, requiredChecks(['hitl'])] }], classic: {}, methods: ALL_METHODS },
  },
  classic: {
    about: 'classic branch protection (unreadable by the App): 1 approving review',
    protection: { rulesets: [], classic: { requiredReviews: 1 }, methods: ALL_METHODS },
  },
  strict: {
    about: 'ruleset "main": branches must be up to date (use `advance` to move main)',
    protection: { rulesets: [{ id: 1, name: 'main', rules: [requiredChecks(['hitl'], true)] }], classic: {}, methods: ALL_METHODS },
  },
  linear: {
    about: 'ruleset "main": linear history, and the repository allows only merge commits and rebase',
    protection: {
      rulesets: [{ id: 1, name: 'main', rules: [{ type: 'required_linear_history' }] }],
      classic: {},
      methods: { merge: true, squash: false, rebase: true },
    },
  },
};
