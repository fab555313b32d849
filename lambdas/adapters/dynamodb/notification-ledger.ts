// The NotificationLedger on the state table: chat prompts and once-only notices as items under the request.
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ChatPrompt, NotificationLedger } from '../../core/ports.ts';
import { queryAll } from './items.ts';
import { keys, STATE_TABLE_KEYS } from './schema.ts';

/** A revoke may come up to the longest grant after the prompt was posted; a year covers every policy default. */
const RETENTION_SECONDS = 400 * 86_400;

export class DynamoDbNotificationLedger implements NotificationLedger {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(client: DynamoDBDocumentClient, tables: { readonly stateTable: string }) {
    this.#client = client;
    this.#tableName = tables.stateTable;
  }

  async claim(requestId: string, key: string, at: string): Promise<boolean> {
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
            [STATE_TABLE_KEYS.ttl]: expiry(at),
          },
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
}

function expiry(at: string): number {
  return Math.floor(Date.parse(at) / 1000) + RETENTION_SECONDS;
}
