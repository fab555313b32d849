// The public transparency page in headless Chromium at a phone's viewport: the figures of a scripted history,
// readable without sideways scrolling, and not one principal id, name or email from the seed.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.ts';
import { startTestStack, type TestStack } from '../support/local-stack.ts';
import { type ScriptedIds, scriptThroughHttp } from '../support/transparency-script.ts';

const PHONE = { width: 390, height: 844 };

describe('transparency page on a phone', () => {
  let stack: TestStack;
  let browser: Browser;
  let ids: ScriptedIds;
  beforeAll(async () => {
    stack = await startTestStack({ policy: { minDuration: 'PT1S' } });
    ids = await scriptThroughHttp(stack);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('shows the figures, fits the screen and contains no personal data', async () => {
    // Prepare
    const page = await browser.newPage({ viewport: PHONE, isMobile: true, hasTouch: true });
    // Act
    const response = await page.goto(`${stack.url}/transparency`);
    // Assess
    expect(response?.status()).toBe(200);
    const figure = async (id: string) =>
      (await page.locator(`[data-figure="${id}"] .value`).textContent())?.trim();
    expect(await figure('seats')).toBe('0 / 5');
    expect(await figure('active')).toBe('1');
    expect(await figure('grants')).toBe('2');
    expect(await figure('denials')).toBe('1');
    expect(await figure('revocations')).toBe('1');
    expect(await figure('timeouts')).toBe('0');
    expect(await figure('median-duration')).toBe('2 hours');
    expect(await figure('reviews-on-time')).toBe('0');
    expect(await page.locator('[data-table="by-organisation"] [data-key="Northwind"]').textContent()).toBe(
      '1',
    );
    expect(
      await page.locator('[data-table="revocations-by-reason"] [data-key="REVOKED_BY_STAFF"]').textContent(),
    ).toBe('1');
    expect(await page.locator('[data-figure="chain"]').textContent()).toContain('Verified at');
    expect(await page.getByRole('main').count()).toBe(1);
    expect(await page.locator('body > :not(header, main, footer)').count()).toBe(0);

    // A string, evaluated in the page: the test's TypeScript has no DOM types.
    const fits = await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth');
    expect(fits).toBe(true);
    expect(await page.locator('meta[name=viewport]').getAttribute('content')).toContain('width=device-width');

    const html = await page.content();
    for (const person of stack.seed.principals) {
      for (const personal of [person.id, person.name, person.email]) expect(html).not.toContain(personal);
    }
    for (const id of Object.values(ids)) expect(html).not.toContain(id);
    await page.close();
  });
});
