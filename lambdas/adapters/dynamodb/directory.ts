// The directory (principals) and dataset catalogue, stored in the state table under DIRECTORY / CATALOGUE.
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Dataset, Principal } from '../../core/model.ts';
import type { Directory } from '../../core/ports.ts';
import { queryAll, withoutKeys } from './items.ts';
import { keys, STATE_TABLE_KEYS } from './schema.ts';

const PRINCIPAL_PREFIX = 'PRINCIPAL#';
const DATASET_PREFIX = 'DATASET#';

export class DynamoDbDirectory implements Directory {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  /** Takes the same `{ stateTable, auditTable }` as the request store; the directory lives in the state table. */
  constructor(client: DynamoDBDocumentClient, tables: { readonly stateTable: string }) {
    this.#client = client;
    this.#tableName = tables.stateTable;
  }

  async getPrincipal(id: string): Promise<Principal | undefined> {
    // Consistent: a deactivation must take effect on the very next decision.
    const { Item } = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: keys.principal(id), ConsistentRead: true }),
    );
    return Item ? withoutKeys<Principal>(Item) : undefined;
  }

  async listPrincipals(): Promise<Principal[]> {
    return await this.#listUnder(keys.principal('').pk, PRINCIPAL_PREFIX);
  }

  async listDatasets(): Promise<Dataset[]> {
    return await this.#listUnder(keys.dataset('').pk, DATASET_PREFIX);
  }

  async putPrincipal(principal: Principal): Promise<void> {
    await this.#client.send(
      new PutCommand({
        TableName: this.#tableName,
        Item: { ...principal, ...keys.principal(principal.id), entity: 'PRINCIPAL' },
      }),
    );
  }

  async putDataset(dataset: Dataset): Promise<void> {
    await this.#client.send(
      new PutCommand({
        TableName: this.#tableName,
        Item: { ...dataset, ...keys.dataset(dataset.id), entity: 'DATASET' },
      }),
    );
  }

  async #listUnder<T>(partition: string, prefix: string): Promise<T[]> {
    const items = await queryAll(this.#client, {
      TableName: this.#tableName,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': STATE_TABLE_KEYS.partitionKey, '#sk': STATE_TABLE_KEYS.sortKey },
      ExpressionAttributeValues: { ':pk': partition, ':prefix': prefix },
    });
    return items.map((item) => withoutKeys<T>(item));
  }
}
