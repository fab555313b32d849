// Ports: what the use cases need from the outside world. Adapters in lambdas/adapters implement them.

import type { AccessInterval } from './access-history.ts';
import type { AuditEvent, ChainHead } from './audit.ts';
import type { AuditAnchor, StreamHead } from './audit-verify.ts';
import type { DriftItem } from './drift.ts';
import type { Transition } from './lifecycle.ts';
import type { AccessRequest, Dataset, Principal, Scope } from './model.ts';
import type { DueNotice, NoticeLease, NoticeRef } from './notices.ts';
import type { Policy } from './policy.ts';
import type { PolicyProposal, PolicyVersion, ProposalStatus } from './policy-change.ts';
import type { TransparencyReport } from './transparency.ts';

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
  /** Granted by break-glass, without approval (written with the grant, so who-has-access reads no request). */
  readonly breakGlass?: true | undefined;
}

export interface ApprovalTokenRecord {
  /** SHA-256 (hex) of the token; the token itself is only ever in the approver's mailbox. */
  readonly tokenHash: string;
  readonly requestId: string;
  readonly approverId: string;
  readonly expiresAt: string;
  readonly usedAt?: string | undefined;
  /** What the link decides: a request's approval (the default), an extension round, or a recertification. */
  readonly purpose?: 'approval' | 'extension' | 'review' | undefined;
  /** How the token is presented: in the emailed link (the default) or in that email's Reply-To address. */
  readonly via?: 'link' | 'reply' | undefined;
}

/** An external-admin seat held by one ACTIVE request; kept beside the counters, in the same transactions. */
export interface SeatHolder {
  readonly requestId: string;
  readonly principalId: string;
  readonly organisation: string;
  readonly takenAt: string;
}

/** The seat counters as recorded (with their audit chain head) and the requests actually holding seats. */
export interface SeatLedger {
  readonly seats: ExternalAdminSeats;
  readonly holders: readonly SeatHolder[];
  readonly audit: ChainHead;
}

/** Sets drifted counters to the true numbers, if they still hold what was observed, with its audit event. */
export interface SeatCorrection {
  readonly observed: ExternalAdminSeats;
  readonly corrected: ExternalAdminSeats;
  readonly event: AuditEvent;
  readonly expectedHead: ChainHead;
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
  /** Notices the change owes, recorded as due in the same transaction (lambdas/core/notices.ts). */
  readonly notices?: readonly DueNotice[] | undefined;
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
  /** Many requests in few round trips (BatchGetItem), by id; an id not found is absent from the map. */
  getRequests(ids: readonly string[]): Promise<Map<string, StoredRequest>>;
  listRequestsByRequester(principalId: string): Promise<StoredRequest[]>;
  listPendingRequests(): Promise<StoredRequest[]>;
  listActiveGrants(): Promise<ActiveGrant[]>;
  /** Grants whose expiresAt is at or before `at`, soonest first (index query, no scan). */
  listGrantsExpiringBy(at: string): Promise<ActiveGrant[]>;
  externalAdminSeats(): Promise<ExternalAdminSeats>;
  /** Holders per dataset id now, from the per-dataset holder counters (one Query); a dataset never held is absent. */
  datasetHolders(): Promise<Map<string, number>>;
  commit(change: RequestChange): Promise<StoredRequest>;
  readAuditStream(stream: string): Promise<AuditEvent[]>;
  findApprovalToken(tokenHash: string): Promise<ApprovalTokenRecord | undefined>;
  /**
   * Stores fresh link tokens (their hashes) for a message about to be sent: the notifier issues them just before
   * the mail that carries them (lambdas/use-cases/request-approval.ts), whose delivery is then audited.
   */
  issueLinkTokens(tokens: readonly ApprovalTokenRecord[]): Promise<void>;
  /** ACTIVE requests whose next sweep action (review prompt or deadline, extension deadline) is due by `at`. */
  listRequestsDueBy(at: string): Promise<StoredRequest[]>;
  seatLedger(): Promise<SeatLedger>;
  /** False when a counter moved since it was read (a concurrent grant or release): nothing is written. */
  correctSeats(correction: SeatCorrection): Promise<boolean>;
}

/** A principal as stored, with the head of its directory audit stream. */
export interface StoredPrincipal {
  readonly principal: Principal;
  readonly audit: ChainHead;
}

export interface PrincipalChange {
  readonly principal: Principal;
  /** The change's event on the principal's stream, chained onto `expectedHead`. */
  readonly event: AuditEvent;
  readonly expectedHead: ChainHead;
}

/** A principal the sweep must look at (deactivated, or clearance lapsed), with the index key it was found by. */
export interface DuePrincipal {
  readonly principal: Principal;
  readonly dueKey: string;
}

export interface StoredDataset {
  readonly dataset: Dataset;
  readonly audit: ChainHead;
}

export interface DatasetRecordChange {
  readonly dataset: Dataset;
  /** The change's event on the dataset's stream, chained onto `expectedHead`. */
  readonly event: AuditEvent;
  readonly expectedHead: ChainHead;
}

export interface Directory {
  getPrincipal(id: string): Promise<Principal | undefined>;
  listPrincipals(): Promise<Principal[]>;
  listDatasets(): Promise<Dataset[]>;
  /** The display names of the SCIM groups provisioned now (a dataset may be owned by `group:<name>`). */
  listGroupNames(): Promise<string[]>;
  getDatasetRecord(id: string): Promise<StoredDataset | undefined>;
  /** The entry's new owners and limit and its audit event, atomically; ConcurrentChangeError when the head moved. */
  updateDataset(change: DatasetRecordChange): Promise<void>;
  /** The principal a Slack user is linked to (`slackUserId`), for decisions made in Slack. */
  findPrincipalBySlackUserId(slackUserId: string): Promise<Principal | undefined>;
  getPrincipalRecord(id: string): Promise<StoredPrincipal | undefined>;
  /** The principal's new state and its audit event, atomically; ConcurrentChangeError when the head moved. */
  updatePrincipal(change: PrincipalChange): Promise<StoredPrincipal>;
  /** A new principal and its first event (PRINCIPAL_CREATED), atomically; false when the id is taken already. */
  createPrincipal(change: PrincipalChange): Promise<boolean>;
  /** Principals inactive, or whose clearance lapsed, by `at` and not yet settled by a sweep. */
  listPrincipalsDueBy(at: string): Promise<DuePrincipal[]>;
  /** Takes a principal off the due index once the sweep has dealt with it, unless it changed meanwhile. */
  settlePrincipal(id: string, dueKey: string): Promise<void>;
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

/** The whole audit trail, read for verification and exports: every stream by its recorded head, and time ranges. */
export interface AuditLedger {
  /** Every stream's recorded head, sorted by stream. */
  listStreamHeads(): Promise<StreamHead[]>;
  readAuditStream(stream: string): Promise<AuditEvent[]>;
  /** Events with `from <= at < to`, across all streams, oldest first. */
  eventsBetween(from: string, to: string): Promise<AuditEvent[]>;
}

/** Grant intervals, written by RequestStore.commit in the same transaction as the events. */
export interface AccessHistory {
  /** Every interval covering `at` (from <= at < until). */
  intervalsAt(at: string): Promise<AccessInterval[]>;
  intervalsOfPrincipal(principalId: string): Promise<AccessInterval[]>;
  intervalsOfScope(scope: Scope): Promise<AccessInterval[]>;
  /** One scope's intervals that started in [from, to), oldest first (a range of the scope's partition). */
  intervalsOfScopeStartedBetween(scope: Scope, from: string, to: string): Promise<AccessInterval[]>;
}

/** Digests of all stream heads, kept where the stack cannot rewrite them (S3 Object Lock, compliance mode). */
export interface AnchorStore {
  put(anchor: AuditAnchor): Promise<{ readonly key: string }>;
  latest(): Promise<{ readonly key: string; readonly anchor: AuditAnchor } | undefined>;
}

/** One provider's open out-of-band items, read consistently, with the head of its `DRIFT#<provider>` stream. */
export interface DriftState {
  readonly open: readonly DriftItem[];
  readonly audit: ChainHead;
}

/**
 * Out-of-band access the sweep found on a platform: one open item per (provider, principal, scope) until the access
 * goes, each opening and closing committed with its event on the provider's stream. `open` and `close` return false
 * when the item or the stream head moved since they were read (another sweep): nothing is written.
 */
export interface DriftLedger {
  state(provider: string): Promise<DriftState>;
  /** Open items of one provider, or of all providers (a query of a sparse index entry, no Scan). */
  listOpen(provider?: string): Promise<DriftItem[]>;
  open(item: DriftItem, event: AuditEvent, expectedHead: ChainHead): Promise<boolean>;
  close(item: DriftItem, event: AuditEvent, expectedHead: ChainHead): Promise<boolean>;
}

/** The published transparency report (AWS: a private S3 bucket written daily, served by GET /transparency). */
export interface TransparencySnapshots {
  put(report: TransparencyReport): Promise<{ readonly key: string }>;
  latest(): Promise<TransparencyReport | undefined>;
}

export type NotificationChannel = 'email' | 'slack';

/** What one person is told about one request, whatever the channel; each Notifier renders it for its medium. */
export interface Notice {
  /** What happened, e.g. `granted`, `denied`, `decided-elsewhere` (recorded in the audit event). */
  readonly kind: string;
  readonly requestId: string;
  readonly subject: string;
  readonly headline: string;
  readonly facts: readonly (readonly [string, string])[];
  readonly closing?: string | undefined;
}

/** A channel that reaches principals: email reaches everyone, Slack those with a slackUserId. */
export interface Notifier {
  readonly channel: NotificationChannel;
  reaches(recipient: Principal): boolean;
  send(recipient: Principal, notice: Notice): Promise<{ readonly messageId: string }>;
}

/** Where a chat message lives, so that it can be updated in place. */
export interface ChatMessageRef {
  readonly channel: string;
  readonly ts: string;
}

/** Everything an approval prompt shows; rendered again, from fresh state, every time the request moves on. */
export interface ApprovalPromptView {
  readonly request: AccessRequest;
  readonly requester: Principal | undefined;
  readonly approver: Principal;
  /** Display names of everyone the prompt may mention (deciders, whoever closed the request). */
  readonly names: Readonly<Record<string, string>>;
  readonly seats?: { readonly inUse: number; readonly cap: number } | undefined;
  /** The catalogue by dataset id, so the prompt names datasets by title and sensitivity (`catalogueOf`). */
  readonly datasets: ReadonlyMap<string, Dataset>;
}

/** Approval prompts in chat (Slack): posted to each approver, updated in place, answered with buttons. */
export interface ChatApprovals {
  postPrompt(approver: Principal, view: ApprovalPromptView): Promise<ChatMessageRef>;
  updatePrompt(ref: ChatMessageRef, view: ApprovalPromptView): Promise<void>;
  /** A message only `user` sees, in `channel` (nothing changes; it says why). */
  explain(where: { readonly channel: string; readonly user: string }, text: string): Promise<void>;
  /** Opens the dialog that asks a denying approver for the reason (must follow the click within 3 s). */
  askDenyReason(triggerId: string, context: DenyReasonContext): Promise<void>;
  /** A recertification prompt (Keep / Revoke) to one director; Revoke asks its reason via askDenyReason. */
  postReviewPrompt(reviewer: Principal, view: ReviewPromptView): Promise<ChatMessageRef>;
  updateReviewPrompt(ref: ChatMessageRef, view: ReviewPromptView): Promise<void>;
}

/** Everything a review prompt shows: the grant, its holder, and the director asked. */
export interface ReviewPromptView {
  readonly request: AccessRequest;
  readonly holder: Principal | undefined;
  readonly reviewer: Principal;
  /** The catalogue by dataset id, so the prompt names datasets by title and sensitivity (`catalogueOf`). */
  readonly datasets: ReadonlyMap<string, Dataset>;
}

export interface DenyReasonContext {
  /** Which decision the reason is for: an approval's Deny (the default) or a review's Revoke. */
  readonly decision?: 'deny' | 'revoke' | undefined;
  readonly requestId: string;
  readonly summary: string;
  /** The prompt the Deny button was on, so the answer can be tied back to it. */
  readonly prompt: ChatMessageRef;
}

export interface ChatPrompt {
  readonly approverId: string;
  readonly ref: ChatMessageRef;
}

/** What was already sent about a request: posted chat prompts (to update them) and once-only notices. */
export interface NotificationLedger {
  /**
   * True the first time `key` is claimed for the request; false for a retried step that already sent it. With an
   * `owner`, also true when that same owner claimed it before (its own redelivery after a crash).
   */
  claim(requestId: string, key: string, at: string, owner?: string): Promise<boolean>;
  saveChatPrompt(requestId: string, prompt: ChatPrompt): Promise<void>;
  listChatPrompts(requestId: string): Promise<ChatPrompt[]>;
  /**
   * Takes a due notice for one delivery attempt until `until`: `sent` when it was already marked sent,
   * `in-flight` while another attempt holds it (a duplicate message), `missing` when no such notice exists.
   */
  leaseNotice(ref: NoticeRef, now: string, until: string): Promise<NoticeLease>;
  markNoticeSent(ref: NoticeRef, at: string): Promise<void>;
  /**
   * After a delivery attempt that sent some parts and failed others: the parts sent are kept on the notice (its
   * redelivery sends only the rest) and the lease is given up, so the redelivered message may take it at once.
   */
  recordPartialDelivery(ref: NoticeRef, delivered: readonly string[]): Promise<void>;
  /**
   * Records a notice owed by no request change (the expiry reminder): true when it was recorded now, false when
   * a notice with its key was already recorded (the same reminder, once per key).
   */
  recordDueNotice(notice: DueNotice): Promise<boolean>;
  /** Due notices never marked sent that were due at or before `dueBy` (a sparse index entry, no Scan). */
  listUnsentNotices(dueBy: string): Promise<DueNotice[]>;
}

/** Hands due notices to the notifier (SQS on AWS, the local queue locally): at least once, never waiting for it. */
export interface NoticeQueue {
  enqueue(ref: NoticeRef): Promise<void>;
}

/** The policy in force and the POLICY stream's head: what a change is chained onto and conditioned on. */
export interface PolicyState {
  readonly current: PolicyVersion;
  readonly audit: ChainHead;
}

/** One policy change as committed: the proposal, its chained events, and on approval the next version. */
export interface PolicyCommit {
  readonly proposal: PolicyProposal;
  /** The proposal's status it must still have (undefined: it must not exist yet). */
  readonly from: ProposalStatus | undefined;
  readonly events: readonly AuditEvent[];
  readonly expectedHead: ChainHead;
  readonly activate?: PolicyVersion | undefined;
}

/**
 * Policy versions and proposals. `bootstrap` is the deployed policy: version 1 until a change is stored.
 * `commit` is one transaction and throws ConcurrentChangeError when the head or the proposal moved.
 */
export interface PolicyStore {
  state(bootstrap: Policy): Promise<PolicyState>;
  versions(bootstrap: Policy): Promise<PolicyVersion[]>;
  getProposal(id: string): Promise<PolicyProposal | undefined>;
  listProposals(): Promise<PolicyProposal[]>;
  commit(change: PolicyCommit, bootstrap: Policy): Promise<void>;
}
