// GET /openapi.json lints clean: Redocly's recommended rules (what `redocly lint` runs, in-process through
// @redocly/openapi-core) with zero errors and zero warnings, and the OpenAPI 3.1 schema validator accepts it.
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { handler } from '../../lambdas/handlers/http/openapi.ts';
import { openApiDocument } from '../../lambdas/http/openapi.ts';
import { ROUTES } from '../../lambdas/routes.ts';

/** The document as it travels: JSON, so undefined members are gone. */
const asJson = (document: unknown) => JSON.parse(JSON.stringify(document)) as Record<string, any>;

describe('the OpenAPI document', () => {
  it('has no Redocly recommended error or warning', async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({
      source: JSON.stringify(asJson(openApiDocument()), null, 2),
      absoluteRef: 'openapi.json',
      config,
    });
    expect(problems.map((problem) => `${problem.severity} ${problem.ruleId}: ${problem.message}`)).toEqual(
      [],
    );
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(asJson(openApiDocument()));
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
  });

  it('documents the JWT authorizer 401 as API Gateway sends it on every JWT route, and the link pages as HTML', () => {
    const document = asJson(openApiDocument());
    for (const route of ROUTES) {
      const responses = document.paths[route.path][route.method.toLowerCase()].responses;
      if (route.auth === 'jwt')
        expect(responses[401]).toEqual({ $ref: '#/components/responses/JwtUnauthorized' });
    }
    expect(document.components.responses.JwtUnauthorized.content['application/json'].example).toEqual({
      message: 'Unauthorized',
    });
    for (const path of ['/approve/{token}', '/review/{token}']) {
      for (const method of ['get', 'post']) {
        for (const [status, response] of Object.entries(document.paths[path][method].responses)) {
          // A body over the gateway's limit and a crash in the gateway answer its JSON, even on a link page.
          if (status === '413' || status === '500') continue;
          expect(
            Object.keys((response as { content: object }).content),
            `${method} ${path} ${status}`,
          ).toEqual(['text/html']);
        }
      }
    }
  });

  it('GET /openapi.json names the URL it was called on as its server', async () => {
    const event = {
      routeKey: 'GET /openapi.json',
      rawPath: '/openapi.json',
      rawQueryString: '',
      headers: { 'x-forwarded-proto': 'http' },
      requestContext: { domainName: '127.0.0.1:3000', http: { method: 'GET' } },
      isBase64Encoded: false,
    };
    const answer = (await handler(event as never, {} as never)) as { statusCode: number; body: string };
    expect(answer.statusCode).toBe(200);
    expect(JSON.parse(answer.body).servers).toEqual([
      { url: 'http://127.0.0.1:3000', description: 'This deployment' },
    ]);
    expect(asJson(openApiDocument()).servers[0].url).toBe('{scheme}://{host}');
  });
});
