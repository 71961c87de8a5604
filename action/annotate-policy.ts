// Policy errors become annotations on the policy file's line, so the pull request's "Files changed" tab
// and the run page point at the exact place to fix.
import type { Decision } from '../src/core/model/decision.js';

export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  message: string;
  file?: string;
  startLine?: number;
  startColumn?: number;
  title?: string;
}

export function annotatePolicy(decision: Decision): Annotation[] {
  const fromReasons = decision.classification.reasons.flatMap((r) => (r.kind === 'policy-error' ? r.errors : []));
  const errors = decision.policy.errors?.length ? decision.policy.errors : fromReasons;
  const annotations: Annotation[] = errors.map((error) => ({
    level: 'error',
    message: error.message,
    file: error.file || decision.policy.path,
    startLine: error.line,
    startColumn: error.column,
    title: 'hitl-gate policy error',
  }));
  for (const reason of decision.classification.reasons) {
    // An unreadable policy may already be reported as an error at its first line; say it once.
    if (reason.kind === 'policy-unreadable' && !annotations.some((a) => a.message.includes(reason.message))) {
      annotations.push({ level: 'error', message: `${decision.policy.path}: ${reason.message}`, title: 'hitl-gate policy unreadable' });
    }
  }
  return annotations;
}
