// SQS -> this function: each message names one due notice, delivered once
// (lambdas/use-cases/notices/deliver-notice.ts).
// A message that fails is reported as a batch item failure: SQS redelivers it, and the DLQ takes it after that.
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { notifyingDependencies } from '../../commons/notifying-dependencies.ts';
import { logger, observability } from '../../commons/observability.ts';
import { policyInForce } from '../../commons/policy-in-force.ts';
import { parseNoticeRef } from '../../core/notices.ts';
import { deliverDueNotice } from '../../use-cases/notices/deliver-notice.ts';
import { describe } from '../../use-cases/notify-delivery.ts';

const deliverBatch = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const deps = notifyingDependencies();
  const failures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    const ref = parseNoticeRef(record.body);
    if (!ref) {
      // Redelivering a body that names no notice cannot help: dropped, and said so.
      logger.error({ message: 'queue message names no notice; dropped', messageId: record.messageId });
      continue;
    }
    try {
      const outcome = await deliverDueNotice(deps, ref);
      logger.info({
        message: 'notice delivered',
        ...ref,
        outcome,
        receiveCount: record.attributes.ApproximateReceiveCount,
      });
    } catch (error) {
      logger.warn({ message: 'notice delivery failed; SQS redelivers it', ...ref, error: describe(error) });
      failures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures: failures };
};

export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(observability())
  .use(policyInForce())
  .handler(deliverBatch);
