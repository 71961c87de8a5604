// A real browser for the tests that must see what a person sees: Debian's `chromium` driven by
// playwright-core (which never downloads a browser of its own here). Locally a missing chromium skips
// those tests with a message; under CI it fails them.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.HITL_CHROMIUM ?? '/usr/bin/chromium';
/** Screenshots and pages the browser tests keep for people to look at (git-ignored). */
export const ARTIFACTS = resolve(import.meta.dirname, '..', '..', 'test-artifacts');

/** Why the browser tests cannot run here, or undefined when they can. Under CI there is no excuse. */
export function browserMissing(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  const why = `no Chromium at ${CHROMIUM} (apt-get install chromium, or set HITL_CHROMIUM)`;
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(`browser tests need Chromium under CI: ${why}`);
  return why;
}

export interface Headless {
  /** A browser profile of its own, made for this run and removed by close(). */
  context: BrowserContext;
  /** Every request the pages tried beyond file://, all refused. */
  refused: string[];
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Headless> {
  process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1';
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'hitl-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const refused: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    refused.push(url);
    return route.abort('blockedbyclient');
  });
  return {
    context,
    refused,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}
