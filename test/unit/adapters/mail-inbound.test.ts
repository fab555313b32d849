// Inbound replies: MIME parsing with mailparser (text, HTML-only, headers) and the SES receipt event.
import iconv from 'iconv-lite';
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

describe('parseMail: senders and what cannot be read', () => {
  const body = 'Content-Type: text/plain; charset=utf-8\r\n\r\napprove\r\n';
  const raw = (from: string, extra = '') =>
    `From: ${from}\r\n${extra}To: approvals+x@replies.example\r\nSubject: Re: Approval\r\nMIME-Version: 1.0\r\n${body}`;

  it('lists every From address, and gives no single From when there are two', async () => {
    const mail = await parseMail(raw('<dir-ada@nhse.example>, attacker@evil.example'));
    expect(mail.fromAddresses).toEqual(['dir-ada@nhse.example', 'attacker@evil.example']);
    expect(mail.from).toBeUndefined();
  });

  it('reads the Sender header', async () => {
    const mail = await parseMail(raw('dir-ada@nhse.example', 'Sender: PA <pa@nhse.example>\r\n'));
    expect(mail).toMatchObject({ from: 'dir-ada@nhse.example', sender: 'pa@nhse.example' });
  });

  it.each([
    ['koi8-r', 'base64', 'deny достаточно выгрузки'],
    ['windows-1251', 'quoted-printable', 'deny достаточно выгрузки'],
    ['windows-1252', '8bit', 'deny l’extrait pseudonymisé suffit'],
    ['iso-8859-15', 'base64', 'deny Auszug genügt, 5 €'],
  ])('decodes %s in %s', async (charset, encoding, text) => {
    const bytes = iconv.encode(text, charset);
    const encoded =
      encoding === 'base64'
        ? Buffer.from(bytes.toString('base64'))
        : encoding === 'quoted-printable'
          ? Buffer.from(
              [...bytes]
                .map((byte) =>
                  byte < 128 ? String.fromCharCode(byte) : `=${byte.toString(16).toUpperCase()}`,
                )
                .join(''),
            )
          : bytes;
    const head = `${headers}Content-Type: text/plain; charset=${charset}\r\nContent-Transfer-Encoding: ${encoding}\r\n\r\n`;
    const mail = await parseMail(Buffer.concat([Buffer.from(head), encoded, Buffer.from('\r\n')]));
    expect(mail.unreadable).toBeUndefined();
    expect(parseReplyCommand(mail.text)).toEqual({ kind: 'deny', reason: text.slice(5) });
  });

  it('says why a body cannot be read: undecodable bytes, attachments only, images only', async () => {
    const invalid = await parseMail(
      Buffer.concat([
        Buffer.from(
          `${headers}Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n`,
        ),
        Buffer.from([0x64, 0xff, 0xfe, 0xc3, 0x28]),
      ]),
    );
    expect(invalid.unreadable).toContain('could not be decoded');
    const attachment = await parseMail(
      `${headers}Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename="a.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n`,
    );
    expect(attachment.unreadable).toContain('no text');
    const image = await parseMail(`${headers}Content-Type: text/html\r\n\r\n<img src="cid:x">`);
    expect(image.unreadable).toContain('no text');
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
