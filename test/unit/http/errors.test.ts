// Unit tests for the error-to-HTTP mapping: domain kinds to statuses, a lost race to a retryable 503, the rest 500.
import { describe, expect, it } from 'vitest';
import { ConcurrentChangeError, NotFoundError, ValidationError } from '../../../lambdas/core/errors.ts';
import { answerFor } from '../../../lambdas/http/errors.ts';

describe('answerFor', () => {
  it('maps domain errors to their status, naming the field', () => {
    // Act / Assess
    expect(answerFor(new ValidationError('duration', 'duration must be at least PT15M'))).toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
      message: 'duration must be at least PT15M',
      field: 'duration',
    });
    expect(answerFor(new NotFoundError('request', 'req-1')).status).toBe(404);
  });

  it('answers a request that kept changing under every retry with a retryable 503, not a 500', () => {
    // Act
    const answer = answerFor(new ConcurrentChangeError('request req-1 changed concurrently'));
    // Assess
    expect(answer).toEqual({
      status: 503,
      code: 'BUSY',
      message: 'The request is changing right now; nothing was written, try again',
    });
  });

  it('tells the caller nothing about an unexpected error', () => {
    // Act
    const answer = answerFor(new TypeError('secret internals at line 42'));
    // Assess
    expect(answer.status).toBe(500);
    expect(answer.message).not.toContain('internals');
  });
});
