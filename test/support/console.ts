// Browser-test helpers for the web console: a stack with the console, people signed in in their own browser
// contexts, axe checks against WCAG 2.2 AA, and screenshots for docs/screenshots/.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { type LocalStackOptions, REPO_ROOT } from '../../local/stack.ts';
import { launchChromium } from './browser.ts';
import { startTestStack, type TestStack } from './local-stack.ts';

export { openConsole, pickPerson, type SignedIn, signIn } from './console-session.ts';

export const SCREENSHOTS = path.join(REPO_ROOT, 'docs', 'screenshots');
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** Every axe run of the test file, by page and state: what the report sums up. */
export const axeLog: Array<{ page: string; violations: number; serious: number }> = [];

/** A local stack (with the console) and a headless Chromium, started side by side for one browser test file. */
export async function startConsoleSuite(
  options: LocalStackOptions,
): Promise<{ stack: TestStack; browser: Browser }> {
  const [stack, browser] = await Promise.all([startTestStack(options), launchChromium()]);
  return { stack, browser };
}

/** Prints the file's axe results by page and state, then closes the browser and stops the stack. */
export async function stopConsoleSuite(browser: Browser | undefined, stack: TestStack | undefined) {
  console.log(
    `axe (WCAG 2.2 AA): ${axeLog.map((entry) => `${entry.page} ${entry.serious}/${entry.violations}`).join('; ')}`,
  );
  await browser?.close();
  await stack?.stop();
}

/** Runs axe on the page as it is now; fails on any serious or critical violation. */
export async function expectAccessible(page: Page, state: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  axeLog.push({ page: state, violations: results.violations.length, serious: serious.length });
  expect(
    serious.map(
      (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    ),
    `axe on ${state}`,
  ).toEqual([]);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** The page has no horizontal scrolling. */
export async function expectNoHorizontalScroll(page: Page, state: string): Promise<void> {
  const overflow = await page.evaluate<number>(
    'document.documentElement.scrollWidth - document.documentElement.clientWidth',
  );
  expect(overflow, `horizontal overflow on ${state}`).toBeLessThanOrEqual(0);
}

/** Presses Tab until `selector` has the focus (the element is reachable with the keyboard alone), at most `max` times. */
export async function tabTo(page: Page, selector: string, max = 80): Promise<void> {
  for (let presses = 0; presses < max; presses += 1) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(`document.activeElement?.matches(${JSON.stringify(selector)}) ?? false`)) return;
  }
  throw new Error(`${selector} was not reached with ${max} presses of Tab`);
}
