// Task RecordTimeout: the approval window closed without a decision.
import { notifyingDependencies } from '../../commons/notifying-dependencies.ts';
import { recordApprovalTimeout } from '../../use-cases/workflow-steps.ts';
import { stepInput, workflowTask } from './task.ts';

export const handler = workflowTask(stepInput, ({ requestId }) =>
  recordApprovalTimeout(notifyingDependencies(), requestId),
);
