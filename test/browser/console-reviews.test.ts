// The web console's review rounds in headless Chromium: when a grant's review falls due, the round appears in an
// approver's inbox with the holder, what they hold and until when, and the director keeps or revokes it from there
// (a revoke needs a comment, asked for beside the field before anything is sent); axe on each state. Reviews fall
// due 2 s after a grant; the sweep runs only when the test asks.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible, signIn, startConsoleSuite, stopConsoleSuite } from '../support/console.ts';
import { type TestStack, waitFor } from '../support/local-stack.ts';

const justification = 'Investigating a data quality incident in the admissions feed';

describe('the console: review rounds in the approver inbox', () => {
  let stack: TestStack;
  let browser: Browser;

  beforeAll(async () => {
    ({ stack, browser } = await startConsoleSuite({
      policy: { minDuration: 'PT1S', review: { admin: 'PT2S', dataset: 'PT2S', grace: 'PT10M' } },
      sweepIntervalMs: 0,
    }));
  });
  afterAll(() => stopConsoleSuite(browser, stack));

  async function activeGrant(as: string, scopes: string[]): Promise<string> {
    const created = await stack.call('POST', '/requests', {
      as,
      body: { scopes, justification, duration: 'PT1H' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    await waitFor(() => stack.approvalLinks('dir-ben', id).length > 0 || undefined, 'approval prompt');
    const approved = await stack.call('POST', `/requests/${id}/decisions`, {
      as: 'dir-ben',
      body: { decision: 'approve' },
    });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    await stack.waitForStatus(id, 'ACTIVE');
    return id;
  }

  it('shows a due review round in the inbox; the director keeps one grant and revokes the other', async () => {
    // Prepare: two dataset grants whose reviews the sweep opens once they fall due
    const kept = await activeGrant('ext-max', ['dataset:gp-records']);
    const revoked = await activeGrant('ext-lee', ['dataset:hes-apc']);
    await waitFor(async () => {
      await stack.call('POST', '/dev/sweep');
      const open = await Promise.all(
        [kept, revoked].map(
          async (id) => (await stack.call('GET', `/requests/${id}`, { as: 'adm-eve' })).body,
        ),
      );
      return open.every((request) => request.review) ? open : undefined;
    }, 'review rounds');
    const ada = await signIn(browser, stack, 'dir-ada', { path: '/inbox' });
    const { page } = ada;
    const keptCard = page.locator(`section[data-request-id="${kept}"][data-kind="review"]`);
    const revokedCard = page.locator(`section[data-request-id="${revoked}"][data-kind="review"]`);
    await Promise.all([keptCard.waitFor(), revokedCard.waitFor()]);

    // Assess: the round reads as a review, in words, with what the holder has and until when
    expect(await keptCard.getByRole('heading').textContent()).toMatch(/^Review of access: /);
    // Datasets read by title once the console has the catalogue (GET /datasets, fetched beside the inbox)
    await keptCard.locator('dl', { hasText: 'GP Data for Planning and Research' }).waitFor();
    const details = (await keptCard.locator('dl').textContent()) ?? '';
    expect(details).toContain('(ext-max)');
    expect(details).toContain('GP Data for Planning and Research');
    expect(details).toContain('1 hour');
    expect(details).toMatch(/Access ends\s*[A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d UTC/);
    expect(details).toMatch(/Decide by\s*.+UTC \(in /);
    expect(details).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}|PT\d/);
    expect(await keptCard.getByRole('button', { name: 'Keep access' }).count()).toBe(1);
    await expectAccessible(page, 'inbox (review rounds)');

    // Act + assess: a revoke without a comment is refused beside the field, and nothing is sent
    await revokedCard.getByRole('button', { name: 'Revoke access' }).click();
    await revokedCard.getByText('Enter a comment saying why you revoke').first().waitFor();
    expect(await revokedCard.locator('.nhsuk-error-summary').count()).toBe(1);
    await expectAccessible(page, 'inbox (review, revoke without a comment)');
    const untouched = await stack.call('GET', `/requests/${revoked}`, { as: 'adm-eve' });
    expect(untouched.body).toMatchObject({ status: 'ACTIVE', review: expect.any(Object) });

    // Act: keep one, revoke the other with a reason
    await keptCard.getByLabel('Comment').fill('Still needed for the planning extract');
    await keptCard.getByRole('button', { name: 'Keep access' }).click();
    await page.getByText(/^You kept /).waitFor();
    await keptCard.waitFor({ state: 'detached' });
    await revokedCard.getByLabel('Comment').fill('The investigation has closed');
    await revokedCard.getByRole('button', { name: 'Revoke access' }).click();
    await page.getByText(/^You revoked /).waitFor();
    await revokedCard.waitFor({ state: 'detached' });
    await expectAccessible(page, 'inbox (reviews decided)');
    const decided = (await page.locator('h2:text("What I decided") + ul').textContent()) ?? '';

    // Assess: the API holds both decisions, by dir-ada, with her comments
    const keptNow = (await stack.call('GET', `/requests/${kept}`, { as: 'adm-eve' })).body;
    expect(keptNow.status).toBe('ACTIVE');
    expect(keptNow.review).toBeUndefined();
    expect(keptNow.reviews.at(-1)).toMatchObject({
      reviewerId: 'dir-ada',
      decision: 'keep',
      comment: 'Still needed for the planning extract',
    });
    await stack.waitForStatus(revoked, 'REVOKED');
    const revokedNow = (await stack.call('GET', `/requests/${revoked}`, { as: 'adm-eve' })).body;
    expect(revokedNow.reviews.at(-1)).toMatchObject({ reviewerId: 'dir-ada', decision: 'revoke' });
    expect(decided).toMatch(/GP Data for Planning and Research: keep/);
    expect(decided).toMatch(/Hospital Episode Statistics — Admitted Patient Care: revoke/);
    await ada.context.close();
  }, 90_000);
});
