// The web console in headless Chromium, through the console only: an external admin's whole lifecycle (ext-kim asks
// with the keyboard alone, two directors see it in their inboxes without reloading and approve, it is ACTIVE, the
// auditor sees it now, in the timeline and at a past time after expiry, the access-admin deactivates ext-kim and the
// grant shows revoked), with axe on every page and state reached and screenshots for the README.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectAccessible,
  type SignedIn,
  screenshot,
  signIn,
  startConsoleSuite,
  stopConsoleSuite,
  tabTo,
} from '../support/console.ts';
import type { TestStack } from '../support/local-stack.ts';

/** A new item reaches a director's open inbox within this, without a reload (the inbox polls every 5 s). */
const INBOX_WITHIN_MS = 10_000;

async function requestIdOf(page: Page): Promise<string> {
  await page.waitForURL(/\/requests\/[^/]+$/);
  return decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1) as string);
}

async function inboxCard(page: Page, requestId: string) {
  const card = page.locator(`section[data-request-id="${requestId}"][data-kind="request"]`);
  await card.waitFor({ timeout: INBOX_WITHIN_MS });
  return card;
}

describe('the console: an external admin, from request to revocation', () => {
  let stack: TestStack;
  let browser: Browser;
  let kim: SignedIn;
  let ada: SignedIn;
  let ben: SignedIn;
  let adminRequest: string;
  let adminGrantedAt: number;
  let datasetRequest: string;

  beforeAll(async () => {
    ({ stack, browser } = await startConsoleSuite({ policy: { minDuration: 'PT1S' }, sweepIntervalMs: 0 }));
  });
  afterAll(() => stopConsoleSuite(browser, stack));

  it('ext-kim asks for admin with the keyboard alone; dir-ada and dir-ben see it within 10 s and approve', async () => {
    [kim, ada, ben] = await Promise.all([
      signIn(browser, stack, 'ext-kim', { path: '/request' }),
      signIn(browser, stack, 'dir-ada', { path: '/inbox' }),
      signIn(browser, stack, 'dir-ben', { path: '/inbox' }),
    ]);
    await ada.page.getByText('Nothing waits for you').waitFor();
    await expectAccessible(ada.page, 'inbox (empty)');

    const { page } = kim;
    await page.getByRole('heading', { name: 'Ask for access' }).waitFor();
    await expectAccessible(page, 'request form');
    await tabTo(page, '#kind-admin');
    await page.keyboard.press('Space');
    await tabTo(page, '#duration-amount');
    await page.keyboard.type('30');
    await page.keyboard.press('Tab'); // the unit: seconds are offered because the policy's minimum is under a minute
    await page.keyboard.press('Home');
    expect(await page.locator('#duration-unit').inputValue()).toBe('S');
    await tabTo(page, '#justification');
    await page.keyboard.type('Investigating a data quality incident in the admissions feed');
    await tabTo(page, '#ticket');
    await page.keyboard.type('INC-1042');
    await screenshot(page, 'request-form');
    await page.keyboard.press('Enter');
    adminRequest = await requestIdOf(page);
    await page.getByText('Waiting for approval').first().waitFor();
    await expectAccessible(page, 'request (pending)');

    // Neither director reloads: the inbox shows the request by itself.
    const [adaCard, benCard] = await Promise.all([
      inboxCard(ada.page, adminRequest),
      inboxCard(ben.page, adminRequest),
    ]);
    const details = await adaCard.locator('dl').textContent();
    expect(details).toContain('Kim');
    expect(details).toContain('Northwind');
    expect(details).toMatch(/SC, valid until/);
    expect(details).toContain('30 seconds');
    expect(details).toContain('INC-1042');
    expect(details).toMatch(/0 of 5 in use/);
    await expectAccessible(ada.page, 'inbox (a request)');
    await screenshot(ada.page, 'approver-inbox');

    // Ada approves with the keyboard alone; Ben with a click.
    await tabTo(ada.page, `section[data-request-id="${adminRequest}"] button[type=submit]`);
    await ada.page.keyboard.press('Enter');
    await ada.page.getByText(/You approved Kim/).waitFor();
    await expectAccessible(ada.page, 'inbox (decided)');
    await benCard.getByRole('button', { name: 'Approve' }).click();
    await ben.page.getByText(/You approved Kim/).waitFor();
    adminGrantedAt = Date.now();
  }, 60_000);

  it('ext-kim sees the grant ACTIVE with its countdown', async () => {
    const { page } = kim;
    await page.locator('[data-status="ACTIVE"]').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('countdown').textContent()).toMatch(/Ends in \d+ seconds?/);
    await expectAccessible(page, 'request (active)');
  });

  it('aud-fay sees ext-kim in "who has access now" and in the timeline, with the cap line', async () => {
    const fay = await signIn(browser, stack, 'aud-fay', { path: '/access' });
    const now = fay.page.getByTestId('access-now');
    await now.waitFor();
    expect(await now.textContent()).toContain('ext-kim');
    await fay.page.getByTestId('grants-chart').waitFor();
    expect(await fay.page.getByTestId('grants-chart').getAttribute('aria-label')).toContain('Kim');
    expect(await fay.page.getByTestId('admins-chart').getAttribute('aria-label')).toMatch(
      /1 now, peak 1, cap 5/,
    );
    expect(await fay.page.getByTestId('cap-line').count()).toBe(1);
    await expectAccessible(fay.page, 'who has access (now, timeline)');
    await fay.context.close();
  });

  it('ext-kim asks for a dataset, then for more time; dir-ada approves both from her inbox', async () => {
    const { page } = kim;
    await page.getByRole('link', { name: 'Ask for access' }).first().click();
    await page.getByLabel('One or more datasets').check();
    await page
      .getByLabel(/Hospital Episode Statistics|hes-apc/i)
      .first()
      .check();
    await page.getByLabel('Number').fill('10');
    await page.getByLabel('Unit').selectOption('M');
    await page.getByLabel('Why do you need access?').fill('Reconciling admissions with the registry extract');
    await page.getByRole('button', { name: 'Send request' }).click();
    datasetRequest = await requestIdOf(page);
    const card = await inboxCard(ada.page, datasetRequest);
    await card.getByRole('button', { name: 'Approve' }).click();
    await page.locator('[data-status="ACTIVE"]').waitFor({ timeout: 15_000 });

    // More time while active: a new round in the director's inbox, the expiry moves when it is approved.
    await page.getByText('Ask for more time', { exact: true }).first().click();
    await page.getByLabel('How much longer?').fill('5');
    await page.getByLabel('Unit').selectOption('M');
    await page
      .getByLabel('Why do you need more time?')
      .fill('The reconciliation found a second feed to check');
    await expectAccessible(page, 'request (extension form)');
    await page.getByRole('button', { name: 'Send the request for more time' }).click();
    await page.getByText(/You asked for 5 minutes more/).waitFor();
    const round = ada.page.locator(`section[data-request-id="${datasetRequest}"][data-kind="extension"]`);
    await round.waitFor({ timeout: INBOX_WITHIN_MS });
    expect(await round.locator('dl').textContent()).toContain('5 minutes');
    await round.getByRole('button', { name: 'Approve' }).click();
    await page.getByText(/You asked for 5 minutes more/).waitFor({ state: 'detached' });
    await page.locator('.kh-timeline', { hasText: /approved the extension/ }).waitFor();
  }, 60_000);

  it('after the admin grant expired, aud-fay sees ext-kim at a past time', async () => {
    await stack.waitForStatus(adminRequest, 'EXPIRED', 40_000);
    const fay = await signIn(browser, stack, 'aud-fay', { path: '/access' });
    await fay.page.getByTestId('access-now').waitFor();
    expect(await fay.page.getByTestId('access-now').textContent()).not.toMatch(/Admin \(the whole/);
    const during = new Date(adminGrantedAt + 3_000).toISOString().slice(0, 19);
    await fay.page.getByLabel('Date and time').fill(during);
    await fay.page.getByRole('button', { name: 'Show' }).click();
    const at = fay.page.getByTestId('access-at');
    await at.waitFor();
    const text = await at.textContent();
    expect(text).toContain('ext-kim');
    expect(text).toMatch(/Admin/);
    expect(text).toMatch(/expired/);
    await expectAccessible(fay.page, 'who had access at a past time');
    // The picture for the README: the expired admin grant (red: an external admin) and the dataset grant.
    await fay.page.getByLabel('Show').selectOption('PT5M');
    await fay.page.getByTestId('grants-chart').waitFor();
    await screenshot(fay.page, 'access-timeline');
    await fay.context.close();
  }, 60_000);

  it('adm-eve deactivates ext-kim, seeing first that it revokes 1 active grant; the grant shows revoked', async () => {
    const eve = await signIn(browser, stack, 'adm-eve', { path: '/directory' });
    const row = eve.page.locator('tr[data-principal="ext-kim"]');
    await row.waitFor();
    await expectAccessible(eve.page, 'directory');
    await row.getByRole('button', { name: /Change/ }).click();
    await eve.page.getByRole('button', { name: /Deactivate Kim/ }).click();
    const consequences = eve.page.getByTestId('consequences');
    await consequences.waitFor();
    expect(await consequences.textContent()).toMatch(/This revokes 1 active grant/);
    await expectAccessible(eve.page, 'directory (consequences)');
    await eve.page.getByRole('button', { name: 'Confirm the change' }).click();
    await eve.page.getByText(/1 grant revoked/).waitFor();
    // A reload: the tokens were in memory only, the console signs in again without a prompt.
    await eve.page.goto(`${stack.consoleUrl}/requests/${encodeURIComponent(datasetRequest)}`);
    await eve.page.locator('[data-status="REVOKED"]').waitFor();
    expect(await eve.page.locator('.kh-timeline').textContent()).toMatch(/revoked/i);
    await expectAccessible(eve.page, 'request (revoked)');
    await screenshot(eve.page, 'request-revoked');
    await eve.context.close();
  });
});
