// GET /access/timeline against a scripted history on DynamoDB Local: the intervals overlapping a window (held at its
// start, read from the time buckets, and started in it, a key range of each scope's partition) and the external
// admins over time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbAccessHistory } from '../../lambdas/adapters/dynamodb/access-history.ts';
import { DynamoDbRequestStore } from '../../lambdas/adapters/dynamodb/request-store.ts';
import type { Directory } from '../../lambdas/core/ports.ts';
import { accessTimelineOf } from '../../lambdas/use-cases/access-timeline.ts';
import { createTestTables, type TestTables } from '../support/dynamodb.ts';
import { datasets, directory, people, policy } from '../support/fixtures.ts';
import { at, scriptHistory, T0 } from '../support/scripted-history.ts';

let tables: TestTables;
const NOW = at('PT75H');

function deps() {
  return {
    clock: { now: () => NOW },
    policy,
    directory: {
      listPrincipals: async () => [...directory],
      listDatasets: async () => Object.values(datasets),
    } as unknown as Directory,
    history: new DynamoDbAccessHistory(tables.documentClient, tables),
  };
}

beforeAll(async () => {
  tables = await createTestTables();
  await scriptHistory(new DynamoDbRequestStore(tables.documentClient, tables));
});

afterAll(async () => {
  await tables.cleanup();
});

const window = (from: string, to: string) =>
  accessTimelineOf(deps(), people.auditor, { from: at(from), to: at(to) });
const rows = (timeline: Awaited<ReturnType<typeof window>>) =>
  timeline.intervals.map(
    (entry) => `${entry.scope}:${entry.requestId}:${entry.to ?? 'open'}:${entry.endReason ?? ''}`,
  );

describe('GET /access/timeline', () => {
  it('gives what was held at the start and what started in the window, each once, with how it ended', async () => {
    const timeline = await window('PT4H', 'PT10H');
    expect(rows(timeline)).toEqual([
      `admin:r2:${at('PT5H')}:REVOKED`,
      `dataset:hes-apc:r1:${at('PT26H')}:EXPIRED`,
      'dataset:mhsds:r3:open:',
    ]);
    expect(timeline.intervals[0]?.principal).toEqual({
      id: 'yara.dv',
      name: 'Yara DV',
      organisation: 'Globex Consulting',
      external: true,
    });
    expect(timeline.cap).toBe(policy.externalAdminCap);
    expect(timeline.adminsOverTime).toEqual([
      { at: at('PT4H'), count: 1 },
      { at: at('PT5H'), count: 0 },
    ]);
  });

  it('counts a start at the window start once and leaves out what starts at its end', async () => {
    expect(rows(await window('PT2H', 'PT3H'))).toEqual([`dataset:hes-apc:r1:${at('PT26H')}:EXPIRED`]);
    expect(rows(await accessTimelineOf(deps(), people.auditor, { from: T0, to: at('PT2H') }))).toEqual([]);
    const admins = await window('PT2H30M', 'PT3H30M');
    expect(admins.adminsOverTime).toEqual([
      { at: at('PT2H30M'), count: 0 },
      { at: at('PT3H'), count: 1 },
    ]);
  });

  it('defaults to the last 7 days and refuses callers who may not see access', async () => {
    const timeline = await accessTimelineOf(deps(), people.homeDirector, {});
    expect([timeline.from, timeline.to]).toEqual([
      new Date(Date.parse(NOW) - 7 * 86_400_000).toISOString(),
      NOW,
    ]);
    expect(rows(timeline).length).toBe(3);
    await expect(accessTimelineOf(deps(), people.externalScA, {})).rejects.toMatchObject({
      code: 'NOT_ALLOWED',
    });
  });
});
