// Policy tests as a pull request's head holds them (the Action's `mode: test`): the test files of one
// directory and the policy file, read through the contents API at the head commit. Nothing else of
// the head is read, and nothing of it runs.
import type { TestFileText } from '../core/policy-tests/suite.js';
import { describeError, httpStatus } from './errors.js';
import { request, type Session } from './session.js';
import type { RepositoryRef } from './types.js';

/** Test files are small; a directory of more is a mistake. */
const MAX_FILES = 100;

async function rawText(session: Session, repo: RepositoryRef, path: string, ref: string): Promise<string | undefined> {
  try {
    const { data } = await request(session, (c) => c.rest.repos.getContent({ ...repo, path, ref, mediaType: { format: 'raw' } }));
    if (typeof data !== 'string') throw new Error(`${path} is not a file`);
    return data;
  } catch (error) {
    if (httpStatus(error) === 404) return undefined;
    throw new Error(`could not read ${path} at ${ref.slice(0, 7)}: ${describeError(error)}`);
  }
}

/** The `*.yml` / `*.yaml` files of `dir` at `ref`, in name order; empty when the directory is absent. */
export async function readHeadTests(session: Session, repo: RepositoryRef, ref: string, dir: string): Promise<TestFileText[]> {
  let entries: { name: string; path: string; type: string }[];
  try {
    const { data } = await request(session, (c) => c.rest.repos.getContent({ ...repo, path: dir, ref }));
    entries = Array.isArray(data) ? data : [];
  } catch (error) {
    if (httpStatus(error) === 404) return [];
    throw new Error(`could not list ${dir} at ${ref.slice(0, 7)}: ${describeError(error)}`);
  }
  const names = entries
    .filter((e) => e.type === 'file' && /\.ya?ml$/i.test(e.name))
    .sort((a, b) => a.name.localeCompare(b.name))
    .slice(0, MAX_FILES);
  const files: TestFileText[] = [];
  for (const e of names) {
    const text = await rawText(session, repo, e.path, ref);
    if (text !== undefined) files.push({ path: e.path, text });
  }
  return files;
}

/** One file at `ref`, or undefined when it does not exist there. */
export const readHeadFile = rawText;
