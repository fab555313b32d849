// The checked-in client types are the contract: lambdas/http/api-schema.generated.ts must equal what
// `npm run api:types` generates now from lambdas/http/openapi.ts, so the CLI, the console and the API cannot drift.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { SLACK_INTERACTION_INPUTS } from '../../../lambdas/adapters/slack/interaction-request.ts';
import { HEALTH_INPUTS } from '../../../lambdas/handlers/http/health.ts';
import {
  API_SCHEMA_FILE,
  generateApiSchema,
  generateRouteInputs,
  OPENAPI_DOCUMENT_FILE,
  ROUTE_INPUTS_FILE,
} from '../../../lambdas/http/generate-api-schema.ts';
import { ROUTE_INPUTS } from '../../../lambdas/http/handler.ts';
import { OPERATIONS, openApiDocument } from '../../../lambdas/http/openapi.ts';
import { OPENAPI_DOCUMENT_BROTLI } from '../../../lambdas/http/openapi-document.generated.ts';
import { decodeOpenApiDocument, servedAt } from '../../../lambdas/http/openapi-serving.ts';
import { ROUTES } from '../../../lambdas/routes.ts';

describe('lambdas/http/api-schema.generated.ts', () => {
  it('equals a fresh generation from the OpenAPI document (run `npm run api:types` after changing the contract)', async () => {
    const checkedIn = await readFile(API_SCHEMA_FILE, 'utf8');
    const fresh = await generateApiSchema();
    expect(checkedIn === fresh, 'stale: run `npm run api:types`').toBe(true);
  });

  it("route-inputs.generated.ts, the HTTP guard's table, equals a fresh generation from OPERATIONS", async () => {
    const checkedIn = await readFile(ROUTE_INPUTS_FILE, 'utf8');
    expect(checkedIn === generateRouteInputs(), 'stale: run `npm run api:types`').toBe(true);
    for (const route of ROUTES) {
      const operation = OPERATIONS[`${route.method} ${route.path}`];
      expect(ROUTE_INPUTS.get(`${route.method} ${route.path}`)).toEqual({
        query: operation?.query !== undefined,
        body: operation?.body !== undefined || operation?.form !== undefined,
      });
    }
  });

  it('openapi-document.generated.ts, what GET /openapi.json serves, holds the document a fresh build gives', async () => {
    const checkedIn = await readFile(OPENAPI_DOCUMENT_FILE, 'utf8');
    expect(checkedIn, 'run `npm run api:types`').toContain(OPENAPI_DOCUMENT_BROTLI);
    // Compared decoded: another zlib may compress the same JSON to other bytes.
    expect(
      JSON.parse(decodeOpenApiDocument(OPENAPI_DOCUMENT_BROTLI)),
      'stale: run `npm run api:types`',
    ).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
  });

  it('serves the document with the servers of the URL it was fetched from, nothing else changed', () => {
    const json = decodeOpenApiDocument(OPENAPI_DOCUMENT_BROTLI);
    const served = JSON.parse(servedAt(json)('https://keyholder.nhse.example'));
    expect(served).toEqual({
      ...JSON.parse(json),
      servers: [{ url: 'https://keyholder.nhse.example', description: 'This deployment' }],
    });
    expect(Object.keys(served)).toEqual(Object.keys(JSON.parse(json)));
    expect(() => servedAt('{"openapi":"3.1.0"}')).toThrow(/default servers exactly once/);
  });

  it('health names the inputs OPERATIONS gives it (it guards itself without the table)', () => {
    expect(HEALTH_INPUTS).toEqual(ROUTE_INPUTS.get('GET /health'));
  });

  it('Slack interactions name the inputs OPERATIONS gives them (guarded without the table)', () => {
    expect(SLACK_INTERACTION_INPUTS).toEqual(ROUTE_INPUTS.get('POST /slack/interactions'));
  });

  it('types every route of the route table', async () => {
    const checkedIn = await readFile(API_SCHEMA_FILE, 'utf8');
    for (const route of ROUTES) expect(checkedIn).toContain(`'${route.path}': {`);
  });
});
