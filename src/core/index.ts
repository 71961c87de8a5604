export * from './types.js';
export * from './policy.js';
export * from './classify.js';
export * from './commands.js';
export * from './decide.js';
export * from './render.js';
export * from './plan.js';
