// Veto windows end at a time (design.md §5); the gate must reconcile then. One wake-up per PR (a new `at` replaces
// the old one). The in-memory timers keep every pending wake-up in one binary heap behind a single
// `setTimeout`, so 100k open windows cost a few megabytes and one timer, not 100k timers. They are
// lost on restart by design: the start-up sweep recomputes every window from GitHub.
import { parsePullKey, pullKey, type PullRef } from './pull-ref.js';

/** Called when a wake-up is due; `lateMs` is how far past its time it fired. */
export type WakeHandler = (ref: PullRef, lateMs: number) => void;

export interface Timers {
  /** Reconcile `ref` at `when`, replacing any earlier wake-up for that PR. */
  at(ref: PullRef, when: Date): Promise<void>;
  cancel(ref: PullRef): Promise<void>;
  pending(): number | Promise<number>;
  close(): Promise<void>;
}

export interface MemoryTimersOptions {
  onWake: WakeHandler;
  now?: () => number;
}

// Node clamps longer delays to 1 ms; a far wake-up re-arms when the long timer fires.
const MAX_DELAY_MS = 2 ** 31 - 1;

export class MemoryTimers implements Timers {
  /** The live wake-up per PR key; heap entries whose seq differs are stale and skipped. */
  readonly #live = new Map<string, number>();
  // Parallel arrays: a heap of 100k objects would cost more memory than three flat arrays.
  #whens: number[] = [];
  #seqs: number[] = [];
  #keys: string[] = [];
  #seq = 0;
  #timer: NodeJS.Timeout | undefined;
  #armedFor = Infinity;
  #closed = false;
  readonly #onWake: WakeHandler;
  readonly #now: () => number;

  constructor(options: MemoryTimersOptions) {
    this.#onWake = options.onWake;
    this.#now = options.now ?? Date.now;
  }

  async at(ref: PullRef, when: Date): Promise<void> {
    const time = when.getTime();
    if (this.#closed || !Number.isFinite(time)) return;
    const key = pullKey(ref);
    const seq = ++this.#seq;
    this.#live.set(key, seq);
    this.#push(time, seq, key);
    // Replacements leave stale heap entries behind; rebuild before they outnumber the live ones.
    if (this.#whens.length > 2 * this.#live.size + 1024) this.#compact();
    this.#arm();
  }

  async cancel(ref: PullRef): Promise<void> {
    this.#live.delete(pullKey(ref));
  }

  pending(): number {
    return this.#live.size;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#live.clear();
    this.#whens = [];
    this.#seqs = [];
    this.#keys = [];
  }

  #arm(): void {
    this.#dropStaleTop();
    const next = this.#whens.length > 0 ? this.#whens[0]! : Infinity;
    if (next === this.#armedFor && this.#timer) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedFor = next;
    if (next === Infinity || this.#closed) return;
    const delay = Math.min(Math.max(0, next - this.#now()), MAX_DELAY_MS);
    this.#timer = setTimeout(() => this.#fire(), delay);
    // The HTTP server keeps the process alive; pending windows alone must not.
    this.#timer.unref();
  }

  #fire(): void {
    this.#timer = undefined;
    this.#armedFor = Infinity;
    const now = this.#now();
    const due: Array<[string, number]> = [];
    while (this.#whens.length > 0 && this.#whens[0]! <= now) {
      const when = this.#whens[0]!;
      const seq = this.#seqs[0]!;
      const key = this.#keys[0]!;
      this.#pop();
      if (this.#live.get(key) !== seq) continue;
      this.#live.delete(key);
      due.push([key, now - when]);
    }
    this.#arm();
    for (const [key, late] of due) {
      const ref = parsePullKey(key);
      if (ref) this.#onWake(ref, late);
    }
  }

  #dropStaleTop(): void {
    while (this.#whens.length > 0 && this.#live.get(this.#keys[0]!) !== this.#seqs[0]) this.#pop();
  }

  #compact(): void {
    const order: number[] = [];
    for (let i = 0; i < this.#whens.length; i++) if (this.#live.get(this.#keys[i]!) === this.#seqs[i]) order.push(i);
    order.sort((a, b) => this.#whens[a]! - this.#whens[b]! || this.#seqs[a]! - this.#seqs[b]!);
    // A sorted array is a valid min-heap.
    this.#whens = order.map((i) => this.#whens[i]!);
    this.#seqs = order.map((i) => this.#seqs[i]!);
    this.#keys = order.map((i) => this.#keys[i]!);
  }

  #swap(i: number, j: number): void {
    const w = this.#whens,
      s = this.#seqs,
      k = this.#keys;
    [w[i], w[j]] = [w[j]!, w[i]!];
    [s[i], s[j]] = [s[j]!, s[i]!];
    [k[i], k[j]] = [k[j]!, k[i]!];
  }

  #less(i: number, j: number): boolean {
    const a = this.#whens[i]!,
      b = this.#whens[j]!;
    return a < b || (a === b && this.#seqs[i]! < this.#seqs[j]!);
  }

  #push(when: number, seq: number, key: string): void {
    this.#whens.push(when);
    this.#seqs.push(seq);
    this.#keys.push(key);
    let i = this.#whens.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(i, parent)) break;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #pop(): void {
    const last = this.#whens.length - 1;
    this.#swap(0, last);
    this.#whens.pop();
    this.#seqs.pop();
    this.#keys.pop();
    let i = 0;
    const n = this.#whens.length;
    for (;;) {
      const l = 2 * i + 1,
        r = l + 1;
      let m = i;
      if (l < n && this.#less(l, m)) m = l;
      if (r < n && this.#less(r, m)) m = r;
      if (m === i) break;
      this.#swap(i, m);
      i = m;
    }
  }
}
