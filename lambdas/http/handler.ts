// The wrapper every HTTP handler uses: middy with the contract guard and the error mapping, so handlers only
// hold the happy path.
import middy from '@middy/core';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { observability } from '../commons/observability.ts';
import { policyInForce } from '../commons/policy-in-force.ts';
import { jsonError } from './errors.ts';
import { assertBodyWithin, type HttpEvent, MAX_BODY_BYTES, refuseUndeclaredInput } from './request.ts';
import { OPERATION_INPUTS } from './route-inputs.generated.ts';

type HttpResult = APIGatewayProxyStructuredResultV2;

/** Whether an operation takes query parameters and a body. */
export interface RouteInputs {
  readonly query: boolean;
  readonly body: boolean;
}

/**
 * Per operation (route key): whether it takes query parameters and a body. Marked pure, so a bundle whose handler
 * names its own inputs (fixedInputsHttpHandler) leaves the table of every operation out.
 */
export const ROUTE_INPUTS: ReadonlyMap<string, RouteInputs> = /* @__PURE__ */ routeInputs();

function routeInputs(): ReadonlyMap<string, RouteInputs> {
  return new Map(
    (['none', 'query', 'body', 'both'] as const).flatMap((takes) =>
      OPERATION_INPUTS[takes].map(
        (key) =>
          [
            key,
            { query: takes === 'query' || takes === 'both', body: takes === 'body' || takes === 'both' },
          ] as const,
      ),
    ),
  );
}

const inputsOfOperation = (routeKey: string): RouteInputs | undefined => ROUTE_INPUTS.get(routeKey);

export interface HttpHandlerOptions {
  /** Bodies larger than this are refused with 413 before the handler runs. @default MAX_BODY_BYTES (64 KiB) */
  readonly maxBodyBytes?: number;
}

/** Maps any thrown error to the JSON error shape (or, for pages, to an HTML page). */
export function errorMapping(render: (error: unknown) => HttpResult = jsonError) {
  return {
    onError: async (request: { error: unknown; response: HttpResult | null | undefined }) => {
      request.response = render(request.error);
    },
  };
}

/**
 * Refuses, before any handler code or lookup runs, what no route may take: a body over the limit (413), and
 * query parameters or a body on a route whose contract (OPERATIONS, as route-inputs.generated.ts tabulates it)
 * declares none (400). Routes that do take them validate them with their own zod schema.
 */
export function contractGuard(maxBodyBytes: number) {
  return guard(maxBodyBytes, inputsOfOperation);
}

function guard(maxBodyBytes: number, inputsOf: (routeKey: string) => RouteInputs | undefined) {
  return {
    before: async (request: { event: HttpEvent }) => {
      const { event } = request;
      assertBodyWithin(event, maxBodyBytes);
      const inputs = inputsOf(event.routeKey);
      if (inputs) refuseUndeclaredInput(event, inputs);
    },
  };
}

/** What the invocation's log line says: the route and the status, never headers or bodies. */
const httpFacts = (request: { event: unknown; response: unknown }) => ({
  route: (request.event as HttpEvent | undefined)?.routeKey,
  status: (request.response as HttpResult | null | undefined)?.statusCode,
});

type Handle = (event: HttpEvent, context: Context) => Promise<HttpResult>;

export function httpHandler(
  handle: Handle,
  render: (error: unknown) => HttpResult = jsonError,
  options: HttpHandlerOptions = {},
) {
  return wrap(handle, render, options, inputsOfOperation);
}

/**
 * httpHandler for a route that names its own inputs instead of looking them up in the table of every operation,
 * which then stays out of its bundle (health: its budget is 30 KiB). test/unit/http/api-schema.test.ts holds what
 * it names to OPERATIONS.
 */
export function fixedInputsHttpHandler(
  inputs: RouteInputs,
  handle: Handle,
  render: (error: unknown) => HttpResult = jsonError,
  options: HttpHandlerOptions = {},
) {
  return wrap(handle, render, options, () => inputs);
}

function wrap(
  handle: Handle,
  render: (error: unknown) => HttpResult,
  options: HttpHandlerOptions,
  inputsOf: (routeKey: string) => RouteInputs | undefined,
) {
  return middy<HttpEvent, HttpResult>()
    .use(observability({ describe: httpFacts }))
    .use(guard(options.maxBodyBytes ?? MAX_BODY_BYTES, inputsOf))
    .use(errorMapping(render))
    .use(policyInForce())
    .handler((event, context) => handle(event, context));
}
