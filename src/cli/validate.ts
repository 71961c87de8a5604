// `hitl-gate validate [FILE...]`: one `FILE:LINE:COL: message` line per problem.
import { parseArgs } from 'node:util';
import { parsePolicy, POLICY_PATH } from '../core/policy.js';
import { readUserFile, UsageError, type CliIO } from './io.js';

export async function validate(args: string[], io: CliIO): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: {} });
  const files = positionals.length > 0 ? positionals : [POLICY_PATH];
  let invalid = false;
  let unreadable: UsageError | undefined;
  for (const file of files) {
    let text: string;
    try {
      text = await readUserFile(io, file, 'policy');
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      io.stderr(`hitl-gate: ${e.message}\n`);
      unreadable = e;
      continue;
    }
    const { errors } = parsePolicy(text, file);
    for (const e of errors) io.stdout(`${e.file}:${e.line}:${e.column}: ${e.message}\n`);
    if (errors.length > 0) invalid = true;
    else io.stdout(`${file}: valid\n`);
  }
  return unreadable ? 2 : invalid ? 1 : 0;
}
