// Fresh, uniquely named Keyholder tables on the run's DynamoDB Local, so test files never see each other's items.
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { documentClientFor } from '../../lambdas/commons/clients.ts';
import { createTables, deleteTables, type TableNames } from '../../local/tables.ts';

export interface TestTables extends TableNames {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  readonly documentClient: DynamoDBDocumentClient;
  /** Deletes both tables and closes the clients. */
  cleanup(): Promise<void>;
}

export function dynamodbEndpoint(): string {
  const endpoint = inject('dynamodbEndpoint') ?? process.env.DYNAMODB_ENDPOINT;
  if (!endpoint)
    throw new Error(
      'no DynamoDB Local endpoint: run the tests through vitest (test/support/global-setup.ts)',
    );
  return endpoint;
}

export async function createTestTables(): Promise<TestTables> {
  const endpoint = dynamodbEndpoint();
  const client = new DynamoDBClient({
    endpoint,
    region: 'eu-west-2',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const suffix = randomUUID().slice(0, 8);
  const names = { stateTable: `kh-state-${suffix}`, auditTable: `kh-audit-${suffix}` };
  await createTables(client, names);
  const documentClient = documentClientFor(client);
  return {
    ...names,
    endpoint,
    client,
    documentClient,
    cleanup: async () => {
      await deleteTables(client, names);
      client.destroy();
    },
  };
}
