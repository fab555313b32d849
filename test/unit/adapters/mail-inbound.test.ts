// Inbound replies: MIME parsing with mailparser (text, HTML-only, headers) and the SES receipt event.
import { describe, expect, it } from 'vitest';
import { parseMail } from '../../../lambdas/adapters/mail-inbound/mime.ts';
import { receivedMails } from '../../../lambdas/adapters/mail-inbound/ses-receipt.ts';
import { parseReplyCommand } from '../../../lambdas/core/reply-parsing.ts';
import { sesReceiptEvent } from '../../../local/dev-mail-inbound.ts';

const headers =
  'From: "Ada Director" <Dir-Ada@NHSE.example>\r\nTo: approvals+x@replies.example\r\nSubject: Re: Approval\r\nMIME-Version: 1.0\r\n';

describe('parseMail', () => {
  it('takes the From address (lowercased), the subject and the text part', async () => {
    const mail = await parseMail(
      `${headers}Content-Type: text/plain; charset=utf-8\r\n\r\napprove\r\n> quoted\r\n`,
    );
    expect(mail).toMatchObject({
      from: 'dir-ada@nhse.example',
      subject: 'Re: Approval',
      autoSubmitted: undefined,
    });
    expect(parseReplyCommand(mail.text)).toEqual({ kind: 'approve' });
  });

  it('renders an HTML-only reply as text, with the quoted history as > lines', async () => {
    const html = '<div>deny&nbsp;Too broad</div><blockquote type="cite">approve<br>Dear Ada</blockquote>';
    const mail = await parseMail(`${headers}Content-Type: text/html; charset=utf-8\r\n\r\n${html}`);
    expect(mail.text).toContain('> approve');
    expect(parseReplyCommand(mail.text)).toEqual({ kind: 'deny', reason: 'Too broad' });
  });

  it('reads quoted-printable multipart mail and the Auto-Submitted header', async () => {
    const raw = `${headers}Auto-Submitted: auto-replied\r\nContent-Type: multipart/alternative; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\ndeny caf=C3=A9 closed\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>ignored</p>\r\n--b--\r\n`;
    const mail = await parseMail(raw);
    expect(mail.autoSubmitted).toBe('auto-replied');
    expect(parseReplyCommand(mail.text)).toEqual({ kind: 'deny', reason: 'café closed' });
  });
});

describe('receivedMails', () => {
  it('reads the message id, the envelope recipients and the three verdicts of an SES receipt event', async () => {
    const raw = Buffer.from(`${headers}Content-Type: text/plain\r\n\r\napprove\r\n`);
    const event = await sesReceiptEvent({ raw, messageId: 'm-1', verdicts: { dmarc: 'fail' } });
    expect(receivedMails(event)).toEqual([
      {
        messageId: 'm-1',
        recipients: ['approvals+x@replies.example'],
        verdicts: { spf: 'PASS', dkim: 'PASS', dmarc: 'FAIL' },
      },
    ]);
    expect(() => receivedMails({ Records: [] })).toThrow();
  });
});
