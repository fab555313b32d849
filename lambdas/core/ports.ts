// Ports: what the use cases need from the outside world. Adapters in lambdas/adapters implement them.
import type { AuditEvent, ChainHead } from './audit.ts';
import type { Transition } from './lifecycle.ts';
import type { AccessRequest, Dataset, Principal, Scope } from './model.ts';

/** A request as stored: the domain record plus its audit chain head and workflow handles. */
export interface StoredRequest extends AccessRequest {
  readonly audit: ChainHead;
  readonly taskToken?: string | undefined;
  /** Approvers already sent an approval prompt (so a retried prompt step does not mail twice). */
  readonly notified?: readonly string[] | undefined;
}

/** One scope held by one principal through one ACTIVE request. */
export interface ActiveGrant {
  readonly requestId: string;
  readonly principalId: string;
  readonly organisation: string;
  readonly scope: Scope;
  readonly grantedAt: string;
  readonly expiresAt: string;
  readonly approvedBy: readonly string[];
  readonly nextReviewAt: string;
}

export interface ApprovalTokenRecord {
  /** SHA-256 (hex) of the token; the token itself is only ever in the approver's mailbox. */
  readonly tokenHash: string;
  readonly requestId: string;
  readonly approverId: string;
  readonly expiresAt: string;
  readonly usedAt?: string | undefined;
}

export interface ExternalAdminSeats {
  readonly total: number;
  readonly byOrganisation: Readonly<Record<string, number>>;
}

export interface RequestChange {
  readonly transition: Transition;
  /** The transition's event, chained onto `expectedHead`. */
  readonly event: AuditEvent;
  /** The stored chain head the change was computed from; a different head means a concurrent change. */
  readonly expectedHead: ChainHead;
  readonly executionArn?: string | undefined;
  readonly taskToken?: string | undefined;
  readonly notified?: readonly string[] | undefined;
  readonly issueTokens?: readonly ApprovalTokenRecord[] | undefined;
  /** Marks this approval token used, failing if it already was. */
  readonly consumeToken?: { readonly tokenHash: string; readonly usedAt: string } | undefined;
}

/**
 * Requests, grants, seats and their audit trail. `commit` applies one change atomically: the request's new
 * state, its audit event, the cap seat, the admin lock, grant rows and approval tokens, or nothing.
 * It throws ConcurrentChangeError when the request moved on, CapReachedError when the cap is full,
 * ConflictError('ADMIN_REQUEST_OPEN') when the requester already has an open admin request, and
 * TokenGoneError when the approval token was already used.
 */
export interface RequestStore {
  getRequest(id: string): Promise<StoredRequest | undefined>;
  listRequestsByRequester(principalId: string): Promise<StoredRequest[]>;
  listPendingRequests(): Promise<StoredRequest[]>;
  listActiveGrants(): Promise<ActiveGrant[]>;
  /** Grants whose expiresAt is at or before `at`, soonest first (index query, no scan). */
  listGrantsExpiringBy(at: string): Promise<ActiveGrant[]>;
  externalAdminSeats(): Promise<ExternalAdminSeats>;
  commit(change: RequestChange): Promise<StoredRequest>;
  readAuditStream(stream: string): Promise<AuditEvent[]>;
  findApprovalToken(tokenHash: string): Promise<ApprovalTokenRecord | undefined>;
}

export interface Directory {
  getPrincipal(id: string): Promise<Principal | undefined>;
  listPrincipals(): Promise<Principal[]>;
  listDatasets(): Promise<Dataset[]>;
}

export interface Workflow {
  /** Starts the lifecycle execution for a submitted request, named after the request (idempotent). */
  start(requestId: string): Promise<string>;
  /** Completes the waiting approval step with the decided status. */
  approvalDecided(taskToken: string, status: 'APPROVED' | 'DENIED' | 'CANCELLED'): Promise<void>;
  /** Stops the request's execution (early revoke). Stopping a finished or unknown execution is not an error. */
  stop(requestId: string, cause: string): Promise<void>;
}

export interface EmailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly replyTo?: string | undefined;
}

export interface Mailer {
  send(message: EmailMessage): Promise<{ messageId: string }>;
}

export interface Clock {
  now(): string;
}

export interface IdGenerator {
  requestId(): string;
  /** An unguessable URL-safe token (>= 256 bits). */
  secretToken(): string;
}
