// Reading Octokit's RequestError without depending on its class (the two faces may load different copies).

export function httpStatus(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'status' in error) {
    const status = (error as { status: unknown }).status;
    if (typeof status === 'number') return status;
  }
  return undefined;
}

export function describeError(error: unknown): string {
  const status = httpStatus(error);
  const message = error instanceof Error ? error.message : String(error);
  return status === undefined ? message : `GitHub answered ${status}: ${message}`;
}

/** Thrown while gathering facts: the reconcile stops, merges nothing and reports the error. */
export class GatherError extends Error {
  constructor(what: string, cause: unknown) {
    super(`could not read ${what}: ${describeError(cause)}`, { cause });
    this.name = 'GatherError';
  }
}

/** Run a read; turn any failure into a GatherError that names what was being read. */
export async function reading<T>(what: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof GatherError) throw error;
    throw new GatherError(what, error);
  }
}
