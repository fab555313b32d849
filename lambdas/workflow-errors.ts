// The error names the state machine routes on, shared by the workflow definition (lib/) and the handlers.

/**
 * Error names the workflow routes on (Catch/Retry in lib/access-workflow.ts): thrown by task handlers
 * (lambdas/use-cases/workflow-errors.ts, the store's transient errors) and sent with SendTaskFailure.
 */
export const WORKFLOW_ERRORS = {
  requestClosed: 'KeyholderRequestClosed',
  denied: 'KeyholderDenied',
  cancelled: 'KeyholderCancelled',
  transient: 'KeyholderTransient',
} as const;
