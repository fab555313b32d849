// The NoticeQueue on SQS: one SendMessage per due notice, through the AWS SDK's SQS client (the Lambda runtime
// provides it, so bundles keep it external). Honours AWS_ENDPOINT_URL_SQS / AWS_ENDPOINT_URL as every SDK client
// does, so the local stack's queue (local/notice-queue.ts) takes the same call.
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { NoticeRef } from '../core/notices.ts';
import type { NoticeQueue } from '../core/ports.ts';

export class SqsNoticeQueue implements NoticeQueue {
  readonly #queueUrl: string;
  readonly #client: SQSClient;

  constructor(queueUrl: string, env: NodeJS.ProcessEnv = process.env) {
    this.#queueUrl = queueUrl;
    const endpoint = env.AWS_ENDPOINT_URL_SQS || env.AWS_ENDPOINT_URL || undefined;
    this.#client = new SQSClient({
      region: env.AWS_REGION ?? 'eu-west-2',
      ...(endpoint ? { endpoint } : {}),
      // Lambda's role credentials come from the environment; the default provider chain reads them otherwise.
      ...(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
        ? {
            credentials: {
              accessKeyId: env.AWS_ACCESS_KEY_ID,
              secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
              ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
            },
          }
        : {}),
      maxAttempts: 3,
      requestHandler: { requestTimeout: 5_000 },
    });
  }

  async enqueue(ref: NoticeRef): Promise<void> {
    await this.#client.send(
      new SendMessageCommand({ QueueUrl: this.#queueUrl, MessageBody: JSON.stringify(ref) }),
    );
  }
}
