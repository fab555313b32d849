// The benchmark's printed table: one row per figure with its unit, then every target with pass or fail.
import type { BenchReport } from './bench.ts';
import { type BundlesResult, judgeBundle } from './sections/bundles.ts';
import type { Percentiles } from './support.ts';

type Row = readonly [section: string, measure: string, value: string, unit: string];

const integer = (value: number) =>
  Number.isFinite(value) ? Math.round(value).toLocaleString('en-GB') : 'n/a';
const decimal = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const seconds = (ms: number) => decimal(ms / 1000, 1);
const mib = (bytes: number) => decimal(bytes / 1024 / 1024, 0);
const spread = (p: Percentiles) => `${integer(p.p50)} / ${integer(p.p95)} / ${integer(p.p99)}`;

export function reportRows(report: BenchReport): Row[] {
  const rows: Row[] = [];
  const { transitions, cap, sweep, latency, throughput, bundles, audit } = report.sections;
  if (transitions) {
    rows.push([
      'transitions',
      'per approved-and-expired lifecycle',
      String(transitions.transitions),
      'transitions',
    ]);
    rows.push(['transitions', 'states entered', transitions.states.join(' > '), '']);
  }
  if (cap) {
    rows.push([
      'cap race',
      'requesters (external admin, 2 approvals each)',
      integer(cap.requesters),
      'requests',
    ]);
    rows.push(['cap race', 'cap / racing approvals in flight', `${cap.cap} / ${cap.concurrency}`, '']);
    rows.push([
      'cap race',
      'race: connections retried (never reached the stack)',
      `${cap.raceConnectRetries}`,
      '',
    ]);
    rows.push(['cap race', 'ACTIVE', integer(cap.active), 'grants']);
    rows.push(['cap race', 'REJECTED CAP_REACHED', integer(cap.rejected), 'requests']);
    const others = Object.entries(cap.otherOutcomes).map(([status, count]) => `${status} ${count}`);
    if (others.length > 0) rows.push(['cap race', 'other outcomes', others.join(', '), '']);
    const runs = Object.entries(cap.executions).map(([status, count]) => `${status} ${count}`);
    rows.push(['cap race', 'executions', runs.join(', '), '']);
    rows.push(['cap race', 'admin holders in GET /access', integer(cap.adminHolders), 'principals']);
    rows.push(['cap race', 'overshoot', integer(cap.overshoot), 'seats']);
    rows.push(['cap race', 'race: approvals answered', seconds(cap.wallMs.race), 's']);
    rows.push([
      'cap race',
      'race: every grant decided',
      `${seconds(cap.wallMs.raceToSettled)}${cap.settled ? '' : ' (NOT settled)'}`,
      's',
    ]);
    rows.push([
      'cap race',
      'whole section (seed, submit, 1st approvals, race)',
      seconds(cap.wallMs.total),
      's',
    ]);
  }
  if (sweep) {
    for (const run of [sweep.small, sweep.large]) {
      rows.push([
        'sweep',
        `${integer(run.activeGrants)} active, ${sweep.due} due: read capacity`,
        decimal(run.readUnits),
        'RCU',
      ]);
      rows.push([
        'sweep',
        `${integer(run.activeGrants)} active: sweep time / scans`,
        `${integer(run.sweepMs)} / ${run.scans}`,
        'ms / n',
      ]);
    }
    rows.push(['sweep', 'read capacity ratio large / small', decimal(sweep.readRatio, 2), 'x']);
  }
  for (const run of latency?.runs ?? []) {
    const who = `${run.clients} client${run.clients === 1 ? '' : 's'}, ${run.requests} lifecycles`;
    rows.push([
      'latency',
      `submit -> approver mailed (${who})`,
      spread(run.submitToNotifiedMs),
      'ms p50/p95/p99',
    ]);
    rows.push(['latency', `approve -> ACTIVE (${who})`, spread(run.approveToActiveMs), 'ms p50/p95/p99']);
    rows.push(['latency', `errors (${who})`, integer(run.errors), '']);
  }
  for (const run of report.sections.slack?.runs ?? []) {
    const channel =
      run.channel === 'hanging' ? `Slack hanging ${report.sections.slack?.hangMs} ms` : 'Slack healthy';
    const how = run.mode === 'queue' ? 'after: notices queued' : 'before: notices inline';
    rows.push([
      'slack',
      `ack, ${channel}, ${how} (${run.clicks} clicks)`,
      spread(run.ackMs),
      'ms p50/p95/p99',
    ]);
    rows.push(['slack', `over Slack's 3 s, ${channel}, ${how}`, integer(run.overSlackBudget), 'clicks']);
  }
  if (throughput) {
    rows.push([
      'throughput',
      `submissions, ${throughput.clients} clients, ${decimal(throughput.seconds, 0)} s`,
      decimal(throughput.perSecond),
      'per s',
    ]);
    rows.push([
      'throughput',
      'accepted / errors',
      `${integer(throughput.submissions)} / ${integer(throughput.errors)}`,
      '',
    ]);
    rows.push(['throughput', 'POST /requests response time', spread(throughput.submitMs), 'ms p50/p95/p99']);
    rows.push([
      'throughput',
      'workflow backlog drained after the window',
      `${seconds(throughput.backlogDrainMs)}${throughput.backlogDrained ? '' : ' (NOT drained)'}`,
      's',
    ]);
  }
  if (bundles) rows.push(...bundleRows(bundles));
  if (audit) {
    rows.push(['audit', 'events / streams', `${integer(audit.events)} / ${integer(audit.streams)}`, '']);
    rows.push(['audit', 'verify in memory', integer(audit.pureVerifyPerSecond), 'events/s']);
    rows.push([
      'audit',
      'verify end to end (DynamoDB Local)',
      integer(audit.endToEndVerifyPerSecond),
      'events/s',
    ]);
    rows.push(['audit', 'point-in-time query', spread(audit.pointInTimeMs), 'ms p50/p95/p99']);
    rows.push(['audit', 'load into DynamoDB Local', seconds(audit.loadMs), 's']);
  }
  const web = report.sections.console;
  if (web) {
    rows.push(['console', 'first-load JavaScript, gzipped', integer(web.firstLoadJs.gzipBytes), 'B']);
    rows.push(['console', 'first-load JavaScript, minified', integer(web.firstLoadJs.bytes), 'B']);
    rows.push([
      'console',
      `cold load -> interactive inbox, median of ${web.coldInboxMs.runs.length}`,
      integer(web.coldInboxMs.median),
      'ms',
    ]);
    rows.push(['console', 'API calls while the inbox sits idle', decimal(web.idle.perMinute), 'per minute']);
  }
  const cli = report.sections.cli;
  if (cli) {
    const runs = cli.requestsMs.runs.length;
    rows.push([
      'cli',
      `keyholder requests (npx keyholder, the bundle), median of ${runs} fresh processes`,
      integer(cli.requestsMs.median),
      'ms',
    ]);
    rows.push([
      'cli',
      `keyholder --version (start-up alone), median of ${runs}`,
      integer(cli.versionMs.median),
      'ms',
    ]);
    rows.push([
      'cli',
      `keyholder requests from source (node bin/keyholder.ts), median of ${runs}`,
      integer(cli.source.requestsMs.median),
      'ms',
    ]);
  }
  const scim = report.sections.scim;
  if (scim) {
    for (const [name, run] of [
      ['initial sync', scim.initial],
      ['delta', scim.delta],
    ] as const) {
      const write = name === 'delta' ? 'PATCH' : 'POST';
      rows.push([
        'scim',
        `${name}: users (lookup + ${write} each), in flight`,
        `${integer(run.users)}, ${run.concurrency}`,
        '',
      ]);
      rows.push([
        'scim',
        `${name}: users/s (calls/s)`,
        `${decimal(run.usersPerSecond)} (${decimal(run.callsPerSecond)})`,
        'per s',
      ]);
      rows.push(['scim', `${name}: wall time`, seconds(run.wallMs), 's']);
      rows.push([
        'scim',
        `${name}: calls / completed users`,
        `${integer(run.calls)} / ${integer(run.completed)}`,
        '',
      ]);
      const errors = Object.entries(run.errorsByStatus).map(([status, count]) => `${status} ${count}`);
      rows.push([
        'scim',
        `${name}: errors${errors.length > 0 ? ` (${errors.join(', ')})` : ''}`,
        integer(run.errors),
        '',
      ]);
      rows.push(['scim', `${name}: call latency, every call`, spread(run.callMs), 'ms p50/p95/p99']);
      for (const [kind, timing] of Object.entries(run.callMsByKind)) {
        if (timing) rows.push(['scim', `${name}: ${kind} latency`, spread(timing), 'ms p50/p95/p99']);
      }
      rows.push([
        'scim',
        `${name}: peak RSS, stack + load generator process (at start)`,
        `${mib(run.memory.peakRssBytes)} (${mib(run.memory.rssAtStartBytes)})`,
        'MiB',
      ]);
      rows.push([
        'scim',
        `${name}: peak V8 heap used, same process`,
        mib(run.memory.peakHeapUsedBytes),
        'MiB',
      ]);
      rows.push([
        'scim',
        `${name}: peak RSS, DynamoDB Local JVM`,
        run.memory.dynamoDbLocalPeakRssBytes === null ? 'n/a' : mib(run.memory.dynamoDbLocalPeakRssBytes),
        'MiB',
      ]);
    }
    rows.push([
      'scim',
      'read back: provisioned / deactivated (expected)',
      `${integer(scim.directory.provisioned)} / ${integer(scim.directory.deactivated)} ` +
        `(${integer(scim.directory.expectedProvisioned)} / ${integer(scim.directory.expectedDeactivated)})`,
      'users',
    ]);
  }
  return rows;
}

const kib = (bytes: number) => `${decimal(bytes / 1024, 0)} KiB`;
const ratio = (before: number, after: number) => (after > 0 ? `${decimal(before / after, 1)}x` : 'n/a');

/** Per bundle: size and init now, its floor, and the base commit's figures with the ratio; misses name modules. */
export function bundleRows(bundles: BundlesResult): Row[] {
  const rows: Row[] = [];
  for (const entry of bundles.entries) {
    const size = bundles.sdkBundled
      ? `${kib(entry.appBytes)} (+${kib(entry.bytes - entry.appBytes)} SDK)`
      : kib(entry.bytes);
    const now = `${size}, init ${integer(entry.initMs)} ms`;
    const before = entry.base
      ? `${kib(entry.base.bytes)}, init ${integer(entry.base.initMs)} ms -> ${now} ` +
        `(${ratio(entry.base.bytes, entry.bytes)} smaller, ${ratio(entry.base.initMs, entry.initMs)} faster)`
      : now;
    rows.push([
      'bundles',
      entry.name,
      `${before}; floor ${integer(entry.floorMs)} ms, +${integer(entry.initOverFloorMs)} ms over it (paired)`,
      '',
    ]);
    const verdict = judgeBundle(entry, entry.budget);
    if (verdict.bytes === false || verdict.init === false) {
      const heaviest = entry.topModules
        .slice(0, 6)
        .map((weight) => `${weight.module} ${kib(weight.bytes)}`)
        .join(', ');
      rows.push(['bundles', `  ${entry.name} missed: heaviest modules`, heaviest, '']);
    }
  }
  rows.push([
    'bundles',
    `largest of ${bundles.count}`,
    `${bundles.largest.name} ${kib(bundles.largest.bytes)}`,
    '',
  ]);
  rows.push([
    'bundles',
    'slowest init (median)',
    `${bundles.slowestInit.name} ${integer(bundles.slowestInit.initMs)}`,
    'ms',
  ]);
  if (bundles.baseCommit) rows.push(['bundles', 'before = base commit', bundles.baseCommit.slice(0, 12), '']);
  rows.push([
    'bundles',
    'AWS SDK',
    bundles.sdkBundled ? 'bundled, tree-shaken' : "the runtime's (external)",
    '',
  ]);
  return rows;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  return [
    line(header),
    `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
    ...rows.map(line),
  ].join('\n');
}

export function formatReport(report: BenchReport): string {
  const figures = table(['section', 'measure', 'value', 'unit'], reportRows(report));
  const targets = table(
    ['target', 'value', 'wanted', 'result'],
    Object.values(report.targets).map((target) => [
      target.what,
      `${Number.isInteger(target.value) ? integer(target.value) : decimal(target.value, 2)} ${target.unit}`.trim(),
      `${target.target} ${target.unit}`.trim(),
      target.pass ? 'pass' : 'FAIL',
    ]),
  );
  const failures = Object.entries(report.failed).map(
    ([name, message]) => `section ${name} FAILED: ${message}`,
  );
  return [
    `Keyholder benchmark, ${report.startedAt}, ${report.machine.cpus} CPUs, Node ${report.machine.node}, ` +
      `${decimal(report.durationSeconds, 0)} s`,
    '',
    figures,
    '',
    targets,
    ...(failures.length > 0 ? ['', ...failures] : []),
  ].join('\n');
}
