// Storage errors that are not domain outcomes: the write may well succeed when simply tried again.
import { WORKFLOW_ERRORS } from '../../workflow-errors.ts';

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

/**
 * The connection failed or timed out after the SDK's own retries. The request may or may not have reached DynamoDB:
 * a commit tried again either writes or finds its own change already applied (RequestStore.commit), so these are
 * as safe to retry as a throttle, and far worse left to fail the workflow step (the Retry matches names only).
 */
const NETWORK_ERROR_CODES: readonly string[] = [
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
];
const NETWORK_ERROR_NAMES: readonly string[] = ['TimeoutError', 'RequestTimeout', 'RequestTimeoutException'];

export function isTransientError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (TRANSIENT_ERROR_NAMES.includes(error.name) || NETWORK_ERROR_NAMES.includes(error.name)) return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && NETWORK_ERROR_CODES.includes(code)) return true;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0;
  return status >= 500;
}
