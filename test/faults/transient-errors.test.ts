// Which DynamoDB failures the request store treats as "try again" (mocked: DynamoDB Local never resets a connection).
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { isTransientError, TransientStoreError } from '../../lambdas/adapters/dynamodb/errors.ts';
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
    id: 'req-network',
    input: submission({ scopes: ['admin'] }),
    requester: people.externalScA,
    catalogue,
    policy,
    now: NOW,
  });
  const event = chainEvent(auditStreamOfRequest('req-network'), EMPTY_CHAIN, transition.event);
  return { transition, event, expectedHead: EMPTY_CHAIN };
}

const networkError = (code: string) => Object.assign(new Error(`read ${code}`), { code });

describe('transient DynamoDB failures', () => {
  it('counts connection resets, timeouts and 5xx answers as transient, and refusals as not', () => {
    // Assess
    expect(isTransientError(networkError('ECONNRESET'))).toBe(true);
    expect(isTransientError(networkError('ETIMEDOUT'))).toBe(true);
    expect(isTransientError(Object.assign(new Error('timed out'), { name: 'TimeoutError' }))).toBe(true);
    expect(isTransientError(Object.assign(new Error('oops'), { $metadata: { httpStatusCode: 503 } }))).toBe(
      true,
    );
    expect(isTransientError(Object.assign(new Error('no'), { name: 'ValidationException' }))).toBe(false);
    expect(isTransientError(Object.assign(new Error('no'), { $metadata: { httpStatusCode: 400 } }))).toBe(
      false,
    );
  });

  it('a write applied whose answer was lost: the retry finds its own change and returns it', async () => {
    // Prepare: the first attempt wrote and lost its answer; the second is refused because the request exists
    const change = creation();
    dynamo
      .on(TransactWriteCommand)
      .rejectsOnce(networkError('ECONNRESET'))
      .rejectsOnce(
        new TransactionCanceledException({
          message: 'Transaction cancelled',
          $metadata: {},
          CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'ConditionalCheckFailed' }],
        }),
      );
    dynamo.on(GetCommand).resolves({
      Item: { id: 'req-network', status: 'PENDING_APPROVAL', auditSeq: 1, auditHash: change.event.hash },
    });
    const store = new DynamoDbRequestStore(dynamo as unknown as DynamoDBDocumentClient, tables);

    // Act
    const stored = await store.commit(change);

    // Assess
    expect(stored).toMatchObject({ id: 'req-network', audit: { seq: 1, hash: change.event.hash } });
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(2);
  });

  it('gives up with KeyholderTransient (which the workflow retries) when the connection keeps failing', async () => {
    // Prepare
    dynamo.on(TransactWriteCommand).rejects(networkError('ECONNRESET'));
    const store = new DynamoDbRequestStore(dynamo as unknown as DynamoDBDocumentClient, tables, {
      maxAttempts: 2,
    });

    // Act
    const outcome = store.commit(creation());

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(TransientStoreError);
    await expect(outcome).rejects.toMatchObject({ name: 'KeyholderTransient' });
  });
});
