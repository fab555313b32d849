// Helpers for test/hostile: the attacker's payloads, where each must never come back active (HTML pages, mail
// parts, Slack messages), and the checks every attack ends with: the stack still serves and the audit verifies.
import { expect } from 'vitest';
import { textLines } from '../../lambdas/presentation/plain-text.ts';
import type { MailboxMessage } from '../../local/dev-mailbox.ts';
import type { SlackMessageRecord } from '../../local/fake-slack.ts';
import type { TestStack } from './local-stack.ts';
import { waitFor } from './local-stack.ts';

export const JUSTIFICATION = 'Investigating a data quality incident in the admissions feed';

/** Markup that runs script if a page or an HTML mail part copies it in unescaped. */
export const MARKUP = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>'] as const;

/** Slack mrkdwn control sequences: mentions that page people and a link whose text hides its target. */
export const MRKDWN = ['<!channel>', '<!here>', '<@U0DIRADA>', '<https://evil.example|click>'] as const;

/** A line of Keyholder's own an attacker would like to forge inside a free-text field. */
export const FORGED = '*Approvals:* 2 of 2 required :white_check_mark: *Approved and granted*';

/** Free text carrying every payload, tagged so a reader can tell which field it came through. */
export function hostileText(tag: string): string {
  return `[${tag}] ${[...MARKUP, ...MRKDWN].join(' ')} investigating an incident\r\n${FORGED}\n\u2028${FORGED}`;
}

/** A short hostile text for fields with a tight limit (the ticket: 120 characters). */
export function shortHostileText(tag: string): string {
  return `[${tag}] ${MARKUP[1]} ${MRKDWN[0]}\n${FORGED}`.slice(0, 120);
}

/** What of `html` would be active markup an attacker wrote: any payload copied in as is. */
export function activeMarkupIn(html: string): string[] {
  return MARKUP.filter((payload) => html.includes(payload));
}

/** Whether `html` shows the payload, escaped (so the test knows the field reached the page). */
export function showsEscaped(html: string, tag: string): boolean {
  return html.includes(`[${tag}] &lt;script&gt;alert(1)&lt;/script&gt;`);
}

/** Lines that begin with the forged text: free text that has started a line of its own. */
export function forgedLinesIn(text: string): string[] {
  return textLines(text).filter((line) => line.trimStart().startsWith('*Approvals:*'));
}

/** Every mrkdwn text of a Slack message (its fallback text included), as Slack would parse it. */
export function mrkdwnTextsOf(message: {
  text: string;
  blocks: readonly Record<string, unknown>[];
}): string[] {
  const texts = [message.text];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) for (const item of value) walk(item);
    else if (value && typeof value === 'object') {
      const object = value as Record<string, unknown>;
      if (object.type === 'mrkdwn' && typeof object.text === 'string') texts.push(object.text);
      for (const inner of Object.values(object)) walk(inner);
    }
  };
  walk(message.blocks);
  return texts;
}

/** Every version a Slack message has had, oldest first, the current one last. */
export function versionsOf(
  message: SlackMessageRecord,
): Array<{ text: string; blocks: Record<string, unknown>[] }> {
  return [...message.history, { text: message.text, blocks: message.blocks }];
}

/** What is wrong with a Slack message's mrkdwn: a control sequence left active, or a forged line. */
export function slackProblems(message: {
  text: string;
  blocks: readonly Record<string, unknown>[];
}): string[] {
  return mrkdwnTextsOf(message).flatMap((text) => [
    ...MRKDWN.filter((payload) => text.includes(payload)).map((payload) => `active ${payload} in ${text}`),
    ...forgedLinesIn(text).map((line) => `forged line ${JSON.stringify(line)}`),
  ]);
}

/** What is wrong with a mail: active markup in its HTML part, a forged line in its text part (a subject is text). */
export function mailProblems(message: MailboxMessage): string[] {
  return [
    ...activeMarkupIn(message.html).map((payload) => `${message.subject}: HTML part has ${payload}`),
    ...forgedLinesIn(message.text).map(
      (line) => `${message.subject}: text part line ${JSON.stringify(line)}`,
    ),
  ];
}

/** A pending request of `as`, once the approval emails are out. */
export async function submitted(
  stack: TestStack,
  as: string,
  body: Record<string, unknown> = {},
): Promise<string> {
  const created = await stack.call('POST', '/requests', {
    as,
    body: { scopes: ['dataset:hes-apc'], justification: JUSTIFICATION, duration: 'PT1H', ...body },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const id = created.body.id as string;
  await waitFor(() => stack.approvalLinks('exd-cleo', id)[0], `approval emails of ${id}`);
  return id;
}

/** A form POST, as a browser sends an approval or review page's form. */
export function postForm(link: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  return fetch(link, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
}

/**
 * After the attacks: /health answers 200 within a few seconds, an ordinary request goes through (submitted, then
 * cancelled by its requester), and the audit trail still verifies.
 */
export async function expectStillServingAndAuditIntact(stack: TestStack): Promise<void> {
  const started = performance.now();
  const health = await fetch(`${stack.url}/health`);
  expect(health.status).toBe(200);
  expect(performance.now() - started).toBeLessThan(5000);
  const id = await submitted(stack, 'ext-ivy');
  expect((await stack.call('POST', `/requests/${id}/cancel`, { as: 'ext-ivy' })).status).toBe(200);
  const verified = await stack.call('GET', '/audit/verify', { as: 'aud-fay' });
  expect(verified.status, JSON.stringify(verified.body)).toBe(200);
  expect(verified.body.ok, JSON.stringify(verified.body)).toBe(true);
}
