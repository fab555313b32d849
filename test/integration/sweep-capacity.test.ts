// The sweep reads what is due, not the table: over 1,000 and over 20,000 active grants with the same grants due, it
// consumes the same read capacity (ReturnConsumedCapacity on DynamoDB Local) and never sends a Scan.
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { STATUS_INDEX, STATUS_INDEX_KEYS } from '../../lambdas/adapters/dynamodb/schema.ts';
import { addDuration } from '../../lambdas/core/duration.ts';
import { sweep } from '../../lambdas/use-cases/sweep.ts';
import { meteredClient } from '../support/capacity-meter.ts';
import { createTestTables, type TestTables } from '../support/dynamodb.ts';
import { people } from '../support/fixtures.ts';
import { activeGrant, cloneActiveGrants, reviewOpened, sweepWorld } from '../support/sweep-world.ts';

const NOW = '2027-03-01T12:00:00.000Z';
const ago = (duration: string) =>
  new Date(Date.parse(NOW) - (Date.parse(addDuration(NOW, duration)) - Date.parse(NOW))).toISOString();

/** `background` grants nobody has to act on, and the same nine due ones: 3 expired, 3 reviews due, 3 overdue. */
async function tableWith(background: number) {
  const tables = await createTestTables();
  const meter = meteredClient(tables.endpoint);
  const world = await sweepWorld(tables, { client: meter.client, now: NOW });
  const deps = world.deps;
  for (let i = 0; i < 3; i++) {
    await activeGrant(deps, {
      id: `expired-${i}`,
      requester: people.externalScA,
      duration: 'PT1H',
      grantedAt: ago('PT2H'),
    });
    await activeGrant(deps, {
      id: `review-${i}`,
      requester: people.externalScB,
      duration: 'P60D',
      grantedAt: ago('P31D'),
    });
    const overdue = await activeGrant(deps, {
      id: `overdue-${i}`,
      requester: people.externalDvA,
      duration: 'P60D',
      grantedAt: ago('P40D'),
    });
    await reviewOpened(deps, overdue, ago('P5D'));
  }
  const template = await activeGrant(deps, {
    id: 'quiet-0',
    requester: people.externalDvB,
    duration: 'P60D',
    grantedAt: ago('P1D'),
  });
  await cloneActiveGrants(tables, template, background - 1, 'quiet-copy');
  return { tables, meter, world };
}

describe('the sweep reads O(due), not O(table)', () => {
  const created: TestTables[] = [];
  afterAll(async () => {
    await Promise.all(created.map((tables) => tables.cleanup()));
  });

  it('consumes the same read capacity over 1,000 and 20,000 active grants with the same nine due', async () => {
    // Prepare
    const small = await tableWith(1_000);
    const large = await tableWith(20_000);
    created.push(small.tables, large.tables);
    small.meter.reset();
    large.meter.reset();

    // Act
    const smallReport = await sweep(small.world.deps);
    const smallReads = small.meter.reads();
    const largeReport = await sweep(large.world.deps);
    const largeReads = large.meter.reads();

    // Assess: the same work, found by the same index reads
    for (const report of [smallReport, largeReport]) {
      expect(report.expired.sort()).toEqual(['expired-0', 'expired-1', 'expired-2']);
      expect(report.reviewsPrompted.sort()).toEqual(['review-0', 'review-1', 'review-2']);
      expect(report.reviewOverdue.sort()).toEqual(['overdue-0', 'overdue-1', 'overdue-2']);
      expect(report.read).toEqual({ grants: 3, requests: 6, principals: 1 });
      expect(report.failures).toEqual([]);
    }
    expect(small.meter.commands).not.toContain('ScanCommand');
    expect(large.meter.commands).not.toContain('ScanCommand');
    expect(smallReads).toBeGreaterThan(0);
    expect(largeReads).toBe(smallReads);
    expect(large.meter.writes()).toBe(small.meter.writes());

    // Assess: merely reading the whole active-grant index (what a holder-by-holder check would do) costs far more
    large.meter.reset();
    let page: Record<string, unknown> | undefined;
    do {
      const answer = await large.meter.client.send(
        new QueryCommand({
          TableName: large.tables.stateTable,
          IndexName: STATUS_INDEX.name,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': STATUS_INDEX.partitionKey },
          ExpressionAttributeValues: { ':pk': STATUS_INDEX_KEYS.activeGrants },
          ExclusiveStartKey: page,
        }),
      );
      page = answer.LastEvaluatedKey;
    } while (page);
    expect(large.meter.reads()).toBeGreaterThan(largeReads * 10);
  }, 120_000);
});
