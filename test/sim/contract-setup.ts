// Part of every test file's setup (vitest.config.ts): the simulator's answers and webhooks are checked
// against GitHub's published schemas (contract.ts), and a test during which the simulator broke one fails,
// naming the route and the field. After-each hooks run last-registered first, so this one runs after a
// test's own teardown (a gate closed, the webhooks it caused delivered).
import { afterAll, afterEach, beforeAll } from 'vitest';
import { describeViolations, enableContractChecks, takeContractViolations } from './contract.js';

beforeAll(() => enableContractChecks());

function assertNone(when: string): void {
  const found = takeContractViolations();
  if (found.length > 0) throw new Error(`The local GitHub broke GitHub's published contract ${when}:\n${describeViolations(found)}`);
}

afterEach(() => assertNone('during this test'));
afterAll(() => assertNone('after the last test of this file (in its teardown)'));
