// Unit tests for the typed domain errors (kind, code, field, name) and the terminal request statuses.
import { describe, expect, it } from 'vitest';
import {
  CapReachedError,
  ConcurrentChangeError,
  ConflictError,
  ForbiddenError,
  KeyholderError,
  NotFoundError,
  TokenGoneError,
  UnauthenticatedError,
  ValidationError,
} from '../../../lambdas/core/errors.ts';
import { isTerminal, REQUEST_STATUSES } from '../../../lambdas/core/model.ts';

describe('domain errors', () => {
  it.each<
    [KeyholderError, { name: string; kind: string; code: string; field: string | undefined; message: string }]
  >([
    [
      new ValidationError('duration', 'bad duration'),
      {
        name: 'ValidationError',
        kind: 'validation',
        code: 'VALIDATION_FAILED',
        field: 'duration',
        message: 'bad duration',
      },
    ],
    [
      new UnauthenticatedError(),
      {
        name: 'UnauthenticatedError',
        kind: 'unauthenticated',
        code: 'UNAUTHENTICATED',
        field: undefined,
        message: 'A valid bearer token is required',
      },
    ],
    [
      new ForbiddenError('SELF_APPROVAL', 'no'),
      { name: 'ForbiddenError', kind: 'forbidden', code: 'SELF_APPROVAL', field: undefined, message: 'no' },
    ],
    [
      new NotFoundError('request', 'req-9'),
      {
        name: 'NotFoundError',
        kind: 'not-found',
        code: 'NOT_FOUND',
        field: undefined,
        message: 'request req-9 was not found',
      },
    ],
    [
      new ConflictError('NOT_PENDING', 'late'),
      { name: 'ConflictError', kind: 'conflict', code: 'NOT_PENDING', field: undefined, message: 'late' },
    ],
    [
      new CapReachedError('full'),
      { name: 'CapReachedError', kind: 'conflict', code: 'CAP_REACHED', field: undefined, message: 'full' },
    ],
    [
      new TokenGoneError('used'),
      { name: 'TokenGoneError', kind: 'gone', code: 'TOKEN_GONE', field: undefined, message: 'used' },
    ],
  ])('%s carries its kind, code and field', (error, expected) => {
    // Assess
    expect(error).toBeInstanceOf(KeyholderError);
    expect(error).toBeInstanceOf(Error);
    expect({
      name: error.name,
      kind: error.kind,
      code: error.code,
      field: error.field,
      message: error.message,
    }).toEqual(expected);
  });

  it('makes a cap refusal a conflict', () => {
    // Assess
    expect(new CapReachedError('full')).toBeInstanceOf(ConflictError);
  });

  it('keeps a lost race outside the domain errors, so no route maps it to a status by accident', () => {
    // Act
    const error = new ConcurrentChangeError();

    // Assess
    expect(error).not.toBeInstanceOf(KeyholderError);
    expect(error.name).toBe('ConcurrentChangeError');
    expect(error.message).toBe('The request changed concurrently');
  });
});

describe('isTerminal', () => {
  it('is true exactly for the statuses a request never leaves', () => {
    // Act
    const terminal = REQUEST_STATUSES.filter(isTerminal);

    // Assess
    expect(terminal).toStrictEqual([
      'EXPIRED',
      'REJECTED',
      'DENIED',
      'TIMED_OUT',
      'CANCELLED',
      'REVOKED',
      'FAILED',
    ]);
    expect(isTerminal('PENDING_APPROVAL')).toBe(false);
    expect(isTerminal('APPROVED')).toBe(false);
    expect(isTerminal('PROVISIONING')).toBe(false);
    expect(isTerminal('ACTIVE')).toBe(false);
  });
});
