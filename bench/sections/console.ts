// Benchmark section: the web console. Its first-load JavaScript (every script index.html loads, gzipped), the time
// from a cold load (a new browser context: nothing cached, not signed in) of /inbox to an interactive inbox (signed
// in through the provider's page, the item list rendered and its buttons enabled), and the API calls the inbox makes
// per minute while it sits open and idle.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { ensureConsoleBuilt, WEB_DIST } from '../../local/console-server.ts';
import type { LocalStack } from '../../local/stack.ts';
import { launchChromium } from '../../test/support/browser.ts';
import { openConsole, pickPerson } from '../../test/support/console-session.ts';
import { median } from '../support.ts';

export interface ConsoleResult {
  readonly firstLoadJs: {
    readonly files: readonly string[];
    readonly bytes: number;
    readonly gzipBytes: number;
  };
  readonly coldInboxMs: { readonly runs: readonly number[]; readonly median: number };
  readonly idle: { readonly seconds: number; readonly apiCalls: number; readonly perMinute: number };
}

/** The scripts index.html loads before anything renders: its module script and what it preloads. */
export async function firstLoadJs(): Promise<ConsoleResult['firstLoadJs']> {
  await ensureConsoleBuilt();
  const index = await readFile(path.join(WEB_DIST, 'index.html'), 'utf8');
  const files = [
    ...new Set(
      [...index.matchAll(/<(?:script[^>]*src|link[^>]*rel="modulepreload"[^>]*href)="([^"]+\.js)"/g)].map(
        (match) => match[1] as string,
      ),
    ),
  ];
  let bytes = 0;
  let gzipBytes = 0;
  for (const file of files) {
    const body = await readFile(path.join(WEB_DIST, file));
    bytes += body.length;
    gzipBytes += gzipSync(body, { level: 9 }).length;
  }
  return { files, bytes, gzipBytes };
}

export async function benchConsole(
  stack: LocalStack,
  options: { readonly runs: number; readonly idleSeconds: number; readonly log: (line: string) => void },
): Promise<ConsoleResult> {
  const js = await firstLoadJs();
  options.log(`  first-load JavaScript ${js.files.join(', ')}: ${js.bytes} B, ${js.gzipBytes} B gzipped`);
  const browser = await launchChromium();
  try {
    // Something waits in the inbox, so "interactive" means a decision can be made.
    const token = await stack.tokenFor('ext-gus');
    const asked = await fetch(`${stack.url}/requests`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        scopes: ['admin'],
        duration: 'PT1H',
        justification: 'Benchmark: an item for the inbox',
      }),
    });
    // Without it the inbox has no decision to make and the wait below would only time out.
    if (!asked.ok) throw new Error(`the inbox's request was refused: ${asked.status} ${await asked.text()}`);
    const runs: number[] = [];
    for (let run = 0; run < options.runs; run += 1) {
      const began = performance.now();
      const { context, page } = await openConsole(browser, stack, { path: '/inbox' });
      await page.getByRole('button', { name: 'Sign in' }).click();
      await pickPerson(page, 'dir-ada');
      await page.locator('section[data-kind] button[type=submit]:not([disabled])').first().waitFor();
      runs.push(performance.now() - began);
      if (run < options.runs - 1) await context.close();
      else {
        let calls = 0;
        const apiOrigin = new URL(stack.url).origin;
        page.on('request', (request) => {
          if (new URL(request.url()).origin === apiOrigin && request.method() !== 'OPTIONS') calls += 1;
        });
        await page.waitForTimeout(options.idleSeconds * 1000);
        await context.close();
        const perMinute = (calls * 60) / options.idleSeconds;
        options.log(
          `  cold load -> interactive inbox: median ${median(runs).toFixed(0)} ms over ${runs.length}`,
        );
        options.log(
          `  idle inbox: ${calls} API calls in ${options.idleSeconds} s (${perMinute.toFixed(1)}/min)`,
        );
        return {
          firstLoadJs: js,
          coldInboxMs: { runs, median: median(runs) },
          idle: { seconds: options.idleSeconds, apiCalls: calls, perMinute },
        };
      }
    }
    throw new Error('no run');
  } finally {
    await browser.close();
  }
}
