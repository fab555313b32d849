// The domain's nouns: principals, datasets, scopes, requests, grants.
import type { Actor } from './audit.ts';

export const CLEARANCE_LEVELS = ['BPSS', 'SC', 'DV'] as const;
export type ClearanceLevel = (typeof CLEARANCE_LEVELS)[number];

export const ROLES = ['access-admin', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export interface Clearance {
  readonly level: ClearanceLevel;
  readonly expiresAt: string;
}

export interface Principal {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly organisation: string;
  readonly grade: string;
  readonly clearance?: Clearance | undefined;
  readonly slackUserId?: string | undefined;
  readonly roles: readonly Role[];
  readonly active: boolean;
  /**
   * The display names of the SCIM groups the principal is a member of, kept by the SCIM Group writes in the same
   * transaction as the group (lambdas/use-cases/scim.ts); a dataset owned by `group:<name>` is owned by its members.
   */
  readonly groups?: readonly string[] | undefined;
  /** What a SCIM client (Entra ID, Okta) last wrote: the User resource the fields above derive from. */
  readonly scim?: ScimRecord | undefined;
  /**
   * Set when one access-admin made this principal an approver: they may approve nothing before `at`, and the
   * directors were told (lambdas/core/directory-changes.ts approverHold). Absent: no waiting period.
   */
  readonly approverFrom?: ApproverHold | undefined;
  /** Lost break-glass eligibility after one of theirs was not justified or not reviewed in time (core/break-glass.ts). */
  readonly breakGlassSuspended?: BreakGlassSuspension | undefined;
}

export interface BreakGlassSuspension {
  readonly at: string;
  readonly requestId: string;
  readonly reason: 'NOT_JUSTIFIED' | 'UNREVIEWED';
}

export interface ApproverHold {
  /** The principal may decide requests from this instant. */
  readonly at: string;
  /** The access-admin whose change made them an approver. */
  readonly madeBy: string;
}

/** The SCIM User resource as stored (known attributes only, normalised), and its lifecycle timestamps. */
export interface ScimRecord {
  readonly resource: Readonly<Record<string, unknown>>;
  readonly created: string;
  readonly lastModified: string;
  /** DELETE /scim/v2/Users/{id}: soft-deleted (inactive, kept for the audit); GET then answers 404. */
  readonly deleted?: boolean | undefined;
}

export const SENSITIVITIES = ['identifiable', 'pseudonymised', 'aggregate'] as const;
export type Sensitivity = (typeof SENSITIVITIES)[number];

export interface Dataset {
  readonly id: string;
  readonly title: string;
  readonly sensitivity: Sensitivity;
  /**
   * Whose approval the dataset needs when the policy's `approvals.dataset` asks for owners: principal ids, or
   * `group:<display name>` for the members of a SCIM group (lambdas/core/dataset-owners.ts matchesOwner).
   */
  readonly owners?: readonly string[] | undefined;
  /** At most this many concurrent holders, enforced atomically at grant time like the external-admin cap. */
  readonly maxConcurrentHolders?: number | undefined;
}

/** `admin` or `dataset:<id>`. */
export type Scope = 'admin' | `dataset:${string}`;

export const REQUEST_STATUSES = [
  'PENDING_APPROVAL',
  'APPROVED',
  'ACTIVE',
  'EXPIRED',
  'REJECTED',
  'DENIED',
  'TIMED_OUT',
  'CANCELLED',
  'REVOKED',
  /** Approved, seat taken, the access provider being asked to grant (lambdas/core/provisioning.ts). */
  'PROVISIONING',
  /** The access provider refused or failed the grant; the seat was given back. */
  'FAILED',
] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export const TERMINAL_STATUSES: readonly RequestStatus[] = [
  'EXPIRED',
  'REJECTED',
  'DENIED',
  'TIMED_OUT',
  'CANCELLED',
  'REVOKED',
  'FAILED',
];

/** `console`: a review answered through the API by a signed-in director (POST /requests/{id}/reviews). */
export type DecisionChannel = 'api' | 'email-link' | 'slack' | 'email-reply' | 'console';

export interface Decision {
  readonly approverId: string;
  readonly decision: 'approve' | 'deny';
  readonly comment?: string | undefined;
  readonly at: string;
  readonly channel: DecisionChannel;
  /** What an approval counted as (lambdas/core/dataset-owners.ts); absent: a director's approval. */
  readonly capacity?: ApprovalCapacity | undefined;
}

export interface ApprovalCapacity {
  readonly director: boolean;
  /** The named datasets the approver owns. */
  readonly datasets: readonly string[];
}

/** The owners each named dataset needs, fixed at submission (policy `approvals.dataset` other than `director`). */
export interface OwnerApproval {
  readonly mode: 'owner' | 'owner-and-director';
  readonly datasets: readonly { readonly id: string; readonly owners: readonly string[] }[];
}

export interface Grant {
  readonly grantedAt: string;
  readonly expiresAt: string;
  readonly approvedBy: readonly string[];
  readonly nextReviewAt: string;
}

/** One director's answer to a recertification prompt. */
export interface ReviewDecision {
  readonly reviewerId: string;
  readonly decision: 'keep' | 'revoke';
  readonly comment?: string | undefined;
  readonly at: string;
  readonly channel: DecisionChannel;
}

/** The open recertification round of an ACTIVE grant: directors were prompted and nobody has answered yet. */
export interface ReviewRound {
  /** The `nextReviewAt` that opened the round. */
  readonly dueAt: string;
  readonly promptedAt: string;
  /** No answer by then: the sweep revokes with REVIEW_OVERDUE. */
  readonly deadline: string;
  readonly reviewers: readonly string[];
}

export const EXTENSION_STATUSES = ['PENDING', 'APPROVED', 'DENIED', 'TIMED_OUT'] as const;
export type ExtensionStatus = (typeof EXTENSION_STATUSES)[number];

/** The holder's latest request for more time on an ACTIVE grant, decided under the same approver rules. */
export interface ExtensionRound {
  readonly duration: string;
  readonly justification: string;
  readonly requestedAt: string;
  /** The expiry the grant gets if the round is approved. */
  readonly expiresAt: string;
  readonly approvalsRequired: number;
  readonly approvals: readonly Decision[];
  /** The owners each named dataset needs, fixed when the round opens (as the request fixes its own); absent: directors. */
  readonly ownerApproval?: OwnerApproval | undefined;
  readonly status: ExtensionStatus;
  /** The earlier of the approval timeout and the grant's current expiry: no decision counts after it. */
  readonly deadline: string;
  readonly closedAt?: string | undefined;
}

export interface AccessRequest {
  readonly id: string;
  readonly requester: string;
  readonly requesterOrganisation: string;
  /** Requester is outside the home organisation at submission time. */
  readonly external: boolean;
  readonly scopes: readonly Scope[];
  readonly duration: string;
  readonly justification: string;
  readonly ticket?: string | undefined;
  readonly createdAt: string;
  readonly status: RequestStatus;
  readonly approvalsRequired: number;
  readonly approvals: readonly Decision[];
  /** After this instant no decision is accepted (the policy's approval timeout). */
  readonly approvalDeadline: string;
  /** Set when dataset owners must approve; absent: directors decide as before. */
  readonly ownerApproval?: OwnerApproval | undefined;
  /** Holds one of the external-admin seats while ACTIVE. */
  readonly countsAgainstCap: boolean;
  readonly reason?: string | undefined;
  readonly closedBy?: string | undefined;
  readonly closedAt?: string | undefined;
  readonly grant?: Grant | undefined;
  /** An open recertification round (ACTIVE only). */
  readonly review?: ReviewRound | undefined;
  /** Every recertification answer, oldest first. */
  readonly reviews?: readonly ReviewDecision[] | undefined;
  /** The latest extension round, open or decided. */
  readonly extension?: ExtensionRound | undefined;
  /** Access should end but the platform has not confirmed removal yet (ACTIVE only); retried until it does. */
  readonly revocation?: PendingRevocation | undefined;
  /** The policy version it was last decided under: set at submission, each approval, the decision and the grant. */
  readonly policyVersion?: number | undefined;
  /** Granted at once without approval (break-glass), reviewed by directors afterwards. */
  readonly breakGlass?: BreakGlassRecord | undefined;
}

export const BREAK_GLASS_OUTCOMES = ['OPEN', 'JUSTIFIED', 'NOT_JUSTIFIED', 'UNREVIEWED'] as const;
export type BreakGlassOutcome = (typeof BREAK_GLASS_OUTCOMES)[number];

export interface BreakGlassReview {
  readonly reviewerId: string;
  readonly verdict: 'justified' | 'not-justified';
  readonly comment: string;
  readonly at: string;
}

/** The after-the-fact review of a break-glass grant: `reviewersRequired` distinct directors by `reviewDeadline`. */
export interface BreakGlassRecord {
  readonly reviewDeadline: string;
  readonly reviewersRequired: number;
  readonly reviews: readonly BreakGlassReview[];
  readonly outcome: BreakGlassOutcome;
  readonly settledAt?: string | undefined;
}

/** An ending of access (revoke, or expiry) that the access provider failed to carry out on the platform. */
export interface PendingRevocation {
  /** The ending's reason (e.g. the revoker's words, REVIEW_OVERDUE, EXPIRED) and who asked for it. */
  readonly reason: string;
  readonly actor: Actor;
  readonly requestedAt: string;
  /** Failed attempts so far. */
  readonly attempts: number;
  /** `<provider>: <message>` of the latest failure. */
  readonly lastError: string;
}

export function isTerminal(status: RequestStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}
