// The shared request parsing and guard: payload limits (413), undeclared input, duplicate JSON keys and form
// fields named like Object.prototype members, all refused before a handler's own code runs.
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { httpHandler } from '../../../lambdas/http/handler.ts';
import {
  duplicateKeyIn,
  formBody,
  type HttpEvent,
  jsonBody,
  MAX_BODY_BYTES,
} from '../../../lambdas/http/request.ts';
import { approvalForm } from '../../../lambdas/http/schemas/approval-page.ts';
import { decisionBody } from '../../../lambdas/http/schemas/decide-request.ts';

function event(overrides: Partial<HttpEvent> & { routeKey: string }): HttpEvent {
  const [method = 'GET', path = '/'] = overrides.routeKey.split(' ');
  return {
    version: '2.0',
    rawPath: path,
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    requestContext: { http: { method, path } } as HttpEvent['requestContext'],
    ...overrides,
  } as HttpEvent;
}

const context = {} as Context;
const reached: string[] = [];
const handler = httpHandler(async (incoming) => {
  reached.push(incoming.routeKey);
  return { statusCode: 200, body: '{}' };
});

async function call(incoming: HttpEvent) {
  reached.length = 0;
  const response = (await handler(incoming, context)) as { statusCode: number; body: string };
  return { status: response.statusCode, error: JSON.parse(response.body).error, reached: [...reached] };
}

describe('the shared HTTP guard', () => {
  it('refuses a body over 64 KiB with 413 in the error shape, before the handler runs', async () => {
    // Prepare
    const big = JSON.stringify({ decision: 'approve', comment: 'a'.repeat(MAX_BODY_BYTES) });

    // Act
    const plain = await call(event({ routeKey: 'POST /requests/{id}/decisions', body: big }));
    const encoded = await call(
      event({ routeKey: 'POST /requests', body: Buffer.from(big).toString('base64'), isBase64Encoded: true }),
    );
    const unknownRoute = await call(event({ routeKey: 'POST /elsewhere', body: big }));

    // Assess
    for (const answer of [plain, encoded, unknownRoute]) {
      expect(answer).toMatchObject({
        status: 413,
        error: { code: 'PAYLOAD_TOO_LARGE', field: 'body' },
        reached: [],
      });
    }
  });

  it('takes a body of exactly the limit (multi-byte characters counted as bytes)', async () => {
    // Prepare: 3-byte characters, so the character count is a third of the byte count
    const exact = '€'.repeat(MAX_BODY_BYTES / 4);
    const over = '€'.repeat(MAX_BODY_BYTES / 3 + 1);

    // Act
    const within = await call(event({ routeKey: 'POST /requests', body: exact }));
    const beyond = await call(event({ routeKey: 'POST /requests', body: over }));

    // Assess
    expect(within.status).toBe(200);
    expect(beyond.status).toBe(413);
  });

  it('lets a route raise its own limit (Slack interactions)', async () => {
    // Prepare
    const slack = httpHandler(async () => ({ statusCode: 200, body: '{}' }), undefined, {
      maxBodyBytes: 1024 * 1024,
    });
    const body = `payload=${'a'.repeat(200 * 1024)}`;

    // Act
    const answer = (await slack(event({ routeKey: 'POST /slack/interactions', body }), context)) as {
      statusCode: number;
    };

    // Assess
    expect(answer.statusCode).toBe(200);
  });

  it.each([
    ['GET /health', '?x=1', { queryStringParameters: { x: '1' } }, 'x'],
    [
      'GET /requests/{id}',
      '__proto__',
      { queryStringParameters: JSON.parse('{"__proto__":"a"}') },
      '__proto__',
    ],
    ['GET /datasets', 'a body', { body: '{}' }, 'body'],
    ['POST /requests/{id}/cancel', 'a body', { body: 'x' }, 'body'],
    ['GET /approve/{token}', 'a body', { body: 'decision=approve' }, 'body'],
  ])('refuses %s with %s: the contract declares none', async (routeKey, _what, input, field) => {
    // Act
    const answer = await call(event({ routeKey, ...input }));

    // Assess
    expect(answer).toMatchObject({ status: 400, error: { code: 'VALIDATION_FAILED', field }, reached: [] });
  });

  it('passes query and body to routes that declare them', async () => {
    // Act
    const query = await call(
      event({ routeKey: 'GET /requests', queryStringParameters: { status: 'ACTIVE' } }),
    );
    const body = await call(event({ routeKey: 'POST /requests', body: '{}' }));

    // Assess
    expect([query.status, body.status]).toEqual([200, 200]);
  });
});

describe('request parsing', () => {
  const json = (body: string) =>
    event({
      routeKey: 'POST /requests/{id}/decisions',
      body,
      headers: { 'content-type': 'application/json' },
    });
  const form = (body: string) =>
    event({
      routeKey: 'POST /approve/{token}',
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });

  it.each([
    ['{"decision":"approve","decision":"deny"}', 'decision'],
    ['{"decision":"approve","\\u0064ecision":"deny"}', 'decision'],
    ['{"decision":"approve","comment":"a","comment":"a"}', 'comment'],
  ])('refuses duplicate JSON keys: %s', (body, field) => {
    expect(() => jsonBody(json(body), decisionBody)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED', field }),
    );
  });

  it('finds duplicates at any depth, in objects within arrays, and not across sibling objects', () => {
    expect(duplicateKeyIn('{"a":{"b":1,"b":2}}')).toBe('b');
    expect(duplicateKeyIn('[{"a":1},{"a":2}]')).toBeUndefined();
    expect(duplicateKeyIn('{"a":[{"x":"\\"a\\":"}],"b":{"a":1}}')).toBeUndefined();
    expect(duplicateKeyIn('{"a":[1,{"c":1}],"a":2}')).toBe('a');
    expect(duplicateKeyIn(`${'['.repeat(50_000)}${']'.repeat(50_000)}`)).toBeUndefined();
  });

  it.each(['__proto__=x', 'constructor=x', 'toString=x', 'hasOwnProperty=x'])(
    'refuses a form field named %s as an unknown field, not as a repeated one or silently',
    (extra) => {
      expect(() => formBody(form(`decision=approve&${extra}`), approvalForm)).toThrow(
        expect.objectContaining({ code: 'VALIDATION_FAILED', field: extra.split('=')[0] }),
      );
    },
  );

  it('refuses a JSON __proto__ key as an unknown field', () => {
    expect(() => jsonBody(json('{"decision":"approve","__proto__":{"x":1}}'), decisionBody)).toThrow(
      expect.objectContaining({ field: '__proto__' }),
    );
  });
});
