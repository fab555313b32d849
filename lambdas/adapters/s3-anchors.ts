// Audit anchors and transparency snapshots in S3. The anchor bucket has Object Lock in compliance mode, so an
// anchor, once written, outlives any rewrite of the audit table (lib/audit-anchors.ts).
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { AuditAnchor } from '../core/audit-verify.ts';
import type { AnchorStore, TransparencySnapshots } from '../core/ports.ts';
import type { TransparencyReport } from '../core/transparency.ts';

const ANCHOR_PREFIX = 'anchors/';
const SNAPSHOT_LATEST = 'transparency/latest.json';

export class S3AnchorStore implements AnchorStore {
  readonly #client: S3Client;
  readonly #bucket: string;

  constructor(client: S3Client, bucket: string) {
    this.#client = client;
    this.#bucket = bucket;
  }

  async put(anchor: AuditAnchor): Promise<{ key: string }> {
    // ISO instants are fixed width, so keys sort in time order and the latest is the greatest key.
    const key = `${ANCHOR_PREFIX}${anchor.at}.json`;
    await this.#client.send(
      new PutObjectCommand({
        Bucket: this.#bucket,
        Key: key,
        Body: JSON.stringify(anchor),
        ContentType: 'application/json',
        // Object Lock refuses uploads without an integrity checksum.
        ChecksumAlgorithm: 'SHA256',
        IfNoneMatch: '*',
      }),
    );
    return { key };
  }

  async latest(): Promise<{ key: string; anchor: AuditAnchor } | undefined> {
    let latestKey: string | undefined;
    let ContinuationToken: string | undefined;
    do {
      const page = await this.#client.send(
        new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: ANCHOR_PREFIX, ContinuationToken }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key && (!latestKey || object.Key > latestKey)) latestKey = object.Key;
      }
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
    if (!latestKey) return undefined;
    const anchor = JSON.parse(await this.#read(latestKey)) as AuditAnchor;
    return { key: latestKey, anchor };
  }

  async #read(key: string): Promise<string> {
    const object = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
    return (await object.Body?.transformToString('utf8')) ?? '';
  }
}

/** The daily transparency report: a dated copy and `latest.json`, which GET /transparency serves. */
export class S3TransparencySnapshots implements TransparencySnapshots {
  readonly #client: S3Client;
  readonly #bucket: string;

  constructor(client: S3Client, bucket: string) {
    this.#client = client;
    this.#bucket = bucket;
  }

  async put(report: TransparencyReport): Promise<{ key: string }> {
    const body = JSON.stringify(report);
    const key = `transparency/${report.generatedAt.slice(0, 10)}.json`;
    for (const Key of [key, SNAPSHOT_LATEST]) {
      await this.#client.send(
        new PutObjectCommand({ Bucket: this.#bucket, Key, Body: body, ContentType: 'application/json' }),
      );
    }
    return { key };
  }

  async latest(): Promise<TransparencyReport | undefined> {
    try {
      const object = await this.#client.send(
        new GetObjectCommand({ Bucket: this.#bucket, Key: SNAPSHOT_LATEST }),
      );
      return JSON.parse((await object.Body?.transformToString('utf8')) ?? '') as TransparencyReport;
    } catch (error) {
      if ((error as Error).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }
}
