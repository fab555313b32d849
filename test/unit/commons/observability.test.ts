// The Powertools logger never writes tokens, email bodies or secrets, and each handler invocation is one JSON line.
import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger, REDACTED, redactText } from '../../../lambdas/commons/observability.ts';
import type { HttpEvent } from '../../../lambdas/http/request.ts';

const JWT =
  'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSIsImlzcyI6Imh0dHBzOi8vbG9naW4ifQ.c2lnbmF0dXJlLWJ5dGVz';
const TASK_TOKEN = `AQCEAAAAKgAAAAMAAAAAAAAAAf${'x7Qm9zK2'.repeat(40)}`;
const SIGNING_SECRET = 'd41d8cd98f00b204e9800998ecf8427e';
const BOT_TOKEN = 'xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp';
const MAIL_BODY = 'Dear approver, patient 943 476 5919 needs access; reply APPROVE to this message.';
const SECRETS = [JWT, TASK_TOKEN, SIGNING_SECRET, BOT_TOKEN, MAIL_BODY, 'patient 943 476 5919'];

let written: string[];

beforeEach(() => {
  written = [];
  const capture = (chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

const lines = () =>
  written
    .join('')
    .split('\n')
    .filter((line) => line.trim() !== '');

describe('the redacting logger', () => {
  it('writes no header token, task token, email body, Slack secret or JWT, however deep or wherever', () => {
    // Prepare
    const logger = createLogger({ logLevel: 'DEBUG' });
    // Act
    logger.info('incoming', {
      headers: { Authorization: `Bearer ${JWT}`, 'X-Slack-Signature': `v0=${SIGNING_SECRET}` },
      workflow: { requestId: 'req-1', taskToken: TASK_TOKEN },
      mail: { subject: 'Access request', text: MAIL_BODY, html: `<p>${MAIL_BODY}</p>`, raw: MAIL_BODY },
      slack: [{ signingSecret: SIGNING_SECRET, botToken: BOT_TOKEN }],
      event: { body: JSON.stringify({ justification: MAIL_BODY }) },
    });
    logger.warn(`callback for token ${TASK_TOKEN} refused; caller sent Bearer ${JWT}`);
    logger.error('slack post failed', new Error(`invalid_auth for ${BOT_TOKEN} (${JWT})`));
    // Assess
    const output = written.join('');
    for (const secret of SECRETS) expect(output).not.toContain(secret);
    expect(lines()).toHaveLength(3);
    const [incoming, warning, failure] = lines().map((line) => JSON.parse(line));
    expect(incoming).toMatchObject({
      level: 'INFO',
      message: 'incoming',
      service: 'keyholder',
      headers: { Authorization: REDACTED, 'X-Slack-Signature': REDACTED },
      workflow: { requestId: 'req-1', taskToken: REDACTED },
      mail: { subject: 'Access request', text: REDACTED, html: REDACTED, raw: REDACTED },
      slack: [{ signingSecret: REDACTED, botToken: REDACTED }],
      event: { body: REDACTED },
    });
    expect(warning.message).toBe(`callback for token ${REDACTED} refused; caller sent Bearer ${REDACTED}`);
    expect(failure.error).toMatchObject({
      name: 'Error',
      message: `invalid_auth for ${REDACTED} (${REDACTED})`,
    });
  });

  it('keeps ordinary text, ids and numbers as they are', () => {
    // Assess
    expect(redactText('request 01JABCDEF approved by approver@example.org in 120 ms')).toBe(
      'request 01JABCDEF approved by approver@example.org in 120 ms',
    );
  });
});

describe('an HTTP handler invocation', () => {
  it('writes one structured JSON line with the request id, the route and the status, and no header', async () => {
    // Prepare: the module-level logger reads its level when first imported
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
    vi.resetModules();
    const { httpHandler } = await import('../../../lambdas/http/handler.ts');
    const { jsonResponse } = await import('../../../lambdas/http/errors.ts');
    const handler = httpHandler(async () => jsonResponse(200, { status: 'ok' }));
    const event = {
      version: '2.0',
      routeKey: 'GET /health',
      rawPath: '/health',
      rawQueryString: '',
      headers: { authorization: `Bearer ${JWT}` },
      isBase64Encoded: false,
      requestContext: { requestId: 'api-req-1', http: { method: 'GET', path: '/health' } },
    } as unknown as HttpEvent;
    const context = {
      awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
      functionName: 'keyholder-health',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:eu-west-2:123456789012:function:keyholder-health',
      memoryLimitInMB: '512',
    } as Context;
    // Act
    const response = await handler(event, context);
    // Assess
    expect(response).toMatchObject({ statusCode: 200 });
    expect(lines()).toHaveLength(1);
    const line = JSON.parse(lines()[0] as string);
    expect(line).toMatchObject({
      level: 'INFO',
      message: 'invocation done',
      service: 'keyholder',
      function_request_id: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
      function_name: 'keyholder-health',
      route: 'GET /health',
      status: 200,
      durationMs: expect.any(Number),
    });
    expect(written.join('')).not.toContain(JWT);
  });
});
