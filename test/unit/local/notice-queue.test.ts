// The local notice queue keeps SQS's promises the outbox relies on: a message sent through the SQS adapter reaches
// the notifier, a failed item is received again after the visibility timeout, and one that keeps failing goes to
// the dead-letter list after maxReceiveCount receives.
import type { SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { SqsNoticeQueue } from '../../../lambdas/adapters/sqs-notice-queue.ts';
import { type LocalNoticeQueue, startLocalNoticeQueue } from '../../../local/notice-queue.ts';

let queue: LocalNoticeQueue | undefined;

afterEach(async () => {
  await queue?.stop();
  queue = undefined;
});

function adapterFor(local: LocalNoticeQueue): SqsNoticeQueue {
  return new SqsNoticeQueue(local.queueUrl, {
    AWS_REGION: 'eu-west-2',
    AWS_ENDPOINT_URL_SQS: local.endpoint,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  });
}

describe('the local notice queue', () => {
  it('hands a sent message to the notifier once when it succeeds', async () => {
    // Prepare
    queue = await startLocalNoticeQueue({ visibilityTimeoutMs: 100, maxReceiveCount: 3 });
    const bodies: string[] = [];
    queue.start(async (event: SQSEvent) => {
      bodies.push(...event.Records.map((record) => record.body));
      return { batchItemFailures: [] };
    });

    // Act
    await adapterFor(queue).enqueue({ requestId: 'req-1', key: '3:decision' });
    await queue.drained(5_000);

    // Assess
    expect(bodies.map((body) => JSON.parse(body))).toEqual([{ requestId: 'req-1', key: '3:decision' }]);
    expect(queue.state()).toMatchObject({ queued: [], dead: [], received: 1 });
  });

  it('redelivers a failed item after the visibility timeout, and dead-letters it after maxReceiveCount', async () => {
    // Prepare: the first item fails every time, the second once
    queue = await startLocalNoticeQueue({ visibilityTimeoutMs: 50, maxReceiveCount: 3 });
    const receives = new Map<string, number[]>();
    queue.start(async (event: SQSEvent) => {
      const failed = event.Records.filter((record) => {
        const key = (JSON.parse(record.body) as { key: string }).key;
        const counts = receives.get(key) ?? [];
        counts.push(Number(record.attributes.ApproximateReceiveCount));
        receives.set(key, counts);
        return key === 'always' || counts.length === 1;
      });
      return { batchItemFailures: failed.map((record) => ({ itemIdentifier: record.messageId })) };
    });

    // Act
    await adapterFor(queue).enqueue({ requestId: 'req-2', key: 'always' });
    await adapterFor(queue).enqueue({ requestId: 'req-2', key: 'once' });
    await queue.drained(5_000);

    // Assess
    expect(receives.get('always')).toEqual([1, 2, 3]);
    expect(receives.get('once')).toEqual([1, 2]);
    expect(queue.state().dead.map((message) => JSON.parse(message.body).key)).toEqual(['always']);
  });

  it('refuses a send to another queue, as SQS does', async () => {
    queue = await startLocalNoticeQueue();
    const elsewhere = new SqsNoticeQueue(`${queue.queueUrl}-other`, {
      AWS_ENDPOINT_URL_SQS: queue.endpoint,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    });

    // The SDK client maps SQS's error type (AWS.SimpleQueueService.NonExistentQueue) to its exception
    await expect(elsewhere.enqueue({ requestId: 'req-3', key: '1:decision' })).rejects.toMatchObject({
      name: 'QueueDoesNotExist',
      message: 'no such queue',
    });
    expect(queue.state().queued).toEqual([]);
  });
});
