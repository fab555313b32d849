// Errors the state machine routes on by name (Catch/Retry in lib/access-workflow.ts).
import { WORKFLOW_ERRORS } from '../workflow-errors.ts';

/** The request is no longer one the workflow should carry on with (cancelled, rejected, decided elsewhere). */
export class RequestClosedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = WORKFLOW_ERRORS.requestClosed;
  }
}

/** Worth retrying with backoff (throttling, a lost race, a timer that fired early). */
export class TransientError extends Error {
  constructor(message: string) {
    super(message);
    this.name = WORKFLOW_ERRORS.transient;
  }
}
