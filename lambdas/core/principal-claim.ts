// Which claim of a verified token is the principal id: one rule for every identity provider. Entra ID's `sub` is
// per application and opaque (its stable id is `oid`), Okta and Cognito users are often known by `email` or
// `preferred_username`, a UPN by `upn`. CDK context `keyholder:principalClaim` / env KEYHOLDER_PRINCIPAL_CLAIM.

export const PRINCIPAL_CLAIMS = ['sub', 'oid', 'email', 'preferred_username', 'upn'] as const;
export type PrincipalClaim = (typeof PRINCIPAL_CLAIMS)[number];
export const DEFAULT_PRINCIPAL_CLAIM: PrincipalClaim = 'sub';

/** The configured claim name, or an error naming where it came from (`source`) and what is allowed. */
export function parsePrincipalClaim(value: unknown, source: string): PrincipalClaim {
  if (value === undefined || value === null || value === '') return DEFAULT_PRINCIPAL_CLAIM;
  if (typeof value === 'string' && (PRINCIPAL_CLAIMS as readonly string[]).includes(value)) {
    return value as PrincipalClaim;
  }
  throw new Error(`${source} must be one of ${PRINCIPAL_CLAIMS.join(', ')} (got ${JSON.stringify(value)})`);
}

/**
 * The principal id a verified token's claims carry in `claim`, or undefined when the claim is missing or empty.
 * Taken as it is (no case folding): the directory's ids come from the same identity provider (SCIM), so they agree.
 */
export function principalIdFromClaims(
  claims: Readonly<Record<string, unknown>> | undefined,
  claim: PrincipalClaim,
): string | undefined {
  const value = claims?.[claim];
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}
