// Task AwaitApproval (.waitForTaskToken): records the token and asks the eligible approvers.
import { queueingDependencies } from '../../commons/queueing-dependencies.ts';
import { requestApproval } from '../../use-cases/request-approval.ts';
import { callbackStepInput, workflowTask } from './task.ts';

export const handler = workflowTask(callbackStepInput, ({ requestId, taskToken }) =>
  requestApproval(queueingDependencies(), requestId, taskToken),
);
