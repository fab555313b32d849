// The console's routes in the contract (issue 14): each is documented with its schemas, and every example the
// document carries is valid against the schema it illustrates (a generated client is built from these).
import { describe, expect, it } from 'vitest';
import * as z from '../../../lambdas/core/zod.ts';
import { OPERATIONS, openApiDocument } from '../../../lambdas/http/openapi.ts';
import * as schemas from '../../../lambdas/http/schemas/index.ts';
import { ROUTES } from '../../../lambdas/routes.ts';

const CONSOLE_ROUTES = {
  'GET /me': schemas.meView,
  'GET /inbox': schemas.inboxView,
  'GET /requests/{id}/timeline': schemas.requestTimelineView,
  'POST /requests/{id}/reviews': schemas.requestView,
  'POST /principals/{id}/preview': schemas.principalPreviewView,
  'GET /access/timeline': schemas.accessTimelineView,
} as const;

const examplesOf = (schema: z.ZodMiniType) => (z.globalRegistry.get(schema)?.examples ?? []) as unknown[];

describe('the console routes in the contract', () => {
  it.each(Object.entries(CONSOLE_ROUTES))('%s: a JWT route with a response schema', (key, schema) => {
    const route = ROUTES.find((candidate) => `${candidate.method} ${candidate.path}` === key);
    expect(route?.auth).toBe('jwt');
    expect(OPERATIONS[key]?.response.schema).toBe(schema);
    const [method, path] = key.split(' ') as [string, string];
    const operation = openApiDocument().paths[path]?.[method.toLowerCase()] as {
      responses: Record<string, { content: Record<string, { schema: Record<string, unknown> }> }>;
    };
    expect(operation.responses[200]?.content['application/json']?.schema.type).toBe('object');
  });

  it('carries examples that the schemas accept', () => {
    for (const schema of [
      schemas.meView,
      schemas.inboxView,
      schemas.requestTimelineView,
      schemas.principalPreviewView,
      schemas.accessTimelineView,
      schemas.reviewBody,
    ]) {
      const examples = examplesOf(schema);
      expect(examples.length).toBeGreaterThan(0);
      for (const example of examples) expect(() => schema.parse(example)).not.toThrow();
    }
    const document = JSON.stringify(openApiDocument().paths['/me']);
    expect(document).toContain('"examples"');
  });

  it('the review body needs a decision and refuses anything else; the timeline query takes only from and to', () => {
    expect(schemas.reviewBody.safeParse({ decision: 'keep' }).success).toBe(true);
    expect(schemas.reviewBody.safeParse({ decision: 'approve' }).success).toBe(false);
    expect(schemas.reviewBody.safeParse({ decision: 'keep', reviewer: 'x' }).success).toBe(false);
    expect(schemas.accessTimelineQuery.safeParse({ from: '2026-12-01T00:00:00+01:00' })).toMatchObject({
      success: true,
      data: { from: '2026-11-30T23:00:00.000Z' },
    });
    expect(schemas.accessTimelineQuery.safeParse({ at: '2026-12-01T00:00:00Z' }).success).toBe(false);
  });
});
