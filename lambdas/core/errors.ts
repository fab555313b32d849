// Typed domain errors. HTTP status and Step Functions error names are mapped from these in one place
// (lambdas/http/error-mapping.ts and the workflow definition in lib/access-workflow.ts).

export type ErrorKind =
  | 'validation'
  | 'unauthenticated'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'gone'
  /** A request body over the limit (HTTP 413). */
  | 'too-large'
  | 'unavailable';

export class KeyholderError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly field: string | undefined;
  constructor(kind: ErrorKind, code: string, message: string, field?: string) {
    super(message);
    this.name = new.target.name;
    this.kind = kind;
    this.code = code;
    this.field = field;
  }
}

export class ValidationError extends KeyholderError {
  constructor(field: string, message: string) {
    super('validation', 'VALIDATION_FAILED', message, field);
  }
}

export class UnauthenticatedError extends KeyholderError {
  constructor(message = 'A valid bearer token is required') {
    super('unauthenticated', 'UNAUTHENTICATED', message);
  }
}

export class ForbiddenError extends KeyholderError {
  constructor(code: string, message: string) {
    super('forbidden', code, message);
  }
}

export class NotFoundError extends KeyholderError {
  constructor(what: string, id: string) {
    super('not-found', 'NOT_FOUND', `${what} ${id} was not found`);
  }
}

export class ConflictError extends KeyholderError {
  constructor(code: string, message: string) {
    super('conflict', code, message);
  }
}

export class CapReachedError extends ConflictError {
  constructor(message: string) {
    super('CAP_REACHED', message);
  }
}

/** A dataset's maxConcurrentHolders is reached: refused at grant time exactly like a full external-admin cap. */
export class HolderLimitReachedError extends ConflictError {
  constructor(message: string) {
    super('HOLDER_LIMIT_REACHED', message);
  }
}

/** An approval link that once worked but no longer does (used, expired, request decided). */
export class TokenGoneError extends KeyholderError {
  constructor(message: string) {
    super('gone', 'TOKEN_GONE', message);
  }
}

/** Raised by a store when a conditional write lost a race; use cases reload and try again. */
export class ConcurrentChangeError extends Error {
  constructor(message = 'The request changed concurrently') {
    super(message);
    this.name = 'ConcurrentChangeError';
  }
}
