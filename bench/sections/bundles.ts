// Benchmark section: every Lambda entry bundled as the CDK app bundles it (lib/keyholder-function.ts), its minified
// size, and its module init time measured by importing the bundle in a fresh `node` process.
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { ENV } from '../../lambdas/commons/config.ts';
import { DEFAULT_POLICY } from '../../lambdas/core/policy.ts';
import * as routes from '../../lambdas/routes.ts';
import { PROJECT_ROOT } from '../../lib/keyholder-function.ts';
import { median } from '../support.ts';

const run = promisify(execFile);

export interface BundleEntry {
  readonly name: string;
  readonly entry: string;
}

export interface BundleFigures extends BundleEntry {
  /** The minified index.mjs, without its source map (a separate file, as CDK writes it). */
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly initMs: number;
  readonly initRunsMs: readonly number[];
}

export interface BundlesResult {
  readonly entries: readonly BundleFigures[];
  readonly count: number;
  readonly totalBytes: number;
  readonly largest: { readonly name: string; readonly bytes: number };
  readonly slowestInit: { readonly name: string; readonly initMs: number };
  readonly buildMs: number;
}

// The same options KeyholderFunction gives NodejsFunction; the SDK stays external as on the nodejs24.x runtime.
const ESM_REQUIRE_BANNER =
  "import { createRequire as __keyholderCreateRequire } from 'node:module'; const require = __keyholderCreateRequire(import.meta.url);";

/**
 * Every function the stack deploys: the specs lambdas/routes.ts exports (what lib/ builds its functions from) plus
 * the entries lib/ names directly (the scheduled anchor and transparency functions).
 */
export async function lambdaEntries(): Promise<BundleEntry[]> {
  const entries = new Map<string, string>();
  // ROUTES, WORKFLOW_TASKS and every event handler spec (INBOUND_MAIL_HANDLER, SWEEP_HANDLER, any added later).
  const specs = Object.values(routes as Record<string, unknown>).flat();
  for (const spec of specs) {
    const { entry, name } = (spec ?? {}) as { entry?: unknown; name?: unknown };
    if (typeof entry === 'string' && typeof name === 'string' && !entries.has(entry))
      entries.set(entry, name);
  }
  const libDir = path.join(PROJECT_ROOT, 'lib');
  for (const file of (await readdir(libDir)).filter((name) => name.endsWith('.ts'))) {
    const source = await readFile(path.join(libDir, file), 'utf8');
    for (const match of source.matchAll(/entry:\s*'(lambdas\/[^']+\.ts)'/g)) {
      const entry = match[1] as string;
      if (!entries.has(entry)) entries.set(entry, path.basename(entry, '.ts'));
    }
  }
  return [...entries].map(([entry, name]) => ({ name, entry }));
}

/** What every function gets from the stack (lib/keyholder-function.ts `allow`), with placeholder values. */
function lambdaEnvironment(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    NODE_OPTIONS: '--enable-source-maps',
    AWS_REGION: 'eu-west-2',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    [ENV.stateTable]: 'keyholder-state',
    [ENV.auditTable]: 'keyholder-audit',
    [ENV.stateMachineArn]: 'arn:aws:states:eu-west-2:000000000000:stateMachine:keyholder-access',
    [ENV.policyJson]: JSON.stringify(DEFAULT_POLICY),
    [ENV.mailFrom]: 'keyholder@nhse.example',
    [ENV.publicBaseUrl]: 'https://keyholder.example',
  };
}

// Runs in the fresh process: the import is the whole of init (what Lambda does before the first invocation).
const INIT_PROBE = `
const started = performance.now();
const module = await import(process.argv[1]);
const ms = performance.now() - started;
if (typeof module.handler !== 'function') throw new Error('no handler export');
console.log(JSON.stringify({ ms }));
`;

async function initTime(file: string): Promise<number> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', INIT_PROBE, file], {
    env: lambdaEnvironment(),
    cwd: path.dirname(file),
  });
  return (JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { ms: number }).ms;
}

export async function benchBundles(options: {
  /** Only the first `limit` entries (the smoke run); all by default. */
  readonly limit?: number | undefined;
  readonly initRuns: number;
  readonly log?: (line: string) => void;
}): Promise<BundlesResult> {
  const log = options.log ?? (() => undefined);
  const all = await lambdaEntries();
  const entries = options.limit === undefined ? all : all.slice(0, options.limit);
  // Inside the repository, so the external SDK resolves from node_modules as it does from the runtime on Lambda.
  const outRoot = path.join(PROJECT_ROOT, 'node_modules', '.cache', 'keyholder-bench', 'bundles');
  await rm(outRoot, { recursive: true, force: true });
  await mkdir(outRoot, { recursive: true });
  const figures: BundleFigures[] = [];
  let buildMs = 0;
  for (const { name, entry } of entries) {
    const outfile = path.join(outRoot, name, 'index.mjs');
    const began = performance.now();
    await build({
      entryPoints: [path.join(PROJECT_ROOT, entry)],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node24',
      minify: true,
      sourcemap: true,
      mainFields: ['module', 'main'],
      external: ['@aws-sdk/*'],
      banner: { js: ESM_REQUIRE_BANNER },
      tsconfig: path.join(PROJECT_ROOT, 'tsconfig.json'),
      logLevel: 'error',
    });
    buildMs += performance.now() - began;
    const bytes = (await stat(outfile)).size;
    const gzipBytes = gzipSync(await readFile(outfile)).length;
    const initRunsMs: number[] = [];
    for (let index = 0; index < options.initRuns; index++) initRunsMs.push(await initTime(outfile));
    const one = { name, entry, bytes, gzipBytes, initMs: median(initRunsMs), initRunsMs };
    figures.push(one);
    log(`  ${name}: ${(bytes / 1024).toFixed(0)} KiB, init ${one.initMs.toFixed(0)} ms`);
  }
  const largest = figures.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  const slowest = figures.reduce((a, b) => (b.initMs > a.initMs ? b : a));
  return {
    entries: figures,
    count: figures.length,
    totalBytes: figures.reduce((sum, one) => sum + one.bytes, 0),
    largest: { name: largest.name, bytes: largest.bytes },
    slowestInit: { name: slowest.name, initMs: slowest.initMs },
    buildMs,
  };
}
