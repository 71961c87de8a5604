// What one run of the Action produced, before run.ts hands it to the runner.
import type { Annotation } from './annotate-policy.js';

export interface ActionReport {
  /** Not set in sweep mode, nor when the event is not about a pull request. */
  outputs: { tier?: string; state?: string };
  annotations: Annotation[];
  summary?: string;
  /** Set when the step must fail. */
  failure?: string;
}
