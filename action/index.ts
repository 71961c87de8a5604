import * as core from '@actions/core';
import { run } from './run.js';
run().catch((error: unknown) => core.setFailed(`hitl-gate failed: ${error instanceof Error ? error.message : String(error)}`));
