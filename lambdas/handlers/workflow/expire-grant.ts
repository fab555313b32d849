// Task Expire: ACTIVE -> EXPIRED at expiresAt; a no-op when access already ended.
import { provisioningDependencies } from '../../commons/provisioning-dependencies.ts';
import { expireAccess } from '../../use-cases/workflow-steps.ts';
import { stepInput, workflowTask } from './task.ts';

export const handler = workflowTask(stepInput, ({ requestId }) =>
  expireAccess(provisioningDependencies(), requestId),
);
