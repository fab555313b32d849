// Storage errors that are not domain outcomes: the write may well succeed when simply tried again.
import { WORKFLOW_ERRORS } from '../../routes.ts';

/**
 * DynamoDB refused for now (transaction conflict with a concurrent writer, throttling). Its name is the error name
 * the workflow's Retry matches on, so Step Functions retries the task instead of failing the execution.
 */
export class TransientStoreError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = WORKFLOW_ERRORS.transient;
  }
}

const TRANSIENT_ERROR_NAMES: readonly string[] = [
  'TransactionConflictException',
  'TransactionInProgressException',
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
];

/** Cancellation reason codes that say "not now" rather than "no". */
export const TRANSIENT_CANCELLATION_CODES: readonly string[] = [
  'TransactionConflict',
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
  'RequestLimitExceeded',
];

export function isTransientError(error: unknown): boolean {
  return error instanceof Error && TRANSIENT_ERROR_NAMES.includes(error.name);
}
