// SES receipt rule -> this handler: each reply SES stored in S3 is parsed and, if it passes every check,
// decides as the approver its address was issued to (lambdas/use-cases/email-reply.ts).
import middy from '@middy/core';
import type { SESEvent } from 'aws-lambda';
import { legacyCharsetsAvailable, parseMail } from '../../adapters/mail-inbound/mime.ts';
import { S3RawMail } from '../../adapters/mail-inbound/s3-raw-mail.ts';
import { receivedMails } from '../../adapters/mail-inbound/ses-receipt.ts';
import { mailingDependencies } from '../../commons/mailing-dependencies.ts';
import { readNotificationConfig } from '../../commons/notification-config.ts';
import { logger, observability } from '../../commons/observability.ts';
import { policyInForce } from '../../commons/policy-in-force.ts';
import { metrics } from '../../commons/powertools-metrics.ts';
import { s3Client } from '../../commons/s3-client.ts';
import { decideByEmailReply, type ReplyOutcome } from '../../use-cases/email-reply.ts';

// Once per cold start: replies in a legacy charset would all be refused as undecodable without full ICU.
if (!legacyCharsetsAvailable())
  logger.error('legacy charsets unavailable: this Node has no full ICU, replies in them will be refused');

export const handler = middy<SESEvent, { outcomes: ReplyOutcome[] }>()
  .use(observability({ metrics }))
  .use(policyInForce())
  .handler(async (event) => {
    const deps = mailingDependencies();
    const inbound = readNotificationConfig().inboundMail;
    if (!inbound) throw new Error('the inbound mail bucket is not configured');
    const messages = new S3RawMail(s3Client, inbound.bucket, inbound.prefix);
    const outcomes: ReplyOutcome[] = [];
    for (const received of receivedMails(event)) {
      const mail = await parseMail(await messages.read(received.messageId));
      const outcome = await decideByEmailReply(deps, { ...mail, ...received });
      logger.info('email reply', { messageId: received.messageId, outcome: outcome.kind });
      outcomes.push(outcome);
    }
    // SES ignores the result of an Event invocation; the local dev route shows it.
    return { outcomes };
  });
