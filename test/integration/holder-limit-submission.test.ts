// The courtesy holder-limit check at submission on DynamoDB Local: a request naming a dataset whose
// maxConcurrentHolders is reached is refused with HOLDER_LIMIT_REACHED naming it by title and writes nothing; a
// break-glass submission likewise; with a place free it is recorded. The store reads the counters in one Query.
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keys } from '../../lambdas/adapters/dynamodb/schema.ts';
import { HolderLimitReachedError } from '../../lambdas/core/errors.ts';
import { submitAccessRequest } from '../../lambdas/use-cases/submit-request.ts';
import { updateDataset } from '../../lambdas/use-cases/update-dataset.ts';
import { createTestTables, type TestTables } from '../support/dynamodb.ts';
import { datasets, JUSTIFICATION, NOW, people, policyWith } from '../support/fixtures.ts';
import { type SweepWorld, sweepWorld } from '../support/sweep-world.ts';

/** Break-glass open to the holder-to-be, so both kinds of submission meet the same check. */
const withBreakGlass = policyWith({
  breakGlass: {
    eligible: [people.externalScA.id],
    scopes: ['dataset:*'],
    maxDuration: 'PT1H',
    reviewWithin: 'PT24H',
    reviewersRequired: 1,
  },
});

let tables: TestTables;
let world: SweepWorld;

beforeEach(async () => {
  tables = await createTestTables();
  world = await sweepWorld(tables, { now: NOW, policy: withBreakGlass });
  await updateDataset(world.deps, people.accessAdmin, 'hes-apc', { maxConcurrentHolders: 2 });
});

afterEach(async () => {
  await tables.cleanup();
});

/** Sets the holder counter of `datasetId` as grants taking and releasing places leave it. */
async function holding(datasetId: string, count: number): Promise<void> {
  await tables.documentClient.send(
    new PutCommand({
      TableName: tables.stateTable,
      Item: { ...keys.datasetHolders(datasetId), count, datasetId },
    }),
  );
}

const submit = (breakGlass?: boolean) =>
  submitAccessRequest(world.deps, people.externalScA, {
    scopes: ['dataset:hes-apc', 'dataset:mhsds'],
    justification: JUSTIFICATION,
    duration: 'PT1H',
    breakGlass,
  });

describe('the holder limit at submission on DynamoDB Local', () => {
  it('reads every dataset counter in one go', async () => {
    // Prepare
    await holding('hes-apc', 2);
    await holding('mhsds', 5);

    // Act / Assess
    expect(await world.store.datasetHolders()).toEqual(
      new Map([
        ['hes-apc', 2],
        ['mhsds', 5],
      ]),
    );
  });

  it('refuses a request naming a full dataset, by its title, and writes nothing', async () => {
    // Prepare
    await holding('hes-apc', 2);

    // Act
    const refused = await submit().catch((error: unknown) => error);

    // Assess
    expect(refused).toBeInstanceOf(HolderLimitReachedError);
    expect(refused).toMatchObject({ code: 'HOLDER_LIMIT_REACHED' });
    expect((refused as Error).message).toContain(datasets.hesIdentifiable.title);
    expect(await world.store.listRequestsByRequester(people.externalScA.id)).toEqual([]);
  });

  it('refuses a break-glass submission naming a full dataset the same way', async () => {
    await holding('hes-apc', 2);

    const refused = await submit(true).catch((error: unknown) => error);

    expect(refused).toBeInstanceOf(HolderLimitReachedError);
    expect(await world.store.listRequestsByRequester(people.externalScA.id)).toEqual([]);
  });

  it('records the request while one place is free', async () => {
    await holding('hes-apc', 1);

    const stored = await submit();

    expect(stored.status).toBe('PENDING_APPROVAL');
    expect((await world.store.listRequestsByRequester(people.externalScA.id)).map((r) => r.id)).toEqual([
      stored.id,
    ]);
  });
});
