// Runs the bundled Action (`node index.js`) the way a runner does: INPUT_* and GITHUB_* variables, an
// event payload file, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files. Returns what a workflow would see.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** Workflow commands for annotations: `::error file=…,line=…::message`. */
  annotations: Annotation[];
}

export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  properties: Record<string, string>;
  message: string;
}

export interface RunOptions {
  entry: string;
  apiUrl: string;
  eventName: string;
  /** Written to GITHUB_EVENT_PATH; undefined leaves the variable unset (like some schedule runs). */
  payload?: unknown;
  inputs?: Record<string, string>;
  repository?: string;
  env?: Record<string, string>;
}

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Build the bundle with the project's own script into a directory far from node_modules. */
export async function buildBundle(): Promise<{ entry: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'hitl-action-'));
  const { bundleAction } = (await import(join(root, 'scripts', 'bundle-action.mjs'))) as {
    bundleAction: (out: string) => Promise<unknown>;
  };
  await bundleAction(dir);
  return { entry: join(dir, 'index.js'), dir };
}

export async function runAction(options: RunOptions): Promise<ActionRun> {
  const work = mkdtempSync(join(tmpdir(), 'hitl-run-'));
  try {
    const outputPath = join(work, 'output');
    const summaryPath = join(work, 'summary');
    writeFileSync(outputPath, '');
    writeFileSync(summaryPath, '');
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: work,
      GITHUB_ACTIONS: 'true',
      CI: 'true',
      GITHUB_EVENT_NAME: options.eventName,
      GITHUB_REPOSITORY: options.repository ?? 'Codertocat/Hello-World',
      GITHUB_API_URL: options.apiUrl,
      GITHUB_SERVER_URL: 'http://127.0.0.1',
      GITHUB_OUTPUT: outputPath,
      GITHUB_STEP_SUMMARY: summaryPath,
      RUNNER_TEMP: work,
      RUNNER_OS: 'Linux',
      ...Object.fromEntries(
        Object.entries({
          token: 'ghs_workflowtoken',
          mode: 'check',
          policy: '.github/hitl.yml',
          'app-slug': 'github-actions',
          ...options.inputs,
        }).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v]),
      ),
      ...options.env,
    };
    if (options.payload !== undefined) {
      const eventPath = join(work, 'event.json');
      writeFileSync(eventPath, JSON.stringify(options.payload));
      env.GITHUB_EVENT_PATH = eventPath;
    }
    // Asynchronous: the fake GitHub answers from this same process.
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [options.entry], { env, cwd: work, timeout: 20_000 }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      });
    });
    return {
      code,
      stdout,
      stderr,
      outputs: parseOutputs(readFileSync(outputPath, 'utf8')),
      summary: readFileSync(summaryPath, 'utf8'),
      annotations: parseAnnotations(stdout),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** `name<<DELIMITER\nvalue\nDELIMITER` blocks, as @actions/core writes them. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const pattern = /^([^\n<]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (const match of text.matchAll(pattern)) outputs[match[1]!] = match[3]!;
  return outputs;
}

function parseAnnotations(stdout: string): Annotation[] {
  const annotations: Annotation[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    const match = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!match) continue;
    const properties: Record<string, string> = {};
    for (const pair of (match[2] ?? '').split(',').filter(Boolean)) {
      const at = pair.indexOf('=');
      properties[pair.slice(0, at)] = unescape(pair.slice(at + 1));
    }
    annotations.push({ level: match[1] as Annotation['level'], properties, message: unescape(match[3]!) });
  }
  return annotations;
}

function unescape(value: string): string {
  return value.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');
}
