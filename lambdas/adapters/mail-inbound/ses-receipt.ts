// Reading SES receipt events (the Lambda action of a receipt rule): which message, for whom, and SES's verdicts.
import type { SESEvent } from 'aws-lambda';
import type { MailVerdicts } from '../../core/reply-parsing.ts';
import * as z from '../../core/zod.ts';

export interface ReceivedMail {
  /** SES's message id: the S3 object key (after the rule's prefix) of the stored message. */
  readonly messageId: string;
  /** Envelope recipients at our domain: authoritative, unlike the To header. */
  readonly recipients: readonly string[];
  readonly verdicts: MailVerdicts;
}

const status = z.object({ status: z.string() });
const record = z.object({
  eventSource: z.literal('aws:ses'),
  ses: z.object({
    mail: z.object({ messageId: z.string().check(z.minLength(1), z.maxLength(200)) }),
    receipt: z.object({
      recipients: z.array(z.string()).check(z.minLength(1)),
      spfVerdict: status,
      dkimVerdict: status,
      dmarcVerdict: status,
    }),
  }),
});
const sesEvent = z.object({ Records: z.array(record).check(z.minLength(1)) });

export function receivedMails(event: SESEvent | unknown): ReceivedMail[] {
  const parsed = sesEvent.parse(event);
  return parsed.Records.map(({ ses }) => ({
    messageId: ses.mail.messageId,
    recipients: ses.receipt.recipients,
    verdicts: {
      spf: ses.receipt.spfVerdict.status,
      dkim: ses.receipt.dkimVerdict.status,
      dmarc: ses.receipt.dmarcVerdict.status,
    },
  }));
}
