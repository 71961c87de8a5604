// The time of a test that drives time: the simulator's timestamps read it, and every App server started
// with it (startApp's `clock`) follows it, so a test says `await clock.advance('15m')` where it would
// otherwise sleep out a veto window. It runs with real time and only ever jumps forward.
import { parseDuration } from '../../src/core/duration.js';

/** Told how far the clock jumped; resolves once it has followed (an App server fired its due timers). */
export type ClockFollower = (jumpMs: number) => Promise<void>;

export class SimClock {
  #offsetMs = 0;
  readonly #followers = new Set<ClockFollower>();

  now(): Date {
    return new Date(Date.now() + this.#offsetMs);
  }

  /** How far ahead of real time this clock is. */
  get offsetMs(): number {
    return this.#offsetMs;
  }

  /** Follow this clock's jumps until the returned function is called. */
  follow(follower: ClockFollower): () => void {
    this.#followers.add(follower);
    return () => this.#followers.delete(follower);
  }

  /** Jump forward (`'5m'`, `'30s'` or milliseconds); resolves when every follower has jumped too. */
  async advance(by: string | number): Promise<void> {
    const ms = typeof by === 'number' ? by : parseDuration(by);
    if (ms === undefined || !Number.isFinite(ms) || ms <= 0) throw new Error(`clock: cannot advance by ${String(by)}`);
    this.#offsetMs += ms;
    await Promise.all([...this.#followers].map((f) => f(ms)));
  }
}
