// `npm run bench`: starts the local stack, runs every benchmark section in one process, prints a table and writes
// bench/results/bench-<time>.json and bench/results/latest.json. `--quick` for a smoke run, `--only cap,sweep`
// for some sections, sizes overridable (`--help`). Exit code 0 even when a target is missed, unless --strict.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../lib/keyholder-function.ts';
import { type BenchSizes, FULL_SIZES, QUICK_SIZES, runBench, SECTIONS, type Section } from './bench.ts';
import { formatReport } from './report.ts';

/** Flag -> size it overrides. */
const SIZE_FLAGS = {
  'cap-requesters': 'capRequesters',
  cap: 'cap',
  'cap-concurrency': 'capConcurrency',
  'sweep-small': 'sweepSmall',
  'sweep-large': 'sweepLarge',
  'sweep-due': 'sweepDue',
  'latency-requests': 'latencyRequests',
  'latency-clients': 'latencyClients',
  'throughput-seconds': 'throughputSeconds',
  'throughput-clients': 'throughputClients',
  requesters: 'requesters',
  bundles: 'bundles',
  'init-runs': 'initRuns',
  events: 'auditEvents',
  queries: 'auditQueries',
  'console-runs': 'consoleRuns',
  'console-idle-seconds': 'consoleIdleSeconds',
  'cli-runs': 'cliRuns',
  'scim-users': 'scimUsers',
  'scim-delta': 'scimDelta',
  'scim-concurrency': 'scimConcurrency',
  'slack-clicks': 'slackClicks',
  'slack-hanging-clicks': 'slackHangingClicks',
  'slack-hang-ms': 'slackHangMs',
} as const satisfies Record<string, keyof BenchSizes>;

const HELP = `npm run bench -- [--quick] [--only ${SECTIONS.join(',')}] [--strict] [--out dir]
bundles: [--bundle-sdk] (bundle the AWS SDK) [--base <commit>] (compare with; default where HEAD left main) [--no-base]
sizes: ${Object.keys(SIZE_FLAGS)
  .map((flag) => `--${flag} N`)
  .join(' ')}
(--latency-clients takes a list, e.g. 1,50)`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      strict: { type: 'boolean', default: false },
      'bundle-sdk': { type: 'boolean', default: false },
      base: { type: 'string' },
      'no-base': { type: 'boolean', default: false },
      out: { type: 'string', default: path.join(PROJECT_ROOT, 'bench', 'results') },
      help: { type: 'boolean', default: false },
      ...Object.fromEntries(Object.keys(SIZE_FLAGS).map((flag) => [flag, { type: 'string' as const }])),
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const sizes: Record<string, unknown> = { ...(values.quick ? QUICK_SIZES : FULL_SIZES) };
  for (const [flag, key] of Object.entries(SIZE_FLAGS)) {
    const given = values[flag as keyof typeof values];
    if (typeof given !== 'string') continue;
    const numbers = given.split(',').map(Number);
    if (numbers.some((value) => !Number.isFinite(value) || value < 0))
      throw new Error(`--${flag}: not a number: ${given}`);
    sizes[key] = key === 'latencyClients' ? numbers : numbers[0];
  }
  const only = (values.only ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = only.filter((name) => !(SECTIONS as readonly string[]).includes(name));
  if (unknown.length > 0)
    throw new Error(`--only: unknown section ${unknown.join(', ')}; sections: ${SECTIONS.join(', ')}`);

  sizes.bundleSdk = values['bundle-sdk'];
  const report = await runBench({
    sizes: sizes as unknown as BenchSizes,
    only: only as Section[],
    bundleBase: values['no-base'] ? false : values.base,
  });
  console.log('');
  console.log(formatReport(report));

  const outDir = path.resolve(values.out);
  await mkdir(outDir, { recursive: true });
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const file = path.join(
    outDir,
    `bench-${report.startedAt.replaceAll(':', '-').replace(/\.\d+Z$/, 'Z')}.json`,
  );
  await writeFile(file, json);
  await writeFile(path.join(outDir, 'latest.json'), json);
  console.log(`\nwritten: ${path.relative(process.cwd(), file)} and latest.json`);
  const failedSections = Object.keys(report.failed).length;
  if (failedSections > 0) return 1;
  return values.strict && !report.allTargetsMet ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
