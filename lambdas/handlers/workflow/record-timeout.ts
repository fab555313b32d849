// Task RecordTimeout: the approval window closed without a decision.
import { queueingDependencies } from '../../commons/queueing-dependencies.ts';
import { recordApprovalTimeout } from '../../use-cases/workflow-steps.ts';
import { stepInput, workflowTask } from './task.ts';

export const handler = workflowTask(stepInput, ({ requestId }) =>
  recordApprovalTimeout(queueingDependencies(), requestId),
);
