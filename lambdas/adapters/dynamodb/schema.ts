// The DynamoDB table design: key names, index names and item key shapes. The CDK tables construct and the
// local table creation both read this file, so local and AWS tables cannot drift apart. See docs/data-model.md.

export const STATE_TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk', ttl: 'ttl' } as const;

/** Sparse, overloaded index: pending requests and active grants (by expiry). Only items that set gsi1pk are in it. */
export const STATUS_INDEX = { name: 'byStatus', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' } as const;
/** A principal's requests, newest last. */
export const REQUESTER_INDEX = { name: 'byRequester', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' } as const;

export const AUDIT_TABLE_KEYS = { partitionKey: 'stream', sortKey: 'seq' } as const;

export const keys = {
  principal: (id: string) => ({ pk: 'DIRECTORY', sk: `PRINCIPAL#${id}` }),
  dataset: (id: string) => ({ pk: 'CATALOGUE', sk: `DATASET#${id}` }),
  request: (id: string) => ({ pk: `REQUEST#${id}`, sk: 'REQUEST' }),
  grant: (requestId: string, scope: string) => ({ pk: `REQUEST#${requestId}`, sk: `GRANT#${scope}` }),
  seats: () => ({ pk: 'SEATS', sk: 'EXTERNAL_ADMIN' }),
  organisationSeats: (organisation: string) => ({ pk: 'SEATS', sk: `EXTERNAL_ADMIN#${organisation}` }),
  adminLock: (principalId: string) => ({ pk: `PRINCIPAL#${principalId}`, sk: 'OPEN_ADMIN_REQUEST' }),
  approvalToken: (tokenHash: string) => ({ pk: `APPROVAL_TOKEN#${tokenHash}`, sk: 'TOKEN' }),
} as const;

export const STATUS_INDEX_KEYS = {
  pendingRequests: 'REQUEST#PENDING',
  activeGrants: 'GRANT#ACTIVE',
} as const;

export const auditStreamOfRequest = (requestId: string) => `REQUEST#${requestId}`;
