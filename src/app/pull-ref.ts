// A pull request as the app schedules it: which installation may act on it, and where it lives.
// The key is what the queue, the timers and the Redis locks agree on, so it must be stable across
// events and replicas: owner and repository names are case-insensitive on GitHub.

export interface PullRef {
  installationId: number;
  owner: string;
  repo: string;
  number: number;
}

export function pullKey(ref: PullRef): string {
  return `${ref.installationId}/${ref.owner.toLowerCase()}/${ref.repo.toLowerCase()}#${ref.number}`;
}

const KEY = /^(\d+)\/([^/]+)\/([^/#]+)#(\d+)$/;

/** The inverse of `pullKey` (names come back lower-cased, which GitHub accepts). */
export function parsePullKey(key: string): PullRef | undefined {
  const m = KEY.exec(key);
  if (!m) return undefined;
  return { installationId: Number(m[1]), owner: m[2]!, repo: m[3]!, number: Number(m[4]) };
}

export function describePull(ref: PullRef): string {
  return `${ref.owner}/${ref.repo}#${ref.number}`;
}
