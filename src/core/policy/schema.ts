// The JSON Schema of `.github/hitl.yml`: the single source of editor validation (the committed
// `schema/hitl.schema.json` is generated from this object) and of runtime validation (ajv).
// It lives as a module, not a file, because the core never reads files.
//
// Draft-07 because it is what editors (yaml-language-server, VS Code) support best.
import { KNOWN_AGENTS, KNOWN_TRAILERS } from '../agents.js';

/** `30s`, `15m`, `2h`, `1d`: a positive whole number and a unit. */
export const DURATION_PATTERN = '^[1-9][0-9]{0,5}[smhd]$';

const TIER_NAMES = ['fyi', 'soft', 'hard'];
const MODE_NAMES = ['enforce', 'observe'];
const NOTIFY_EVENT_NAMES = ['hard', 'soft', 'veto', 'merged', 'stale', 'after_merge'];

const notifyEvents = {
  description:
    'Events that send a message: hard (a PR starts waiting for approvals), soft (a veto window opens), veto, merged, stale (a reminder step), after_merge (a merge sampled for a review after merge).',
  type: 'array',
  uniqueItems: true,
  minItems: 1,
  items: { enum: NOTIFY_EVENT_NAMES },
};

/** `org/team-slug`. */
const TEAM_PATTERN = '^[^/\\s]+/[^/\\s]+$';
/** `09:00`, `24:00`. */
const CLOCK_PATTERN = '^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$';

const MERGE_METHODS = ['merge', 'squash', 'rebase'];

const stringList = (description: string, extra: Record<string, unknown> = {}) => ({
  description,
  type: 'array',
  items: { type: 'string', minLength: 1, maxLength: 1024, ...extra },
});

const globList = (description: string) => stringList(`${description} Minimatch globs; dotfiles match too.`);

const loginList = (description: string) =>
  stringList(`${description} GitHub logins, case-insensitive; \`*\` is the only wildcard and \`[bot]\` is literal.`);

/** People named by login and by team, both lists empty by default (`more`: further ways to name them). */
const people = (description: string, users: string, teams: string, more: Record<string, unknown> = {}) => ({
  description,
  type: 'object',
  additionalProperties: false,
  properties: {
    users: { ...loginList(users), default: [] },
    teams: { ...stringList(teams, { pattern: TEAM_PATTERN }), default: [] },
    ...more,
  },
});

/** A number from 0 to 1: a risk score, a rule's weight in it, or a share of PRs. */
const fraction = (description: string) => ({ description, type: 'number', minimum: 0, maximum: 1 });

/** No `agents` section: the well-known agents (see agents.ts). */
export const DEFAULT_AGENTS = KNOWN_AGENTS;

export const POLICY_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'hitl-gate policy (.github/hitl.yml)',
  description: 'Which pull requests opened by AI coding agents a human must see (fyi), may veto (soft) or must approve (hard).',
  type: 'object',
  additionalProperties: false,
  required: ['version'],
  properties: {
    _extends: {
      description: 'Inherit from another repository\'s policy (Probot config inheritance, e.g. "org/.github").',
      type: 'string',
      minLength: 1,
    },
    version: { description: 'Format version of this file. Only 1 exists.', enum: [1] },
    mode: {
      description:
        'enforce: the gate acts (merges, blocks, asks). observe: it decides exactly the same but acts on nothing, its check concludes neutral and its status comment says what it would do (docs/policy.md).',
      enum: MODE_NAMES,
      default: 'enforce',
    },
    agents: {
      description: 'Who counts as an agent. PRs by anyone else get a passing `hitl` check and nothing else.',
      type: 'object',
      additionalProperties: false,
      default: { authors: [...DEFAULT_AGENTS.authors], labels: [], branches: [...DEFAULT_AGENTS.branches], trailers: [...KNOWN_TRAILERS] },
      properties: {
        authors: { ...loginList('PR authors that are agents.'), default: [] },
        labels: { ...stringList('A PR carrying one of these labels is governed (labels only add PRs).'), default: [] },
        branches: { ...globList('A PR whose head branch matches one of these is governed (branches only add PRs).'), default: [] },
        trailers: {
          ...stringList(
            'A PR with a commit carrying one of these trailer lines is governed (trailers only add PRs). "Key: value"; case-insensitive; `*` is the only wildcard. Default: the trailers coding agents document (docs/policy.md); `[]` turns them off.',
            { pattern: '^[A-Za-z0-9][A-Za-z0-9-]*\\s*:\\s*\\S' },
          ),
          default: [...KNOWN_TRAILERS],
        },
      },
    },
    reviewers: {
      description: 'Who may /approve and /veto (never the PR author, a committer, an agent or a bot).',
      type: 'object',
      additionalProperties: false,
      default: { users: [], teams: [], permission: 'write' },
      properties: {
        users: { ...loginList('Reviewers by login.'), default: [] },
        teams: { ...stringList('Reviewers by team, as org/team-slug.', { pattern: '^[^/\\s]+/[^/\\s]+$' }), default: [] },
        permission: {
          description: 'Anyone with at least this repository permission may decide.',
          enum: ['read', 'triage', 'write', 'maintain', 'admin'],
          default: 'write',
        },
      },
    },
    default: {
      description: 'Tier of a changed file that no matching path rule covers (and of a PR with no files).',
      enum: TIER_NAMES,
      default: 'soft',
    },
    tiers: {
      description: 'What each tier asks.',
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        fyi: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: { merge: { description: 'Merge once the other checks pass.', type: 'boolean', default: true } },
        },
        soft: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            window: {
              description: 'Veto window: a number and s, m, h or d (e.g. 15m).',
              type: 'string',
              pattern: DURATION_PATTERN,
              default: '15m',
            },
            merge: { description: 'Merge when the veto window ends without a veto.', type: 'boolean', default: true },
          },
        },
        hard: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            approvals: { description: 'Approvals needed.', type: 'integer', minimum: 1, maximum: 100, default: 1 },
            merge: { description: 'Merge once approved.', type: 'boolean', default: true },
            invalidate_on_push: { description: 'A push discards earlier approvals.', type: 'boolean', default: true },
            request_review: {
              description:
                'Request reviews (GitHub review queue and notification) from the users and teams who may approve, once per head.',
              type: 'boolean',
              default: true,
            },
            remind: {
              description:
                'Reminders while approvals are missing, measured from when the PR started waiting (in working time when working_hours is set); increasing.',
              type: 'array',
              minItems: 1,
              maxItems: 10,
              items: { type: 'string', pattern: DURATION_PATTERN },
            },
            escalate_to: people(
              'After the last reminder, also request review from and mention these.',
              'Users.',
              'Teams, as org/team-slug.',
            ),
          },
        },
      },
    },
    merge: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        method: {
          description:
            "How the gate merges: one method, or a list in order of preference (the first one the repository and the base branch's rules allow; `required_linear_history` rules out `merge`).",
          anyOf: [{ enum: MERGE_METHODS }, { type: 'array', items: { enum: MERGE_METHODS }, minItems: 1, uniqueItems: true }],
          default: 'squash',
        },
        update_branch: {
          description:
            'When the base branch requires branches to be up to date and this one is behind, ask GitHub to update it (`PUT …/update-branch`). The update is a new head: it is decided again (docs/protected-branches.md).',
          type: 'boolean',
          default: false,
        },
      },
    },
    working_hours: {
      description: 'Veto windows and reminder delays count only working time.',
      type: 'object',
      additionalProperties: false,
      required: ['timezone', 'days', 'from', 'to'],
      properties: {
        timezone: { description: 'IANA time zone name, e.g. Europe/Berlin.', type: 'string', minLength: 1 },
        days: {
          description: 'Working days.',
          type: 'array',
          minItems: 1,
          uniqueItems: true,
          items: { enum: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] },
        },
        from: { description: 'Start of the working day, HH:MM local time.', type: 'string', pattern: CLOCK_PATTERN },
        to: {
          description: 'End of the working day, HH:MM local time (24:00 for midnight); after from.',
          type: 'string',
          pattern: CLOCK_PATTERN,
        },
        holidays: {
          description: 'Local dates (YYYY-MM-DD) that are not working days.',
          type: 'array',
          default: [],
          items: { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' },
        },
      },
    },
    rules: {
      description: "The PR's tier is the highest among matching rules, `default` for uncovered files, and the built-in floors.",
      type: 'array',
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'tier'],
        // A rule without a condition would match every PR silently.
        anyOf: ['paths', 'labels', 'authors', 'base', 'changed_lines', 'changed_files'].map((k) => ({ required: [k] })),
        properties: {
          name: { description: 'Shown in the check run and the status comment.', type: 'string', minLength: 1, maxLength: 200 },
          tier: { enum: TIER_NAMES },
          mode: {
            description:
              "observe: what only this rule (and other observed rules) would add is shown, not enforced; what enforcing rules demand still is. Default: the policy's mode.",
            enum: MODE_NAMES,
          },
          paths: { ...globList('Holds when at least one changed path (old or new, for renames) matches.'), minItems: 1 },
          labels: { ...stringList('Holds when the PR has one of these labels.'), minItems: 1 },
          authors: { ...loginList('Holds when the PR author matches.'), minItems: 1 },
          base: { ...globList('Holds when the target branch matches.'), minItems: 1 },
          changed_lines: { description: 'Holds when added + deleted lines are MORE than this.', type: 'integer', minimum: 0 },
          changed_files: { description: 'Holds when the number of changed files is MORE than this.', type: 'integer', minimum: 0 },
          reviewers: people(
            'Hard rules: who must approve a PR this rule matches (instead of the top-level reviewers). No default permission.',
            'Approvers by login.',
            'Approvers by team, as org/team-slug.',
            {
              permission: {
                description: 'Anyone with at least this repository permission.',
                enum: ['read', 'triage', 'write', 'maintain', 'admin'],
              },
            },
          ),
          approvals: {
            description: "Approvals needed from this rule's reviewers (default: tiers.hard.approvals).",
            type: 'integer',
            minimum: 1,
            maximum: 100,
          },
          risk: fraction('Weight (0 to 1) this rule adds to the risk score when it matches; needs a `risk` section to have an effect.'),
        },
      },
    },
    risk: {
      description:
        'Risk-score thresholds. The score (0 to 1) sums documented signals of the change (size, breadth, deletions, dependency manifests, untested source, binaries, rule weights); it only raises the tier.',
      type: 'object',
      additionalProperties: false,
      properties: {
        soft: fraction('A score at or above this makes the PR at least soft.'),
        hard: fraction('A score at or above this makes the PR hard.'),
      },
    },
    notify: {
      description:
        "Chat messages, one per PR per event (docs/notify.md). Credentials come from the App's environment (SLACK_BOT_TOKEN, HITL_NOTIFY_URL, HITL_NOTIFY_SECRET), never from this file.",
      type: 'object',
      additionalProperties: false,
      properties: {
        slack: {
          description: "Post to Slack with the App's SLACK_BOT_TOKEN; later events of a PR go into its thread.",
          type: 'object',
          additionalProperties: false,
          required: ['channel', 'on'],
          properties: {
            channel: {
              description: 'Channel name (#agent-prs) or id (C0123456789).',
              type: 'string',
              pattern: '^(#[a-z0-9][a-z0-9._-]{0,79}|[CGD][A-Z0-9]{6,})$',
            },
            on: notifyEvents,
          },
        },
        webhook: {
          description: "POST a JSON body signed with HITL_NOTIFY_SECRET to the App's HITL_NOTIFY_URL.",
          type: 'object',
          additionalProperties: false,
          required: ['on'],
          properties: { on: notifyEvents },
        },
      },
    },
    after_merge: {
      description:
        'Review after merge (docs/policy.md): a share of the PRs merged with no human approval is reviewed afterwards, within a deadline; reviewers answer /reviewed, /concern or /revert on the merged PR. Absent: nothing changes.',
      type: 'object',
      additionalProperties: false,
      properties: {
        sample: {
          description:
            'Share (0 to 1) of the PRs of each tier merged with no human approval that get a review after merge. The same PR is always sampled or not (a hash of repository and number).',
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            fyi: { ...fraction('Share of fyi PRs.'), default: 0 },
            soft: { ...fraction('Share of soft PRs (merged after their veto window).'), default: 0 },
          },
        },
        always_above: fraction('A PR whose risk score is at least this is always sampled.'),
        within: {
          description: 'Due within this long after the merge: a number and s, m, h or d (counts working time when working_hours is set).',
          type: 'string',
          pattern: DURATION_PATTERN,
          default: '3d',
        },
        reviewers: people(
          'Who may answer a review after merge. Default: the top-level reviewers.',
          'Reviewers by login.',
          'Reviewers by team, as org/team-slug.',
        ),
        dashboard: {
          description: 'Keep the repository\'s dashboard issue "hitl-gate: what awaits a human".',
          type: 'boolean',
          default: true,
        },
      },
    },
  },
} as const;
