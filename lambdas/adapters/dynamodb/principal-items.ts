// Principal items beyond plain reads: the sparse PRINCIPAL#DUE index entry, the directory audit stream's chain head
// on the principal item, and the one transaction that changes a principal together with its audit event.
import type { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { headOf } from '../../core/audit.ts';
import { principalDueAt } from '../../core/directory-changes.ts';
import type { Principal } from '../../core/model.ts';
import type { DuePrincipal, PrincipalChange, StoredPrincipal } from '../../core/ports.ts';
import { auditEventItems, carriedHead, headGuardedUpdate, writeAudited } from './audit-ledger.ts';
import { type Item, queryAll, withoutKeys } from './items.ts';
import {
  auditStreamOfPrincipal,
  keys,
  STATE_TABLE_KEYS,
  STATUS_INDEX,
  STATUS_INDEX_KEYS,
  statusIndexEntry,
} from './schema.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export const PRINCIPAL_HEAD = { seq: 'auditSeq', hash: 'auditHash' } as const;
const PRINCIPAL_FIELDS = [
  'id',
  'name',
  'email',
  'organisation',
  'grade',
  'clearance',
  'slackUserId',
  'roles',
  'groups',
  'active',
  'scim',
  'approverFrom',
  'breakGlassSuspended',
];

/** In PRINCIPAL#DUE while the principal's standing can lapse: sorted by when it does (at once when inactive). */
export function principalDueAttributes(principal: Principal): Item {
  const dueAt = principalDueAt(principal);
  if (dueAt === undefined) return {};
  return statusIndexEntry('principalsDue', dueAt, principal.id);
}

export function toPrincipal(item: Item): Principal {
  return withoutKeys<Principal>(item, [PRINCIPAL_HEAD.seq, PRINCIPAL_HEAD.hash]);
}

export function toStoredPrincipal(item: Item): StoredPrincipal {
  return { principal: toPrincipal(item), audit: carriedHead(item, PRINCIPAL_HEAD) };
}

/**
 * The conditional Update that writes the principal's fields, its new chain head and due-index entry, applied only
 * while the head is still the expected one; the event's items go with it in the same transaction.
 */
export function principalChangeItem(stateTable: string, change: PrincipalChange): TransactItem {
  const { principal, event, expectedHead } = change;
  const stream = auditStreamOfPrincipal(principal.id);
  if (event.stream !== stream || event.seq !== expectedHead.seq + 1 || event.prevHash !== expectedHead.hash) {
    throw new Error(`the event is not chained onto ${stream} at seq ${expectedHead.seq}`);
  }
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const set: string[] = [];
  const remove: string[] = [];
  const fields: Item = {
    ...Object.fromEntries(PRINCIPAL_FIELDS.map((field) => [field, principal[field as keyof Principal]])),
    [PRINCIPAL_HEAD.seq]: event.seq,
    [PRINCIPAL_HEAD.hash]: event.hash,
    ...principalDueAttributes(principal),
  };
  for (const name of [
    ...PRINCIPAL_FIELDS,
    PRINCIPAL_HEAD.seq,
    PRINCIPAL_HEAD.hash,
    STATUS_INDEX.partitionKey,
    STATUS_INDEX.sortKey,
  ]) {
    const placeholder = `#f${Object.keys(names).length}`;
    names[placeholder] = name;
    if (fields[name] === undefined) remove.push(placeholder);
    else {
      values[`:f${set.length}`] = fields[name];
      set.push(`${placeholder} = :f${set.length}`);
    }
  }
  return headGuardedUpdate({
    tableName: stateTable,
    key: keys.principal(principal.id),
    set,
    remove,
    names,
    values,
    head: PRINCIPAL_HEAD,
    expected: expectedHead,
  });
}

/** The principal's fields, its new chain head and due-index entry, and the event: all or nothing. */
export async function writePrincipalChange(
  client: DynamoDBDocumentClient,
  tables: { readonly stateTable: string; readonly auditTable: string },
  change: PrincipalChange,
): Promise<StoredPrincipal> {
  const update = principalChangeItem(tables.stateTable, change);
  await writeAudited(client, tables, update, change.event, `principal ${change.principal.id}`);
  return { principal: change.principal, audit: headOf(change.event) };
}

/** A new principal item with its chain head and due entry, and its first event: all or nothing; false if taken. */
export async function writePrincipalCreate(
  client: DynamoDBDocumentClient,
  tables: { readonly stateTable: string; readonly auditTable: string },
  change: PrincipalChange,
): Promise<boolean> {
  const { principal, event } = change;
  if (event.stream !== auditStreamOfPrincipal(principal.id) || event.seq !== 1) {
    throw new Error(`a new principal's event must be the first on ${auditStreamOfPrincipal(principal.id)}`);
  }
  try {
    await client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: tables.stateTable,
              Item: {
                ...principal,
                ...principalDueAttributes(principal),
                ...keys.principal(principal.id),
                entity: 'PRINCIPAL',
                [PRINCIPAL_HEAD.seq]: event.seq,
                [PRINCIPAL_HEAD.hash]: event.hash,
              },
              ConditionExpression: 'attribute_not_exists(#pk)',
              ExpressionAttributeNames: { '#pk': STATE_TABLE_KEYS.partitionKey },
            },
          },
          ...auditEventItems(tables, event),
        ],
      }),
    );
    return true;
  } catch (error) {
    if ((error as Error).name !== 'TransactionCanceledException') throw error;
    const reasons = (error as TransactionCanceledException).CancellationReasons ?? [];
    if (reasons.some((reason) => reason.Code === 'ConditionalCheckFailed')) return false;
    throw error;
  }
}

export async function queryPrincipalsDueBy(
  client: DynamoDBDocumentClient,
  stateTable: string,
  at: string,
): Promise<DuePrincipal[]> {
  const items = await queryAll(client, {
    TableName: stateTable,
    IndexName: STATUS_INDEX.name,
    KeyConditionExpression: '#pk = :pk AND #sk <= :sk',
    ExpressionAttributeNames: { '#pk': STATUS_INDEX.partitionKey, '#sk': STATUS_INDEX.sortKey },
    ExpressionAttributeValues: { ':pk': STATUS_INDEX_KEYS.principalsDue, ':sk': `${at}#\uffff` },
  });
  return items.map((item) => ({ principal: toPrincipal(item), dueKey: String(item[STATUS_INDEX.sortKey]) }));
}

/** Off the due index, unless the entry changed since the sweep read it (then the next sweep looks again). */
export async function removeDueEntry(
  client: DynamoDBDocumentClient,
  stateTable: string,
  principalId: string,
  dueKey: string,
): Promise<void> {
  try {
    await client.send(
      new UpdateCommand({
        TableName: stateTable,
        Key: keys.principal(principalId),
        UpdateExpression: 'REMOVE #pk1, #sk1',
        ConditionExpression: '#sk1 = :seen',
        ExpressionAttributeNames: { '#pk1': STATUS_INDEX.partitionKey, '#sk1': STATUS_INDEX.sortKey },
        ExpressionAttributeValues: { ':seen': dueKey },
      }),
    );
  } catch (error) {
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
  }
}
