// The web console's other journeys in headless Chromium: a signed-out visitor sent to sign in and brought back, field
// errors beside their fields and in the error summary, a self-approval refused with the API's message, cancel while
// pending, the audit page's verdicts, a group owner named in words on the request form, and a phone's viewport
// without horizontal scrolling; axe on each state.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectAccessible,
  expectNoHorizontalScroll,
  openConsole,
  pickPerson,
  screenshot,
  signIn,
  startConsoleSuite,
  stopConsoleSuite,
} from '../support/console.ts';
import type { TestStack } from '../support/local-stack.ts';

const PHONE = { width: 390, height: 844 };

describe('the console: signing in, errors, refusals, audit and a phone', () => {
  let stack: TestStack;
  let browser: Browser;

  beforeAll(async () => {
    ({ stack, browser } = await startConsoleSuite({ policy: { minDuration: 'PT1S' }, sweepIntervalMs: 0 }));
  });
  afterAll(() => stopConsoleSuite(browser, stack));

  it('a signed-out visitor sees what Keyholder is; on a page that needs a sign-in, is sent to sign in and back', async () => {
    const home = await openConsole(browser, stack);
    await home.page.getByRole('heading', { name: 'Keyholder', level: 1 }).waitFor();
    expect(await home.page.locator('main').textContent()).toMatch(/director approves/);
    await expectAccessible(home.page, 'signed out (home)');
    await screenshot(home.page, 'signed-out');
    await home.context.close();

    const { context, page } = await openConsole(browser, stack, { path: '/inbox' });
    await page.getByRole('heading', { name: 'Sign in to continue' }).waitFor();
    await expectAccessible(page, 'signed out (a page that needs sign-in)');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await pickPerson(page, 'dir-ada');
    await page.getByRole('heading', { name: 'Inbox', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/inbox');
    // Signing out ends the session: a reload does not sign in again.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await context.close();
  });

  it("shows every error beside its field and in the summary: the form's own checks, then the API's", async () => {
    const { context, page } = await signIn(browser, stack, 'ext-lee', { path: '/request' });
    await page.getByRole('button', { name: 'Send request' }).click();
    const summary = page.locator('.nhsuk-error-summary');
    await summary.waitFor();
    expect(await summary.locator('a').allTextContents()).toEqual([
      'Select admin or the datasets you need',
      'Enter how long you need access for, as a whole number',
      'Enter why you need access',
    ]);
    expect(await page.locator('#kind-error').textContent()).toContain(
      'Select admin or the datasets you need',
    );
    expect(await page.locator('#duration-error').textContent()).toContain('Enter how long');
    expect(await page.locator('#justification-error').textContent()).toContain('Enter why you need access');
    // The summary takes the focus; its links lead to the fields.
    expect(await page.evaluate("document.activeElement?.classList.contains('nhsuk-error-summary')")).toBe(
      true,
    );
    await expectAccessible(page, 'request form (errors)');

    await page.getByLabel('Admin').check();
    await page.getByLabel('Number').fill('2');
    await page.getByLabel('Unit').selectOption('H');
    await page.getByLabel('Why do you need access?').fill('Too short');
    await page.getByRole('button', { name: 'Send request' }).click();
    const refused = await stack.call('POST', '/requests', {
      as: 'ext-lee',
      body: { scopes: ['admin'], duration: 'PT2H', justification: 'Too short' },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.field).toBe('justification');
    await page.locator('#justification-error').waitFor();
    const message = refused.body.error.message as string;
    expect(((await page.locator('#justification-error').textContent()) ?? '').toLowerCase()).toContain(
      message.toLowerCase(),
    );
    expect(((await summary.textContent()) ?? '').toLowerCase()).toContain(message.toLowerCase());
    await expectAccessible(page, 'request form (an API error)');
    await screenshot(page, 'request-form-errors');
    await context.close();
  });

  it('names a dataset owned by a group in words on the request form', async () => {
    const patched = await stack.call('PATCH', '/datasets/ae-attendances', {
      as: 'adm-eve',
      body: { owners: ['group:Cancer Registry IAOs', 'dir-ben'] },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const { context, page } = await signIn(browser, stack, 'ext-lee', { path: '/request' });
    await page.getByLabel('One or more datasets').check();
    const hint = page.locator('#dataset-ae-attendances-owners');
    await hint.waitFor();
    // The policy here is approvals.dataset: director, so the owners are named, not said to approve.
    expect(await hint.textContent()).toBe('Owners: Ben Director, Members of Cancer Registry IAOs');
    expect(await page.locator('#dataset-hes-apc-owners').count()).toBe(0);
    await expectAccessible(page, 'request form (dataset owners)');
    await context.close();
  });

  it("refuses a self-approval with the API's message, and cancels while pending", async () => {
    const { context, page } = await signIn(browser, stack, 'dir-ben', { path: '/request' });
    await page.getByLabel('One or more datasets').check();
    await page.locator('input[id^="dataset-"]').first().check();
    await page.getByLabel('Number').fill('1');
    await page.getByLabel('Unit').selectOption('H');
    await page.getByLabel('Why do you need access?').fill('Checking the extract before the board meeting');
    await page.getByRole('button', { name: 'Send request' }).click();
    await page.waitForURL(/\/requests\/[^/]+$/);
    const id = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1) as string);
    await page.getByRole('heading', { name: 'Your decision' }).waitFor();
    await page.getByRole('button', { name: 'Approve' }).click();
    const refusal = page.getByRole('alert').filter({ hasText: 'Your decision was not recorded' });
    await refusal.waitFor();
    const direct = await stack.call('POST', `/requests/${id}/decisions`, {
      as: 'dir-ben',
      body: { decision: 'approve' },
    });
    expect(direct.status).toBe(403);
    expect(await refusal.textContent()).toContain(direct.body.error.message);
    await expectAccessible(page, 'request (self-approval refused)');

    await page.getByRole('button', { name: 'Cancel this request' }).click();
    await page.locator('[data-status="CANCELLED"]').waitFor();
    await page.getByText('Your request was cancelled.').waitFor();
    await expectAccessible(page, 'request (cancelled)');
    await context.close();
  });

  it("verifies the whole audit trail and one request's chain", async () => {
    const created = await stack.call('POST', '/requests', {
      as: 'ext-gus',
      body: {
        scopes: ['admin'],
        duration: 'PT1H',
        justification: 'Routine maintenance of the ingestion jobs',
      },
    });
    const { context, page } = await signIn(browser, stack, 'aud-fay', { path: '/audit' });
    await page.getByRole('button', { name: 'Verify the audit trail' }).click();
    const verdict = page.getByTestId('verify-verdict');
    await verdict.waitFor();
    expect(await verdict.textContent()).toContain('The audit trail is intact');
    await page.getByLabel('Request reference').fill(created.body.id);
    await page.getByRole('button', { name: 'Show the trail' }).click();
    await page.getByTestId('chain-verdict').waitFor();
    expect(await page.getByTestId('chain-verdict').textContent()).toMatch(/Chain intact/);
    expect(await page.locator('.kh-timeline').textContent()).toMatch(/requested admin/);
    await expectAccessible(page, 'audit (verdicts)');
    await screenshot(page, 'audit');
    await context.close();
  });

  it('fits a phone (390 x 844) without horizontal scrolling, page by page', async () => {
    const kim = await signIn(browser, stack, 'ext-kim', { viewport: PHONE });
    for (const [link, heading] of [
      ['Ask for access', 'Ask for access'],
      ['My requests', 'My requests'],
    ] as const) {
      await kim.page.getByRole('link', { name: link }).first().click();
      await kim.page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      await kim.page
        .locator('[role=status]', { hasText: /^Loading/ })
        .first()
        .waitFor({ state: 'detached' });
      await expectNoHorizontalScroll(kim.page, `phone: ${heading}`);
      await expectAccessible(kim.page, `phone: ${heading}`);
    }
    await kim.context.close();
    await stack.call('POST', '/requests', {
      as: 'ext-hal',
      body: { scopes: ['admin'], duration: 'PT4H', justification: 'Upgrading the safe haven query engine' },
    });
    for (const [who, path, heading] of [
      ['dir-ada', '/inbox', 'Inbox'],
      ['aud-fay', '/access', 'Who has access'],
      ['aud-fay', '/audit', 'Audit'],
      ['adm-eve', '/directory', 'Directory'],
    ] as const) {
      const signedIn = await signIn(browser, stack, who, { viewport: PHONE, path });
      await signedIn.page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      await signedIn.page
        .locator('[role=status]', { hasText: /^Loading/ })
        .first()
        .waitFor({ state: 'detached' });
      await expectNoHorizontalScroll(signedIn.page, `phone: ${heading}`);
      await expectAccessible(signedIn.page, `phone: ${heading}`);
      if (path === '/inbox') await screenshot(signedIn.page, 'phone-inbox');
      await signedIn.context.close();
    }
  }, 90_000);
});
