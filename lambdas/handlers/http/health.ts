// GET /health: liveness, without touching any dependency.
import { jsonResponse } from '../../http/errors.ts';
import { httpHandler } from '../../http/handler.ts';

export const handler = httpHandler(async () =>
  jsonResponse(200, { status: 'ok', time: new Date().toISOString() }),
);
