// The access-provider port: how a grant becomes real access on the platform (and stops being), and how the
// platform's own view of who has access is read back for drift detection. Adapters: lambdas/adapters/providers.
import type { Principal, Scope } from './model.ts';

/** One piece of access as Keyholder names it: a principal holding a scope. */
export interface AccessAssignment {
  /**
   * The Keyholder principal id. A provider that finds platform access it cannot map to a principal reports
   * it as `<provider-name>:<platform user id>` (still drift: somebody has access Keyholder never granted).
   */
  readonly principalId: string;
  readonly scope: Scope;
}

/** What a provider is asked to grant or revoke. */
export interface ProvisioningTarget extends AccessAssignment {
  /** The whole principal (email, organisation), for providers that map people to platform users. */
  readonly principal: Principal;
  /**
   * Idempotency key: the request id for a grant or its revoke; `drift:<provider>:<principalId>:<scope>` when the
   * sweep repairs drift. Sending the same key twice must not grant or revoke twice.
   */
  readonly idempotencyKey: string;
}

/** What the provider reports back; recorded in the audit event of the change. */
export interface ProviderOutcome {
  /** The platform's reference for the change (assignment id, request id), when it has one. */
  readonly reference?: string | undefined;
  /** True when the platform already had the access (grant) or already lacked it (revoke). */
  readonly alreadyInPlace?: boolean | undefined;
}

export interface AccessProvider {
  /** The configured name (a key of policy.providers), e.g. `ledger`, `platform-admin-api`. */
  readonly name: string;
  /** `ledger` means the grant record IS the access: nothing to call, nothing to list, no drift possible. */
  readonly type: ProviderType;
  grant(target: ProvisioningTarget): Promise<ProviderOutcome>;
  revoke(target: ProvisioningTarget): Promise<ProviderOutcome>;
  /** Every assignment present on the platform for the scopes this provider manages. */
  list(): Promise<AccessAssignment[]>;
}

export const PROVIDER_TYPES = ['ledger', 'webhook', 'aws-identity-center'] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];

/**
 * Raised by a provider when the platform refused or could not be reached. `retryable` is false for answers that
 * a retry cannot change (4xx other than 408/409/429, unknown user, missing permission set).
 */
export class ProviderError extends Error {
  readonly provider: string;
  readonly retryable: boolean;
  constructor(provider: string, message: string, retryable: boolean) {
    super(message);
    this.name = 'ProviderError';
    this.provider = provider;
    this.retryable = retryable;
  }
}

/** The provider responsible for each scope, by the policy; use cases depend on this, never on adapters. */
export interface AccessProviders {
  forScope(scope: Scope): AccessProvider;
  /** Every configured provider once (ledger included), for the sweep's drift check. */
  all(): readonly AccessProvider[];
}
