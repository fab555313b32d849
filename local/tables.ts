// Creates the state and audit tables on DynamoDB Local with the same keys, indexes and TTL as the CDK tables.
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  AUDIT_TABLE_KEYS,
  REQUESTER_INDEX,
  STATE_TABLE_KEYS,
  STATUS_INDEX,
} from '../lambdas/adapters/dynamodb/schema.ts';

export interface TableNames {
  readonly stateTable: string;
  readonly auditTable: string;
}

const string = (name: string) => ({ AttributeName: name, AttributeType: 'S' as const });

export function stateTableDefinition(tableName: string): CreateTableCommandInput {
  const index = (spec: { name: string; partitionKey: string; sortKey: string }) => ({
    IndexName: spec.name,
    KeySchema: [
      { AttributeName: spec.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: spec.sortKey, KeyType: 'RANGE' as const },
    ],
    Projection: { ProjectionType: 'ALL' as const },
  });
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      string(STATE_TABLE_KEYS.partitionKey),
      string(STATE_TABLE_KEYS.sortKey),
      string(STATUS_INDEX.partitionKey),
      string(STATUS_INDEX.sortKey),
      string(REQUESTER_INDEX.partitionKey),
      string(REQUESTER_INDEX.sortKey),
    ],
    KeySchema: [
      { AttributeName: STATE_TABLE_KEYS.partitionKey, KeyType: 'HASH' },
      { AttributeName: STATE_TABLE_KEYS.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [index(STATUS_INDEX), index(REQUESTER_INDEX)],
  };
}

export function auditTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      string(AUDIT_TABLE_KEYS.partitionKey),
      { AttributeName: AUDIT_TABLE_KEYS.sortKey, AttributeType: 'N' },
    ],
    KeySchema: [
      { AttributeName: AUDIT_TABLE_KEYS.partitionKey, KeyType: 'HASH' },
      { AttributeName: AUDIT_TABLE_KEYS.sortKey, KeyType: 'RANGE' },
    ],
  };
}

async function createIfMissing(client: DynamoDBClient, definition: CreateTableCommandInput): Promise<void> {
  try {
    await client.send(new CreateTableCommand(definition));
  } catch (error) {
    // A persisted local database (npm start --persist) already has its tables.
    if ((error as Error).name !== 'ResourceInUseException') throw error;
  }
  await waitUntilTableExists(
    { client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 },
    { TableName: definition.TableName },
  );
}

async function enableTimeToLive(client: DynamoDBClient, tableName: string): Promise<void> {
  const current = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  const status = current.TimeToLiveDescription?.TimeToLiveStatus;
  if (status === 'ENABLED' || status === 'ENABLING') return;
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: STATE_TABLE_KEYS.ttl, Enabled: true },
    }),
  );
}

/**
 * Idempotent: safe to run on every start, including against a persisted database. Takes the low-level client or
 * a document client wrapping one (both send the table commands through the same stack).
 */
export async function createTables(
  anyClient: DynamoDBClient | DynamoDBDocumentClient,
  names: TableNames,
): Promise<void> {
  const client = anyClient as DynamoDBClient;
  await Promise.all([
    createIfMissing(client, stateTableDefinition(names.stateTable)),
    createIfMissing(client, auditTableDefinition(names.auditTable)),
  ]);
  await enableTimeToLive(client, names.stateTable);
}

/** Drops both tables (a test's, from the run's shared DynamoDB Local); a table already gone is not an error. */
export async function deleteTables(
  anyClient: DynamoDBClient | DynamoDBDocumentClient,
  names: TableNames,
): Promise<void> {
  const client = anyClient as DynamoDBClient;
  await Promise.all(
    [names.stateTable, names.auditTable].map((TableName) =>
      client.send(new DeleteTableCommand({ TableName })).catch((error: Error) => {
        if (error.name !== 'ResourceNotFoundException') throw error;
      }),
    ),
  );
}
