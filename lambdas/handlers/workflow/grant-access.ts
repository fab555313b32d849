// Task Grant: APPROVED -> ACTIVE within the external-admin cap, or REJECTED when the cap is full.
import { provisioningDependencies } from '../../commons/provisioning-dependencies.ts';
import { grantApprovedAccess } from '../../use-cases/workflow-steps.ts';
import { stepInput, workflowTask } from './task.ts';

export const handler = workflowTask(stepInput, ({ requestId }) =>
  grantApprovedAccess(provisioningDependencies(), requestId),
);
