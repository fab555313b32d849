// SCIM groups in the state table (SCIM_GROUPS / GROUP#<id>): display name, external id, member principal ids.
// Groups are few (role groups and whatever else a tenant assigns), so listing reads the one partition. A group
// change commits together with the members it changes (their roles and `groups`, each with its audit event).
import type { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { ConcurrentChangeError } from '../../core/errors.ts';
import type { PrincipalChange } from '../../core/ports.ts';
import { auditEventItems } from './audit-ledger.ts';
import { type Item, queryAll } from './items.ts';
import { principalChangeItem } from './principal-items.ts';
import { STATE_TABLE_KEYS } from './schema.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export interface ScimGroup {
  readonly id: string;
  readonly displayName: string;
  readonly externalId?: string | undefined;
  readonly members: readonly string[];
  readonly created: string;
  readonly lastModified: string;
}

/** What happens to the group item: each applies only while the group is still as read (`expected`). */
export type ScimGroupItemChange =
  | { readonly kind: 'create'; readonly group: ScimGroup }
  | { readonly kind: 'replace'; readonly group: ScimGroup; readonly expected: ScimGroup }
  | { readonly kind: 'delete'; readonly expected: ScimGroup }
  | { readonly kind: 'none' };

export interface ScimGroupWrite {
  readonly group: ScimGroupItemChange;
  /** The members whose roles or groups change with it, each chained onto its stream. */
  readonly members: readonly PrincipalChange[];
}

export interface ScimGroupStore {
  get(id: string): Promise<ScimGroup | undefined>;
  list(): Promise<ScimGroup[]>;
  /**
   * The group item and its members' changes in one transaction; ConcurrentChangeError when the group or a member
   * changed since read (nothing written). A change of more than MEMBERS_PER_TRANSACTION members is split, the
   * group item written with the last part, so a retry (the identity provider's, or the use case's) finishes it.
   */
  write(change: ScimGroupWrite): Promise<void>;
}

/** A member change is 4 items (the principal, its event, stream head and day marker); with the group, at most 97. */
export const MEMBERS_PER_TRANSACTION = 24;

const PARTITION = 'SCIM_GROUPS';
const key = (id: string) => ({
  [STATE_TABLE_KEYS.partitionKey]: PARTITION,
  [STATE_TABLE_KEYS.sortKey]: `GROUP#${id}`,
});

export class DynamoDbScimGroups implements ScimGroupStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tables: { readonly stateTable: string; readonly auditTable?: string | undefined };

  constructor(
    client: DynamoDBDocumentClient,
    tables: { readonly stateTable: string; readonly auditTable?: string | undefined },
  ) {
    this.client = client;
    this.tables = tables;
  }

  async get(id: string): Promise<ScimGroup | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tables.stateTable, Key: key(id), ConsistentRead: true }),
    );
    return Item ? toGroup(Item) : undefined;
  }

  async list(): Promise<ScimGroup[]> {
    return await listScimGroups(this.client, this.tables.stateTable);
  }

  async write(change: ScimGroupWrite): Promise<void> {
    const { auditTable, stateTable } = this.tables;
    if (!auditTable) throw new Error('DynamoDbScimGroups needs the audit table to change a group');
    const tables = { stateTable, auditTable };
    const memberItems = change.members.map((member) => [
      principalChangeItem(stateTable, member),
      ...auditEventItems(tables, member.event),
    ]);
    const groupItem = groupItemOf(stateTable, change.group);
    const parts: TransactItem[][] = [];
    for (let start = 0; start < memberItems.length; start += MEMBERS_PER_TRANSACTION) {
      parts.push(memberItems.slice(start, start + MEMBERS_PER_TRANSACTION).flat());
    }
    if (parts.length === 0) parts.push([]);
    parts[parts.length - 1]?.push(...groupItem);
    for (const items of parts) {
      if (items.length === 0) continue;
      try {
        await this.client.send(new TransactWriteCommand({ TransactItems: items }));
      } catch (error) {
        if ((error as Error).name !== 'TransactionCanceledException') throw error;
        const reasons = (error as TransactionCanceledException).CancellationReasons ?? [];
        if (reasons.some((reason) => reason.Code === 'ConditionalCheckFailed')) {
          throw new ConcurrentChangeError('the group or one of its members changed concurrently; try again');
        }
        throw error;
      }
    }
  }
}

export async function listScimGroups(
  client: DynamoDBDocumentClient,
  stateTable: string,
): Promise<ScimGroup[]> {
  const items = await queryAll(client, {
    TableName: stateTable,
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': STATE_TABLE_KEYS.partitionKey },
    ExpressionAttributeValues: { ':pk': PARTITION },
    ConsistentRead: true,
  });
  return items.map(toGroup);
}

function groupItemOf(stateTable: string, change: ScimGroupItemChange): TransactItem[] {
  const seen = (expected: ScimGroup) => ({
    ConditionExpression: '#lastModified = :seen',
    ExpressionAttributeNames: { '#lastModified': 'lastModified' },
    ExpressionAttributeValues: { ':seen': expected.lastModified },
  });
  const item = (group: ScimGroup): Item => ({ ...group, ...key(group.id), entity: 'SCIM_GROUP' });
  switch (change.kind) {
    case 'none':
      return [];
    case 'create':
      return [
        {
          Put: {
            TableName: stateTable,
            Item: item(change.group),
            ConditionExpression: 'attribute_not_exists(#pk)',
            ExpressionAttributeNames: { '#pk': STATE_TABLE_KEYS.partitionKey },
          },
        },
      ];
    case 'replace':
      return [{ Put: { TableName: stateTable, Item: item(change.group), ...seen(change.expected) } }];
    case 'delete':
      return [{ Delete: { TableName: stateTable, Key: key(change.expected.id), ...seen(change.expected) } }];
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
