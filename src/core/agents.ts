// Accounts, branch prefixes and commit trailers of well-known AI coding agents. Used as the default `agents` section
// when a policy has none, and (plus every `*[bot]` account) to recognise agent PRs when the policy
// itself is broken or unreadable, so that they are blocked rather than waved through.
import type { Policy } from './model/policy.js';

/** Commit trailers that coding agents write on the commits they make for a person, as the vendors
 * document them (docs/policy.md names the source of each). The default of `agents.trailers`. */
export const KNOWN_TRAILERS: readonly string[] = [
  // Claude Code: "Co-Authored-By: Claude <noreply@anthropic.com>"; newer versions name the model
  // ("Claude Opus 4.5"), hence the wildcard.
  'Co-Authored-By: Claude* <noreply@anthropic.com>',
  // Not shipped: `Co-authored-by: Codex <noreply@openai.com>`, seen in public repositories but not
  // found in OpenAI's own documentation or source (docs/policy.md says how to add it).
];

export const KNOWN_AGENTS: Policy['agents'] = {
  authors: [
    'Copilot',
    'copilot-swe-agent[bot]',
    'devin-ai-integration[bot]',
    'chatgpt-codex-connector[bot]',
    'claude[bot]',
    'cursor[bot]',
    'google-labs-jules[bot]',
    'amazon-q-developer[bot]',
    'sweep-ai[bot]',
    'codegen-sh[bot]',
  ],
  labels: [],
  branches: ['copilot/**', 'codex/**', 'claude/**', 'cursor/**', 'devin/**', 'jules/**'],
  trailers: [...KNOWN_TRAILERS],
};

/** When the policy cannot say who is an agent: every known agent and every app account. Broader
 * than the default on purpose (a broken policy must not let an agent PR through). */
export const FAIL_CLOSED_AGENTS: Policy['agents'] = {
  ...KNOWN_AGENTS,
  authors: [...KNOWN_AGENTS.authors, '*[bot]'],
  trailers: [...KNOWN_TRAILERS],
};
