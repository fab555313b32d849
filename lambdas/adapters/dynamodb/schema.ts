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
  /** How many hold a dataset now (every dataset grant counts), checked against its maxConcurrentHolders. */
  datasetHolders: (datasetId: string) => ({ pk: 'HOLDERS', sk: `DATASET#${datasetId}` }),
  organisationSeats: (organisation: string) => ({ pk: 'SEATS', sk: `EXTERNAL_ADMIN#${organisation}` }),
  adminLock: (principalId: string) => ({ pk: `PRINCIPAL#${principalId}`, sk: 'OPEN_ADMIN_REQUEST' }),
  approvalToken: (tokenHash: string) => ({ pk: `APPROVAL_TOKEN#${tokenHash}`, sk: 'TOKEN' }),
  /** One per seat held, written with the seat counter in the same transaction: what the counters are checked against. */
  seatHolder: (requestId: string) => ({ pk: 'SEAT_HOLDERS', sk: `REQUEST#${requestId}` }),
  /** Where an approver's Slack prompt for a request lives (channel, ts), so it can be updated in place. */
  chatPrompt: (requestId: string, approverId: string) => ({
    pk: `REQUEST#${requestId}`,
    sk: `CHAT_PROMPT#${approverId}`,
  }),
  /** A once-only notice already sent about a request (a retried workflow step does not send it again). */
  noticeSent: (requestId: string, key: string) => ({ pk: `REQUEST#${requestId}`, sk: `NOTICE#${key}` }),
  /** A notice the outbox owes (lambdas/core/notices.ts): written with the change that causes it, marked sent. */
  noticeDue: (requestId: string, key: string) => ({ pk: `REQUEST#${requestId}`, sk: `NOTICE_DUE#${key}` }),
  /** Every audit stream's head, in one partition: verify finds all streams with one Query, never a Scan. */
  auditStreamHead: (stream: string) => ({ pk: 'AUDIT#STREAMS', sk: stream }),
  /** A stream had an event on this UTC day: time-range reads of the trail (CSV export, transparency). */
  auditDay: (day: string, stream: string) => ({ pk: `AUDIT#DAY#${day}`, sk: stream }),
  /** The head of a provider's `DRIFT#<provider>` audit stream, beside its open out-of-band items. */
  driftHead: (provider: string) => ({ pk: `DRIFT#${provider}`, sk: 'HEAD' }),
  /** Out-of-band access on a provider's platform, open until the access goes (then deleted; the trail keeps it). */
  driftItem: (provider: string, principalId: string, scope: string) => ({
    pk: `DRIFT#${provider}`,
    sk: `OPEN#${principalId}#${scope}`,
  }),
  /** The policy in force (its version and rules) and the head of the POLICY audit stream, in one item. */
  policyCurrent: () => ({ pk: 'POLICY', sk: 'CURRENT' }),
  /** Every policy version ever in force, zero-padded so the partition sorts by number. */
  policyVersion: (version: number) => ({ pk: 'POLICY', sk: `VERSION#${String(version).padStart(10, '0')}` }),
  policyProposal: (id: string) => ({ pk: 'POLICY', sk: `PROPOSAL#${id}` }),
  /** One grant interval (access history), partitioned by scope, sorted by start. */
  accessInterval: (scope: string, from: string, requestId: string) => ({
    pk: `ACCESS#SCOPE#${scope}`,
    sk: `${from}#${requestId}`,
  }),
} as const;

/** Access-history intervals in the overloaded indexes: by principal (byRequester) and by time bucket (byStatus). */
export const ACCESS_HISTORY_INDEX_KEYS = {
  principal: (principalId: string) => `ACCESS#PRINCIPAL#${principalId}`,
  bucket: (bucket: string) => `ACCESS#AT#${bucket}`,
} as const;

export const STATUS_INDEX_KEYS = {
  pendingRequests: 'REQUEST#PENDING',
  activeGrants: 'GRANT#ACTIVE',
  /** ACTIVE request items, by when the sweep must next act on them (review prompt or deadline, extension deadline). */
  requestsDue: 'REQUEST#DUE',
  /** Principal items, by when their standing lapses (at once when inactive); removed once a sweep settled them. */
  principalsDue: 'PRINCIPAL#DUE',
  /** Due notices not yet marked sent, by `<dueAt>#<requestId>#<key>`; removed when marked sent. */
  noticesUnsent: 'NOTICE#UNSENT',
  /** Open out-of-band drift items of every provider, sorted by `<provider>#<principalId>#<scope>`. */
  driftOpen: 'DRIFT#OPEN',
} as const;

/** An item's entry in the sparse status index: one of its partitions, sorted by `<first part>#<next part>...`. */
export function statusIndexEntry(
  partition: keyof typeof STATUS_INDEX_KEYS,
  ...sortParts: readonly string[]
): Record<string, string> {
  return {
    [STATUS_INDEX.partitionKey]: STATUS_INDEX_KEYS[partition],
    [STATUS_INDEX.sortKey]: sortParts.join('#'),
  };
}

export const auditStreamOfRequest = (requestId: string) => `REQUEST#${requestId}`;
/** Directory changes of one principal; its chain head lives on the principal item. */
export const auditStreamOfPrincipal = (principalId: string) => `PRINCIPAL#${principalId}`;
/** Changes to one catalogue entry (owners, limit); its chain head lives on the dataset item. */
export const auditStreamOfDataset = (datasetId: string) => `DATASET#${datasetId}`;
/** Seat counter corrections; the chain head lives on the EXTERNAL_ADMIN counter item. */
export const SEATS_AUDIT_STREAM = 'SEATS#EXTERNAL_ADMIN';
