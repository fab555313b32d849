// Helpers for tests that reply to approval emails on the local stack: a raw RFC 5322 reply, the personal reply
// address an approval email carried, and delivering a reply through POST /dev/mail/inbound (local S3 + the SES
// receipt event) into the inbound handler SES invokes on AWS.
import { expect } from 'vitest';
import type { TestStack } from './local-stack.ts';

export interface Reply {
  readonly from: string;
  readonly to: string;
  readonly body: string;
  readonly html?: boolean;
  readonly headers?: Record<string, string>;
}

/** SES's receipt verdicts for a reply; absent ones pass. */
export type Verdicts = Partial<Record<'spf' | 'dkim' | 'dmarc', string>>;

export function rawMessage(reply: Reply): string {
  const headers = {
    From: reply.from,
    To: reply.to,
    Subject: 'Re: Approval needed',
    Date: new Date().toUTCString(),
    'Message-ID': `<${Math.random().toString(36).slice(2)}@nhse.example>`,
    'MIME-Version': '1.0',
    'Content-Type': reply.html ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8',
    ...reply.headers,
  };
  return `${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\r\n')}\r\n\r\n${reply.body.replace(/\r?\n/g, '\r\n')}`;
}

/** The personal Reply-To of the approval email of `requestId` sent to `email`. */
export function replyAddressOf(stack: TestStack, requestId: string, email: string): string {
  const mail = stack.mailbox
    .messages()
    .find(
      (message) =>
        message.to === email &&
        message.subject.startsWith('Approval needed') &&
        message.subject.includes(requestId),
    );
  if (!mail?.replyTo) throw new Error(`no Reply-To on the approval email to ${email}`);
  return mail.replyTo;
}

/** Delivers `reply` as SES would, and returns the inbound handler's outcome for it. */
export async function deliverReply(stack: TestStack, reply: Reply, verdicts?: Verdicts) {
  const answer = await stack.call('POST', '/dev/mail/inbound', {
    body: { raw: rawMessage(reply), verdicts },
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body.result.outcomes[0];
}

/** Keyholder's answers to replies (refusals and confirmations) mailed to `email`. */
export function answersTo(stack: TestStack, email: string) {
  return stack.mailbox
    .messages()
    .filter((message) => message.to === email && message.subject.startsWith('Re:'));
}
