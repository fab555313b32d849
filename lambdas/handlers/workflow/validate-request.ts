// Task Validate: the request must still be open and its requester still eligible.
import { notifyingDependencies } from '../../commons/notifying-dependencies.ts';
import { validateRequest } from '../../use-cases/workflow-steps.ts';
import { stepInput, workflowTask } from './task.ts';

export const handler = workflowTask(stepInput, ({ requestId }) =>
  validateRequest(notifyingDependencies(), requestId),
);
