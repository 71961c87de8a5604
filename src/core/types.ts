// The domain of hitl-gate, one module per part in model/ (data only, importing nothing but each
// other). Import from model/ directly; this re-export remains for code written against the old path.
export * from './model/tier.js';
export * from './model/policy.js';
export * from './model/ledger.js';
export * from './model/pull-request.js';
export * from './model/decision.js';
export * from './model/base-branch.js';
export * from './model/effects.js';
