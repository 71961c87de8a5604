// The App's scheduling costs: 100k pending veto windows in the in-memory timers (memory, insert and
// replace time, against 100k plain setTimeouts), and how a webhook storm coalesces in the queue.
import { MemoryTimers } from '../src/app/timers.js';
import { MemoryQueue } from '../src/app/queue.js';
import { RedisBackend } from '../src/app/redis.js';

const N = 100_000;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const settle = async () => {
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((r) => setTimeout(r, 50));
};
const ref = (i: number) => ({ installationId: 1000 + (i % 50), owner: `org-${i % 50}`, repo: `repo-${i % 400}`, number: i });

async function timers(): Promise<void> {
  await settle();
  const before = process.memoryUsage();
  const timers = new MemoryTimers({ onWake: () => undefined });
  const now = Date.now();
  let t = performance.now();
  for (let i = 0; i < N; i++) await timers.at(ref(i), new Date(now + 60_000 + ((i * 7919) % 3_600_000)));
  const insertMs = performance.now() - t;
  await settle();
  const inserted = process.memoryUsage();
  console.log(
    `timers: ${N} pending windows after insert: +${mb(inserted.heapUsed - before.heapUsed)} heap, +${mb(inserted.rss - before.rss)} RSS`,
  );
  t = performance.now();
  for (let i = 0; i < N; i++) await timers.at(ref(i), new Date(now + 120_000 + ((i * 104729) % 3_600_000)));
  const replaceMs = performance.now() - t;
  await settle();
  const after = process.memoryUsage();
  console.log(
    `timers: after replacing every window once: +${mb(after.heapUsed - before.heapUsed)} heap, +${mb(after.rss - before.rss)} RSS (RSS now ${mb(after.rss)}), pending=${timers.pending()}`,
  );
  console.log(`timers: insert ${((insertMs / N) * 1000).toFixed(2)} µs each, replace ${((replaceMs / N) * 1000).toFixed(2)} µs each`);
  await timers.close();

  await settle();
  const b2 = process.memoryUsage();
  const handles: NodeJS.Timeout[] = [];
  t = performance.now();
  for (let i = 0; i < N; i++) handles.push(setTimeout(() => undefined, 60_000 + ((i * 7919) % 3_600_000)));
  const naiveMs = performance.now() - t;
  await settle();
  const a2 = process.memoryUsage();
  console.log(
    `baseline: ${N} plain setTimeouts: +${mb(a2.heapUsed - b2.heapUsed)} heap, +${mb(a2.rss - b2.rss)} RSS, ${((naiveMs / N) * 1000).toFixed(2)} µs each`,
  );
  for (const h of handles) clearTimeout(h);
}

async function lateness(): Promise<void> {
  const n = 10_000;
  const late: number[] = [];
  let done!: () => void;
  const all = new Promise<void>((r) => (done = r));
  const timers = new MemoryTimers({
    onWake: (_ref, ms) => {
      late.push(ms);
      if (late.length === n) done();
    },
  });
  const now = Date.now();
  for (let i = 0; i < n; i++) await timers.at(ref(i), new Date(now + 200 + (i % 1000)));
  // The timers do not hold the process open (the HTTP server does in production); this does here.
  const keepAlive = setInterval(() => undefined, 1000);
  await all;
  clearInterval(keepAlive);
  late.sort((a, b) => a - b);
  const q = (p: number) => late[Math.min(n - 1, Math.floor(p * n))]!;
  console.log(`timers: ${n} windows ending within one second fired late by p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${q(1)} ms`);
  await timers.close();
}

async function storm(): Promise<void> {
  const prs = 200;
  const eventsPerPr = 15;
  let runs = 0;
  const queue = new MemoryQueue({
    concurrency: 8,
    work: async () => {
      runs++;
      await new Promise((r) => setTimeout(r, 5)); // a reconcile's GitHub round trips, shrunk
    },
  });
  const t = performance.now();
  for (let e = 0; e < eventsPerPr; e++) for (let p = 0; p < prs; p++) await queue.enqueue({ ...ref(p), reason: 'bench' });
  await queue.idle();
  const ms = performance.now() - t;
  console.log(
    `queue: ${prs * eventsPerPr} events for ${prs} PRs -> ${runs} reconciles (${(runs / prs).toFixed(2)} per PR) in ${ms.toFixed(0)} ms at concurrency 8`,
  );
}

/** With REDIS_URL: what a pending window costs in Redis (one delayed BullMQ job per PR). */
async function redisWindows(url: string): Promise<void> {
  const n = 20_000;
  const backend = new RedisBackend(url, { prefix: `hitl-bench-${Date.now()}` });
  const used = async () => Number(/used_memory:(\d+)/.exec(await backend.redis.info('memory'))![1]);
  const before = await used();
  const now = Date.now();
  const t = performance.now();
  const batch = 200;
  for (let i = 0; i < n; i += batch) {
    await Promise.all(Array.from({ length: batch }, (_, j) => backend.at(ref(i + j), new Date(now + 3_600_000 + (i + j) * 10))));
  }
  const ms = performance.now() - t;
  const after = await used();
  console.log(
    `redis: ${n} pending windows: +${mb(after - before)} in Redis (${Math.round((after - before) / n)} bytes each), ${((ms / n) * 1000).toFixed(0)} µs per at() with ${batch} in flight`,
  );
  await backend.queue.obliterate({ force: true });
  await backend.close(1000);
}

export default async function (): Promise<void> {
  await timers();
  await lateness();
  await storm();
  if (process.env.REDIS_URL) await redisWindows(process.env.REDIS_URL);
}
