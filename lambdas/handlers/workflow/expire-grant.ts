// Task Expire: ACTIVE -> EXPIRED at expiresAt; a no-op when access already ended.
import { dependencies } from '../../commons/dependencies.ts';
import { expireAccess } from '../../use-cases/workflow-steps.ts';
import { stepInput, workflowTask } from './task.ts';

export const handler = workflowTask(stepInput, ({ requestId }) => expireAccess(dependencies(), requestId));
