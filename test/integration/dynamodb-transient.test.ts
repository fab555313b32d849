// How the request store treats refusals DynamoDB Local never produces (transaction conflicts, throttling): mocked.
import { ThrottlingException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { TransientStoreError } from '../../lambdas/adapters/dynamodb/errors.ts';
import { DynamoDbRequestStore } from '../../lambdas/adapters/dynamodb/request-store.ts';
import { auditStreamOfRequest } from '../../lambdas/adapters/dynamodb/schema.ts';
import { chainEvent, EMPTY_CHAIN } from '../../lambdas/core/audit.ts';
import { submitRequest } from '../../lambdas/core/lifecycle.ts';
import type { RequestChange } from '../../lambdas/core/ports.ts';
import { catalogue, NOW, people, policy, submission } from '../support/fixtures.ts';

const dynamo = mockClient(DynamoDBDocumentClient);
const tables = { stateTable: 'state', auditTable: 'audit' };

afterEach(() => {
  dynamo.reset();
});

function creation(): RequestChange {
  const transition = submitRequest({
    id: 'req-mocked',
    input: submission({ scopes: ['admin'] }),
    requester: people.externalScA,
    catalogue,
    policy,
    now: NOW,
  });
  const event = chainEvent(auditStreamOfRequest('req-mocked'), EMPTY_CHAIN, transition.event);
  return { transition, event, expectedHead: EMPTY_CHAIN };
}

function cancelledBy(...codes: string[]): TransactionCanceledException {
  return new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
}

describe('DynamoDbRequestStore under contention', () => {
  it('tries a commit again after a transaction conflict, and succeeds', async () => {
    // Prepare
    dynamo
      .on(TransactWriteCommand)
      .rejectsOnce(cancelledBy('None', 'None', 'TransactionConflict'))
      .resolves({});
    const store = new DynamoDbRequestStore(dynamo as unknown as DynamoDBDocumentClient, tables);

    // Act
    const stored = await store.commit(creation());

    // Assess
    expect(stored).toMatchObject({ id: 'req-mocked', status: 'PENDING_APPROVAL', audit: { seq: 1 } });
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(2);
  });

  it('gives up with a KeyholderTransient error when throttling persists', async () => {
    // Prepare
    dynamo.on(TransactWriteCommand).rejects(new ThrottlingException({ message: 'slow down', $metadata: {} }));
    const store = new DynamoDbRequestStore(dynamo as unknown as DynamoDBDocumentClient, tables, {
      maxAttempts: 3,
    });

    // Act
    const outcome = store.commit(creation());

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(TransientStoreError);
    await expect(outcome).rejects.toMatchObject({ name: 'KeyholderTransient' });
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(3);
  });

  it('writes the request, its audit event and the admin lock in one transaction', async () => {
    // Prepare
    dynamo.on(TransactWriteCommand).resolves({});
    const store = new DynamoDbRequestStore(dynamo as unknown as DynamoDBDocumentClient, tables);

    // Act
    await store.commit(creation());

    // Assess
    const [call] = dynamo.commandCalls(TransactWriteCommand);
    const items = call?.args[0].input.TransactItems ?? [];
    // Then the stream's recorded head and its day marker (issue 5), last so the parts above keep their places.
    expect(items.map((item) => Object.keys(item)[0])).toEqual(['Put', 'Put', 'Put', 'Update', 'Put']);
    expect(items[3]?.Update?.Key).toEqual({ pk: 'AUDIT#STREAMS', sk: 'REQUEST#req-mocked' });
    expect(items[4]?.Put?.Item).toMatchObject({
      pk: expect.stringMatching(/^AUDIT#DAY#/),
      sk: 'REQUEST#req-mocked',
    });
    expect(items[0]?.Put).toMatchObject({
      TableName: 'state',
      ConditionExpression: 'attribute_not_exists(#pk)',
    });
    expect(items[0]?.Put?.Item).toMatchObject({ gsi1pk: 'REQUEST#PENDING', gsi2pk: 'REQUESTER#xena.sc' });
    expect(items[1]?.Put).toMatchObject({
      TableName: 'audit',
      ConditionExpression: 'attribute_not_exists(#stream)',
    });
    expect(items[2]?.Put?.Item).toMatchObject({ sk: 'OPEN_ADMIN_REQUEST', requestId: 'req-mocked' });
  });
});
