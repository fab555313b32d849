// A smoke run of `npm run bench`: every section at tiny sizes, through the same code as the full run; asserts the
// report's shape and the invariants (no cap overshoot, a finite sweep ratio, 8 transitions), not the speed.
import { describe, expect, it } from 'vitest';
import { type BenchReport, QUICK_SIZES, runBench, SECTIONS } from '../../bench/bench.ts';
import { formatReport } from '../../bench/report.ts';
import { dynamodbEndpoint } from '../support/dynamodb.ts';

const percentileShape = {
  count: expect.any(Number),
  p50: expect.any(Number),
  p95: expect.any(Number),
  p99: expect.any(Number),
  max: expect.any(Number),
  mean: expect.any(Number),
};

describe('npm run bench (smoke run at tiny sizes)', () => {
  it('measures every section in one run and reports figures and targets', async () => {
    // Prepare
    const lines: string[] = [];

    // Act
    const report: BenchReport = await runBench({
      // The Slack runs at two clicks (one while the channel hangs, for 1 s): the shape, not the figures.
      sizes: {
        ...QUICK_SIZES,
        latencyClients: [1, 3],
        throughputClients: 5,
        requesters: 10,
        slackClicks: 2,
        slackHangingClicks: 1,
        slackHangMs: 1_000,
      },
      log: (line) => lines.push(line),
      // The run's DynamoDB Local: tables of its own per stack, no JVM of its own.
      sharedDynamoDb: dynamodbEndpoint(),
    });

    // Assess: nothing failed, every section is there
    expect(report.failed).toEqual({});
    expect(Object.keys(report.sections).sort()).toEqual([...SECTIONS].sort());
    const { transitions, cap, sweep, latency, throughput, bundles, audit } = report.sections;

    // Assess: the invariants
    expect(transitions).toMatchObject({ transitions: 8, status: 'EXPIRED', executionStatus: 'SUCCEEDED' });
    expect(cap).toMatchObject({
      requesters: 20,
      cap: 5,
      submitted: 20,
      active: 5,
      rejected: 15,
      overshoot: 0,
    });
    expect(cap?.adminHolders).toBe(5);
    expect(cap?.settled).toBe(true);
    expect(sweep?.small.activeGrants).toBe(200);
    expect(sweep?.large.activeGrants).toBe(1000);
    expect(sweep?.small.scans).toBe(0);
    expect(sweep?.large.scans).toBe(0);
    expect(sweep?.small.acted).toEqual(sweep?.large.acted);
    expect(Number.isFinite(sweep?.readRatio)).toBe(true);
    expect(sweep?.readRatio).toBeGreaterThan(0);

    // Assess: latency and throughput measured something, without errors
    expect(latency?.runs.map((run) => run.clients)).toEqual([1, 3]);
    for (const run of latency?.runs ?? []) {
      expect(run).toMatchObject({ errors: 0, completed: run.requests });
      expect(run.submitToNotifiedMs).toEqual(percentileShape);
      expect(run.approveToActiveMs.p50).toBeGreaterThan(0);
    }
    expect(throughput).toMatchObject({ clients: 5, errors: 0, backlogDrained: true });
    expect(throughput?.submissions).toBeGreaterThan(0);

    // Assess: the Slack acknowledgement, healthy and hanging, each click timed
    const slack = report.sections.slack;
    expect(slack?.runs.map((run) => `${run.mode}/${run.channel}`)).toEqual([
      'queue/healthy',
      'queue/hanging',
    ]);
    for (const run of slack?.runs ?? []) expect(run.ackMs.count).toBe(run.clicks);
    const queuedHanging = slack?.runs.find((run) => run.mode === 'queue' && run.channel === 'hanging');
    expect(queuedHanging?.overSlackBudget).toBe(0);
    expect(throughput?.perSecond).toBeGreaterThan(0);

    // Assess: bundles and audit
    expect(bundles?.count).toBe(2);
    for (const entry of bundles?.entries ?? []) {
      expect(entry.bytes).toBeGreaterThan(10_000);
      expect(entry.initMs).toBeGreaterThan(0);
    }
    expect(audit).toMatchObject({ events: 2000 });
    expect(audit?.pureVerifyPerSecond).toBeGreaterThan(0);
    expect(audit?.pointInTimeMs).toEqual(percentileShape);

    // Assess: SCIM, on its own throwaway stack: every lookup and write answered, read back as sent
    const scim = report.sections.scim;
    expect(scim?.initial).toMatchObject({ users: 50, completed: 50, calls: 100, errors: 0 });
    expect(scim?.initial.callsByKind).toEqual({ lookup: 50, create: 50 });
    expect(scim?.delta).toMatchObject({ users: 20, completed: 20, calls: 40, errors: 0 });
    expect(scim?.delta.callsByKind).toEqual({ lookup: 20, patch: 20 });
    expect(scim?.initial.callMs).toEqual(percentileShape);
    expect(scim?.initial.memory.peakRssBytes).toBeGreaterThan(0);
    expect(scim?.directory).toEqual({
      provisioned: 50,
      deactivated: 4,
      expectedProvisioned: 50,
      expectedDeactivated: 4,
    });

    // Assess: every target has a verdict, and the table prints them all
    expect(Object.keys(report.targets)).toEqual(
      expect.arrayContaining([
        'transitions',
        'capOvershoot',
        'sweepReadRatio',
        'throughputErrors',
        'bundleBytes:submit-request',
        'bundleInit:submit-request',
        'scimInitialErrors',
        'scimDeltaErrors',
      ]),
    );
    expect(report.targets.capOvershoot?.pass).toBe(true);
    expect(report.targets.transitions?.pass).toBe(true);
    const printed = formatReport(report);
    for (const target of Object.values(report.targets)) expect(printed).toContain(target.what);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  }, 240_000);
});
