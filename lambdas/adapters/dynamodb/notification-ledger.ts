// The NotificationLedger on the state table: chat prompts, once-only notices and the notice outbox (due notices,
// written by the request store's transaction, leased and marked sent here) as items under the request.
import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Actor } from '../../core/audit.ts';
import type { DueNotice, NoticeLease, NoticeRef, OutcomeEvent } from '../../core/notices.ts';
import type { ChatPrompt, NotificationLedger } from '../../core/ports.ts';
import { type Item, queryAll } from './items.ts';
import { keys, STATE_TABLE_KEYS, STATUS_INDEX, statusIndexEntry } from './schema.ts';

/** A revoke may come up to the longest grant after the prompt was posted; a year covers every policy default. */
const RETENTION_SECONDS = 400 * 86_400;

export class DynamoDbNotificationLedger implements NotificationLedger {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(client: DynamoDBDocumentClient, tables: { readonly stateTable: string }) {
    this.#client = client;
    this.#tableName = tables.stateTable;
  }

  async claim(requestId: string, key: string, at: string, owner?: string): Promise<boolean> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: {
            ...keys.noticeSent(requestId, key),
            entity: 'NOTICE',
            requestId,
            key,
            at,
            ...(owner === undefined ? {} : { owner }),
            [STATE_TABLE_KEYS.ttl]: expiry(at),
          },
          ...(owner === undefined
            ? {
                ConditionExpression: 'attribute_not_exists(#pk)',
                ExpressionAttributeNames: { '#pk': STATE_TABLE_KEYS.partitionKey },
              }
            : {
                ConditionExpression: 'attribute_not_exists(#pk) OR #owner = :owner',
                ExpressionAttributeNames: { '#pk': STATE_TABLE_KEYS.partitionKey, '#owner': 'owner' },
                ExpressionAttributeValues: { ':owner': owner },
              }),
        }),
      );
      return true;
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  async saveChatPrompt(requestId: string, prompt: ChatPrompt): Promise<void> {
    const now = new Date().toISOString();
    await this.#client.send(
      new PutCommand({
        TableName: this.#tableName,
        Item: {
          ...keys.chatPrompt(requestId, prompt.approverId),
          entity: 'CHAT_PROMPT',
          requestId,
          approverId: prompt.approverId,
          channel: prompt.ref.channel,
          ts: prompt.ref.ts,
          postedAt: now,
          [STATE_TABLE_KEYS.ttl]: expiry(now),
        },
      }),
    );
  }

  async listChatPrompts(requestId: string): Promise<ChatPrompt[]> {
    const { pk, sk } = keys.chatPrompt(requestId, '');
    const items = await queryAll(this.#client, {
      TableName: this.#tableName,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': STATE_TABLE_KEYS.partitionKey, '#sk': STATE_TABLE_KEYS.sortKey },
      ExpressionAttributeValues: { ':pk': pk, ':prefix': sk },
      ConsistentRead: true,
    });
    return items.map((item) => ({
      approverId: String(item.approverId),
      ref: { channel: String(item.channel), ts: String(item.ts) },
    }));
  }

  async leaseNotice(ref: NoticeRef, now: string, until: string): Promise<NoticeLease> {
    try {
      const { Attributes } = await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: keys.noticeDue(ref.requestId, ref.key),
          UpdateExpression: 'SET #leasedUntil = :until',
          ConditionExpression:
            'attribute_exists(#pk) AND attribute_not_exists(#sentAt) AND (attribute_not_exists(#leasedUntil) OR #leasedUntil <= :now)',
          ExpressionAttributeNames: {
            '#pk': STATE_TABLE_KEYS.partitionKey,
            '#sentAt': 'sentAt',
            '#leasedUntil': 'leasedUntil',
          },
          ExpressionAttributeValues: { ':until': until, ':now': now },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { kind: 'leased', notice: toDueNotice(Attributes ?? {}) };
    } catch (error) {
      if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
      const found = (error as { Item?: Record<string, { S?: string }> }).Item;
      if (!found) return { kind: 'missing' };
      return { kind: found.sentAt ? 'sent' : 'in-flight' };
    }
  }

  async markNoticeSent(ref: NoticeRef, at: string): Promise<void> {
    await this.#client.send(
      new UpdateCommand({
        TableName: this.#tableName,
        Key: keys.noticeDue(ref.requestId, ref.key),
        // Out of the unsent index entry: the sweep's resend query reads only notices still owed.
        UpdateExpression: 'SET #sentAt = :at REMOVE #leasedUntil, #gsi1pk, #gsi1sk',
        ConditionExpression: 'attribute_exists(#pk)',
        ExpressionAttributeNames: {
          '#pk': STATE_TABLE_KEYS.partitionKey,
          '#sentAt': 'sentAt',
          '#leasedUntil': 'leasedUntil',
          '#gsi1pk': STATUS_INDEX.partitionKey,
          '#gsi1sk': STATUS_INDEX.sortKey,
        },
        ExpressionAttributeValues: { ':at': at },
      }),
    );
  }

  async recordPartialDelivery(ref: NoticeRef, delivered: readonly string[]): Promise<void> {
    await this.#client.send(
      new UpdateCommand({
        TableName: this.#tableName,
        Key: keys.noticeDue(ref.requestId, ref.key),
        UpdateExpression:
          delivered.length > 0 ? 'ADD #delivered :parts REMOVE #leasedUntil' : 'REMOVE #leasedUntil',
        ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(#sentAt)',
        ExpressionAttributeNames: {
          '#pk': STATE_TABLE_KEYS.partitionKey,
          '#sentAt': 'sentAt',
          '#leasedUntil': 'leasedUntil',
          ...(delivered.length > 0 ? { '#delivered': 'delivered' } : {}),
        },
        ...(delivered.length > 0 ? { ExpressionAttributeValues: { ':parts': new Set(delivered) } } : {}),
      }),
    );
  }

  async recordDueNotice(notice: DueNotice): Promise<boolean> {
    try {
      await this.#client.send(
        new PutCommand({
          ...dueNoticeItem(this.#tableName, notice).Put,
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': STATE_TABLE_KEYS.partitionKey },
        }),
      );
      return true;
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  async listUnsentNotices(dueBy: string): Promise<DueNotice[]> {
    const items = await queryAll(this.#client, {
      TableName: this.#tableName,
      IndexName: STATUS_INDEX.name,
      KeyConditionExpression: '#pk = :pk AND #sk <= :upTo',
      ExpressionAttributeNames: { '#pk': STATUS_INDEX.partitionKey, '#sk': STATUS_INDEX.sortKey },
      ExpressionAttributeValues: {
        ':pk': statusIndexEntry('noticesUnsent')[STATUS_INDEX.partitionKey],
        // Every sort key of a notice due at `dueBy` starts with it and sorts after it: '~' is above them all.
        ':upTo': `${dueBy}#~`,
      },
    });
    return items.map(toDueNotice);
  }
}

/** The due-notice item the request store writes in the transaction of the change that owes it. */
export function dueNoticeItem(tableName: string, notice: DueNotice) {
  return {
    Put: {
      TableName: tableName,
      Item: {
        ...keys.noticeDue(notice.requestId, notice.key),
        ...statusIndexEntry('noticesUnsent', notice.dueAt, notice.requestId, notice.key),
        entity: 'NOTICE_DUE',
        requestId: notice.requestId,
        key: notice.key,
        event: notice.event,
        actor: notice.actor,
        dueAt: notice.dueAt,
        ...(notice.detail === undefined ? {} : { detail: notice.detail }),
        [STATE_TABLE_KEYS.ttl]: expiry(notice.dueAt),
      },
    },
  };
}

function toDueNotice(item: Item): DueNotice {
  return {
    requestId: String(item.requestId),
    key: String(item.key),
    event: String(item.event) as OutcomeEvent,
    actor: item.actor as Actor,
    dueAt: String(item.dueAt),
    ...(typeof item.detail === 'string' ? { detail: item.detail } : {}),
    ...(item.delivered instanceof Set ? { delivered: [...item.delivered].map(String).sort() } : {}),
  };
}

function expiry(at: string): number {
  return Math.floor(Date.parse(at) / 1000) + RETENTION_SECONDS;
}
