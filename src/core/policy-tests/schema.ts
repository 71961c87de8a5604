// The JSON Schema of a policy test file (`.github/hitl-tests/*.yml`, `hitl-gate test`): editors
// validate it as people type, and the runner validates it before running anything.

const TIERS = ['fyi', 'soft', 'hard'];

const fileObject = {
  description: 'A changed file as GET /repos/{owner}/{repo}/pulls/{number}/files returns it.',
  type: 'object',
  required: ['filename'],
  properties: {
    filename: { type: 'string', minLength: 1 },
    previous_filename: { type: 'string', minLength: 1 },
    status: { enum: ['added', 'removed', 'modified', 'renamed', 'copied', 'changed', 'unchanged'] },
    additions: { type: 'integer', minimum: 0 },
    deletions: { type: 'integer', minimum: 0 },
  },
};

export const POLICY_TEST_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'hitl-gate policy tests (.github/hitl-tests/*.yml)',
  description: 'Fixture pull requests and the tier the policy must give them; run with `hitl-gate test`.',
  type: 'object',
  additionalProperties: false,
  required: ['cases'],
  properties: {
    policy: {
      description: 'The policy to test, relative to this file (default: .github/hitl.yml of the directory hitl-gate test runs in).',
      type: 'string',
      minLength: 1,
    },
    cases: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'expect'],
        properties: {
          name: { description: 'Shown as PASS name / FAIL name.', type: 'string', minLength: 1, maxLength: 200 },
          author: {
            description:
              "The PR author's login (`name[bot]` for an app). Without author, labels, head and commits the PR is taken to be an agent's.",
            type: 'string',
            minLength: 1,
          },
          files: {
            description: 'Changed files: paths ("old -> new" for a rename) or GitHub file objects.',
            type: 'array',
            items: { anyOf: [{ type: 'string', minLength: 1 }, fileObject] },
          },
          labels: { type: 'array', items: { type: 'string', minLength: 1 } },
          base: { description: 'Target branch (default main).', type: 'string', minLength: 1 },
          head: { description: 'Head branch.', type: 'string', minLength: 1 },
          commits: {
            description: 'Commit messages (their trailers may make the PR governed: agents.trailers).',
            type: 'array',
            items: { type: 'string' },
          },
          changed_files: { description: "GitHub's count of changed files, when more than listed.", type: 'integer', minimum: 0 },
          changed_lines: { description: 'Added + deleted lines (default: summed from the file objects).', type: 'integer', minimum: 0 },
          expect: {
            description: 'What the policy must say. Every key given is checked.',
            type: 'object',
            additionalProperties: false,
            minProperties: 1,
            properties: {
              tier: { enum: TIERS },
              governed: { type: 'boolean' },
              rules: {
                description: 'Names of exactly the rules that apply, in any order.',
                type: 'array',
                items: { type: 'string', minLength: 1 },
              },
              approvers: {
                description: 'Exactly the users and teams (org/slug) who must approve a hard PR, in any order.',
                type: 'array',
                items: { type: 'string', minLength: 1 },
              },
              risk_above: { description: 'The risk score is at least this.', type: 'number', minimum: 0, maximum: 1 },
              risk_below: { description: 'The risk score is below this.', type: 'number', minimum: 0, maximum: 1 },
            },
          },
        },
      },
    },
  },
} as const;
