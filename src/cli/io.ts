// What the CLI touches of the outside world, injected so that tests run it in-process.
import { readFile } from 'node:fs/promises';

export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  readStdin(): Promise<string>;
  /** Rejects with a NodeJS.ErrnoException when the file cannot be read. */
  readFile(path: string): Promise<string>;
}

/** A mistake in what the user typed or pointed us at: one line on stderr, exit 2. */
export class UsageError extends Error {}

export function processIO(): CliIO {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    readFile: (path) => readFile(path, 'utf8'),
  };
}

/** Read a file the user named, turning "not found" and friends into a UsageError. */
export async function readUserFile(io: CliIO, path: string, what: string): Promise<string> {
  try {
    return path === '-' ? await io.readStdin() : await io.readFile(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory' : (err.code ?? err.message);
    throw new UsageError(`cannot read ${what} ${path}: ${why}`);
  }
}
