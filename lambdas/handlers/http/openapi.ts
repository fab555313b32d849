// GET /openapi.json: the contract, generated from the same zod schemas that validate requests. Served as
// `npm run api:types` built it (lambdas/http/openapi-document.generated.ts, held to a fresh build by
// test/unit/http/api-schema.test.ts): a cold start decodes 9 KB of Brotli rather than building and converting every
// schema, and a request only names the URL it came to in the text.
import { jsonResponse } from '../../http/errors.ts';
import { httpHandler } from '../../http/handler.ts';
import { OPENAPI_DOCUMENT_BROTLI } from '../../http/openapi-document.generated.ts';
import { decodeOpenApiDocument, servedAt } from '../../http/openapi-serving.ts';

const documentAt = servedAt(decodeOpenApiDocument(OPENAPI_DOCUMENT_BROTLI));

/** The document with `servers` naming the URL it was fetched from (API Gateway's domain, or the local gateway). */
export const handler = httpHandler(async (event) => {
  const forwarded = event.headers['x-forwarded-proto'];
  const scheme = forwarded === 'http' || forwarded === 'https' ? forwarded : 'https';
  const serverUrl = `${scheme}://${event.requestContext.domainName}`;
  return { ...jsonResponse(200, null, { 'cache-control': 'max-age=300' }), body: documentAt(serverUrl) };
});
