// One rule for which token claim is the principal id, whatever the identity provider.
import { describe, expect, it } from 'vitest';
import { parsePrincipalClaim, principalIdFromClaims } from '../../../lambdas/core/principal-claim.ts';

describe('parsePrincipalClaim', () => {
  it('defaults to sub and accepts the claims identity providers use', () => {
    expect(parsePrincipalClaim(undefined, 'X')).toBe('sub');
    expect(parsePrincipalClaim('', 'X')).toBe('sub');
    for (const claim of ['sub', 'oid', 'email', 'preferred_username', 'upn']) {
      expect(parsePrincipalClaim(claim, 'X')).toBe(claim);
    }
  });

  it('refuses anything else, naming the source', () => {
    expect(() => parsePrincipalClaim('Email', 'KEYHOLDER_PRINCIPAL_CLAIM')).toThrow(
      'KEYHOLDER_PRINCIPAL_CLAIM must be one of sub, oid, email, preferred_username, upn (got "Email")',
    );
    expect(() => parsePrincipalClaim(42, 'ctx')).toThrow(/ctx must be one of/);
  });
});

describe('principalIdFromClaims', () => {
  const claims = {
    sub: 'AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ',
    oid: '00000000-0000-0000-66f3-3332eca7ea81',
    email: 'kim@northwind.example',
    preferred_username: 'kim@northwind.example',
    iat: 1700000000,
  };

  it('takes the configured claim, as it is', () => {
    expect(principalIdFromClaims(claims, 'oid')).toBe('00000000-0000-0000-66f3-3332eca7ea81');
    expect(principalIdFromClaims(claims, 'email')).toBe('kim@northwind.example');
    expect(principalIdFromClaims(claims, 'sub')).toBe(claims.sub);
  });

  it('gives nothing for a missing, empty or non-string claim', () => {
    expect(principalIdFromClaims(claims, 'upn')).toBeUndefined();
    expect(principalIdFromClaims({ sub: '  ' }, 'sub')).toBeUndefined();
    expect(principalIdFromClaims({ sub: 7 }, 'sub')).toBeUndefined();
    expect(principalIdFromClaims(undefined, 'sub')).toBeUndefined();
  });
});
