// The wrapper every workflow Task handler uses: validates the state input, logs errors with their name
// (the state machine routes on error names), and lets them propagate to Step Functions.
import middy from '@middy/core';
import { z } from 'zod';

export const stepInput = z.object({ requestId: z.string().min(1).max(100) });
export const callbackStepInput = stepInput.extend({ taskToken: z.string().min(1) });

export function workflowTask<S extends z.ZodType, R>(schema: S, handle: (input: z.infer<S>) => Promise<R>) {
  return middy<unknown, R>()
    .use({
      onError: async (request: { error: unknown }) => {
        const error = request.error as Error;
        console.error(
          JSON.stringify({
            level: 'ERROR',
            message: 'workflow step failed',
            name: error?.name,
            error: String(error),
          }),
        );
      },
    })
    .handler(async (event) => handle(schema.parse(event)));
}
