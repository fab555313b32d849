// The directory (principals) and dataset catalogue, stored in the state table under DIRECTORY / CATALOGUE.
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Dataset, Principal } from '../../core/model.ts';
import type {
  DatasetRecordChange,
  Directory,
  DuePrincipal,
  PrincipalChange,
  StoredDataset,
  StoredPrincipal,
} from '../../core/ports.ts';
import { readDatasetRecord, toDataset, writeDatasetChange, writeSeededDataset } from './dataset-items.ts';
import { type Item, queryAll, withoutKeys } from './items.ts';
import {
  principalDueAttributes,
  queryPrincipalsDueBy,
  removeDueEntry,
  toPrincipal,
  toStoredPrincipal,
  writePrincipalChange,
  writePrincipalCreate,
} from './principal-items.ts';
import { keys, STATE_TABLE_KEYS } from './schema.ts';
import { listScimGroups } from './scim-groups.ts';

const PRINCIPAL_PREFIX = 'PRINCIPAL#';
const DATASET_PREFIX = 'DATASET#';

export class DynamoDbDirectory implements Directory {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #auditTable: string | undefined;

  /**
   * Takes the same `{ stateTable, auditTable }` as the request store; the directory lives in the state table and
   * its changes are audited in the audit table (needed only by updatePrincipal).
   */
  constructor(
    client: DynamoDBDocumentClient,
    tables: { readonly stateTable: string; readonly auditTable?: string },
  ) {
    this.#client = client;
    this.#tableName = tables.stateTable;
    this.#auditTable = tables.auditTable;
  }

  async getPrincipal(id: string): Promise<Principal | undefined> {
    // Consistent: a deactivation must take effect on the very next decision.
    const { Item } = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: keys.principal(id), ConsistentRead: true }),
    );
    return Item ? toPrincipal(Item) : undefined;
  }

  async listPrincipals(): Promise<Principal[]> {
    return (await this.#listUnder<Item>(keys.principal('').pk, PRINCIPAL_PREFIX)).map(toPrincipal);
  }

  async getPrincipalRecord(id: string): Promise<StoredPrincipal | undefined> {
    const { Item } = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: keys.principal(id), ConsistentRead: true }),
    );
    return Item ? toStoredPrincipal(Item) : undefined;
  }

  async updatePrincipal(change: PrincipalChange): Promise<StoredPrincipal> {
    if (!this.#auditTable) throw new Error('DynamoDbDirectory needs the audit table to change a principal');
    return await writePrincipalChange(
      this.#client,
      { stateTable: this.#tableName, auditTable: this.#auditTable },
      change,
    );
  }

  async createPrincipal(change: PrincipalChange): Promise<boolean> {
    if (!this.#auditTable) throw new Error('DynamoDbDirectory needs the audit table to create a principal');
    return await writePrincipalCreate(
      this.#client,
      { stateTable: this.#tableName, auditTable: this.#auditTable },
      change,
    );
  }

  async listPrincipalsDueBy(at: string): Promise<DuePrincipal[]> {
    return await queryPrincipalsDueBy(this.#client, this.#tableName, at);
  }

  async settlePrincipal(id: string, dueKey: string): Promise<void> {
    await removeDueEntry(this.#client, this.#tableName, id, dueKey);
  }

  async listDatasets(): Promise<Dataset[]> {
    return (await this.#listUnder<Item>(keys.dataset('').pk, DATASET_PREFIX)).map(toDataset);
  }

  async listGroupNames(): Promise<string[]> {
    return (await listScimGroups(this.#client, this.#tableName)).map((group) => group.displayName).sort();
  }

  async getDatasetRecord(id: string): Promise<StoredDataset | undefined> {
    return await readDatasetRecord(this.#client, this.#tableName, id);
  }

  async updateDataset(change: DatasetRecordChange): Promise<void> {
    if (!this.#auditTable) throw new Error('DynamoDbDirectory needs the audit table to change a dataset');
    await writeDatasetChange(
      this.#client,
      { stateTable: this.#tableName, auditTable: this.#auditTable },
      change,
    );
  }

  async findPrincipalBySlackUserId(slackUserId: string): Promise<Principal | undefined> {
    // The directory is one small partition (staff and contractors, not patients): one Query, no index to keep.
    const principals = await this.listPrincipals();
    return principals.find((principal) => principal.slackUserId === slackUserId);
  }

  async putPrincipal(principal: Principal): Promise<void> {
    await this.#client.send(
      new PutCommand({
        TableName: this.#tableName,
        // A bypass write (seeding, a directory sync) still lands in the due index the sweep reads.
        Item: {
          ...principal,
          ...principalDueAttributes(principal),
          ...keys.principal(principal.id),
          entity: 'PRINCIPAL',
        },
      }),
    );
  }

  async putDataset(dataset: Dataset): Promise<void> {
    await writeSeededDataset(this.#client, this.#tableName, dataset);
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
