// Access history on DynamoDB: grant-interval items written inside RequestStore.commit, and the three reads on
// them (an instant, a principal, a scope), each a Query. The key design is in docs/data-model.md.
import type { DynamoDBDocumentClient, TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import {
  type AccessInterval,
  bucketOf,
  bucketsAt,
  endOf,
  holdersAt,
  openedIntervals,
  sortHistory,
} from '../../core/access-history.ts';
import type { AccessRequest, Scope } from '../../core/model.ts';
import type { AccessHistory } from '../../core/ports.ts';
import { queryAll, withoutKeys } from './items.ts';
import {
  ACCESS_HISTORY_INDEX_KEYS,
  keys,
  REQUESTER_INDEX,
  STATE_TABLE_KEYS,
  STATUS_INDEX,
} from './schema.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

const sortKeyOf = (interval: Pick<AccessInterval, 'from' | 'requestId' | 'scope'>) =>
  `${interval.from}#${interval.requestId}#${interval.scope}`;

/** One Put per scope: the interval, in its scope's partition, its principal's and its time bucket's index rows. */
export function openIntervalItems(stateTable: string, request: AccessRequest): TransactItem[] {
  return openedIntervals(request).map((interval) => ({
    Put: {
      TableName: stateTable,
      Item: {
        ...interval,
        ...keys.accessInterval(interval.scope, interval.from, interval.requestId),
        entity: 'ACCESS_INTERVAL',
        [STATUS_INDEX.partitionKey]: ACCESS_HISTORY_INDEX_KEYS.bucket(
          bucketOf(interval.from, interval.until),
        ),
        [STATUS_INDEX.sortKey]: sortKeyOf(interval),
        [REQUESTER_INDEX.partitionKey]: ACCESS_HISTORY_INDEX_KEYS.principal(interval.principalId),
        [REQUESTER_INDEX.sortKey]: sortKeyOf(interval),
      },
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': STATE_TABLE_KEYS.partitionKey },
    },
  }));
}

/**
 * Ends each scope's interval when the request's access ends. `until` only shrinks, so the interval stays in the
 * time bucket chosen when it opened.
 */
export function closeIntervalItems(stateTable: string, request: AccessRequest, at: string): TransactItem[] {
  const grant = request.grant;
  if (!grant) return [];
  const to = endOf(request, at);
  const names: Record<string, string> = {
    '#pk': STATE_TABLE_KEYS.partitionKey,
    '#until': 'until',
    '#to': 'to',
    '#endReason': 'endReason',
  };
  const values: Record<string, unknown> = { ':to': to, ':endReason': request.status };
  let update = 'SET #until = :to, #to = :to, #endReason = :endReason';
  if (request.reason !== undefined) {
    names['#reason'] = 'reason';
    values[':reason'] = request.reason;
    update += ', #reason = :reason';
  }
  return request.scopes.map((scope) => ({
    Update: {
      TableName: stateTable,
      Key: keys.accessInterval(scope, grant.grantedAt, request.id),
      UpdateExpression: update,
      ConditionExpression: 'attribute_exists(#pk)',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  }));
}

/**
 * An extension or a kept review moved the grant's expiry: the interval keeps its start and takes the new planned
 * end, and moves to the bucket that holds the longer interval.
 */
export function refreshIntervalItems(stateTable: string, request: AccessRequest): TransactItem[] {
  const grant = request.grant;
  if (!grant) return [];
  return request.scopes.map((scope) => ({
    Update: {
      TableName: stateTable,
      Key: keys.accessInterval(scope, grant.grantedAt, request.id),
      UpdateExpression: 'SET #until = :until, #bucket = :bucket',
      ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(#to)',
      ExpressionAttributeNames: {
        '#pk': STATE_TABLE_KEYS.partitionKey,
        '#until': 'until',
        '#to': 'to',
        '#bucket': STATUS_INDEX.partitionKey,
      },
      ExpressionAttributeValues: {
        ':until': grant.expiresAt,
        ':bucket': ACCESS_HISTORY_INDEX_KEYS.bucket(bucketOf(grant.grantedAt, grant.expiresAt)),
      },
    },
  }));
}

const toInterval = (item: Record<string, unknown>) => withoutKeys<AccessInterval>(item);

export class DynamoDbAccessHistory implements AccessHistory {
  readonly #client: DynamoDBDocumentClient;
  readonly #stateTable: string;

  constructor(client: DynamoDBDocumentClient, tables: { readonly stateTable: string }) {
    this.#client = client;
    this.#stateTable = tables.stateTable;
  }

  async intervalsAt(at: string): Promise<AccessInterval[]> {
    // One small Query per bucket level, all at once; '\uffff' keeps intervals starting exactly at `at`.
    const pages = await Promise.all(
      bucketsAt(at).map((bucket) =>
        queryAll(this.#client, {
          TableName: this.#stateTable,
          IndexName: STATUS_INDEX.name,
          KeyConditionExpression: '#pk = :pk AND #sk <= :sk',
          FilterExpression: '#until > :at',
          ExpressionAttributeNames: {
            '#pk': STATUS_INDEX.partitionKey,
            '#sk': STATUS_INDEX.sortKey,
            '#until': 'until',
          },
          ExpressionAttributeValues: {
            ':pk': ACCESS_HISTORY_INDEX_KEYS.bucket(bucket),
            ':sk': `${at}#\uffff`,
            ':at': at,
          },
        }),
      ),
    );
    return holdersAt(pages.flat().map(toInterval), at);
  }

  async intervalsOfPrincipal(principalId: string): Promise<AccessInterval[]> {
    const items = await queryAll(this.#client, {
      TableName: this.#stateTable,
      IndexName: REQUESTER_INDEX.name,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': REQUESTER_INDEX.partitionKey },
      ExpressionAttributeValues: { ':pk': ACCESS_HISTORY_INDEX_KEYS.principal(principalId) },
    });
    return sortHistory(items.map(toInterval));
  }

  async intervalsOfScope(scope: Scope): Promise<AccessInterval[]> {
    const items = await queryAll(this.#client, {
      TableName: this.#stateTable,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': STATE_TABLE_KEYS.partitionKey },
      ExpressionAttributeValues: { ':pk': keys.accessInterval(scope, '', '').pk },
      ConsistentRead: true,
    });
    return sortHistory(items.map(toInterval));
  }

  async intervalsOfScopeStartedBetween(scope: Scope, from: string, to: string): Promise<AccessInterval[]> {
    // Sort keys are `<from>#<requestId>`: every key starting at `from` sorts above it, every one starting at `to`
    // above `to`, so BETWEEN keeps exactly the starts in [from, to).
    const items = await queryAll(this.#client, {
      TableName: this.#stateTable,
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#pk': STATE_TABLE_KEYS.partitionKey, '#sk': STATE_TABLE_KEYS.sortKey },
      ExpressionAttributeValues: { ':pk': keys.accessInterval(scope, '', '').pk, ':from': from, ':to': to },
      ConsistentRead: true,
    });
    return sortHistory(items.map(toInterval));
  }
}
