#!/usr/bin/env node
// The `hitl-gate` command: the built CLI (`npm run build` writes dist/).
import { run } from '../dist/src/cli/main.js';

await run();
