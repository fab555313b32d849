// Policy versions and proposals on DynamoDB (the PolicyStore port), all in the POLICY partition: CURRENT holds the
// version in force and the POLICY audit stream's head, so every change (proposal, decision, activation) is
// conditioned on that one item and two concurrent approvals cannot both make a version.
import {
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { EMPTY_CHAIN } from '../../core/audit.ts';
import { ConcurrentChangeError } from '../../core/errors.ts';
import type { Policy } from '../../core/policy.ts';
import type { PolicyProposal, PolicyVersion } from '../../core/policy-change.ts';
import type { PolicyCommit, PolicyState, PolicyStore } from '../../core/ports.ts';
import { auditDayItem, dayOf, streamHeadItem } from './audit-ledger.ts';
import { type Item, queryAll, withoutKeys } from './items.ts';
import type { KeyholderTables } from './request-store.ts';
import { AUDIT_TABLE_KEYS, keys, STATE_TABLE_KEYS } from './schema.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

const VERSION_PREFIX = 'VERSION#';
const PROPOSAL_PREFIX = 'PROPOSAL#';

const firstVersion = (bootstrap: Policy): PolicyVersion => ({ version: 1, policy: bootstrap });

export class DynamoDbPolicyStore implements PolicyStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tables: KeyholderTables;

  constructor(client: DynamoDBDocumentClient, tables: KeyholderTables) {
    this.#client = client;
    this.#tables = tables;
  }

  async state(bootstrap: Policy): Promise<PolicyState> {
    const { Item: item } = await this.#client.send(
      new GetCommand({ TableName: this.#tables.stateTable, Key: keys.policyCurrent(), ConsistentRead: true }),
    );
    if (!item) return { current: firstVersion(bootstrap), audit: EMPTY_CHAIN };
    return {
      current: item.current as PolicyVersion,
      audit: { seq: item.auditSeq as number, hash: item.auditHash as string },
    };
  }

  async versions(bootstrap: Policy): Promise<PolicyVersion[]> {
    const items = await this.#query(VERSION_PREFIX);
    if (items.length === 0) return [firstVersion(bootstrap)];
    return items.map((item) => withoutKeys<PolicyVersion>(item));
  }

  async getProposal(id: string): Promise<PolicyProposal | undefined> {
    const { Item: item } = await this.#client.send(
      new GetCommand({
        TableName: this.#tables.stateTable,
        Key: keys.policyProposal(id),
        ConsistentRead: true,
      }),
    );
    return item ? withoutKeys<PolicyProposal>(item) : undefined;
  }

  async listProposals(): Promise<PolicyProposal[]> {
    return (await this.#query(PROPOSAL_PREFIX)).map((item) => withoutKeys<PolicyProposal>(item));
  }

  async commit(change: PolicyCommit, bootstrap: Policy): Promise<void> {
    const { stateTable, auditTable } = this.#tables;
    const last = change.events.at(-1);
    if (!last) throw new Error('a policy change commits at least one event');
    // A proposal or a denial leaves the version in force; the first stored change writes version 1 there.
    const current = change.activate ?? firstVersion(bootstrap);
    const setCurrent = change.activate
      ? '#current = :current'
      : '#current = if_not_exists(#current, :current)';
    const values: Record<string, unknown> = {
      ':entity': 'POLICY_CURRENT',
      ':current': current,
      ':seq': last.seq,
      ':hash': last.hash,
    };
    const names: Record<string, string> = {
      '#entity': 'entity',
      '#current': 'current',
      '#seq': 'auditSeq',
      '#hash': 'auditHash',
    };
    let headCondition = 'attribute_not_exists(#seq)';
    if (change.expectedHead.seq > 0) {
      values[':expectedSeq'] = change.expectedHead.seq;
      values[':expectedHash'] = change.expectedHead.hash;
      headCondition = '#seq = :expectedSeq AND #hash = :expectedHash';
    }
    const items: TransactItem[] = [
      {
        Update: {
          TableName: stateTable,
          Key: keys.policyCurrent(),
          UpdateExpression: `SET #entity = :entity, ${setCurrent}, #seq = :seq, #hash = :hash`,
          ConditionExpression: headCondition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      },
      this.#proposalItem(change),
      ...change.events.map(
        (event): TransactItem => ({
          Put: {
            TableName: auditTable,
            Item: { ...event },
            ConditionExpression: 'attribute_not_exists(#stream)',
            ExpressionAttributeNames: { '#stream': AUDIT_TABLE_KEYS.partitionKey },
          },
        }),
      ),
      streamHeadItem(stateTable, last),
      // One day marker per UTC day the events fall on (one transaction may not touch an item twice).
      ...[...new Map(change.events.map((event) => [dayOf(event.at), event])).values()].map((event) =>
        auditDayItem(stateTable, event),
      ),
    ];
    // The first stored change also records the deployed policy as version 1, so `?at=` can answer it.
    if (change.expectedHead.seq === 0) items.push(this.#versionItem(firstVersion(bootstrap)));
    if (change.activate) items.push(this.#versionItem(change.activate));
    try {
      await this.#client.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      if ((error as Error).name === 'TransactionCanceledException') {
        throw new ConcurrentChangeError('The policy changed concurrently');
      }
      throw error;
    }
  }

  #proposalItem(change: PolicyCommit): TransactItem {
    const item = {
      ...keys.policyProposal(change.proposal.id),
      entity: 'POLICY_PROPOSAL',
      ...change.proposal,
    };
    if (change.from === undefined) {
      return {
        Put: {
          TableName: this.#tables.stateTable,
          Item: item,
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': STATE_TABLE_KEYS.partitionKey },
        },
      };
    }
    return {
      Put: {
        TableName: this.#tables.stateTable,
        Item: item,
        ConditionExpression: '#status = :from',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':from': change.from },
      },
    };
  }

  #versionItem(version: PolicyVersion): TransactItem {
    return {
      Put: {
        TableName: this.#tables.stateTable,
        Item: { ...keys.policyVersion(version.version), entity: 'POLICY_VERSION', ...version },
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': STATE_TABLE_KEYS.partitionKey },
      },
    };
  }

  #query(prefix: string): Promise<Item[]> {
    return queryAll(this.#client, {
      TableName: this.#tables.stateTable,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': STATE_TABLE_KEYS.partitionKey, '#sk': STATE_TABLE_KEYS.sortKey },
      ExpressionAttributeValues: { ':pk': keys.policyCurrent().pk, ':prefix': prefix },
      ConsistentRead: true,
    });
  }
}
