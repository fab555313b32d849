// The directory adapter, the seeding function and the table creation, against DynamoDB Local.
import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbDirectory } from '../../lambdas/adapters/dynamodb/directory.ts';
import { REQUESTER_INDEX, STATUS_INDEX } from '../../lambdas/adapters/dynamodb/schema.ts';
import { startDynamoDbLocal } from '../../local/dynamodb-local.ts';
import { seedDirectory } from '../../local/seed.ts';
import { createTables } from '../../local/tables.ts';
import { createTestTables, type TestTables } from '../support/dynamodb.ts';
import { datasets, directory as people, principal } from '../support/fixtures.ts';

let tables: TestTables;
let directory: DynamoDbDirectory;

beforeEach(async () => {
  tables = await createTestTables();
  directory = new DynamoDbDirectory(tables.documentClient, tables);
});

afterEach(async () => {
  await tables.cleanup();
});

describe('DynamoDbDirectory', () => {
  it('lists every seeded principal and dataset exactly as given, without storage attributes', async () => {
    // Prepare
    const catalogue = Object.values(datasets);

    // Act
    await seedDirectory(directory, { principals: people, datasets: catalogue });

    // Assess
    const byId = <T extends { id: string }>(items: readonly T[]) =>
      [...items].sort((a, b) => a.id.localeCompare(b.id));
    expect(byId(await directory.listPrincipals())).toEqual(byId(people));
    expect(byId(await directory.listDatasets())).toEqual(byId(catalogue));
  });

  it('gets one principal by id, and nothing for an unknown id', async () => {
    // Prepare
    const lapsed = principal({
      id: 'lee.lapsed',
      organisation: 'Acme Analytics',
      slackUserId: 'U123',
      clearance: undefined,
    });
    await directory.putPrincipal(lapsed);

    // Act
    const found = await directory.getPrincipal('lee.lapsed');
    const missing = await directory.getPrincipal('nobody');

    // Assess
    expect(found).toEqual({ ...lapsed, clearance: undefined });
    expect(found).not.toHaveProperty('clearance');
    expect(missing).toBeUndefined();
  });

  it('replaces a principal seeded again, so a deactivation takes effect', async () => {
    // Prepare
    await seedDirectory(directory, { principals: [principal({ id: 'pat' })], datasets: [] });

    // Act
    await seedDirectory(directory, { principals: [principal({ id: 'pat', active: false })], datasets: [] });

    // Assess
    expect(await directory.getPrincipal('pat')).toMatchObject({ active: false });
    expect(await directory.listPrincipals()).toHaveLength(1);
  });

  it('refuses a seed that names the same principal twice', async () => {
    // Prepare
    const twice = [principal({ id: 'pat' }), principal({ id: 'pat', name: 'Other Pat' })];

    // Act
    const outcome = seedDirectory(directory, { principals: twice, datasets: [] });

    // Assess
    await expect(outcome).rejects.toThrow('the seed names principal pat twice');
    expect(await directory.listPrincipals()).toEqual([]);
  });
});

describe('createTables', () => {
  it('creates both indexes with every attribute projected and TTL on the state table, and can run again', async () => {
    // Prepare
    const names = { stateTable: tables.stateTable, auditTable: tables.auditTable };

    // Act
    await createTables(tables.client, names);

    // Assess
    const { Table } = await tables.client.send(new DescribeTableCommand({ TableName: tables.stateTable }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(
      Table?.GlobalSecondaryIndexes?.map((index) => ({
        name: index.IndexName,
        keys: index.KeySchema?.map((key) => key.AttributeName),
        projection: index.Projection?.ProjectionType,
      })),
    ).toEqual(
      expect.arrayContaining([
        {
          name: STATUS_INDEX.name,
          keys: [STATUS_INDEX.partitionKey, STATUS_INDEX.sortKey],
          projection: 'ALL',
        },
        {
          name: REQUESTER_INDEX.name,
          keys: [REQUESTER_INDEX.partitionKey, REQUESTER_INDEX.sortKey],
          projection: 'ALL',
        },
      ]),
    );
    const ttl = await tables.client.send(new DescribeTimeToLiveCommand({ TableName: tables.stateTable }));
    expect(ttl.TimeToLiveDescription).toMatchObject({ TimeToLiveStatus: 'ENABLED', AttributeName: 'ttl' });
    const audit = await tables.client.send(new DescribeTableCommand({ TableName: tables.auditTable }));
    expect(audit.Table?.KeySchema?.map((key) => key.AttributeName)).toEqual(['stream', 'seq']);
  });
});

describe('startDynamoDbLocal', () => {
  it('fails with a message saying what to install when java is missing', async () => {
    // Prepare
    const javaHome = process.env.JAVA_HOME;
    process.env.JAVA_HOME = '/nonexistent-java-home';

    // Act
    const outcome = startDynamoDbLocal();

    // Assess
    try {
      await expect(outcome).rejects.toThrow(/Java was not found .*Java 17\+ runtime/);
    } finally {
      if (javaHome === undefined) delete process.env.JAVA_HOME;
      else process.env.JAVA_HOME = javaHome;
    }
  });
});
