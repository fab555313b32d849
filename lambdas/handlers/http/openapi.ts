// GET /openapi.json: the contract, generated from the same zod schemas that validate requests.
import { jsonResponse } from '../../http/errors.ts';
import { httpHandler } from '../../http/handler.ts';
import { openApiDocument, serversOf } from '../../http/openapi.ts';

const document = openApiDocument();

/** The document with `servers` naming the URL it was fetched from (API Gateway's domain, or the local gateway). */
export const handler = httpHandler(async (event) => {
  const forwarded = event.headers['x-forwarded-proto'];
  const scheme = forwarded === 'http' || forwarded === 'https' ? forwarded : 'https';
  const serverUrl = `${scheme}://${event.requestContext.domainName}`;
  return jsonResponse(
    200,
    { ...document, servers: serversOf(serverUrl) },
    {
      'cache-control': 'max-age=300',
    },
  );
});
