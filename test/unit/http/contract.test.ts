// The HTTP contract: every route has an OpenAPI operation, and the error mapping gives each kind its status.
import { describe, expect, it } from 'vitest';
import {
  CapReachedError,
  ForbiddenError,
  NotFoundError,
  TokenGoneError,
  ValidationError,
} from '../../../lambdas/core/errors.ts';
import { jsonError } from '../../../lambdas/http/errors.ts';
import { OPERATIONS, openApiDocument } from '../../../lambdas/http/openapi.ts';
import { ROUTES } from '../../../lambdas/routes.ts';

describe('HTTP contract', () => {
  it('documents every route and nothing else', () => {
    expect(Object.keys(OPERATIONS).sort()).toEqual(
      ROUTES.map((route) => `${route.method} ${route.path}`).sort(),
    );
    const document = openApiDocument();
    expect(document.paths['/requests/{id}/decisions']?.post).toMatchObject({
      security: [{ bearer: [] }],
      parameters: [{ name: 'id', in: 'path', required: true }],
    });
    expect(document.paths['/approve/{token}']?.get).toMatchObject({ security: [] });
  });

  it.each([
    [new ValidationError('duration', 'bad'), 400, { code: 'VALIDATION_FAILED', field: 'duration' }],
    [new ForbiddenError('SELF_APPROVAL', 'no'), 403, { code: 'SELF_APPROVAL' }],
    [new NotFoundError('request', 'r'), 404, { code: 'NOT_FOUND' }],
    [new CapReachedError('full'), 409, { code: 'CAP_REACHED' }],
    [new TokenGoneError('used'), 410, { code: 'TOKEN_GONE' }],
  ])('maps %s to %i', (error, status, shape) => {
    const response = jsonError(error);
    expect(response.statusCode).toBe(status);
    expect(JSON.parse(response.body ?? '{}').error).toMatchObject(shape);
  });

  it('hides internals of unexpected errors behind a 500', () => {
    const original = console.error;
    console.error = () => undefined;
    try {
      const response = jsonError(new TypeError('secret detail'));
      expect(response.statusCode).toBe(500);
      expect(response.body).not.toContain('secret detail');
    } finally {
      console.error = original;
    }
  });
});
