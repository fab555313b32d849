// The wrapper every workflow Task handler uses: validates the state input, logs errors with their name
// (the state machine routes on error names), and lets them propagate to Step Functions.
import middy from '@middy/core';
import { observability } from '../../commons/observability.ts';
import { policyInForce } from '../../commons/policy-in-force.ts';
import { KeyholderError } from '../../core/errors.ts';
import * as z from '../../core/zod.ts';
import { WORKFLOW_ERRORS } from '../../workflow-errors.ts';

export const stepInput = z.object({ requestId: z.string().check(z.minLength(1), z.maxLength(100)) });
export const callbackStepInput = z.extend(stepInput, { taskToken: z.string().check(z.minLength(1)) });

/** The request id is the one fact worth a log line; the task token beside it is a bearer secret. */
const stepFacts = (request: { event: unknown }) => {
  const requestId = (request.event as { requestId?: unknown } | null)?.requestId;
  return { requestId: typeof requestId === 'string' ? requestId.slice(0, 100) : undefined };
};

const ROUTED_ERRORS: ReadonlySet<string> = new Set(Object.values(WORKFLOW_ERRORS));

/**
 * Every step is idempotent, so anything that is not a decision is worth retrying: an SDK socket timeout, a read
 * throttled, a race lost six times. Left with its own name (TimeoutError, ...) it would match no Retry and fail
 * the execution, stranding an APPROVED request. Decisions keep their names: routed workflow errors, domain
 * refusals (KeyholderError) and a malformed state input (ZodError), which no retry can change.
 */
export function asWorkflowError(error: unknown): unknown {
  if (error instanceof KeyholderError || error instanceof z.$ZodError) return error;
  if (error instanceof Error && ROUTED_ERRORS.has(error.name)) return error;
  const name = error instanceof Error ? error.name : typeof error;
  const message = error instanceof Error ? error.message : String(error);
  const transient = new Error(`${name}: ${message}`, { cause: error });
  transient.name = WORKFLOW_ERRORS.transient;
  return transient;
}

/**
 * Renames errors in onError, so that middy's own TimeoutError (raised just before the function's timeout, outside
 * the handler) is retried too: the step is idempotent, and a retry finds whatever the slow attempt committed.
 */
const workflowErrorNames = {
  onError: async (request: { error: unknown }) => {
    request.error = asWorkflowError(request.error);
  },
};

export function workflowTask<S extends z.ZodMiniType, R>(
  schema: S,
  handle: (input: z.infer<S>) => Promise<R>,
) {
  return middy<unknown, R>()
    .use(observability({ describe: stepFacts }))
    .use(workflowErrorNames)
    .use(policyInForce())
    .handler(async (event) => handle(stepInputOf(schema, event)));
}

/** The parsed state input; a malformed one fails as `ZodError`, the name full zod gives it (zod/mini: `$ZodError`). */
function stepInputOf<S extends z.ZodMiniType>(schema: S, event: unknown): z.infer<S> {
  const result = schema.safeParse(event);
  if (result.success) return result.data;
  result.error.name = 'ZodError';
  throw result.error;
}
