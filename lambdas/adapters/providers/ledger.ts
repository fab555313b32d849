// The `ledger` provider: the grant record in Keyholder's table is the access, so there is nothing to call.
import type { AccessProvider } from '../../core/access-provider.ts';

export function createLedgerProvider(name = 'ledger'): AccessProvider {
  return {
    name,
    type: 'ledger',
    grant: async () => ({ alreadyInPlace: false }),
    revoke: async () => ({ alreadyInPlace: false }),
    // No platform to drift from: what Keyholder recorded is all the access there is.
    list: async () => [],
  };
}
