// Shared item plumbing for the DynamoDB adapters: paginated queries and stripping storage-only attributes.
import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { REQUESTER_INDEX, STATE_TABLE_KEYS, STATUS_INDEX } from './schema.ts';

/** Attributes that exist only for keys, indexes, expiry and type tagging; never part of a domain object. */
export const STORAGE_ATTRIBUTES: readonly string[] = [
  STATE_TABLE_KEYS.partitionKey,
  STATE_TABLE_KEYS.sortKey,
  STATE_TABLE_KEYS.ttl,
  STATUS_INDEX.partitionKey,
  STATUS_INDEX.sortKey,
  REQUESTER_INDEX.partitionKey,
  REQUESTER_INDEX.sortKey,
  'entity',
];

export type Item = Record<string, unknown>;

export function withoutKeys<T>(item: Item, extra: readonly string[] = []): T {
  const domain: Item = {};
  for (const [name, value] of Object.entries(item)) {
    if (!STORAGE_ATTRIBUTES.includes(name) && !extra.includes(name)) domain[name] = value;
  }
  return domain as T;
}

/** Runs a Query to the last page. Every list in Keyholder is bounded by a key, never a Scan. */
export async function queryAll(client: DynamoDBDocumentClient, input: QueryCommandInput): Promise<Item[]> {
  const items: Item[] = [];
  let ExclusiveStartKey: QueryCommandInput['ExclusiveStartKey'];
  do {
    const page = await client.send(new QueryCommand({ ...input, ExclusiveStartKey }));
    items.push(...((page.Items ?? []) as Item[]));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}
