// Dataset owners and holder limits on DynamoDB Local: the audited change to a catalogue entry (its own hash-chained
// stream, which verify covers), a refused change writing nothing, and a seeding run keeping what an admin set.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbAuditLedger } from '../../lambdas/adapters/dynamodb/audit-ledger.ts';
import { DynamoDbDirectory } from '../../lambdas/adapters/dynamodb/directory.ts';
import { DynamoDbRequestStore } from '../../lambdas/adapters/dynamodb/request-store.ts';
import { auditStreamOfRequest, keys } from '../../lambdas/adapters/dynamodb/schema.ts';
import { chainEvent, EMPTY_CHAIN } from '../../lambdas/core/audit.ts';
import { HolderLimitReachedError, ValidationError } from '../../lambdas/core/errors.ts';
import {
  decideRequest,
  expireGrant,
  grantAccess,
  submitRequest,
  type Transition,
} from '../../lambdas/core/lifecycle.ts';
import type { Dataset } from '../../lambdas/core/model.ts';
import type { StoredRequest } from '../../lambdas/core/ports.ts';
import { updateDataset } from '../../lambdas/use-cases/update-dataset.ts';
import { verifyAuditTrail } from '../../lambdas/use-cases/verify-audit.ts';
import { seedDirectory } from '../../local/seed.ts';
import { createTestTables, type TestTables } from '../support/dynamodb.ts';
import {
  catalogueOf,
  datasets,
  later,
  NOW,
  directory as people,
  policy,
  principal,
  submission,
  people as who,
} from '../support/fixtures.ts';

let tables: TestTables;
let directory: DynamoDbDirectory;
const clock = { now: () => NOW };

beforeEach(async () => {
  tables = await createTestTables();
  directory = new DynamoDbDirectory(tables.documentClient, tables);
  await seedDirectory(directory, { principals: people, datasets: Object.values(datasets) });
});

afterEach(async () => {
  await tables.cleanup();
});

describe('PATCH /datasets/{id} on DynamoDB Local', () => {
  it('sets owners and the limit with a DATASET_UPDATED event on the dataset stream, which verifies', async () => {
    // Act
    const first = await updateDataset({ directory, clock }, who.accessAdmin, 'hes-apc', {
      owners: [who.manager.id, who.homeDirector.id],
      maxConcurrentHolders: 2,
    });
    const second = await updateDataset({ directory, clock }, who.accessAdmin, 'hes-apc', {
      maxConcurrentHolders: null,
    });
    const retried = await updateDataset({ directory, clock }, who.accessAdmin, 'hes-apc', {
      maxConcurrentHolders: null,
    });

    // Assess
    expect(first.changed).toEqual(['owners', 'maxConcurrentHolders']);
    expect(second.changed).toEqual(['maxConcurrentHolders']);
    expect(retried.changed).toEqual([]);
    const stored = (await directory.listDatasets()).find((entry) => entry.id === 'hes-apc');
    expect(stored).toEqual({ ...datasets.hesIdentifiable, owners: [who.homeDirector.id, who.manager.id] });
    const ledger = new DynamoDbAuditLedger(tables.documentClient, tables);
    const events = await ledger.readAuditStream('DATASET#hes-apc');
    expect(events.map((event) => [event.seq, event.action, event.actor.id])).toEqual([
      [1, 'DATASET_UPDATED', who.accessAdmin.id],
      [2, 'DATASET_UPDATED', who.accessAdmin.id],
    ]);
    expect(events[0]?.details).toMatchObject({
      owners: [who.homeDirector.id, who.manager.id],
      maxConcurrentHolders: 2,
    });
    const verdict = await verifyAuditTrail({ ledger, clock });
    expect(verdict.ok).toBe(true);
    const heads = await ledger.listStreamHeads();
    expect(heads.find((head) => head.stream === 'DATASET#hes-apc')).toMatchObject({ seq: 2 });
  });

  it('refuses an unknown owner naming the field, and a non-admin, writing nothing', async () => {
    // Act
    const unknown = updateDataset({ directory, clock }, who.accessAdmin, 'hes-apc', { owners: ['nobody'] });

    // Assess
    await expect(unknown).rejects.toBeInstanceOf(ValidationError);
    await expect(unknown).rejects.toMatchObject({ field: 'owners[0]' });
    await expect(
      updateDataset({ directory, clock }, who.homeDirector, 'hes-apc', { owners: [] }),
    ).rejects.toMatchObject({ code: 'NOT_ALLOWED' });
    expect(await directory.getDatasetRecord('hes-apc')).toEqual({
      dataset: datasets.hesIdentifiable,
      audit: { seq: 0, hash: expect.any(String) },
    });
  });

  it('keeps owners, the limit and the chain head when the catalogue is seeded again', async () => {
    // Prepare
    await updateDataset({ directory, clock }, who.accessAdmin, 'mhsds', { owners: [who.manager.id] });

    // Act
    await seedDirectory(directory, { principals: people, datasets: Object.values(datasets) });

    // Assess
    const record = await directory.getDatasetRecord('mhsds');
    expect(record?.dataset.owners).toEqual([who.manager.id]);
    expect(record?.audit.seq).toBe(1);
  });
});

describe('maxConcurrentHolders on DynamoDB Local', () => {
  const limited: Dataset = { ...datasets.hesIdentifiable, maxConcurrentHolders: 3 };
  const catalogue = catalogueOf(limited, datasets.mhsdsIdentifiable);
  const holders = async (id: string) =>
    (
      await tables.documentClient.send(
        new GetCommand({ TableName: tables.stateTable, Key: keys.datasetHolders(id) }),
      )
    ).Item?.count;

  async function commit(store: DynamoDbRequestStore, transition: Transition, from?: StoredRequest) {
    const head = from?.audit ?? EMPTY_CHAIN;
    const event = chainEvent(auditStreamOfRequest(transition.request.id), head, transition.event);
    return await store.commit({ transition, event, expectedHead: head });
  }

  async function approvedRequest(store: DynamoDbRequestStore, index: number): Promise<StoredRequest> {
    const requester = principal({
      id: `holder-${index}`,
      organisation: 'Acme Analytics',
      grade: 'contractor',
    });
    const input = submission({ scopes: ['dataset:hes-apc', 'dataset:mhsds'] });
    const submitted = submitRequest({ id: `req-h${index}`, input, requester, catalogue, policy, now: NOW });
    const pending = await commit(store, submitted);
    const decided = decideRequest({
      request: pending,
      approver: who.homeDirector,
      decision: 'approve',
      channel: 'api',
      policy,
      now: later('PT1H'),
    });
    return await commit(store, decided, pending);
  }

  it('lets exactly the limit through when 12 approved requests are granted at once; a retry counts once', async () => {
    // Prepare
    const store = new DynamoDbRequestStore(tables.documentClient, tables);
    const approved = await Promise.all(
      Array.from({ length: 12 }, (_, index) => approvedRequest(store, index)),
    );

    // Act
    const outcomes = await Promise.allSettled(
      approved.map((request) =>
        commit(store, grantAccess(request, policy, later('PT2H'), catalogue), request),
      ),
    );

    // Assess
    const winners = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const losers = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(winners).toHaveLength(3);
    for (const loser of losers) expect(loser.reason).toBeInstanceOf(HolderLimitReachedError);
    expect(losers[0]?.reason.message).toBe('dataset hes-apc already has 3 concurrent holders, its limit');
    expect(await holders('hes-apc')).toBe(3);
    // The unlimited dataset of the same requests counts only the grants that committed: all or nothing.
    expect(await holders('mhsds')).toBe(3);
    expect(await store.listActiveGrants()).toHaveLength(6);

    // Act: a retried grant of a winner (its response lost) is the same commit, not a second holder
    const first = approved.find((_, index) => outcomes[index]?.status === 'fulfilled') as StoredRequest;
    const again = await commit(store, grantAccess(first, policy, later('PT2H'), catalogue), first);

    // Assess
    expect(again.status).toBe('ACTIVE');
    expect(await holders('hes-apc')).toBe(3);
  });

  it('gives the place back when access ends, so the next grant fits', async () => {
    // Prepare
    const store = new DynamoDbRequestStore(tables.documentClient, tables);
    const one: Dataset = { ...datasets.hesIdentifiable, maxConcurrentHolders: 1 };
    const tight = catalogueOf(one, datasets.mhsdsIdentifiable);
    const [a, b] = [await approvedRequest(store, 1), await approvedRequest(store, 2)] as [
      StoredRequest,
      StoredRequest,
    ];
    const active = await commit(store, grantAccess(a, policy, later('PT2H'), tight), a);
    await expect(commit(store, grantAccess(b, policy, later('PT2H'), tight), b)).rejects.toBeInstanceOf(
      HolderLimitReachedError,
    );

    // Act
    const ended = expireGrant(active, policy, later('PT12H'));
    await commit(store, ended as Transition, active);
    const next = await commit(store, grantAccess(b, policy, later('PT12H'), tight), b);

    // Assess
    expect(next.status).toBe('ACTIVE');
    expect(await holders('hes-apc')).toBe(1);
    expect(await holders('mhsds')).toBe(1);
  });
});
