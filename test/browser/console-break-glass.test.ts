// Break-glass in the web console (issue 16 §1): where the policy configures it, the request form offers it, saying
// what it costs; ticked, the request is ACTIVE at once without approval, and "Who has access" marks the grant. axe on
// each state.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible, signIn, startConsoleSuite, stopConsoleSuite } from '../support/console.ts';
import type { TestStack } from '../support/local-stack.ts';

describe('the console: break-glass', () => {
  let stack: TestStack;
  let browser: Browser;

  beforeAll(async () => {
    ({ stack, browser } = await startConsoleSuite({
      policy: {
        minDuration: 'PT1S',
        breakGlass: {
          eligible: ['ext-kim'],
          scopes: ['dataset:*'],
          maxDuration: 'PT1H',
          reviewWithin: 'PT24H',
          reviewersRequired: 2,
        },
      },
      sweepIntervalMs: 0,
    }));
  });
  afterAll(() => stopConsoleSuite(browser, stack));

  it('offers break-glass in words, grants at once without approval, and marks the grant in Who has access', async () => {
    // Prepare
    const kim = await signIn(browser, stack, 'ext-kim');
    const { page } = kim;
    await page.getByRole('link', { name: 'Ask for access' }).first().click();
    const hint = page.locator('#break-glass-hint');
    await hint.waitFor();

    // Assess: what it costs, in words
    const text = (await hint.textContent()) ?? '';
    expect(text).toContain('for at most 1 hour');
    expect(text).toContain('2 must review it within 1 day');
    expect(text).not.toMatch(/PT\d|P\d/);

    // Act
    await page.getByLabel('One or more datasets').check();
    await page
      .getByLabel(/Hospital Episode Statistics|hes-apc/i)
      .first()
      .check();
    await page.getByLabel('Number').fill('30');
    await page.getByLabel('Unit').selectOption('M');
    await page
      .getByLabel('Why do you need access?')
      .fill('Admissions feed down after INC-1042, no director reachable');
    await page.getByLabel('This is an emergency: use break-glass').check();
    await expectAccessible(page, 'request form (break-glass ticked)');
    await page.getByRole('button', { name: 'Get emergency access now' }).click();
    await page.waitForURL(/\/requests\/[^/]+$/);
    const id = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1) as string);

    // Assess: ACTIVE without any approval, reviewed afterwards
    const active = await stack.waitForStatus(id, 'ACTIVE', 10_000);
    expect(active.breakGlass).toMatchObject({ outcome: 'OPEN', reviewersRequired: 2 });
    expect(active.approvals).toEqual([]);
    await kim.context.close();

    const ada = await signIn(browser, stack, 'dir-ada', { path: '/access' });
    const row = ada.page.getByTestId('access-now').locator('tr', { hasText: '(ext-kim)' });
    await row.waitFor();
    expect(await row.locator('.nhsuk-tag', { hasText: 'Break-glass' }).count()).toBe(1);
    await expectAccessible(ada.page, 'who has access (a break-glass grant)');
    await ada.context.close();
  });
});
