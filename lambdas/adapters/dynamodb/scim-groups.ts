// SCIM groups in the state table (SCIM_GROUPS / GROUP#<id>): display name, external id, member principal ids.
// Groups are few (role groups and whatever else a tenant assigns), so listing reads the one partition.
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { queryAll } from './items.ts';
import { STATE_TABLE_KEYS } from './schema.ts';

export interface ScimGroup {
  readonly id: string;
  readonly displayName: string;
  readonly externalId?: string | undefined;
  readonly members: readonly string[];
  readonly created: string;
  readonly lastModified: string;
}

export interface ScimGroupStore {
  get(id: string): Promise<ScimGroup | undefined>;
  list(): Promise<ScimGroup[]>;
  put(group: ScimGroup): Promise<void>;
  delete(id: string): Promise<void>;
}

const PARTITION = 'SCIM_GROUPS';
const key = (id: string) => ({
  [STATE_TABLE_KEYS.partitionKey]: PARTITION,
  [STATE_TABLE_KEYS.sortKey]: `GROUP#${id}`,
});

export class DynamoDbScimGroups implements ScimGroupStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly stateTable: string;

  constructor(client: DynamoDBDocumentClient, stateTable: string) {
    this.client = client;
    this.stateTable = stateTable;
  }

  async get(id: string): Promise<ScimGroup | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.stateTable, Key: key(id), ConsistentRead: true }),
    );
    return Item ? toGroup(Item) : undefined;
  }

  async list(): Promise<ScimGroup[]> {
    const items = await queryAll(this.client, {
      TableName: this.stateTable,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': STATE_TABLE_KEYS.partitionKey },
      ExpressionAttributeValues: { ':pk': PARTITION },
      ConsistentRead: true,
    });
    return items.map(toGroup);
  }

  async put(group: ScimGroup): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.stateTable,
        Item: { ...group, ...key(group.id), entity: 'SCIM_GROUP' },
      }),
    );
  }

  async delete(id: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.stateTable, Key: key(id) }));
  }
}

function toGroup(item: Record<string, unknown>): ScimGroup {
  return {
    id: String(item.id),
    displayName: String(item.displayName),
    externalId: item.externalId as string | undefined,
    members: (item.members as string[] | undefined) ?? [],
    created: String(item.created),
    lastModified: String(item.lastModified),
  };
}
