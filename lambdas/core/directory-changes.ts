// Directory changes that take effect: who may change a principal, what a change records, and whether the holder of
// a grant still stands (active, with the clearance the grant needs) so that access ends the moment they do not.
import { type Actor, type AuditEventDraft, canonicalJson } from './audit.ts';
import { addDuration } from './duration.ts';
import { assertRequesterEligible, meetsApproverRules, requiredClearance } from './eligibility.ts';
import { ForbiddenError, KeyholderError, ValidationError } from './errors.ts';
import { adminLockRelease, requestEvent, type Transition } from './lifecycle.ts';
import {
  type AccessRequest,
  type ApproverHold,
  CLEARANCE_LEVELS,
  type ClearanceLevel,
  type Dataset,
  type Principal,
  ROLES,
  type Role,
  type ScimRecord,
  type Scope,
} from './model.ts';
import type { Policy } from './policy.ts';

export const STANDING_REASONS = {
  principalInactive: 'PRINCIPAL_INACTIVE',
  clearanceLapsed: 'CLEARANCE_LAPSED',
} as const;
export type StandingReason = (typeof STANDING_REASONS)[keyof typeof STANDING_REASONS];

/** What PATCH /principals/{id} may change; `null` removes an optional value. */
export interface PrincipalPatch {
  readonly active?: boolean | undefined;
  readonly clearance?: { readonly level: ClearanceLevel; readonly expiresAt: string } | null | undefined;
  readonly grade?: string | undefined;
  readonly organisation?: string | undefined;
  readonly slackUserId?: string | null | undefined;
  /** `null` restores break-glass eligibility lost after a grant not justified in time (core/break-glass.ts). */
  readonly breakGlassSuspended?: null | undefined;
  /** Set only by SCIM provisioning (lambdas/use-cases/scim.ts), never by PATCH /principals: */
  readonly name?: string | undefined;
  readonly email?: string | undefined;
  readonly roles?: readonly Role[] | undefined;
  /** The SCIM groups the principal is a member of, by display name ([] or absent: none). */
  readonly groups?: readonly string[] | undefined;
  readonly scim?: ScimRecord | undefined;
}

/** A SCIM provisioning client changing the directory (it owns the directory: no access-admin role needed). */
export interface ProvisioningClient {
  readonly provisioner: string;
}

/** Who changes a principal: an access-admin through PATCH /principals, or a SCIM client. */
export type DirectoryCaller = Principal | ProvisioningClient;

export const isProvisioner = (caller: DirectoryCaller): caller is ProvisioningClient =>
  'provisioner' in caller;

/** The audit actor of a directory change: the principal, or `scim:<client>`. */
export function directoryActor(caller: DirectoryCaller): Actor {
  return isProvisioner(caller)
    ? { type: 'system', id: `scim:${caller.provisioner}` }
    : { type: 'principal', id: caller.id };
}

/** Sorts before every real instant: an entry keyed here is due at once. */
export const DUE_AT_ONCE = '1970-01-01T00:00:00.000Z';

export function mayChangeDirectory(caller: Principal): boolean {
  return caller.active && caller.roles.includes('access-admin');
}

function instant(value: string, field: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new ValidationError(field, `${field} must be an ISO-8601 instant`);
  return new Date(ms).toISOString();
}

function nonEmpty(value: string, field: string): string {
  const trimmed = value.trim();
  if (!trimmed) throw new ValidationError(field, `${field} must not be empty`);
  return trimmed;
}

// Canonical (sorted keys): an item read back from DynamoDB keeps no key order, and a no-op must stay a no-op.
const sameValue = (a: unknown, b: unknown) => canonicalJson(a ?? null) === canonicalJson(b ?? null);

/**
 * Applies a patch. Returns the new principal, the fields that changed and the audit event, or no event when the
 * patch changes nothing (a retried PATCH is then a no-op). An access-admin never changes their own entry.
 */
export function changePrincipal(args: {
  readonly caller: DirectoryCaller;
  readonly principal: Principal;
  readonly patch: PrincipalPatch;
  readonly now: string;
}): { readonly principal: Principal; readonly changed: readonly string[]; readonly event?: AuditEventDraft } {
  const { caller, principal, patch, now } = args;
  if (!isProvisioner(caller) && !mayChangeDirectory(caller)) {
    throw new ForbiddenError('NOT_ALLOWED', 'only access-admins can change the directory');
  }
  if (!isProvisioner(caller) && caller.id === principal.id) {
    throw new ForbiddenError('SELF_CHANGE', 'an access-admin cannot change their own directory entry');
  }
  const next: Principal = {
    ...principal,
    ...(patch.active === undefined ? {} : { active: patch.active }),
    ...(patch.grade === undefined ? {} : { grade: nonEmpty(patch.grade, 'grade') }),
    ...(patch.organisation === undefined
      ? {}
      : { organisation: nonEmpty(patch.organisation, 'organisation') }),
    ...(patch.clearance === undefined
      ? {}
      : {
          clearance:
            patch.clearance === null
              ? undefined
              : {
                  level: clearanceLevel(patch.clearance.level),
                  expiresAt: instant(patch.clearance.expiresAt, 'clearance.expiresAt'),
                },
        }),
    ...(patch.slackUserId === undefined
      ? {}
      : { slackUserId: patch.slackUserId === null ? undefined : nonEmpty(patch.slackUserId, 'slackUserId') }),
    ...(patch.breakGlassSuspended === null ? { breakGlassSuspended: undefined } : {}),
    ...(patch.name === undefined ? {} : { name: nonEmpty(patch.name, 'name') }),
    ...(patch.email === undefined ? {} : { email: nonEmpty(patch.email, 'email') }),
    ...(patch.roles === undefined ? {} : { roles: knownRoles(patch.roles) }),
    ...(patch.groups === undefined ? {} : { groups: groupNames(patch.groups) }),
    ...(patch.scim === undefined ? {} : { scim: patch.scim }),
  };
  const fields = [
    'active',
    'grade',
    'organisation',
    'clearance',
    'slackUserId',
    'name',
    'email',
    'roles',
    'groups',
    'scim',
    'breakGlassSuspended',
  ] as const;
  const changed = fields.filter((field) => !sameValue(principal[field], next[field]));
  if (changed.length === 0) return { principal, changed };
  const details: Record<string, string | boolean | readonly string[]> = { changed };
  for (const field of changed) {
    const value = next[field];
    if (field === 'clearance') {
      details.clearance = next.clearance
        ? `${next.clearance.level} until ${next.clearance.expiresAt}`
        : 'none';
    } else if (field === 'roles') {
      details.roles = [...next.roles];
    } else if (field === 'groups') {
      details.groups = [...(next.groups ?? [])];
    } else if (field === 'scim') {
      // The SCIM resource itself is on the principal item; the event says that it changed, and whether deleted.
      details.scim = next.scim?.deleted ? 'deleted' : 'updated';
    } else if (field === 'breakGlassSuspended') {
      details.breakGlassSuspended = next.breakGlassSuspended ? next.breakGlassSuspended.reason : 'restored';
    } else {
      details[field] = value === undefined ? 'none' : (value as string | boolean);
    }
  }
  return {
    principal: next,
    changed,
    event: {
      action: 'PRINCIPAL_UPDATED',
      actor: directoryActor(caller),
      at: now,
      subject: { requestId: '', principalId: principal.id, scopes: [] },
      outcome: 'success',
      details,
    },
  };
}

/** Sorted, once each; none is absent (so a principal without groups reads the same however it got there). */
export function groupNames(groups: readonly string[]): readonly string[] | undefined {
  const names = [...new Set(groups)].sort();
  return names.length > 0 ? names : undefined;
}

function knownRoles(roles: readonly string[]): Role[] {
  for (const role of roles) {
    if (!(ROLES as readonly string[]).includes(role)) {
      throw new ValidationError('roles', `roles must be among ${ROLES.join(', ')}`);
    }
  }
  return [...new Set(roles as Role[])].sort();
}

function clearanceLevel(level: string): ClearanceLevel {
  if (!(CLEARANCE_LEVELS as readonly string[]).includes(level)) {
    throw new ValidationError(
      'clearance.level',
      `clearance.level must be one of ${CLEARANCE_LEVELS.join(', ')}`,
    );
  }
  return level as ClearanceLevel;
}

/**
 * When the sweep must next look at this principal: at once when inactive, when the clearance lapses otherwise,
 * never without a clearance (nothing can lapse). The directory adapter keeps the sparse index by this.
 */
export function principalDueAt(principal: Principal): string | undefined {
  if (!principal.active) return DUE_AT_ONCE;
  if (!principal.clearance) return undefined;
  const ms = Date.parse(principal.clearance.expiresAt);
  return Number.isNaN(ms) ? DUE_AT_ONCE : new Date(ms).toISOString();
}

/**
 * Why `holder` may no longer hold `request`'s grant, or undefined when they still may. Unlike the request rules,
 * a clearance that lapses before the grant ends is not a reason yet: it becomes one when it lapses.
 */
export function holderStanding(
  holder: Principal | undefined,
  request: Pick<AccessRequest, 'scopes'>,
  catalogue: ReadonlyMap<string, Dataset>,
  policy: Policy,
  now: string,
): { readonly reason: StandingReason; readonly detail: string } | undefined {
  if (!holder) return { reason: STANDING_REASONS.principalInactive, detail: 'no longer in the directory' };
  if (!holder.active)
    return { reason: STANDING_REASONS.principalInactive, detail: `${holder.id} is not active` };
  const required = requiredClearance(request.scopes, catalogue, policy);
  if (required === null) return undefined;
  const clearance = holder.clearance;
  if (!clearance) {
    return {
      reason: STANDING_REASONS.clearanceLapsed,
      detail: `holds no clearance; ${required} is required`,
    };
  }
  const expires = Date.parse(clearance.expiresAt);
  if (Number.isNaN(expires) || expires <= Date.parse(now)) {
    return {
      reason: STANDING_REASONS.clearanceLapsed,
      detail: `clearance ${clearance.level} expired at ${clearance.expiresAt}`,
    };
  }
  if (CLEARANCE_LEVELS.indexOf(clearance.level) < CLEARANCE_LEVELS.indexOf(required)) {
    return {
      reason: STANDING_REASONS.clearanceLapsed,
      detail: `holds ${clearance.level}; ${required} is required`,
    };
  }
  return undefined;
}

/** One request a directory change ends: an ACTIVE grant revoked now, or an open request refused at grant time. */
export interface ChangeEffect {
  readonly requestId: string;
  readonly scopes: readonly Scope[];
  /** The code recorded on the request (PRINCIPAL_INACTIVE, CLEARANCE_LAPSED, CLEARANCE_INSUFFICIENT, ...). */
  readonly reason: string;
  /** The same in words. */
  readonly detail: string;
}

export interface PrincipalChangePlan {
  readonly principal: Principal;
  readonly changed: readonly string[];
  readonly event?: AuditEventDraft | undefined;
  /** ACTIVE grants the holder no longer stands for after the change: revoked by the same call. */
  readonly revokes: readonly ChangeEffect[];
  /**
   * Requests not yet granted that the requester rules would refuse: those still PENDING_APPROVAL of a requester
   * the change deactivates are cancelled by the same call (cancelForInactiveRequester); the others are rejected at
   * grant time. The detail says which.
   */
  readonly endsPending: readonly ChangeEffect[];
  /** Whether the principal meets the approver rules before and after the change. */
  readonly approverEligibility: { readonly before: boolean; readonly after: boolean };
  /** Set when this change makes the principal an approver: from when they may decide; the directors are told. */
  readonly approverHold?: ApproverHold | undefined;
}

const NOT_YET_GRANTED: ReadonlySet<AccessRequest['status']> = new Set([
  'PENDING_APPROVAL',
  'APPROVED',
  'PROVISIONING',
]);

/**
 * What a PATCH /principals/{id} does, decided in one place: the change itself (changePrincipal) and its effects on
 * the principal's requests (`requests`: theirs, as read now). PATCH commits `event` and then revokes each grant
 * whose holder no longer stands, re-deciding from fresh state (holderStanding, the rule used here); the preview
 * route answers this plan and writes nothing.
 */
export function planPrincipalChange(args: {
  readonly caller: DirectoryCaller;
  readonly principal: Principal;
  readonly patch: PrincipalPatch;
  readonly requests: readonly AccessRequest[];
  readonly catalogue: ReadonlyMap<string, Dataset>;
  readonly policy: Policy;
  readonly now: string;
}): PrincipalChangePlan {
  const { principal, requests, catalogue, policy, now } = args;
  const change = approverHold(args, changePrincipal(args));
  const after = change.principal;
  const revokes: ChangeEffect[] = [];
  const endsPending: ChangeEffect[] = [];
  const mine = requests.filter((request) => request.requester === principal.id);
  for (const request of [...mine].sort((a, b) => a.createdAt.localeCompare(b.createdAt))) {
    if (request.status === 'ACTIVE') {
      const standing = holderStanding(after, request, catalogue, policy, now);
      if (standing) revokes.push(effect(request, standing.reason, standing.detail));
    } else if (NOT_YET_GRANTED.has(request.status)) {
      try {
        const grantEndsAt = addDuration(now, request.duration);
        assertRequesterEligible(after, request.scopes, catalogue, grantEndsAt, policy, now);
      } catch (error) {
        if (!(error instanceof KeyholderError)) throw error;
        const endsNow = request.status === 'PENDING_APPROVAL' && !after.active;
        endsPending.push(
          effect(
            request,
            endsNow ? STANDING_REASONS.principalInactive : error.code,
            endsNow ? `${error.message}: cancelled at once` : error.message,
          ),
        );
      }
    }
  }
  return {
    ...change,
    revokes,
    endsPending,
    approverEligibility: {
      before: meetsApproverRules(principal, policy, now),
      after: meetsApproverRules(after, policy, now),
    },
  };
}

/**
 * One access-admin must not be able to make an approver who then approves the admin's own request: a change by an
 * access-admin that turns a non-approver into one (grade, organisation or clearance) holds the new
 * approver back for `policy.approverPromotionDelay`, and the directors are told at once (use-cases/update-principal).
 * A SCIM client's change is the identity provider's, made under its own controls, and takes effect as sent.
 */
function approverHold(
  args: {
    readonly caller: DirectoryCaller;
    readonly principal: Principal;
    readonly policy: Policy;
    readonly now: string;
  },
  change: ReturnType<typeof changePrincipal>,
): ReturnType<typeof changePrincipal> & { readonly approverHold?: ApproverHold } {
  const { caller, principal, policy, now } = args;
  if (isProvisioner(caller) || !change.event) return change;
  const unheld: Principal = { ...change.principal, approverFrom: undefined };
  // Judged as if active: reactivating someone who was an approver restores them; it makes no new approver.
  const wasApprover = meetsApproverRules(
    { ...principal, active: true, approverFrom: undefined },
    policy,
    now,
  );
  if (wasApprover || !meetsApproverRules(unheld, policy, now)) {
    return change;
  }
  const hold: ApproverHold = { at: addDuration(now, policy.approverPromotionDelay), madeBy: caller.id };
  return {
    principal: { ...change.principal, approverFrom: hold },
    changed: [...change.changed, 'approverFrom'],
    event: {
      ...change.event,
      details: {
        ...change.event.details,
        changed: [...change.changed, 'approverFrom'],
        approverFrom: hold.at,
        approverMadeBy: hold.madeBy,
      },
    },
    approverHold: hold,
  };
}

function effect(request: AccessRequest, reason: string, detail: string): ChangeEffect {
  return { requestId: request.id, scopes: [...request.scopes], reason, detail };
}

/**
 * A request still PENDING_APPROVAL whose requester is inactive (or gone from the directory) ends now: CANCELLED
 * with reason PRINCIPAL_INACTIVE, by whoever deactivated them (an access-admin, `scim:<client>`, the sweep).
 * Undefined when the request is no longer pending or the requester is active: nothing to write, so a retried
 * PATCH records nothing twice.
 */
export function cancelForInactiveRequester(args: {
  readonly request: AccessRequest;
  readonly requester: Principal | undefined;
  readonly actor: Actor;
  readonly now: string;
}): Transition | undefined {
  const { request, requester, actor, now } = args;
  if (request.status !== 'PENDING_APPROVAL' || requester?.active) return undefined;
  const reason = STANDING_REASONS.principalInactive;
  const detail = requester
    ? `${requester.id} is not active`
    : `${request.requester} is no longer in the directory`;
  const cancelled: AccessRequest = {
    ...request,
    status: 'CANCELLED',
    reason,
    closedBy: actor.id,
    closedAt: now,
  };
  return {
    expectedStatus: 'PENDING_APPROVAL',
    request: cancelled,
    event: requestEvent(cancelled, 'REQUEST_CANCELLED', actor, now, { reason, details: { detail } }),
    adminLock: adminLockRelease(cancelled),
  };
}
