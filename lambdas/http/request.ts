// Reading an API Gateway v2 event: the verified caller, the JSON body, path and query, validated by zod.
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { z } from 'zod';
import { KeyholderError, ValidationError } from '../core/errors.ts';

export type HttpEvent = APIGatewayProxyEventV2 & {
  requestContext: APIGatewayProxyEventV2['requestContext'] & {
    authorizer?: { jwt?: { claims?: Record<string, string | number | boolean>; scopes?: string[] | null } };
  };
};

const MAX_BODY_BYTES = 64 * 1024;

/** The subject of the token the API Gateway JWT authorizer verified. Never from the body. */
export function verifiedSubject(event: HttpEvent): string | undefined {
  const sub = event.requestContext.authorizer?.jwt?.claims?.sub;
  return typeof sub === 'string' && sub.length > 0 ? sub : undefined;
}

function header(event: HttpEvent, name: string): string | undefined {
  return event.headers?.[name] ?? undefined;
}

function rawBody(event: HttpEvent): string {
  if (!event.body) return '';
  const body = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(body) > MAX_BODY_BYTES) {
    throw new KeyholderError(
      'validation',
      'PAYLOAD_TOO_LARGE',
      `body must be at most ${MAX_BODY_BYTES} bytes`,
      'body',
    );
  }
  return body;
}

function fieldOf(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return [...issue.path, issue.keys[0] ?? ''].join('.');
  return issue.path.length > 0 ? issue.path.map(String).join('.') : 'body';
}

export function validate<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw new ValidationError(what, `${what} is invalid`);
  const field = fieldOf(issue);
  const message =
    issue.code === 'unrecognized_keys'
      ? `${field} is not a known field`
      : issue.code === 'invalid_type'
        ? `${field} must be ${issue.expected}`
        : `${field} ${issue.message}`;
  throw new ValidationError(field, message);
}

function requireContentType(event: HttpEvent, expected: string): void {
  const contentType = (header(event, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (contentType !== expected) {
    throw new KeyholderError(
      'validation',
      'UNSUPPORTED_MEDIA_TYPE',
      `content-type must be ${expected}`,
      'content-type',
    );
  }
}

export function jsonBody<T extends z.ZodType>(event: HttpEvent, schema: T): z.infer<T> {
  requireContentType(event, 'application/json');
  const body = rawBody(event);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new ValidationError('body', 'body must be a JSON object');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ValidationError('body', 'body must be a JSON object');
  }
  return validate(schema, parsed, 'body');
}

export function formBody<T extends z.ZodType>(event: HttpEvent, schema: T): z.infer<T> {
  requireContentType(event, 'application/x-www-form-urlencoded');
  const fields: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawBody(event))) {
    if (key in fields) throw new ValidationError(key, `${key} is given more than once`);
    if (value !== '') fields[key] = value;
  }
  return validate(schema, fields, 'body');
}

export function queryOf<T extends z.ZodType>(event: HttpEvent, schema: T): z.infer<T> {
  return validate(schema, { ...(event.queryStringParameters ?? {}) }, 'query');
}

export function pathParameter(event: HttpEvent, name: string): string {
  const value = event.pathParameters?.[name];
  if (!value || value.length > 200) throw new ValidationError(name, `${name} is missing or too long`);
  return value;
}
