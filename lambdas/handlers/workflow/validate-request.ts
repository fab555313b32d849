// Task Validate: the request must still be open and its requester still eligible.
import { queueingDependencies } from '../../commons/queueing-dependencies.ts';
import { validateRequest } from '../../use-cases/workflow-steps.ts';
import { stepInput, workflowTask } from './task.ts';

export const handler = workflowTask(stepInput, ({ requestId }) =>
  validateRequest(queueingDependencies(), requestId),
);
