// What the Redis backend's one BullMQ queue carries: reconciles and wake-ups share it (and its
// worker), so a wake-up is handled by whichever replica is free, like any other job. The names are
// what replicas of different versions agree on during a rolling deploy: change them only together.
import type { ReconcileJob } from './queue.js';

export type ReconcileData = { kind: 'reconcile'; job: ReconcileJob };
/** `key` is the PR's pullKey; `when` the wake-up's time (epoch ms). */
export type WakeData = { kind: 'wake'; key: string; when: number };
export type JobData = ReconcileData | WakeData;

/** The Redis keys of one prefix: replicas that share the prefix share the work. */
export interface RedisKeys {
  /** `<prefix>:<kind>:<id>`. */
  key(kind: string, id: string): string;
}

export function redisKeys(prefix: string): RedisKeys {
  return { key: (kind, id) => `${prefix}:${kind}:${id}` };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
