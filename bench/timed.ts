// The mean time of one call, in milliseconds, over `runs` calls after one to warm up.
import { performance } from 'node:perf_hooks';

export function timed(runs: number, fn: () => void): number {
  fn(); // warm up
  const start = performance.now();
  for (let i = 0; i < runs; i += 1) fn();
  return (performance.now() - start) / runs;
}
