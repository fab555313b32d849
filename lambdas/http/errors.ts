// The one place where errors become HTTP answers: domain error kinds -> status codes, JSON error shape.

import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { logger } from '../commons/observability.ts';
import type { ErrorKind } from '../core/errors.ts';
import { ConcurrentChangeError, KeyholderError } from '../core/errors.ts';

export const STATUS_OF_KIND: Readonly<Record<ErrorKind, number>> = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  gone: 410,
  'too-large': 413,
  unavailable: 503,
};

export interface ErrorAnswer {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly field?: string | undefined;
}

export function answerFor(error: unknown): ErrorAnswer {
  if (error instanceof KeyholderError) {
    return {
      status: STATUS_OF_KIND[error.kind],
      code: error.code,
      message: error.message,
      field: error.field,
    };
  }
  // Lost every optimistic retry to concurrent writers: nothing was written, and a later try will get through.
  if (error instanceof ConcurrentChangeError) {
    return {
      status: 503,
      code: 'BUSY',
      message: 'The request is changing right now; nothing was written, try again',
    };
  }
  // Anything else is our fault: log it whole, tell the caller nothing about internals.
  logger.error({
    message: 'unhandled error',
    error: String(error),
    stack: (error as Error)?.stack,
  });
  return { status: 500, code: 'INTERNAL', message: 'Something went wrong on our side; it has been logged' };
}

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', ...SECURITY_HEADERS, ...headers },
    body: JSON.stringify(body),
  };
}

export function jsonError(error: unknown): APIGatewayProxyStructuredResultV2 {
  const answer = answerFor(error);
  const field = answer.field === undefined ? {} : { field: answer.field };
  return jsonResponse(answer.status, { error: { code: answer.code, message: answer.message, ...field } });
}
