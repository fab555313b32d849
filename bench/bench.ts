// The benchmark as a function: runs the selected sections against one local stack (and its DynamoDB Local),
// returns every figure with the targets it is held to. bench/run.ts is its command line; the smoke test calls it.
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbDirectory } from '../lambdas/adapters/dynamodb/directory.ts';
import { documentClientFor } from '../lambdas/commons/clients.ts';
import { countLifecycleTransitions, type LifecycleTransitions } from '../local/count-transitions.ts';
import { startDynamoDbLocal } from '../local/dynamodb-local.ts';
import { type LocalStack, startLocalStack } from '../local/stack.ts';
import { type AuditBenchResult, benchAudit } from './audit.ts';
import { type BundlesResult, benchBundles, bundleTargets, defaultBaseRef } from './sections/bundles.ts';
import { benchCapRace, type CapRaceResult } from './sections/cap-race.ts';
import { benchCli, type CliResult } from './sections/cli.ts';
import { benchConsole, type ConsoleResult } from './sections/console.ts';
import { benchLatency, benchThroughput, type LatencyRun, type ThroughputResult } from './sections/latency.ts';
import { benchScim, ENTRA_CONCURRENCY, type ScimResult } from './sections/scim.ts';
import { benchSlackAck, type SlackAckResult } from './sections/slack-ack.ts';
import { benchSweep, type SweepResult } from './sections/sweep.ts';
import { benchClient, benchPrincipals, errorMessage, putPrincipals } from './support.ts';

export const SECTIONS = [
  'transitions',
  'cap',
  'sweep',
  'latency',
  'throughput',
  'bundles',
  'audit',
  'console',
  'cli',
  'scim',
  'slack',
] as const;
export type Section = (typeof SECTIONS)[number];

export interface BenchSizes {
  readonly capRequesters: number;
  readonly cap: number;
  /** Racing approvals in flight at once; by default all of them. */
  readonly capConcurrency: number;
  readonly sweepSmall: number;
  readonly sweepLarge: number;
  readonly sweepDue: number;
  readonly latencyRequests: number;
  readonly latencyClients: readonly number[];
  readonly throughputSeconds: number;
  readonly throughputClients: number;
  /** Distinct requesters the latency and throughput clients submit as. */
  readonly requesters: number;
  /** Bundle only the first N entries; all when undefined. */
  readonly bundles: number | undefined;
  /** Bundle the AWS SDK into each function instead of taking the runtime's (bench/sections/bundles.ts). */
  readonly bundleSdk: boolean;
  readonly initRuns: number;
  readonly auditEvents: number;
  readonly auditQueries: number;
  /** Cold loads of the console's inbox measured (the median is reported), and how long it then sits idle. */
  readonly consoleRuns: number;
  readonly consoleIdleSeconds: number;
  /** Fresh `keyholder requests` processes timed (the median is reported). */
  readonly cliRuns: number;
  /** SCIM initial sync: Users looked up and created, Entra-style (bench/sections/scim.ts). */
  readonly scimUsers: number;
  /** SCIM delta: of those, Users looked up and changed by PATCH. */
  readonly scimDelta: number;
  /** SCIM requests in flight at once: Entra ID's provisioning service, modelled (see bench/sections/scim.ts). */
  readonly scimConcurrency: number;
  /** Slack Approve clicks timed per mode with a healthy channel, and with one that hangs (bench/sections/slack-ack.ts). */
  readonly slackClicks: number;
  readonly slackHangingClicks: number;
  readonly slackHangMs: number;
}

export const FULL_SIZES: BenchSizes = {
  capRequesters: 1000,
  cap: 5,
  capConcurrency: 1000,
  sweepSmall: 1_000,
  sweepLarge: 100_000,
  sweepDue: 100,
  latencyRequests: 100,
  latencyClients: [1, 50],
  throughputSeconds: 60,
  throughputClients: 50,
  requesters: 200,
  bundles: undefined,
  bundleSdk: false,
  initRuns: 7,
  auditEvents: 1_000_000,
  auditQueries: 20,
  consoleRuns: 5,
  consoleIdleSeconds: 60,
  cliRuns: 5,
  scimUsers: 10_000,
  scimDelta: 1_000,
  scimConcurrency: ENTRA_CONCURRENCY,
  slackClicks: 50,
  slackHangingClicks: 10,
  slackHangMs: 10_000,
};

/** A smoke run: every section, small. */
export const QUICK_SIZES: BenchSizes = {
  capRequesters: 20,
  cap: 5,
  capConcurrency: 20,
  sweepSmall: 200,
  sweepLarge: 1_000,
  sweepDue: 10,
  latencyRequests: 5,
  latencyClients: [1, 5],
  throughputSeconds: 3,
  throughputClients: 10,
  requesters: 20,
  bundles: 2,
  bundleSdk: false,
  initRuns: 2,
  auditEvents: 2_000,
  auditQueries: 5,
  consoleRuns: 1,
  consoleIdleSeconds: 6,
  cliRuns: 2,
  scimUsers: 50,
  scimDelta: 20,
  scimConcurrency: ENTRA_CONCURRENCY,
  slackClicks: 5,
  slackHangingClicks: 2,
  slackHangMs: 3_000,
};

export interface Target {
  readonly section: Section;
  readonly what: string;
  readonly target: string;
  readonly value: number;
  readonly unit: string;
  readonly pass: boolean;
}

export interface BenchReport {
  readonly startedAt: string;
  readonly durationSeconds: number;
  readonly machine: { readonly node: string; readonly cpus: number; readonly platform: string };
  readonly sizes: BenchSizes;
  readonly sections: {
    transitions?: LifecycleTransitions;
    cap?: CapRaceResult;
    sweep?: SweepResult;
    latency?: { readonly runs: LatencyRun[] };
    throughput?: ThroughputResult;
    bundles?: BundlesResult;
    audit?: AuditBenchResult;
    console?: ConsoleResult;
    cli?: CliResult;
    scim?: ScimResult;
    slack?: SlackAckResult;
  };
  /** Sections that threw, with the message: their figures are missing. */
  readonly failed: Partial<Record<Section, string>>;
  readonly targets: Record<string, Target>;
  readonly allTargetsMet: boolean;
}

const STACK_SECTIONS: readonly Section[] = [
  'transitions',
  'latency',
  'throughput',
  'cap',
  'console',
  'cli',
  'slack',
];

export async function runBench(options: {
  readonly sizes: BenchSizes;
  readonly only?: readonly Section[];
  /** The commit the bundles are compared with; default: where HEAD left main. `false`: no comparison. */
  readonly bundleBase?: string | false;
  readonly log?: (line: string) => void;
  /**
   * A DynamoDB Local already running (the test run's): each stack takes tables of its own there instead of a JVM.
   * The real bench starts its own, so no other process's load is in its figures.
   */
  readonly sharedDynamoDb?: string;
}): Promise<BenchReport> {
  const log = options.log ?? ((line: string) => console.log(line));
  const { sizes } = options;
  const selected = new Set(options.only && options.only.length > 0 ? options.only : SECTIONS);
  const startedAt = new Date();
  const began = performance.now();
  const sections: BenchReport['sections'] = {};
  const failed: BenchReport['failed'] = {};
  const sharedTables = (prefix: string) =>
    options.sharedDynamoDb
      ? { endpoint: options.sharedDynamoDb, tablePrefix: `${prefix}-${randomUUID().slice(0, 8)}` }
      : undefined;
  const section = async <T>(name: Section, title: string, body: () => Promise<T>): Promise<T | undefined> => {
    if (!selected.has(name)) return undefined;
    log(`== ${title}`);
    const sectionBegan = performance.now();
    try {
      const result = await body();
      log(`   (${((performance.now() - sectionBegan) / 1000).toFixed(1)} s)`);
      return result;
    } catch (error) {
      failed[name] = errorMessage(error);
      log(`   FAILED: ${errorMessage(error)}`);
      return undefined;
    }
  };

  // Bundling first, before anything else holds a core.
  sections.bundles = await section('bundles', 'Lambda bundles: minified size and module init', async () =>
    benchBundles({
      limit: sizes.bundles,
      initRuns: sizes.initRuns,
      sdkBundled: sizes.bundleSdk,
      baseRef: options.bundleBase === false ? undefined : (options.bundleBase ?? (await defaultBaseRef())),
      log,
    }),
  );

  // SCIM on a throwaway stack of its own (DynamoDB Local in memory), stopped before the shared one starts: the
  // 10,000 Users never reach another section's directory, and its memory figures are not another section's.
  sections.scim = await section('scim', 'SCIM: Entra-style initial sync and delta', async () => {
    log('  starting a throwaway local stack');
    const throwaway = await startLocalStack({
      port: 0,
      sweepIntervalMs: 0,
      sharedDynamoDb: sharedTables('bench-scim'),
    });
    try {
      return await benchScim(throwaway, {
        users: sizes.scimUsers,
        delta: sizes.scimDelta,
        concurrency: sizes.scimConcurrency,
        log,
      });
    } finally {
      await throwaway.stop();
      // The SCIM handler keeps its wiring (this stack's directory) per process: forget it, as a cold start would.
      const { useScimContext: forgetScimWiring } = await import('../lambdas/handlers/http/scim.ts');
      forgetScimWiring(undefined);
    }
  });

  const needsStack = STACK_SECTIONS.some((name) => selected.has(name));
  const needsDynamo = needsStack || selected.has('sweep') || selected.has('audit');
  let stack: LocalStack | undefined;
  let dynamo: { endpoint: string; stop(): Promise<void> } | undefined;
  try {
    if (needsStack) {
      log('== starting the local stack');
      stack = await startLocalStack({
        port: 0,
        // Short lifecycles for the transitions count; the periodic sweep off so it does not run mid-measurement.
        policy: { externalAdminCap: sizes.cap, minDuration: 'PT1S' },
        sweepIntervalMs: 0,
        sharedDynamoDb: sharedTables('bench'),
      });
    } else if (needsDynamo) {
      dynamo = options.sharedDynamoDb
        ? { endpoint: options.sharedDynamoDb, stop: async () => undefined }
        : await startDynamoDbLocal();
    }
    const endpoint = stack?.dynamodbEndpoint ?? dynamo?.endpoint ?? '';

    if (stack) {
      const running = stack;
      const client = benchClient(running);
      const requesters = benchPrincipals('bench-user', sizes.requesters, 'NHSE', 'analyst');
      if (selected.has('latency') || selected.has('throughput') || selected.has('slack')) {
        const low = new DynamoDBClient({
          endpoint,
          region: 'eu-west-2',
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        });
        try {
          await putPrincipals(new DynamoDbDirectory(documentClientFor(low), running.tables), requesters);
        } finally {
          low.destroy();
        }
      }
      const requesterIds = requesters.map((principal) => principal.id);

      sections.transitions = await section(
        'transitions',
        'state transitions per approved-and-expired lifecycle',
        () => countLifecycleTransitions(running, { duration: 'PT2S' }),
      );
      sections.latency = await section(
        'latency',
        'latency: submit -> approver mailed, approve -> ACTIVE',
        async () => {
          const runs: LatencyRun[] = [];
          for (const clients of sizes.latencyClients) {
            const one = await benchLatency(running, client, {
              clients,
              requests: Math.max(sizes.latencyRequests, clients),
              requesters: requesterIds,
            });
            log(
              `  ${clients} client(s): approve->ACTIVE p95 ${one.approveToActiveMs.p95.toFixed(0)} ms, ` +
                `submit->mailed p95 ${one.submitToNotifiedMs.p95.toFixed(0)} ms, ${one.errors} errors`,
            );
            runs.push(one);
          }
          return { runs };
        },
      );
      sections.throughput = await section('throughput', 'throughput: sustained submissions', async () => {
        const result = await benchThroughput(running, client, {
          clients: sizes.throughputClients,
          seconds: sizes.throughputSeconds,
          requesters: requesterIds,
        });
        log(`  ${result.perSecond.toFixed(1)} submissions/s, ${result.errors} errors`);
        return result;
      });
      // Before the cap race fills the external-admin seats and the directory with its requesters.
      sections.console = await section(
        'console',
        'console: first-load JavaScript, cold inbox, idle polling',
        () => benchConsole(running, { runs: sizes.consoleRuns, idleSeconds: sizes.consoleIdleSeconds, log }),
      );
      sections.cli = await section('cli', 'cli: start-up of keyholder requests, fresh processes', () =>
        benchCli(running, { runs: sizes.cliRuns, log }),
      );
      sections.slack = await section('slack', 'slack: interaction acknowledgement, notices queued', () =>
        benchSlackAck(running, client, {
          clicks: sizes.slackClicks,
          hangingClicks: sizes.slackHangingClicks,
          hangMs: sizes.slackHangMs,
          requesters: requesterIds,
          log,
        }),
      );
      sections.cap = await section('cap', 'cap race: concurrent external-admin approvals', () =>
        benchCapRace(running, client, {
          requesters: sizes.capRequesters,
          concurrency: sizes.capConcurrency,
          settleTimeoutMs: Math.max(120_000, sizes.capRequesters * 300),
          log,
        }),
      );
    }

    sections.sweep = await section('sweep', 'sweep: consumed read capacity, small vs large table', () =>
      benchSweep({ endpoint, small: sizes.sweepSmall, large: sizes.sweepLarge, due: sizes.sweepDue, log }),
    );
    sections.audit = await section('audit', 'audit: verify and point-in-time', () =>
      benchAudit({
        events: sizes.auditEvents,
        queries: sizes.auditQueries,
        endpoint,
        log: (line) => log(`  ${line}`),
      }),
    );
  } finally {
    await stack?.stop();
    await dynamo?.stop();
  }

  const targets = evaluateTargets(sections);
  return {
    startedAt: startedAt.toISOString(),
    durationSeconds: (performance.now() - began) / 1000,
    machine: { node: process.version, cpus: cpus().length, platform: `${process.platform}-${process.arch}` },
    sizes,
    sections,
    failed,
    targets,
    allTargetsMet: Object.values(targets).every((target) => target.pass),
  };
}

/** The figures the closing note holds Keyholder to; a section not run has no targets. */
export function evaluateTargets(sections: BenchReport['sections']): Record<string, Target> {
  const targets: Record<string, Target> = {};
  const add = (key: string, target: Omit<Target, 'pass'>, pass: boolean) => {
    targets[key] = { ...target, pass };
  };
  const { transitions, cap, sweep, latency, throughput, bundles, audit } = sections;
  if (sections.console) {
    const { firstLoadJs, coldInboxMs, idle } = sections.console;
    add(
      'consoleFirstLoadJs',
      {
        section: 'console',
        what: 'console first-load JavaScript, gzipped',
        target: '< 204800',
        value: firstLoadJs.gzipBytes,
        unit: 'B',
      },
      firstLoadJs.gzipBytes < 204_800,
    );
    add(
      'consoleColdInbox',
      {
        section: 'console',
        what: 'cold load -> interactive inbox, median',
        target: '< 3000',
        value: coldInboxMs.median,
        unit: 'ms',
      },
      coldInboxMs.median < 3000,
    );
    add(
      'consoleIdleCalls',
      {
        section: 'console',
        what: 'API calls per minute, inbox open and idle',
        target: '<= 13',
        value: idle.perMinute,
        unit: '/min',
      },
      idle.perMinute <= 13,
    );
  }
  if (sections.scim) {
    const { initial, delta, directory } = sections.scim;
    for (const [key, run, name] of [
      ['Initial', initial, 'initial sync'],
      ['Delta', delta, 'delta'],
    ] as const) {
      add(
        `scim${key}Errors`,
        {
          section: 'scim',
          what: `SCIM ${name}: errors (non-2xx, failed calls)`,
          target: '= 0',
          value: run.errors,
          unit: '',
        },
        run.errors === 0 && run.completed === run.users,
      );
      // A floor, not a speed goal: Microsoft asks a SCIM app for at least 25 requests/s per tenant, and Entra makes
      // 2 calls per user (lookup, then the write), so 12.5 users/s; the local stack holds it on 2 cores. Only at a
      // size where throughput means something: a smoke run's few dozen users measure the warm-up.
      if (run.users >= 500)
        add(
          `scim${key}UsersPerSecond`,
          {
            section: 'scim',
            what: `SCIM ${name}: users/s (floor: Entra's 25 req/s per tenant at 2 calls/user)`,
            target: '>= 12.5',
            value: run.usersPerSecond,
            unit: 'users/s',
          },
          run.usersPerSecond >= 12.5,
        );
    }
    add(
      'scimDirectory',
      {
        section: 'scim',
        what: 'SCIM: Users provisioned, read back after the delta',
        target: `= ${directory.expectedProvisioned}`,
        value: directory.provisioned,
        unit: 'users',
      },
      directory.provisioned === directory.expectedProvisioned &&
        directory.deactivated === directory.expectedDeactivated,
    );
  }
  if (sections.cli) {
    add(
      'cliStartup',
      {
        section: 'cli',
        what: 'keyholder requests, fresh process, median',
        target: '< 500',
        value: sections.cli.requestsMs.median,
        unit: 'ms',
      },
      sections.cli.requestsMs.median < 500,
    );
  }
  if (transitions) {
    const value = transitions.transitions;
    add(
      'transitions',
      {
        section: 'transitions',
        what: 'transitions per approved-and-expired lifecycle',
        target: '<= 8',
        value,
        unit: '',
      },
      value <= 8 && transitions.status === 'EXPIRED',
    );
  }
  if (cap) {
    add(
      'capOvershoot',
      { section: 'cap', what: 'cap race overshoot', target: '= 0', value: cap.overshoot, unit: 'seats' },
      cap.overshoot === 0,
    );
    add(
      'capFilled',
      {
        section: 'cap',
        what: 'cap race seats filled',
        target: `= ${cap.cap}`,
        value: cap.active,
        unit: 'seats',
      },
      cap.active === Math.min(cap.cap, cap.submitted),
    );
    add(
      'capAllDecided',
      {
        section: 'cap',
        what: 'cap race requests decided (ACTIVE or REJECTED CAP_REACHED)',
        target: `= ${cap.submitted}`,
        value: cap.active + cap.rejected,
        unit: 'requests',
      },
      cap.active + cap.rejected === cap.submitted,
    );
  }
  if (sweep) {
    add(
      'sweepReadRatio',
      {
        section: 'sweep',
        what: `sweep RCU ratio ${sweep.large.activeGrants} vs ${sweep.small.activeGrants} grants`,
        target: '<= 1.5',
        value: sweep.readRatio,
        unit: 'x',
      },
      Number.isFinite(sweep.readRatio) && sweep.readRatio <= 1.5,
    );
  }
  for (const run of latency?.runs ?? []) {
    add(
      `approveToActiveP95At${run.clients}`,
      {
        section: 'latency',
        what: `approve -> ACTIVE p95, ${run.clients} client(s)`,
        target: '< 2000',
        value: run.approveToActiveMs.p95,
        unit: 'ms',
      },
      run.errors === 0 && run.approveToActiveMs.p95 < 2000,
    );
  }
  if (throughput) {
    add(
      'throughputErrors',
      { section: 'throughput', what: 'throughput errors', target: '= 0', value: throughput.errors, unit: '' },
      throughput.errors === 0,
    );
  }
  if (bundles) for (const [key, target] of bundleTargets(bundles)) targets[key] = target;
  if (audit) {
    add(
      'verifyRate',
      {
        section: 'audit',
        what: 'audit verify in memory',
        target: '> 100000',
        value: audit.pureVerifyPerSecond,
        unit: 'events/s',
      },
      audit.pureVerifyPerSecond > 100_000,
    );
    add(
      'pointInTime',
      {
        section: 'audit',
        what: 'point-in-time query median',
        target: '< 1000',
        value: audit.pointInTimeMs.p50,
        unit: 'ms',
      },
      audit.pointInTimeMs.p50 < 1000,
    );
  }
  return targets;
}
