// The wrapper every HTTP handler uses: middy with the error mapping, so handlers only hold the happy path.
import middy from '@middy/core';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { jsonError } from './errors.ts';
import type { HttpEvent } from './request.ts';

type HttpResult = APIGatewayProxyStructuredResultV2;

/** Maps any thrown error to the JSON error shape (or, for pages, to an HTML page). */
export function errorMapping(render: (error: unknown) => HttpResult = jsonError) {
  return {
    onError: async (request: { error: unknown; response: HttpResult | null | undefined }) => {
      request.response = render(request.error);
    },
  };
}

export function httpHandler(
  handle: (event: HttpEvent, context: Context) => Promise<HttpResult>,
  render: (error: unknown) => HttpResult = jsonError,
) {
  return middy<HttpEvent, HttpResult>()
    .use(errorMapping(render))
    .handler((event, context) => handle(event, context));
}
