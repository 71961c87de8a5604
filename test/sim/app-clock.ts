// Test-only, and no part of the App: app-process.ts loads this into the App server process with
// `--import` when a test drives time (startApp's `clock`). The server's Date and timers then follow the
// test's SimClock: real time plus the jumps the test makes, so a veto window, a reminder or a periodic
// sweep falls due when the test advances the clock, and the App's JWTs, tokens and timestamps agree with
// the simulator's. Nothing in src/ reads HITL_TEST_CLOCK_OFFSET_MS; this file refuses to run unless its
// parent can drive it over an IPC channel.
import { install } from '@sinonjs/fake-timers';

type Jump = { hitlTestClock: 'advance'; id: number; ms: number };

const OFFSET = 'HITL_TEST_CLOCK_OFFSET_MS';
const send = process.send?.bind(process);
if (!send)
  throw new Error(`${OFFSET} is a test-only clock, driven by the test that started this process over IPC; refusing to run without one`);
let offsetMs = Number(process.env[OFFSET]);
if (!Number.isFinite(offsetMs)) throw new Error(`${OFFSET} must be a number of milliseconds, got ${JSON.stringify(process.env[OFFSET])}`);

// Taken before the fakes replace them: the real time to follow, and a real timer to follow it with.
const realNow = Date.now;
const realSetInterval = setInterval;

// performance, hrtime, setImmediate and nextTick stay real: they measure and schedule work, not time of day.
const clock = install({ now: realNow() + offsetMs, toFake: ['Date', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });

/** Bring the fake clock to real time plus the offset, firing each timer that falls due at most once
 * (as a machine waking from sleep does), not once per interval it missed. */
function catchUp(): void {
  const behind = realNow() + offsetMs - clock.now;
  if (behind > 0) clock.jump(behind);
}

realSetInterval(catchUp, 10).unref();

process.on('message', (message: unknown) => {
  const m = message as Partial<Jump> | null;
  if (m?.hitlTestClock !== 'advance' || typeof m.ms !== 'number' || !(m.ms > 0)) return;
  offsetMs += m.ms;
  catchUp();
  send({ hitlTestClock: 'advanced', id: m.id, now: clock.now });
});
// The channel must not keep a server that is shutting down alive.
process.channel?.unref();
