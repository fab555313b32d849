// GET /health: liveness, without touching any dependency. It takes no input (OPERATIONS says so too:
// test/unit/http/api-schema.test.ts), named here so its bundle carries no table of every operation.
import { jsonResponse } from '../../http/errors.ts';
import { fixedInputsHttpHandler } from '../../http/handler.ts';

export const HEALTH_INPUTS = { query: false, body: false } as const;

export const handler = fixedInputsHttpHandler(HEALTH_INPUTS, async () =>
  jsonResponse(200, { status: 'ok', time: new Date().toISOString() }),
);
