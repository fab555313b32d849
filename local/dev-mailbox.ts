// Local SES v2: the REST-JSON SendEmail of @aws-sdk/client-sesv2, keeping every message for the dev mailbox and tests.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, createWaiters, listen, readBody, sendJson } from './http-util.ts';

export interface MailboxMessage {
  readonly id: string;
  readonly from: string;
  /** The first recipient. */
  readonly to: string;
  /** To, Cc and Bcc, in that order. */
  readonly recipients: string[];
  readonly replyTo?: string;
  readonly subject: string;
  /** Empty when the message has no such part. */
  readonly text: string;
  readonly html: string;
  readonly configurationSetName?: string;
  /** ISO-8601. */
  readonly sentAt: string;
}

export interface DevMailbox {
  /** Base URL for `AWS_ENDPOINT_URL_SESV2` or the SES v2 client's `endpoint`. */
  readonly endpoint: string;
  stop(): Promise<void>;
  messages(): MailboxMessage[];
  /** The first message, already received or still to come, that satisfies `predicate`. */
  waitFor(predicate: (message: MailboxMessage) => boolean, timeoutMs?: number): Promise<MailboxMessage>;
}

const SEND_EMAIL_PATH = '/v2/email/outbound-emails';
/** SES v2 refuses messages over 40 MB; the local mailbox does the same. */
const MAX_MESSAGE_BYTES = 40 * 1024 * 1024;

class SesError extends Error {
  readonly type: string;
  readonly statusCode: number;
  constructor(type: string, message: string, statusCode = 400) {
    super(message);
    this.name = 'SesError';
    this.type = type;
    this.statusCode = statusCode;
  }
}

export async function startDevMailbox(): Promise<DevMailbox> {
  const messages: MailboxMessage[] = [];
  const waiters = createWaiters();

  const server = createServer((req, res) => {
    void handleRequest(req, res, (message) => {
      messages.push(message);
      waiters.notify();
    });
  });
  const { url } = await listen(server);

  return {
    endpoint: url,
    stop: () => closeServer(server),
    messages: () => messages.map((message) => ({ ...message, recipients: [...message.recipients] })),
    waitFor(predicate, timeoutMs = 5000) {
      return waiters.until(
        () => messages.find(predicate),
        timeoutMs,
        () => `no matching message among ${messages.length} received`,
      );
    },
  };
}

async function handleRequest(
  req: IncomingMessage,
  res: ServerResponse,
  deliver: (message: MailboxMessage) => void,
): Promise<void> {
  const requestId = randomUUID();
  try {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'POST' || path !== SEND_EMAIL_PATH) {
      throw new SesError(
        'NotFoundException',
        `${req.method} ${path} is not served by the local mailbox`,
        404,
      );
    }
    const raw = await readBody(req, MAX_MESSAGE_BYTES);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new SesError('BadRequestException', 'Request body is not JSON');
    }
    const message = toMessage(body);
    deliver(message);
    sendJson(res, 200, { MessageId: message.id }, { 'x-amzn-requestid': requestId });
  } catch (error) {
    if (!(error instanceof SesError)) console.error('[local mailbox]', error);
    const failure = error instanceof SesError ? error : new SesError('InternalFailure', String(error), 500);
    sendJson(
      res,
      failure.statusCode,
      { message: failure.message },
      {
        'x-amzn-requestid': requestId,
        'x-amzn-errortype': failure.type,
      },
    );
  }
}

/** Validates a SendEmail request the way SES v2 does for Simple content; Raw and Template are not emulated. */
function toMessage(body: unknown): MailboxMessage {
  const request = asRecord(body, 'request');
  const from = request.FromEmailAddress;
  if (typeof from !== 'string' || from.length === 0)
    throw new SesError('BadRequestException', 'Missing FromEmailAddress');
  const destination = asRecord(request.Destination ?? {}, 'Destination');
  const recipients = [
    ...addresses(destination.ToAddresses, 'ToAddresses'),
    ...addresses(destination.CcAddresses, 'CcAddresses'),
    ...addresses(destination.BccAddresses, 'BccAddresses'),
  ];
  if (recipients.length === 0) throw new SesError('BadRequestException', 'Destination has no recipients');
  if (recipients.length > 50) throw new SesError('BadRequestException', 'More than 50 recipients');
  const content = asRecord(request.Content, 'Content');
  if (content.Simple === undefined) {
    throw new SesError('BadRequestException', 'The local mailbox only accepts Content.Simple');
  }
  const simple = asRecord(content.Simple, 'Content.Simple');
  const subject = dataOf(simple.Subject, 'Subject');
  const bodyParts = asRecord(simple.Body, 'Content.Simple.Body');
  const text = bodyParts.Text === undefined ? '' : dataOf(bodyParts.Text, 'Body.Text');
  const html = bodyParts.Html === undefined ? '' : dataOf(bodyParts.Html, 'Body.Html');
  if (!text && !html) throw new SesError('BadRequestException', 'Message body is empty');
  const replyTo = addresses(request.ReplyToAddresses, 'ReplyToAddresses')[0];
  const configurationSetName = request.ConfigurationSetName;
  return {
    id: `${randomUUID()}-local`,
    from,
    to: recipients[0] as string,
    recipients,
    ...(replyTo ? { replyTo } : {}),
    subject,
    text,
    html,
    ...(typeof configurationSetName === 'string' ? { configurationSetName } : {}),
    sentAt: new Date().toISOString(),
  };
}

function asRecord(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SesError('BadRequestException', `Missing or malformed ${field}`);
  }
  return value as Record<string, unknown>;
}

function addresses(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (
    !Array.isArray(value) ||
    value.some((address) => typeof address !== 'string' || !address.includes('@'))
  ) {
    throw new SesError('BadRequestException', `Malformed ${field}`);
  }
  return value as string[];
}

function dataOf(value: unknown, field: string): string {
  const data = asRecord(value, field).Data;
  if (typeof data !== 'string') throw new SesError('BadRequestException', `Missing ${field}.Data`);
  return data;
}
