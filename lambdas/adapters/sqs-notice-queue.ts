// The NoticeQueue on SQS: one SendMessage (AWS JSON 1.0 protocol, SigV4-signed) per due notice. Honours
// AWS_ENDPOINT_URL_SQS as the SDK clients do, so the local stack's queue (local/notice-queue.ts) takes the same call.
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { SourceData } from '@smithy/types';
import type { NoticeRef } from '../core/notices.ts';
import type { NoticeQueue } from '../core/ports.ts';

/** SHA-256 (HMAC when keyed) in the shape SignatureV4 asks for, on node:crypto. */
class NodeSha256 {
  readonly #hash: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
  constructor(secret?: SourceData) {
    this.#hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytesOf(secret));
  }
  update(data: SourceData): void {
    this.#hash.update(bytesOf(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }
}

function bytesOf(data: SourceData): string | Uint8Array {
  if (typeof data === 'string') return data;
  return ArrayBuffer.isView(data)
    ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    : new Uint8Array(data);
}

export class SqsNoticeQueue implements NoticeQueue {
  readonly #queueUrl: string;
  readonly #endpoint: URL;
  readonly #signer: SignatureV4;

  constructor(queueUrl: string, env: NodeJS.ProcessEnv = process.env) {
    const region = env.AWS_REGION ?? 'eu-west-2';
    this.#queueUrl = queueUrl;
    this.#endpoint = new URL(
      env.AWS_ENDPOINT_URL_SQS || env.AWS_ENDPOINT_URL || `https://sqs.${region}.amazonaws.com`,
    );
    this.#signer = new SignatureV4({
      service: 'sqs',
      region,
      sha256: NodeSha256,
      // Lambda puts the function role's credentials in the environment; they are read at each signing.
      credentials: async () => ({
        accessKeyId: env.AWS_ACCESS_KEY_ID ?? '',
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '',
        ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
      }),
    });
  }

  async enqueue(ref: NoticeRef): Promise<void> {
    const body = JSON.stringify({ QueueUrl: this.#queueUrl, MessageBody: JSON.stringify(ref) });
    const signed = await this.#signer.sign({
      method: 'POST',
      protocol: this.#endpoint.protocol,
      hostname: this.#endpoint.hostname,
      port: this.#endpoint.port ? Number(this.#endpoint.port) : undefined,
      path: this.#endpoint.pathname,
      headers: {
        host: this.#endpoint.host,
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'AmazonSQS.SendMessage',
      },
      body,
    });
    const response = await fetch(this.#endpoint, {
      method: 'POST',
      headers: signed.headers,
      body,
      signal: AbortSignal.timeout(5_000),
    });
    if (!response.ok) {
      throw new Error(
        `SQS SendMessage answered ${response.status}: ${(await response.text()).slice(0, 300)}`,
      );
    }
  }
}
