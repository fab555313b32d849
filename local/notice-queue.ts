// The notice queue on one machine, with SQS's semantics where the outbox relies on them: SendMessage over the AWS
// JSON protocol (what lambdas/adapters/sqs-notice-queue.ts sends to AWS_ENDPOINT_URL_SQS), batches handed to the
// notifier handler, a visibility timeout after each receive, redelivery of what failed (batch item failures, a
// thrown batch, a batch that never answered), and the dead-letter list after `maxReceiveCount` receives.
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { NOTICE_QUEUE_SETTINGS } from '../lib/notices.ts';
import type { DevRoute } from './dev-routes.ts';
import { closeServer, createWaiters, listen, readBody, sendJson } from './http-util.ts';

export interface QueuedMessage {
  readonly messageId: string;
  readonly body: string;
  readonly sentAt: number;
  receiveCount: number;
  visibleAt: number;
}

export interface LocalNoticeQueue {
  /** For AWS_ENDPOINT_URL_SQS. */
  readonly endpoint: string;
  readonly queueUrl: string;
  readonly routes: readonly DevRoute[];
  /** Starts handing batches to `deliver` (the notifier handler). */
  start(deliver: (event: SQSEvent) => Promise<SQSBatchResponse | undefined>): void;
  /** Messages waiting or in flight, and those moved to the dead-letter list. */
  state(): { readonly queued: QueuedMessage[]; readonly dead: QueuedMessage[]; readonly received: number };
  /** Resolves once nothing is waiting or in flight. */
  drained(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface LocalNoticeQueueOptions {
  readonly visibilityTimeoutMs?: number;
  readonly maxReceiveCount?: number;
  readonly batchSize?: number;
}

const QUEUE_NAME = 'keyholder-notices';

export async function startLocalNoticeQueue(
  options: LocalNoticeQueueOptions = {},
): Promise<LocalNoticeQueue> {
  const visibilityTimeoutMs =
    options.visibilityTimeoutMs ?? NOTICE_QUEUE_SETTINGS.visibilityTimeout.toMilliseconds();
  const maxReceiveCount = options.maxReceiveCount ?? NOTICE_QUEUE_SETTINGS.maxReceiveCount;
  const batchSize = options.batchSize ?? NOTICE_QUEUE_SETTINGS.batchSize;
  const queued: QueuedMessage[] = [];
  const dead: QueuedMessage[] = [];
  const waiters = createWaiters();
  let received = 0;
  let deliver: ((event: SQSEvent) => Promise<SQSBatchResponse | undefined>) | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const schedule = () => {
    if (stopped || !deliver) return;
    if (timer) clearTimeout(timer);
    const next = Math.min(...queued.map((message) => message.visibleAt));
    if (!Number.isFinite(next)) return;
    timer = setTimeout(pump, Math.max(0, next - Date.now()));
  };

  const pump = () => {
    timer = undefined;
    const now = Date.now();
    const visible = queued.filter((message) => message.visibleAt <= now);
    for (let start = 0; start < visible.length; start += batchSize) {
      void receive(visible.slice(start, start + batchSize), now);
    }
    schedule();
  };

  const receive = async (batch: QueuedMessage[], now: number) => {
    for (const message of batch) {
      message.receiveCount += 1;
      message.visibleAt = now + visibilityTimeoutMs;
    }
    received += batch.length;
    let failed: Set<string>;
    try {
      const answer = await deliver?.(eventOf(batch));
      failed = new Set((answer?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
    } catch (error) {
      console.error('[notice queue] the notifier failed a whole batch', error);
      failed = new Set(batch.map((message) => message.messageId));
    }
    for (const message of batch) {
      const index = queued.indexOf(message);
      if (index < 0) continue;
      if (!failed.has(message.messageId)) queued.splice(index, 1);
      else if (message.receiveCount >= maxReceiveCount) dead.push(...queued.splice(index, 1));
      // else: it stays invisible until its visibility timeout ends, then it is received again.
    }
    waiters.notify();
    schedule();
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { __type: 'InternalError', message: String(error) });
    });
  });
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const input = JSON.parse((await readBody(req, 256 * 1024)).toString('utf8') || '{}') as {
      QueueUrl?: string;
      MessageBody?: string;
    };
    if (target !== 'AmazonSQS.SendMessage') {
      return sendJson(res, 400, { __type: 'com.amazon.coral.service#UnknownOperationException' });
    }
    if (input.QueueUrl !== queueUrl || typeof input.MessageBody !== 'string') {
      return sendJson(res, 400, {
        __type: 'AWS.SimpleQueueService.NonExistentQueue',
        message: 'no such queue',
      });
    }
    const message: QueuedMessage = {
      messageId: randomUUID(),
      body: input.MessageBody,
      sentAt: Date.now(),
      receiveCount: 0,
      visibleAt: Date.now(),
    };
    queued.push(message);
    schedule();
    sendJson(
      res,
      200,
      {
        MessageId: message.messageId,
        MD5OfMessageBody: createHash('md5').update(message.body).digest('hex'),
      },
      { 'content-type': 'application/x-amz-json-1.0' },
    );
  };
  const { url } = await listen(server);
  const queueUrl = `${url}/000000000000/${QUEUE_NAME}`;

  const state = () => ({
    queued: queued.map((m) => ({ ...m })),
    dead: dead.map((m) => ({ ...m })),
    received,
  });
  return {
    endpoint: url,
    queueUrl,
    routes: [{ method: 'GET', path: '/dev/queue', handle: async () => ({ status: 200, body: state() }) }],
    start(handler) {
      deliver = handler;
      schedule();
    },
    state,
    drained(timeoutMs = 10_000) {
      return waiters
        .until(
          () => (queued.length === 0 ? true : undefined),
          timeoutMs,
          () => `${queued.length} notice messages still queued`,
        )
        .then(() => undefined);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await closeServer(server);
    },
  };
}

function eventOf(batch: readonly QueuedMessage[]): SQSEvent {
  return {
    Records: batch.map((message) => ({
      messageId: message.messageId,
      receiptHandle: `${message.messageId}#${message.receiveCount}`,
      body: message.body,
      attributes: {
        ApproximateReceiveCount: String(message.receiveCount),
        SentTimestamp: String(message.sentAt),
        SenderId: 'local',
        ApproximateFirstReceiveTimestamp: String(message.visibleAt),
      },
      messageAttributes: {},
      md5OfBody: createHash('md5').update(message.body).digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:eu-west-2:000000000000:${QUEUE_NAME}`,
      awsRegion: 'eu-west-2',
    })),
  };
}
