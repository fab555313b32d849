// The approval page in a real browser: open the emailed link in headless Chromium, click Approve, see it recorded.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.ts';
import { startTestStack, type TestStack, waitFor } from '../support/local-stack.ts';

describe('approval page in headless Chromium', () => {
  let stack: TestStack;
  let browser: Browser;
  beforeAll(async () => {
    stack = await startTestStack({ policy: { minDuration: 'PT1S' } });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('shows the request, approves on click, and the request becomes ACTIVE', async () => {
    const created = await stack.call('POST', '/requests', {
      as: 'ext-ivy',
      body: {
        scopes: ['dataset:cancer-registry'],
        justification: 'Validating the registry linkage pipeline',
        duration: 'PT2H',
        ticket: 'CHG-77',
      },
    });
    expect(created.status).toBe(201);
    const [link] = await waitFor(() => {
      const links = stack.approvalLinks('exd-cleo', created.body.id);
      return links.length ? links : undefined;
    }, 'approval link');

    const page = await browser.newPage();
    await page.goto(link as string);
    expect(await page.locator('h1').textContent()).toContain('Ivy Vendor');
    expect(await page.locator('dl').textContent()).toContain('CHG-77');
    expect(await page.getByRole('main').count()).toBe(1);
    expect(await page.locator('main h1').count()).toBe(1);
    const facts = (await page.locator('dl').textContent()) ?? '';
    expect(facts).toContain('National Cancer Registration Dataset (identifiable)');
    expect(facts).toContain('2 hours');
    expect(facts).not.toContain('dataset:');
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.waitForSelector('[role=status]');
    expect(await page.locator('h1').textContent()).toBe('Decision recorded');
    expect(await page.locator('[role=status]').textContent()).toContain('You approved the request');

    const active = await stack.waitForStatus(created.body.id, 'ACTIVE');
    expect(active.grant.approvedBy).toEqual(['exd-cleo']);
    await page.close();
  });
});
