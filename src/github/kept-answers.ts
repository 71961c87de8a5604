// Answers GitHub gave before, kept with their ETags so the next read of the same thing asks
// conditionally: a 304 costs nothing against the rate limit. Only what GitHub itself sent is kept,
// so losing any of it costs a full read, never a decision. Whoever owns the lifetime holds one and
// passes it in: the App for as long as it runs, the Action for one run, a test for one test.
import { LRUCache } from 'lru-cache';

export interface KeptAnswer {
  etag: string;
  data: unknown;
}

export class KeptAnswers {
  readonly #answers: LRUCache<string, KeptAnswer>;

  /** `max`: answers kept at most (the least recently used go first). */
  constructor(max = 1000) {
    this.#answers = new LRUCache<string, KeptAnswer>({ max });
  }

  get(key: string): KeptAnswer | undefined {
    return this.#answers.get(key);
  }

  /** Keeps GitHub's answer; one without an ETag cannot be asked for conditionally and is dropped. */
  keep(key: string, etag: string | undefined, data: unknown): void {
    if (etag) this.#answers.set(key, { etag, data });
    else this.#answers.delete(key);
  }

  forget(key: string): void {
    this.#answers.delete(key);
  }
}
