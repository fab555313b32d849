// Benchmark section: the sweep's consumed read capacity over a small and a large table of active grants with the
// same grants due (DynamoDB Local reports ConsumedCapacity), and the ratio: a sweep should cost what is due.
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { documentClientFor } from '../../lambdas/commons/clients.ts';
import { addDuration } from '../../lambdas/core/duration.ts';
import { sweep } from '../../lambdas/use-cases/sweep.ts';
import { createTables, deleteTables } from '../../local/tables.ts';
import { meteredClient } from '../../test/support/capacity-meter.ts';
import type { TestTables } from '../../test/support/dynamodb.ts';
import { people } from '../../test/support/fixtures.ts';
import { activeGrant, cloneActiveGrants, reviewOpened, sweepWorld } from '../../test/support/sweep-world.ts';
import { mapConcurrent } from '../support.ts';

const NOW = '2027-03-01T12:00:00.000Z';
const ago = (duration: string) =>
  new Date(Date.parse(NOW) - (Date.parse(addDuration(NOW, duration)) - Date.parse(NOW))).toISOString();

export interface SweepRun {
  readonly activeGrants: number;
  readonly readUnits: number;
  readonly writeUnits: number;
  readonly calls: number;
  readonly scans: number;
  readonly sweepMs: number;
  readonly seedMs: number;
  readonly acted: {
    readonly expired: number;
    readonly reviewsPrompted: number;
    readonly reviewOverdue: number;
  };
  readonly failures: number;
}

export interface SweepResult {
  readonly due: number;
  readonly small: SweepRun;
  readonly large: SweepRun;
  /** Large over small consumed read capacity: 1 when the sweep reads only what is due. */
  readonly readRatio: number;
}

/** Fresh tables on `endpoint`, shaped as the test helpers expect them. */
async function benchTables(endpoint: string): Promise<TestTables> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'eu-west-2',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  const suffix = randomUUID().slice(0, 8);
  const names = { stateTable: `bench-sweep-state-${suffix}`, auditTable: `bench-sweep-audit-${suffix}` };
  await createTables(client, names);
  return {
    ...names,
    endpoint,
    client,
    documentClient: documentClientFor(client),
    cleanup: async () => {
      await deleteTables(client, names);
      client.destroy();
    },
  };
}

/** `activeGrants` in all, `due` of them due now (a third expired, a third with a review due, a third overdue). */
async function measure(endpoint: string, activeGrants: number, due: number): Promise<SweepRun> {
  const tables = await benchTables(endpoint);
  const metered = meteredClient(endpoint);
  try {
    const seedStarted = performance.now();
    const world = await sweepWorld(tables, { client: metered.client, now: NOW });
    const kinds = Array.from({ length: due }, (_, index) => index % 3);
    await mapConcurrent(kinds, 8, async (kind, index) => {
      if (kind === 0) {
        await activeGrant(world.deps, {
          id: `expired-${index}`,
          requester: people.externalScA,
          duration: 'PT1H',
          grantedAt: ago('PT2H'),
        });
      } else if (kind === 1) {
        await activeGrant(world.deps, {
          id: `review-${index}`,
          requester: people.externalScB,
          duration: 'P60D',
          grantedAt: ago('P31D'),
        });
      } else {
        const overdue = await activeGrant(world.deps, {
          id: `overdue-${index}`,
          requester: people.externalDvA,
          duration: 'P60D',
          grantedAt: ago('P40D'),
        });
        await reviewOpened(world.deps, overdue, ago('P5D'));
      }
    });
    const quiet = activeGrants - due;
    if (quiet > 0) {
      const template = await activeGrant(world.deps, {
        id: 'quiet-0',
        requester: people.externalDvB,
        duration: 'P60D',
        grantedAt: ago('P1D'),
      });
      await cloneActiveGrants(tables, template, quiet - 1, 'quiet-copy');
    }
    const seedMs = performance.now() - seedStarted;

    metered.reset();
    const began = performance.now();
    const report = await sweep(world.deps);
    const sweepMs = performance.now() - began;
    return {
      activeGrants,
      readUnits: metered.reads(),
      writeUnits: metered.writes(),
      calls: metered.commands.length,
      scans: metered.commands.filter((name) => name === 'ScanCommand').length,
      sweepMs,
      seedMs,
      acted: {
        expired: report.expired.length,
        reviewsPrompted: report.reviewsPrompted.length,
        reviewOverdue: report.reviewOverdue.length,
      },
      failures: report.failures.length,
    };
  } finally {
    metered.destroy();
    await tables.cleanup();
  }
}

export async function benchSweep(options: {
  readonly endpoint: string;
  readonly small: number;
  readonly large: number;
  readonly due: number;
  readonly log?: (line: string) => void;
}): Promise<SweepResult> {
  const log = options.log ?? (() => undefined);
  const small = await measure(options.endpoint, options.small, options.due);
  log(`  ${small.activeGrants} grants: ${small.readUnits} RCU in ${small.sweepMs.toFixed(0)} ms`);
  const large = await measure(options.endpoint, options.large, options.due);
  log(`  ${large.activeGrants} grants: ${large.readUnits} RCU in ${large.sweepMs.toFixed(0)} ms`);
  return { due: options.due, small, large, readRatio: large.readUnits / small.readUnits };
}
