// Local inbound mail: what SES's receipt rule does on AWS. `POST /dev/mail/inbound {"raw", "verdicts"?,
// "recipients"?}` stores the raw RFC 5322 message in a local S3 bucket (the rule's S3 action), builds the SES
// receipt event with the given SPF/DKIM/DMARC verdicts (the Lambda action) and runs the inbound-reply handler.
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { SESEvent } from 'aws-lambda';
import { type AddressObject, simpleParser } from 'mailparser';
import { type DevRoute, devError } from './dev-routes.ts';
import { closeServer, listen } from './http-util.ts';

export interface LocalMailBucket {
  /** For `AWS_ENDPOINT_URL_S3` (path-style). */
  readonly endpoint: string;
  readonly bucket: string;
  readonly prefix: string;
  put(key: string, body: Buffer): void;
  stop(): Promise<void>;
}

export interface InboundVerdicts {
  readonly spf?: string;
  readonly dkim?: string;
  readonly dmarc?: string;
  readonly spam?: string;
  readonly virus?: string;
}

/** GetObject (path-style) on an in-memory bucket: the only S3 call the inbound handler makes. */
export async function startLocalMailBucket(
  bucket = 'keyholder-inbound-mail',
  prefix = 'inbound/',
): Promise<LocalMailBucket> {
  const objects = new Map<string, { body: Buffer; modified: Date }>();
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    const key = path.startsWith(`/${bucket}/`) ? path.slice(bucket.length + 2) : undefined;
    const object = key === undefined ? undefined : objects.get(key);
    if (req.method !== 'GET' || !object) {
      const code =
        req.method !== 'GET' ? 'MethodNotAllowed' : key === undefined ? 'NoSuchBucket' : 'NoSuchKey';
      res.writeHead(req.method !== 'GET' ? 405 : 404, { 'content-type': 'application/xml' });
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`,
      );
      return;
    }
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': String(object.body.length),
      etag: `"${createHash('md5').update(object.body).digest('hex')}"`,
      'last-modified': object.modified.toUTCString(),
    });
    res.end(object.body);
  });
  const { url } = await listen(server);
  return {
    endpoint: url,
    bucket,
    prefix,
    put: (key, body) => objects.set(key, { body, modified: new Date() }),
    stop: () => closeServer(server),
  };
}

const addresses = (value: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(value) ? value : value ? [value] : [])
    .flatMap((entry) => entry.value)
    .map((entry) => entry.address ?? '')
    .filter(Boolean);

/** The event SES hands a receipt rule's Lambda action (the message itself is in S3). */
export async function sesReceiptEvent(args: {
  readonly raw: Buffer;
  readonly messageId: string;
  readonly verdicts: InboundVerdicts;
  readonly recipients?: readonly string[] | undefined;
}): Promise<SESEvent> {
  const mail = await simpleParser(args.raw);
  const from = addresses(mail.from);
  const to = addresses(mail.to);
  const recipients = args.recipients?.length ? [...args.recipients] : [...to, ...addresses(mail.cc)];
  const now = new Date().toISOString();
  const verdict = (status: string | undefined) => ({ status: (status ?? 'PASS').toUpperCase() });
  return {
    Records: [
      {
        eventSource: 'aws:ses',
        eventVersion: '1.0',
        ses: {
          mail: {
            timestamp: now,
            source: from[0] ?? 'unknown@invalid',
            messageId: args.messageId,
            destination: recipients,
            headersTruncated: false,
            headers: mail.headerLines.map((line) => ({
              name: line.line.slice(0, line.line.indexOf(':')),
              value: line.line.slice(line.line.indexOf(':') + 1).trim(),
            })),
            commonHeaders: {
              returnPath: from[0] ?? '',
              from: from,
              date: (mail.date ?? new Date()).toUTCString(),
              to,
              messageId: mail.messageId ?? `<${args.messageId}@local>`,
              subject: mail.subject ?? '',
            },
          },
          receipt: {
            timestamp: now,
            processingTimeMillis: 1,
            recipients,
            spamVerdict: verdict(args.verdicts.spam),
            virusVerdict: verdict(args.verdicts.virus),
            spfVerdict: verdict(args.verdicts.spf),
            dkimVerdict: verdict(args.verdicts.dkim),
            dmarcVerdict: verdict(args.verdicts.dmarc),
            dmarcPolicy: 'reject',
            action: {
              type: 'Lambda',
              functionArn: 'arn:aws:lambda:eu-west-2:000000000000:function:keyholder-inbound-reply',
              invocationType: 'Event',
            },
          },
        },
      },
    ],
  } as SESEvent;
}

export function devMailInboundRoutes(options: {
  readonly bucket: LocalMailBucket;
  readonly invoke: (event: SESEvent) => Promise<unknown>;
}): DevRoute[] {
  return [
    {
      method: 'POST',
      path: '/dev/mail/inbound',
      handle: async ({ body }) => {
        const input = body as { raw?: unknown; verdicts?: InboundVerdicts; recipients?: unknown } | undefined;
        if (!input || typeof input.raw !== 'string' || input.raw.trim() === '') {
          return devError(400, 'VALIDATION_FAILED', 'raw must be an RFC 5322 message', 'raw');
        }
        const recipients = Array.isArray(input.recipients) ? input.recipients.map(String) : undefined;
        const messageId = randomBytes(20).toString('hex');
        const raw = Buffer.from(input.raw, 'utf8');
        options.bucket.put(`${options.bucket.prefix}${messageId}`, raw);
        const event = await sesReceiptEvent({ raw, messageId, verdicts: input.verdicts ?? {}, recipients });
        const result = await options.invoke(event);
        return {
          status: 200,
          body: { messageId, recipients: event.Records[0]?.ses.receipt.recipients, result },
        };
      },
    },
  ];
}
