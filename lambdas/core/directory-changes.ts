// Directory changes that take effect: who may change a principal, what a change records, and whether the holder of
// a grant still stands (active, with the clearance the grant needs) so that access ends the moment they do not.
import type { AuditEventDraft } from './audit.ts';
import { requiredClearance } from './eligibility.ts';
import { ForbiddenError, ValidationError } from './errors.ts';
import {
  type AccessRequest,
  CLEARANCE_LEVELS,
  type ClearanceLevel,
  type Dataset,
  type Principal,
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

const sameValue = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * Applies a patch. Returns the new principal, the fields that changed and the audit event, or no event when the
 * patch changes nothing (a retried PATCH is then a no-op). An access-admin never changes their own entry.
 */
export function changePrincipal(args: {
  readonly caller: Principal;
  readonly principal: Principal;
  readonly patch: PrincipalPatch;
  readonly now: string;
}): { readonly principal: Principal; readonly changed: readonly string[]; readonly event?: AuditEventDraft } {
  const { caller, principal, patch, now } = args;
  if (!mayChangeDirectory(caller)) {
    throw new ForbiddenError('NOT_ALLOWED', 'only access-admins can change the directory');
  }
  if (caller.id === principal.id) {
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
  };
  const fields = ['active', 'grade', 'organisation', 'clearance', 'slackUserId'] as const;
  const changed = fields.filter((field) => !sameValue(principal[field], next[field]));
  if (changed.length === 0) return { principal, changed };
  const details: Record<string, string | boolean | readonly string[]> = { changed };
  for (const field of changed) {
    const value = next[field];
    if (field === 'clearance') {
      details.clearance = next.clearance
        ? `${next.clearance.level} until ${next.clearance.expiresAt}`
        : 'none';
    } else {
      details[field] = value === undefined ? 'none' : (value as string | boolean);
    }
  }
  return {
    principal: next,
    changed,
    event: {
      action: 'PRINCIPAL_UPDATED',
      actor: { type: 'principal', id: caller.id },
      at: now,
      subject: { requestId: '', principalId: principal.id, scopes: [] },
      outcome: 'success',
      details,
    },
  };
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
