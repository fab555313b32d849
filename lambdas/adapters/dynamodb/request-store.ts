// The RequestStore on DynamoDB: each lifecycle change is ONE TransactWriteItems holding the request's new state, its
// audit event, the external-admin seat, the admin lock, grant rows and approval tokens. See docs/data-model.md.
import type { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { type AuditEvent, headOf } from '../../core/audit.ts';
import {
  CapReachedError,
  ConcurrentChangeError,
  ConflictError,
  HolderLimitReachedError,
  TokenGoneError,
} from '../../core/errors.ts';
import type { HolderChange, SeatChange } from '../../core/lifecycle.ts';
import type { AccessRequest } from '../../core/model.ts';
import type {
  ActiveGrant,
  ApprovalTokenRecord,
  ExternalAdminSeats,
  RequestChange,
  RequestStore,
  SeatCorrection,
  SeatLedger,
  StoredRequest,
} from '../../core/ports.ts';
import { closeIntervalItems, openIntervalItems, refreshIntervalItems } from './access-history.ts';
import { auditDayItem, streamHeadItem } from './audit-ledger.ts';
import { isTransientError, TRANSIENT_CANCELLATION_CODES, TransientStoreError } from './errors.ts';
import { type Item, queryAll, withoutKeys } from './items.ts';
import { dueNoticeItem } from './notification-ledger.ts';
import {
  AUDIT_TABLE_KEYS,
  auditStreamOfRequest,
  keys,
  REQUESTER_INDEX,
  STATE_TABLE_KEYS,
  STATUS_INDEX,
  STATUS_INDEX_KEYS,
  statusIndexEntry,
} from './schema.ts';
import {
  queryRequestsDueBy,
  readSeatLedger,
  refreshGrantItems,
  requestDueAttributes,
  seatHolderItem,
  writeSeatCorrection,
} from './sweep-items.ts';

export interface KeyholderTables {
  readonly stateTable: string;
  readonly auditTable: string;
}

export interface DynamoDbRequestStoreOptions {
  /** Attempts for one commit when DynamoDB reports a transaction conflict or throttling. */
  readonly maxAttempts?: number | undefined;
}

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** What each item of the transaction is for, so a cancellation reason at index i maps to a domain error. */
type Part =
  | { readonly kind: 'request' | 'audit' | 'grant-open' | 'token-issue' | 'seat-count' }
  | { readonly kind: 'ledger' | 'interval-open' }
  | { readonly kind: 'seat-take'; readonly cap: number; readonly organisation?: string | undefined }
  | {
      readonly kind:
        | 'seat-release'
        | 'holder-release'
        | 'lock-release'
        | 'grant-close'
        | 'interval-close'
        | 'interval-refresh';
    }
  | { readonly kind: 'lock-take'; readonly principalId: string }
  | { readonly kind: 'seat-holder' | 'grant-refresh' }
  | { readonly kind: 'token-consume' | 'notice' }
  | { readonly kind: 'holder-take'; readonly datasetId: string; readonly max: number };

interface PlannedItem {
  readonly part: Part;
  readonly item: TransactItem;
}

/**
 * Releases and closes that must never block the end of access. When their condition fails (the counter is
 * already zero, the lock is held by another request, the grant row is gone) the commit is retried without them:
 * ending access is more important than tidying state that is already inconsistent.
 */
const SKIPPABLE: ReadonlySet<Part['kind']> = new Set([
  'seat-release',
  'holder-release',
  'lock-release',
  'grant-close',
  'interval-close',
  'interval-refresh',
]);

const OPTIONAL_REQUEST_FIELDS = [
  'ticket',
  'reason',
  'closedBy',
  'closedAt',
  'grant',
  'review',
  'reviews',
  'extension',
  'revocation',
  'policyVersion',
  'breakGlass',
  'ownerApproval',
] as const satisfies readonly (keyof AccessRequest)[];
// A map rather than a list so the compiler fails when AccessRequest gains a field the store would not write.
const STORED_REQUEST_FIELDS = {
  id: true,
  requester: true,
  requesterOrganisation: true,
  external: true,
  scopes: true,
  duration: true,
  justification: true,
  ticket: true,
  createdAt: true,
  status: true,
  approvalsRequired: true,
  approvals: true,
  approvalDeadline: true,
  ownerApproval: true,
  countsAgainstCap: true,
  reason: true,
  closedBy: true,
  closedAt: true,
  grant: true,
  review: true,
  reviews: true,
  extension: true,
  revocation: true,
  policyVersion: true,
  breakGlass: true,
} as const satisfies Record<keyof AccessRequest, true>;
const REQUEST_FIELDS = Object.keys(STORED_REQUEST_FIELDS) as (keyof AccessRequest)[];

const TOKEN_RETENTION_SECONDS = 30 * 86_400;
const REQUEST_HEAD = { seq: 'auditSeq', hash: 'auditHash' } as const;
const SEAT_COUNT = 'count';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

class ExpressionBuilder {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  #next = 0;

  name(attribute: string): string {
    const placeholder = `#a${this.#next++}`;
    this.names[placeholder] = attribute;
    return placeholder;
  }

  value(value: unknown): string {
    const placeholder = `:v${this.#next++}`;
    this.values[placeholder] = value;
    return placeholder;
  }
}

function requestIndexAttributes(request: AccessRequest): Item {
  const byCreation = `${request.createdAt}#${request.id}`;
  return {
    [REQUESTER_INDEX.partitionKey]: `REQUESTER#${request.requester}`,
    [REQUESTER_INDEX.sortKey]: byCreation,
    // Sparse: only pending requests are in the status index, so listing them reads nothing else.
    ...(request.status === 'PENDING_APPROVAL' ? statusIndexEntry('pendingRequests', byCreation) : {}),
    // While ACTIVE: in REQUEST#DUE by when the sweep must next act on it (see docs/data-model.md).
    ...requestDueAttributes(request),
  };
}

/**
 * Only the domain record's own fields: a transition built from a StoredRequest carries its audit head and workflow
 * handles along, and those are written from the change, never from the (possibly stale) request.
 */
function requestFields(request: AccessRequest): Item {
  const fields: Item = {};
  for (const field of REQUEST_FIELDS) fields[field] = request[field];
  return fields;
}

function handlesOf(change: RequestChange): Item {
  const handles: Item = {};
  if (change.executionArn !== undefined) handles.executionArn = change.executionArn;
  if (change.taskToken !== undefined) handles.taskToken = change.taskToken;
  if (change.notified !== undefined) handles.notified = change.notified;
  return handles;
}

function toStoredRequest(item: Item): StoredRequest {
  const request = withoutKeys<Omit<StoredRequest, 'audit'>>(item, [REQUEST_HEAD.seq, REQUEST_HEAD.hash]);
  return {
    ...request,
    audit: { seq: item[REQUEST_HEAD.seq] as number, hash: item[REQUEST_HEAD.hash] as string },
  };
}

function toActiveGrant(item: Item): ActiveGrant {
  return withoutKeys<ActiveGrant>(item);
}

function toTokenRecord(item: Item): ApprovalTokenRecord {
  return withoutKeys<ApprovalTokenRecord>(item);
}

function toAuditEvent(item: Item): AuditEvent {
  return item as unknown as AuditEvent;
}

function assertWellFormed(change: RequestChange): void {
  const { transition, event, expectedHead } = change;
  const stream = auditStreamOfRequest(transition.request.id);
  if (event.stream !== stream) throw new Error(`the event belongs to stream ${event.stream}, not ${stream}`);
  if (event.seq !== expectedHead.seq + 1 || event.prevHash !== expectedHead.hash) {
    throw new Error(`event ${event.seq} of ${stream} is not chained onto head ${expectedHead.seq}`);
  }
  if (transition.expectedStatus === undefined && expectedHead.seq !== 0) {
    throw new Error(`a new request starts an empty chain, not one at seq ${expectedHead.seq}`);
  }
  if (transition.grants === 'open' && !transition.request.grant) {
    throw new Error(`request ${transition.request.id} opens grants without a grant`);
  }
}

export class DynamoDbRequestStore implements RequestStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #stateTable: string;
  readonly #auditTable: string;
  readonly #maxAttempts: number;

  constructor(
    client: DynamoDBDocumentClient,
    tables: KeyholderTables,
    options: DynamoDbRequestStoreOptions = {},
  ) {
    this.#client = client;
    this.#stateTable = tables.stateTable;
    this.#auditTable = tables.auditTable;
    this.#maxAttempts = options.maxAttempts ?? 8;
  }

  async getRequest(id: string): Promise<StoredRequest | undefined> {
    const item = await this.#getRequestItem(id);
    return item ? toStoredRequest(item) : undefined;
  }

  async getRequests(ids: readonly string[]): Promise<Map<string, StoredRequest>> {
    const found = new Map<string, StoredRequest>();
    const unique = [...new Set(ids)];
    // BatchGetItem takes at most 100 keys; what DynamoDB leaves unprocessed (throttling) is asked for again.
    for (let start = 0; start < unique.length; start += 100) {
      let keysLeft: Record<string, unknown>[] = unique
        .slice(start, start + 100)
        .map((id) => keys.request(id));
      for (let attempt = 0; keysLeft.length > 0; attempt++) {
        if (attempt === 8) throw new TransientStoreError('BatchGetItem left keys unprocessed eight times');
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
        const answer = await this.#client.send(
          new BatchGetCommand({
            RequestItems: { [this.#stateTable]: { Keys: keysLeft, ConsistentRead: true } },
          }),
        );
        for (const item of answer.Responses?.[this.#stateTable] ?? []) {
          const request = toStoredRequest(item);
          found.set(request.id, request);
        }
        keysLeft = (answer.UnprocessedKeys?.[this.#stateTable]?.Keys ?? []) as Record<string, unknown>[];
      }
    }
    return found;
  }

  async listRequestsByRequester(principalId: string): Promise<StoredRequest[]> {
    const items = await this.#queryIndex(REQUESTER_INDEX, `REQUESTER#${principalId}`);
    return items.map(toStoredRequest);
  }

  async listPendingRequests(): Promise<StoredRequest[]> {
    const items = await this.#queryIndex(STATUS_INDEX, STATUS_INDEX_KEYS.pendingRequests);
    return items.map(toStoredRequest);
  }

  async listActiveGrants(): Promise<ActiveGrant[]> {
    const items = await this.#queryIndex(STATUS_INDEX, STATUS_INDEX_KEYS.activeGrants);
    return items.map(toActiveGrant);
  }

  async listRequestsDueBy(at: string): Promise<StoredRequest[]> {
    return (await queryRequestsDueBy(this.#client, this.#stateTable, at)).map(toStoredRequest);
  }

  async seatLedger(): Promise<SeatLedger> {
    return await readSeatLedger(this.#client, this.#stateTable);
  }

  async correctSeats(correction: SeatCorrection): Promise<boolean> {
    return await writeSeatCorrection(
      this.#client,
      { stateTable: this.#stateTable, auditTable: this.#auditTable },
      correction,
    );
  }

  async listGrantsExpiringBy(at: string): Promise<ActiveGrant[]> {
    // Index sort keys are `<expiresAt>#<requestId>#<scope>`; '\uffff' sorts after every id, so expiresAt == at counts.
    const items = await this.#queryIndex(STATUS_INDEX, STATUS_INDEX_KEYS.activeGrants, `${at}#\uffff`);
    return items.map(toActiveGrant);
  }

  async externalAdminSeats(): Promise<ExternalAdminSeats> {
    const items = await queryAll(this.#client, {
      TableName: this.#stateTable,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': STATE_TABLE_KEYS.partitionKey },
      ExpressionAttributeValues: { ':pk': keys.seats().pk },
      ConsistentRead: true,
    });
    let total = 0;
    const byOrganisation: Record<string, number> = {};
    for (const item of items) {
      const count = Number(item[SEAT_COUNT] ?? 0);
      if (item[STATE_TABLE_KEYS.sortKey] === keys.seats().sk) total = count;
      else if (typeof item.organisation === 'string') byOrganisation[item.organisation] = count;
    }
    return { total, byOrganisation };
  }

  async datasetHolders(): Promise<Map<string, number>> {
    const items = await queryAll(this.#client, {
      TableName: this.#stateTable,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': STATE_TABLE_KEYS.partitionKey },
      ExpressionAttributeValues: { ':pk': keys.datasetHolders('').pk },
      ConsistentRead: true,
    });
    const holders = new Map<string, number>();
    for (const item of items) {
      if (typeof item.datasetId === 'string') holders.set(item.datasetId, Number(item[SEAT_COUNT] ?? 0));
    }
    return holders;
  }

  async readAuditStream(stream: string): Promise<AuditEvent[]> {
    const items = await queryAll(this.#client, {
      TableName: this.#auditTable,
      KeyConditionExpression: '#stream = :stream',
      ExpressionAttributeNames: { '#stream': AUDIT_TABLE_KEYS.partitionKey },
      ExpressionAttributeValues: { ':stream': stream },
      ScanIndexForward: true,
      ConsistentRead: true,
    });
    return items.map(toAuditEvent);
  }

  async issueLinkTokens(tokens: readonly ApprovalTokenRecord[]): Promise<void> {
    if (tokens.length === 0) return;
    await this.#client.send(
      new TransactWriteCommand({ TransactItems: tokens.map((token) => this.#issueTokenItem(token).item) }),
    );
  }

  async findApprovalToken(tokenHash: string): Promise<ApprovalTokenRecord | undefined> {
    const { Item } = await this.#client.send(
      new GetCommand({
        TableName: this.#stateTable,
        Key: keys.approvalToken(tokenHash),
        ConsistentRead: true,
      }),
    );
    return Item ? toTokenRecord(Item) : undefined;
  }

  async commit(change: RequestChange): Promise<StoredRequest> {
    assertWellFormed(change);
    let planned = this.#plan(change);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#client.send(
          new TransactWriteCommand({ TransactItems: planned.map((entry) => entry.item) }),
        );
        return await this.#committed(change);
      } catch (error) {
        const outcome = await this.#diagnose(error, planned, change);
        if (outcome.kind === 'applied') return outcome.stored;
        if (attempt >= this.#maxAttempts) {
          throw new TransientStoreError(
            `request ${change.transition.request.id}: the change did not commit after ${attempt} attempts`,
            { cause: error },
          );
        }
        if (outcome.kind === 'skip') {
          planned = planned.filter((_, index) => !outcome.indexes.includes(index));
        } else {
          // Full jitter: concurrent grants contending for the seat counter must not retry in lockstep.
          await sleep(Math.random() * Math.min(1_000, 25 * 2 ** attempt));
        }
      }
    }
  }

  /**
   * Decides what a failed transaction means: a domain error (thrown), the same change already applied (a retry
   * after a lost response), releases to skip, or a transient refusal worth another attempt.
   */
  async #diagnose(
    error: unknown,
    planned: readonly PlannedItem[],
    change: RequestChange,
  ): Promise<
    | { readonly kind: 'applied'; readonly stored: StoredRequest }
    | { readonly kind: 'skip'; readonly indexes: number[] }
    | { readonly kind: 'retry' }
  > {
    if (isTransientError(error)) return { kind: 'retry' };
    if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') throw error;
    const reasons = (error as TransactionCanceledException).CancellationReasons ?? [];
    const failed = planned
      .map((entry, index) => ({ ...entry, index, code: reasons[index]?.Code ?? 'None' }))
      .filter((entry) => entry.code !== 'None');
    const conditionFailed = (kind: Part['kind']) =>
      failed.find((entry) => entry.part.kind === kind && entry.code === 'ConditionalCheckFailed');
    const { request } = change.transition;

    if (conditionFailed('request') || conditionFailed('audit')) {
      const stored = await this.#alreadyApplied(change);
      if (stored) return { kind: 'applied', stored };
      throw new ConcurrentChangeError(`request ${request.id} changed concurrently; reload it and try again`);
    }
    if (conditionFailed('token-consume')) {
      throw new TokenGoneError('this approval link has already been used');
    }
    if (conditionFailed('lock-take')) {
      throw new ConflictError('ADMIN_REQUEST_OPEN', `${request.requester} already has an open admin request`);
    }
    const seat = conditionFailed('seat-take');
    if (seat && seat.part.kind === 'seat-take') {
      throw new CapReachedError(
        seat.part.organisation
          ? `all ${seat.part.cap} external admin seats of ${seat.part.organisation} are in use`
          : `all ${seat.part.cap} external admin seats are in use`,
      );
    }
    const holders = conditionFailed('holder-take');
    if (holders && holders.part.kind === 'holder-take') {
      throw new HolderLimitReachedError(
        `dataset ${holders.part.datasetId} already has ${holders.part.max} concurrent holders, its limit`,
      );
    }
    if (
      conditionFailed('grant-open') ||
      conditionFailed('token-issue') ||
      conditionFailed('interval-open') ||
      conditionFailed('grant-refresh')
    ) {
      throw new ConcurrentChangeError(`request ${request.id}: a grant row or approval token already exists`);
    }
    if (failed.some((entry) => TRANSIENT_CANCELLATION_CODES.includes(entry.code))) return { kind: 'retry' };
    if (
      failed.length > 0 &&
      failed.every((entry) => SKIPPABLE.has(entry.part.kind) && entry.code === 'ConditionalCheckFailed')
    ) {
      return { kind: 'skip', indexes: failed.map((entry) => entry.index) };
    }
    throw error;
  }

  /** The stored request carries exactly this change's event: an earlier attempt committed after all. */
  async #alreadyApplied(change: RequestChange): Promise<StoredRequest | undefined> {
    const item = await this.#getRequestItem(change.transition.request.id);
    if (
      item &&
      item[REQUEST_HEAD.seq] === change.event.seq &&
      item[REQUEST_HEAD.hash] === change.event.hash
    ) {
      return toStoredRequest(item);
    }
    return undefined;
  }

  /** The request as this change left it; workflow handles the change did not set are the stored ones. */
  async #committed(change: RequestChange): Promise<StoredRequest> {
    const { executionArn: _notPartOfTheDomainRecord, ...handles } = handlesOf(change);
    const request = requestFields(change.transition.request) as unknown as AccessRequest;
    const written: StoredRequest = { ...request, ...handles, audit: headOf(change.event) };
    const creation = change.transition.expectedStatus === undefined;
    if (creation || (change.taskToken !== undefined && change.notified !== undefined)) return written;
    const { Item } = await this.#client.send(
      new GetCommand({
        TableName: this.#stateTable,
        Key: keys.request(change.transition.request.id),
        ConsistentRead: true,
        ProjectionExpression: 'taskToken, notified',
      }),
    );
    return {
      ...written,
      taskToken: change.taskToken ?? (Item?.taskToken as string | undefined),
      notified: change.notified ?? (Item?.notified as string[] | undefined),
    };
  }

  #plan(change: RequestChange): PlannedItem[] {
    const { transition, event } = change;
    const { request } = transition;
    const planned: PlannedItem[] = [this.#requestItem(change)];
    planned.push({
      part: { kind: 'audit' },
      item: {
        Put: {
          TableName: this.#auditTable,
          Item: { ...event },
          // The trail is append-only: an event at an existing (stream, seq) is never overwritten.
          ConditionExpression: 'attribute_not_exists(#stream)',
          ExpressionAttributeNames: { '#stream': AUDIT_TABLE_KEYS.partitionKey },
        },
      },
    });
    if (transition.seat) planned.push(...this.#seatItems(transition.seat));
    if (transition.seat) {
      const item = seatHolderItem(this.#stateTable, transition.seat.op, request, event.at);
      planned.push({ part: { kind: 'seat-holder' }, item });
    }
    if (transition.holders) planned.push(...this.#holderItems(transition.holders));
    if (transition.adminLock === 'take') {
      planned.push({
        part: { kind: 'lock-take', principalId: request.requester },
        item: {
          Put: {
            TableName: this.#stateTable,
            Item: {
              ...keys.adminLock(request.requester),
              entity: 'ADMIN_LOCK',
              requestId: request.id,
              principalId: request.requester,
              takenAt: event.at,
            },
            ConditionExpression: 'attribute_not_exists(#pk)',
            ExpressionAttributeNames: { '#pk': STATE_TABLE_KEYS.partitionKey },
          },
        },
      });
    } else if (transition.adminLock === 'release') {
      planned.push({
        part: { kind: 'lock-release' },
        item: {
          Delete: {
            TableName: this.#stateTable,
            Key: keys.adminLock(request.requester),
            // A missing lock deletes as a no-op; another request's lock is left alone (see SKIPPABLE).
            ConditionExpression: 'attribute_not_exists(#pk) OR #requestId = :requestId',
            ExpressionAttributeNames: { '#pk': STATE_TABLE_KEYS.partitionKey, '#requestId': 'requestId' },
            ExpressionAttributeValues: { ':requestId': request.id },
          },
        },
      });
    }
    if (transition.grants === 'open') planned.push(...this.#openGrantItems(request));
    if (transition.grants === 'close') planned.push(...this.#closeGrantItems(request, event.at));
    if (transition.grants === 'refresh') {
      for (const item of refreshGrantItems(this.#stateTable, request)) {
        planned.push({ part: { kind: 'grant-refresh' }, item });
      }
    }
    // Access history: grant intervals open and close with the grant rows.
    if (transition.grants === 'open') {
      for (const item of openIntervalItems(this.#stateTable, request)) {
        planned.push({ part: { kind: 'interval-open' }, item });
      }
    }
    if (transition.grants === 'close') {
      for (const item of closeIntervalItems(this.#stateTable, request, event.at)) {
        planned.push({ part: { kind: 'interval-close' }, item });
      }
    }
    if (transition.grants === 'refresh') {
      for (const item of refreshIntervalItems(this.#stateTable, request)) {
        planned.push({ part: { kind: 'interval-refresh' }, item });
      }
    }
    for (const token of change.issueTokens ?? []) planned.push(this.#issueTokenItem(token));
    if (change.consumeToken) planned.push(this.#consumeTokenItem(change.consumeToken, request.id));
    for (const notice of change.notices ?? []) {
      planned.push({ part: { kind: 'notice' }, item: dueNoticeItem(this.#stateTable, notice) });
    }
    // The stream's head and day marker (verify and time-range reads) commit with the event they describe.
    planned.push(
      { part: { kind: 'ledger' }, item: streamHeadItem(this.#stateTable, event) },
      { part: { kind: 'ledger' }, item: auditDayItem(this.#stateTable, event) },
    );
    if (planned.length > 100) {
      throw new Error(
        `request ${request.id}: one change may write at most 100 items, this one writes ${planned.length}`,
      );
    }
    return planned;
  }

  #requestItem(change: RequestChange): PlannedItem {
    const { transition, event, expectedHead } = change;
    const { request } = transition;
    const head = { [REQUEST_HEAD.seq]: event.seq, [REQUEST_HEAD.hash]: event.hash };
    if (transition.expectedStatus === undefined) {
      return {
        part: { kind: 'request' },
        item: {
          Put: {
            TableName: this.#stateTable,
            Item: {
              ...requestFields(request),
              ...handlesOf(change),
              ...head,
              ...requestIndexAttributes(request),
              ...keys.request(request.id),
              entity: 'REQUEST',
            },
            ConditionExpression: 'attribute_not_exists(#pk)',
            ExpressionAttributeNames: { '#pk': STATE_TABLE_KEYS.partitionKey },
          },
        },
      };
    }
    // An Update rather than a Put, so workflow handles the change does not mention are kept as stored.
    const expression = new ExpressionBuilder();
    const set: string[] = [];
    const remove: string[] = [];
    const fields: Item = {
      ...requestFields(request),
      ...handlesOf(change),
      ...head,
      ...requestIndexAttributes(request),
    };
    for (const [attribute, value] of Object.entries(fields)) {
      if (value !== undefined) set.push(`${expression.name(attribute)} = ${expression.value(value)}`);
    }
    for (const attribute of OPTIONAL_REQUEST_FIELDS) {
      if (request[attribute] === undefined) remove.push(expression.name(attribute));
    }
    if (fields[STATUS_INDEX.partitionKey] === undefined) {
      remove.push(expression.name(STATUS_INDEX.partitionKey), expression.name(STATUS_INDEX.sortKey));
    }
    const condition = [
      `${expression.name('status')} = ${expression.value(transition.expectedStatus)}`,
      `${expression.name(REQUEST_HEAD.seq)} = ${expression.value(expectedHead.seq)}`,
      `${expression.name(REQUEST_HEAD.hash)} = ${expression.value(expectedHead.hash)}`,
    ].join(' AND ');
    return {
      part: { kind: 'request' },
      item: {
        Update: {
          TableName: this.#stateTable,
          Key: keys.request(request.id),
          UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: expression.names,
          ExpressionAttributeValues: expression.values,
        },
      },
    };
  }

  #seatItems(seat: SeatChange): PlannedItem[] {
    if (seat.op === 'take') {
      // A cap of zero admits nobody, but `attribute_not_exists` would let the first taker through.
      if (seat.cap <= 0) throw new CapReachedError(`the external admin cap is ${seat.cap}`);
      if (seat.organisationCap !== undefined && seat.organisationCap <= 0) {
        throw new CapReachedError(
          `the external admin cap of ${seat.organisation} is ${seat.organisationCap}`,
        );
      }
    }
    // The organisation's counter is kept even without a sub-cap, so a sub-cap introduced later starts from the
    // true number and externalAdminSeats reports every organisation.
    const counters = [
      {
        key: keys.seats(),
        cap: seat.cap as number | undefined,
        organisation: undefined as string | undefined,
      },
      {
        key: keys.organisationSeats(seat.organisation),
        cap: seat.organisationCap,
        organisation: seat.organisation,
      },
    ];
    return counters.map(({ key, cap, organisation }): PlannedItem => {
      if (seat.op === 'release') {
        return {
          part: { kind: 'seat-release' },
          item: {
            Update: {
              TableName: this.#stateTable,
              Key: key,
              UpdateExpression: 'SET #count = #count - :one',
              // Never negative: a release with nothing held is skipped (see SKIPPABLE).
              ConditionExpression: '#count > :zero',
              ExpressionAttributeNames: { '#count': SEAT_COUNT },
              ExpressionAttributeValues: { ':zero': 0, ':one': 1 },
            },
          },
        };
      }
      // The organisation is kept on its counter so externalAdminSeats need not parse sort keys.
      const names: Record<string, string> = { '#count': SEAT_COUNT };
      const values: Record<string, unknown> = { ':zero': 0, ':one': 1 };
      let update = 'SET #count = if_not_exists(#count, :zero) + :one';
      if (organisation) {
        names['#organisation'] = 'organisation';
        values[':organisation'] = organisation;
        update += ', #organisation = :organisation';
      }
      if (cap === undefined) {
        return {
          part: { kind: 'seat-count' },
          item: {
            Update: {
              TableName: this.#stateTable,
              Key: key,
              UpdateExpression: update,
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: values,
            },
          },
        };
      }
      values[':cap'] = cap;
      return {
        part: { kind: 'seat-take', cap, organisation },
        item: {
          Update: {
            TableName: this.#stateTable,
            Key: key,
            UpdateExpression: update,
            ConditionExpression: 'attribute_not_exists(#count) OR #count < :cap',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          },
        },
      };
    });
  }

  /** Per dataset: one holder more (against its limit when it has one) or fewer, never below zero. */
  #holderItems(holders: HolderChange): PlannedItem[] {
    return holders.datasets.map(({ id, max }): PlannedItem => {
      const names = { '#count': SEAT_COUNT, '#datasetId': 'datasetId' };
      if (holders.op === 'release') {
        return {
          part: { kind: 'holder-release' },
          item: {
            Update: {
              TableName: this.#stateTable,
              Key: keys.datasetHolders(id),
              UpdateExpression: 'SET #count = #count - :one',
              ConditionExpression: '#count > :zero',
              ExpressionAttributeNames: { '#count': SEAT_COUNT },
              ExpressionAttributeValues: { ':zero': 0, ':one': 1 },
            },
          },
        };
      }
      const update = {
        TableName: this.#stateTable,
        Key: keys.datasetHolders(id),
        UpdateExpression: 'SET #count = if_not_exists(#count, :zero) + :one, #datasetId = :datasetId',
        ExpressionAttributeNames: names,
      };
      if (max !== undefined && max <= 0) throw new HolderLimitReachedError(`dataset ${id} admits no holders`);
      if (max === undefined) {
        const values = { ':zero': 0, ':one': 1, ':datasetId': id };
        return {
          part: { kind: 'seat-count' },
          item: { Update: { ...update, ExpressionAttributeValues: values } },
        };
      }
      return {
        part: { kind: 'holder-take', datasetId: id, max },
        item: {
          Update: {
            ...update,
            ConditionExpression: 'attribute_not_exists(#count) OR #count < :max',
            ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':datasetId': id, ':max': max },
          },
        },
      };
    });
  }

  #openGrantItems(request: AccessRequest): PlannedItem[] {
    const grant = request.grant;
    if (!grant) return [];
    return request.scopes.map((scope) => ({
      part: { kind: 'grant-open' },
      item: {
        Put: {
          TableName: this.#stateTable,
          Item: {
            ...keys.grant(request.id, scope),
            entity: 'GRANT',
            requestId: request.id,
            principalId: request.requester,
            organisation: request.requesterOrganisation,
            scope,
            grantedAt: grant.grantedAt,
            expiresAt: grant.expiresAt,
            approvedBy: grant.approvedBy,
            nextReviewAt: grant.nextReviewAt,
            ...(request.breakGlass ? { breakGlass: true } : {}),
            ...statusIndexEntry('activeGrants', grant.expiresAt, request.id, scope),
          },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': STATE_TABLE_KEYS.partitionKey },
        },
      },
    }));
  }

  #closeGrantItems(request: AccessRequest, at: string): PlannedItem[] {
    return request.scopes.map((scope) => ({
      part: { kind: 'grant-close' },
      item: {
        Update: {
          TableName: this.#stateTable,
          Key: keys.grant(request.id, scope),
          // Leaving the index is what ends the grant for every "who has access" query; the row stays as history.
          UpdateExpression: 'REMOVE #gsi1pk, #gsi1sk SET #closedAt = :closedAt, #endStatus = :endStatus',
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: {
            '#pk': STATE_TABLE_KEYS.partitionKey,
            '#gsi1pk': STATUS_INDEX.partitionKey,
            '#gsi1sk': STATUS_INDEX.sortKey,
            '#closedAt': 'closedAt',
            '#endStatus': 'endStatus',
          },
          ExpressionAttributeValues: { ':closedAt': request.closedAt ?? at, ':endStatus': request.status },
        },
      },
    }));
  }

  #issueTokenItem(token: ApprovalTokenRecord): PlannedItem {
    return {
      part: { kind: 'token-issue' },
      item: {
        Put: {
          TableName: this.#stateTable,
          Item: {
            ...token,
            ...keys.approvalToken(token.tokenHash),
            entity: 'APPROVAL_TOKEN',
            // DynamoDB's TTL tidies dead tokens; validity is decided by expiresAt, not by the item being gone.
            [STATE_TABLE_KEYS.ttl]: Math.floor(Date.parse(token.expiresAt) / 1000) + TOKEN_RETENTION_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': STATE_TABLE_KEYS.partitionKey },
        },
      },
    };
  }

  #consumeTokenItem(consume: NonNullable<RequestChange['consumeToken']>, requestId: string): PlannedItem {
    return {
      part: { kind: 'token-consume' },
      item: {
        Update: {
          TableName: this.#stateTable,
          Key: keys.approvalToken(consume.tokenHash),
          UpdateExpression: 'SET #usedAt = :usedAt',
          ConditionExpression:
            'attribute_exists(#pk) AND attribute_not_exists(#usedAt) AND #requestId = :requestId',
          ExpressionAttributeNames: {
            '#pk': STATE_TABLE_KEYS.partitionKey,
            '#usedAt': 'usedAt',
            '#requestId': 'requestId',
          },
          ExpressionAttributeValues: { ':usedAt': consume.usedAt, ':requestId': requestId },
        },
      },
    };
  }

  async #getRequestItem(id: string): Promise<Item | undefined> {
    const { Item } = await this.#client.send(
      new GetCommand({ TableName: this.#stateTable, Key: keys.request(id), ConsistentRead: true }),
    );
    return Item;
  }

  async #queryIndex(
    index: { readonly name: string; readonly partitionKey: string; readonly sortKey: string },
    partition: string,
    sortKeyAtMost?: string,
  ): Promise<Item[]> {
    const names: Record<string, string> = { '#pk': index.partitionKey };
    const values: Record<string, unknown> = { ':pk': partition };
    let condition = '#pk = :pk';
    if (sortKeyAtMost !== undefined) {
      names['#sk'] = index.sortKey;
      values[':sk'] = sortKeyAtMost;
      condition += ' AND #sk <= :sk';
    }
    return await queryAll(this.#client, {
      TableName: this.#stateTable,
      IndexName: index.name,
      KeyConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ScanIndexForward: true,
    });
  }
}
