// The raw RFC 5322 message SES's S3 action stored, read back by the inbound handler.
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/** SES accepts messages up to 40 MB; a reply to decide an approval is a few kilobytes. */
const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

export class S3RawMail {
  readonly #client: () => S3Client;
  readonly #bucket: string;
  readonly #prefix: string;

  constructor(client: () => S3Client, bucket: string, prefix: string) {
    this.#client = client;
    this.#bucket = bucket;
    this.#prefix = prefix;
  }

  async read(messageId: string): Promise<Buffer> {
    const object = await this.#client().send(
      new GetObjectCommand({ Bucket: this.#bucket, Key: `${this.#prefix}${messageId}` }),
    );
    if ((object.ContentLength ?? 0) > MAX_MESSAGE_BYTES) throw new Error(`message ${messageId} is too large`);
    const bytes = await object.Body?.transformToByteArray();
    if (!bytes) throw new Error(`message ${messageId} has no content`);
    return Buffer.from(bytes);
  }
}
