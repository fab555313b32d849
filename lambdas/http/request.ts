// Reading an API Gateway v2 event: the verified caller, the JSON body, path and query, validated by zod.
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ENV } from '../commons/env.ts';
import { KeyholderError, ValidationError } from '../core/errors.ts';
import { type PrincipalClaim, parsePrincipalClaim, principalIdFromClaims } from '../core/principal-claim.ts';
import type * as z from '../core/zod.ts';

export type HttpEvent = APIGatewayProxyEventV2 & {
  requestContext: APIGatewayProxyEventV2['requestContext'] & {
    authorizer?: { jwt?: { claims?: Record<string, string | number | boolean>; scopes?: string[] | null } };
  };
};

/** The largest body a JSON or form route takes; bigger ones are refused with 413 before anything is parsed. */
export const MAX_BODY_BYTES = 64 * 1024;

/** The configured principal claim (a wrong value fails every call, naming the variable; CDK refuses it at synth). */
export function configuredPrincipalClaim(env: NodeJS.ProcessEnv = process.env): PrincipalClaim {
  return parsePrincipalClaim(env[ENV.principalClaim], ENV.principalClaim);
}

/**
 * The principal id in the token the API Gateway JWT authorizer verified, from the configured claim
 * (KEYHOLDER_PRINCIPAL_CLAIM: `sub`, `oid`, `email`, ...). Never from the body.
 */
export function verifiedPrincipalId(event: HttpEvent): string | undefined {
  return principalIdFromClaims(event.requestContext.authorizer?.jwt?.claims, configuredPrincipalClaim());
}

function header(event: HttpEvent, name: string): string | undefined {
  return event.headers?.[name] ?? undefined;
}

/** The body's size in bytes as the client sent it (API Gateway base64-encodes non-text bodies). */
function bodyBytes(event: HttpEvent): number {
  if (!event.body) return 0;
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').length : Buffer.byteLength(event.body);
}

/** 413 when the body is larger than `limitBytes`; the shared guard (handler.ts) calls it for every route. */
export function assertBodyWithin(event: HttpEvent, limitBytes: number): void {
  if (bodyBytes(event) > limitBytes) {
    throw new KeyholderError(
      'too-large',
      'PAYLOAD_TOO_LARGE',
      `body must be at most ${limitBytes} bytes`,
      'body',
    );
  }
}

/** A route whose contract declares no query parameters or no body refuses any it is given. */
export function refuseUndeclaredInput(event: HttpEvent, declares: { query: boolean; body: boolean }): void {
  if (!declares.query) {
    const [name] = Object.keys(event.queryStringParameters ?? {});
    if (name !== undefined) throw new ValidationError(name, 'this route takes no query parameters');
  }
  if (!declares.body && bodyBytes(event) > 0) {
    throw new ValidationError('body', 'this route takes no body');
  }
}

function rawBody(event: HttpEvent): string {
  if (!event.body) return '';
  assertBodyWithin(event, MAX_BODY_BYTES);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

/**
 * The first object key that appears twice in (valid) JSON text, or undefined. JSON.parse keeps the last one
 * silently; other parsers keep the first, so a body with both is ambiguous and refused (RFC 7493, I-JSON).
 * Iterative, so deep nesting cannot exhaust the stack.
 */
export function duplicateKeyIn(text: string): string | undefined {
  const frames: Array<{ keys: Set<string>; expectKey: boolean } | undefined> = [];
  let index = 0;
  while (index < text.length) {
    const char = text[index];
    const top = frames.at(-1);
    if (char === '{') frames.push({ keys: new Set(), expectKey: true });
    else if (char === '[') frames.push(undefined);
    else if (char === '}' || char === ']') frames.pop();
    else if (char === ',' && top) top.expectKey = true;
    else if (char === '"') {
      let end = index + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      if (top?.expectKey) {
        const key = JSON.parse(text.slice(index, end + 1)) as string;
        if (top.keys.has(key)) return key;
        top.keys.add(key);
        top.expectKey = false;
      }
      index = end;
    }
    index += 1;
  }
  return undefined;
}

function fieldOf(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return [...issue.path, issue.keys[0] ?? ''].join('.');
  return issue.path.length > 0 ? issue.path.map(String).join('.') : 'body';
}

export function validate<T extends z.ZodMiniType>(schema: T, value: unknown, what: string): z.infer<T> {
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

export function jsonBody<T extends z.ZodMiniType>(event: HttpEvent, schema: T): z.infer<T> {
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
  const duplicate = duplicateKeyIn(body);
  if (duplicate !== undefined) throw new ValidationError(duplicate, `${duplicate} is given more than once`);
  return validate(schema, parsed, 'body');
}

export function formBody<T extends z.ZodMiniType>(event: HttpEvent, schema: T): z.infer<T> {
  requireContentType(event, 'application/x-www-form-urlencoded');
  // No prototype: `__proto__`, `constructor` or `toString` are field names like any other (and so unknown).
  const fields: Record<string, string> = Object.create(null);
  for (const [key, value] of new URLSearchParams(rawBody(event))) {
    if (Object.hasOwn(fields, key)) throw new ValidationError(key, `${key} is given more than once`);
    if (value !== '') fields[key] = value;
  }
  return validate(schema, fields, 'body');
}

export function queryOf<T extends z.ZodMiniType>(event: HttpEvent, schema: T): z.infer<T> {
  return validate(schema, { ...(event.queryStringParameters ?? {}) }, 'query');
}

export function pathParameter(event: HttpEvent, name: string): string {
  const value = event.pathParameters?.[name];
  if (!value || value.length > 200) throw new ValidationError(name, `${name} is missing or too long`);
  return value;
}
