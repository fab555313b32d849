// GET /openapi.json: the contract, generated from the same zod schemas that validate requests.
import { jsonResponse } from '../../http/errors.ts';
import { httpHandler } from '../../http/handler.ts';
import { openApiDocument } from '../../http/openapi.ts';

const document = openApiDocument();

export const handler = httpHandler(async () =>
  jsonResponse(200, document, { 'cache-control': 'max-age=300' }),
);
