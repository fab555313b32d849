// Grants that break the rules in force: a tightened policy takes effect for new decisions only, so grants already
// active keep running, but each one the new rules would not allow is flagged (GET /access, the transparency report).
import { parseDuration } from './duration.ts';
import type { Policy } from './policy.ts';
import type { ActiveGrant } from './ports.ts';

export type OverRule =
  | {
      /** One of more external admins than the cap (or the organisation's sub-cap): those granted last. */
      readonly rule: 'externalAdminCap' | 'organisationAdminCaps';
      readonly requestId: string;
      /** Its place in grant order (1 = granted first) among those the cap counts. */
      readonly position: number;
      readonly holders: number;
      readonly cap: number;
      readonly organisation?: string | undefined;
    }
  | {
      readonly rule: 'maxDuration';
      readonly requestId: string;
      readonly scope: ActiveGrant['scope'];
      /** How long the grant runs (grantedAt to expiresAt), in milliseconds. */
      readonly lastsMs: number;
      /** The longest the rules now allow for its kind of scope (ISO-8601). */
      readonly allowed: string;
    };

const inGrantOrder = (a: ActiveGrant, b: ActiveGrant) =>
  a.grantedAt.localeCompare(b.grantedAt) || a.requestId.localeCompare(b.requestId);

/** The ones beyond `cap`, in grant order: the first `cap` granted are within it. */
function beyondCap(
  admins: readonly ActiveGrant[],
  cap: number,
  rule: 'externalAdminCap' | 'organisationAdminCaps',
  organisation?: string,
): OverRule[] {
  return [...admins].sort(inGrantOrder).flatMap((grant, index) =>
    index < cap
      ? []
      : [
          {
            rule,
            requestId: grant.requestId,
            position: index + 1,
            holders: admins.length,
            cap,
            organisation,
          },
        ],
  );
}

/** Every active grant (as of `now`) that the policy would not allow today, with the rule it breaks. */
export function grantsOverRules(grants: readonly ActiveGrant[], policy: Policy, now: string): OverRule[] {
  const active = grants.filter((grant) => grant.expiresAt > now);
  const externalAdmins = active.filter(
    (grant) => grant.scope === 'admin' && grant.organisation !== policy.homeOrganisation,
  );
  const overOrganisationCaps = Object.entries(policy.organisationAdminCaps).flatMap(([organisation, cap]) =>
    beyondCap(
      externalAdmins.filter((grant) => grant.organisation === organisation),
      cap,
      'organisationAdminCaps',
      organisation,
    ),
  );
  const tooLong = active.flatMap((grant): OverRule[] => {
    const allowed = grant.scope === 'admin' ? policy.maxDuration.admin : policy.maxDuration.dataset;
    const lastsMs = Date.parse(grant.expiresAt) - Date.parse(grant.grantedAt);
    return lastsMs > parseDuration(allowed)
      ? [{ rule: 'maxDuration', requestId: grant.requestId, scope: grant.scope, lastsMs, allowed }]
      : [];
  });
  return [
    ...beyondCap(externalAdmins, policy.externalAdminCap, 'externalAdminCap'),
    ...overOrganisationCaps,
    ...tooLong,
  ];
}
