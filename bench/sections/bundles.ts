// Benchmark section: every Lambda entry bundled as the CDK app bundles it (lib/keyholder-function.ts), its minified
// size, its module init time in a fresh `node` process, and beside it, measured the same way in the same run: the
// floor (a module importing only the AWS SDK clients that bundle imports) and the same entry built from the base
// commit (main before this branch), so every gain is a ratio measured on one machine.
import { execFile } from 'node:child_process';
import { access, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { ENV } from '../../lambdas/commons/env.ts';
import { DEFAULT_POLICY } from '../../lambdas/core/policy.ts';
import * as routes from '../../lambdas/routes.ts';
import { BUNDLE_ALIASES, PROJECT_ROOT } from '../../lib/keyholder-function.ts';
import { median } from '../support.ts';

const run = promisify(execFile);
const KIB = 1024;

export interface BundleEntry {
  readonly name: string;
  readonly entry: string;
}

/** What a bundle is held to (issue 17 §1); `floorPlusMs` is added to the bundle's own floor. */
export interface BundleBudget {
  readonly kind: 'health' | 'route' | 'task' | 'inbound-mail' | 'scheduled';
  readonly maxBytes: number | undefined;
  readonly maxInitMs: number | undefined;
  readonly floorPlusMs: number | undefined;
}

/** One module's (a package, or a folder of this repository) share of a bundle, from esbuild's metafile. */
export interface ModuleWeight {
  readonly module: string;
  readonly bytes: number;
}

export interface BaseFigures {
  readonly commit: string;
  readonly bytes: number;
  readonly initMs: number;
}

export interface BundleFigures extends BundleEntry {
  /** The minified index.mjs, without its source map (a separate file, as CDK writes it). */
  readonly bytes: number;
  /** The bundle less the AWS SDK code in it: equal to `bytes` unless the SDK is bundled. */
  readonly appBytes: number;
  readonly gzipBytes: number;
  readonly initMs: number;
  readonly initRunsMs: readonly number[];
  /** The AWS SDK packages the bundle imports, and the init of a module importing only those, the same way. */
  readonly sdkClients: readonly string[];
  readonly floorMs: number;
  /**
   * What the bundle adds to its floor: the median of (init - floor) over runs taken back to back. The floor of one
   * function moves by 100 ms between runs on a shared machine, so two medians taken apart miss by more than the
   * 25 ms they are judged on; a pair shares the machine's moment, and its difference is the bundle's own cost.
   */
  readonly initOverFloorMs: number;
  /** The heaviest modules in the bundle, heaviest first (what to look at when a budget is missed). */
  readonly topModules: readonly ModuleWeight[];
  readonly budget: BundleBudget;
  /** The same entry built from the base commit; absent when that commit has no such entry. */
  readonly base?: BaseFigures | undefined;
}

export interface BundlesResult {
  readonly entries: readonly BundleFigures[];
  readonly count: number;
  readonly totalBytes: number;
  readonly largest: { readonly name: string; readonly bytes: number };
  readonly slowestInit: { readonly name: string; readonly initMs: number };
  readonly buildMs: number;
  /** Whether the AWS SDK was bundled (and tree-shaken) rather than taken from the runtime. */
  readonly sdkBundled: boolean;
  readonly baseCommit?: string | undefined;
}

// The same options KeyholderFunction gives NodejsFunction (its esbuildArgs aliases too: aliasesOf); the SDK stays
// external as on the nodejs24.x runtime.
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

/** The budgets of issue 17 §1, by what the function is (read from where its entry lives). */
export function bundleBudget(entry: BundleEntry): BundleBudget {
  if (entry.entry.endsWith('/health.ts'))
    return { kind: 'health', maxBytes: 30 * KIB, maxInitMs: 40, floorPlusMs: undefined };
  if (entry.entry.includes('/handlers/mail/'))
    return { kind: 'inbound-mail', maxBytes: 600 * KIB, maxInitMs: undefined, floorPlusMs: undefined };
  const kind = entry.entry.includes('/handlers/http/')
    ? 'route'
    : entry.entry.includes('/handlers/workflow/')
      ? 'task'
      : 'scheduled';
  // Scheduled functions run a few times a day and carry no budget of their own; they are reported beside.
  if (kind === 'scheduled')
    return { kind, maxBytes: undefined, maxInitMs: undefined, floorPlusMs: undefined };
  return { kind, maxBytes: 150 * KIB, maxInitMs: undefined, floorPlusMs: 25 };
}

export interface BudgetVerdict {
  readonly bytes: boolean | undefined;
  readonly init: boolean | undefined;
  /** The init the bundle is allowed: the fixed limit, or its floor plus the allowance. */
  readonly initLimitMs: number | undefined;
}

/** Size is judged on the application code (the SDK, when bundled, is counted apart). */
export function judgeBundle(
  figures: Pick<BundleFigures, 'appBytes' | 'initMs' | 'floorMs'> &
    Partial<Pick<BundleFigures, 'initOverFloorMs'>>,
  budget: BundleBudget,
): BudgetVerdict {
  const initLimitMs =
    budget.maxInitMs ?? (budget.floorPlusMs === undefined ? undefined : figures.floorMs + budget.floorPlusMs);
  return {
    bytes: budget.maxBytes === undefined ? undefined : figures.appBytes <= budget.maxBytes,
    init: initLimitMs === undefined ? undefined : initWithin(figures, budget, initLimitMs),
    initLimitMs,
  };
}

/** A fixed limit holds the median; "floor + N" holds the paired median over the floor when the run measured it. */
function initWithin(
  figures: Pick<BundleFigures, 'initMs'> & Partial<Pick<BundleFigures, 'initOverFloorMs'>>,
  budget: BundleBudget,
  initLimitMs: number,
): boolean {
  if (
    budget.maxInitMs === undefined &&
    budget.floorPlusMs !== undefined &&
    figures.initOverFloorMs !== undefined
  ) {
    return figures.initOverFloorMs <= budget.floorPlusMs;
  }
  return figures.initMs <= initLimitMs;
}

/** A figure held to a budget, shaped as bench/bench.ts `Target`. */
export interface BundleTarget {
  readonly section: 'bundles';
  readonly what: string;
  readonly target: string;
  readonly value: number;
  readonly unit: string;
  readonly pass: boolean;
}

/** Per bundle with a budget: its size (application code) and its init, each pass or fail. */
export function bundleTargets(
  result: Pick<BundlesResult, 'entries' | 'sdkBundled'>,
): [string, BundleTarget][] {
  const targets: [string, BundleTarget][] = [];
  for (const entry of result.entries) {
    const verdict = judgeBundle(entry, entry.budget);
    const { maxBytes } = entry.budget;
    if (maxBytes !== undefined && verdict.bytes !== undefined) {
      targets.push([
        `bundleBytes:${entry.name}`,
        {
          section: 'bundles',
          what: `bundle ${entry.name}, minified${result.sdkBundled ? ' (SDK counted apart)' : ''}`,
          target: `<= ${maxBytes / KIB}`,
          value: Math.round(entry.appBytes / KIB),
          unit: 'KiB',
          pass: verdict.bytes,
        },
      ]);
    }
    if (verdict.initLimitMs !== undefined && verdict.init !== undefined) {
      const overFloor = entry.budget.maxInitMs === undefined && entry.budget.floorPlusMs !== undefined;
      targets.push([
        `bundleInit:${entry.name}`,
        overFloor
          ? {
              section: 'bundles',
              what:
                `bundle ${entry.name}, init over its floor (median of back-to-back pairs; ` +
                `init ${Math.round(entry.initMs)} ms, floor ${Math.round(entry.floorMs)} ms)`,
              target: `<= ${entry.budget.floorPlusMs}`,
              value: Math.round(entry.initOverFloorMs),
              unit: 'ms',
              pass: verdict.init,
            }
          : {
              section: 'bundles',
              what: `bundle ${entry.name}, init median`,
              target: `<= ${Math.round(verdict.initLimitMs)}`,
              value: Math.round(entry.initMs),
              unit: 'ms',
              pass: verdict.init,
            },
      ]);
    }
  }
  return targets;
}

/** A metafile input path -> the module it belongs to: `zod`, `@slack/web-api`, `lambdas/adapters`. */
export function moduleOf(input: string): string {
  const nodeModules = input.lastIndexOf('node_modules/');
  if (nodeModules >= 0) {
    const [scope, name] = input.slice(nodeModules + 'node_modules/'.length).split('/');
    return scope?.startsWith('@') ? `${scope}/${name}` : (scope ?? input);
  }
  const parts = input.split('/').filter((part) => part !== '..' && part !== '.');
  return parts.length > 2 ? parts.slice(0, 2).join('/') : parts.join('/');
}

/** The modules of one output, by bytes in the output, heaviest first. */
export function moduleWeights(metafile: Metafile): ModuleWeight[] {
  const weights = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const module = moduleOf(input);
      weights.set(module, (weights.get(module) ?? 0) + bytesInOutput);
    }
  }
  return [...weights]
    .map(([module, bytes]) => ({ module, bytes }))
    .filter((weight) => weight.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes || a.module.localeCompare(b.module));
}

const isSdk = (specifier: string) => specifier.startsWith('@aws-sdk/');

/**
 * The AWS SDK packages the application code imports (external or bundled alike): the floor imports exactly these.
 * Subpaths are kept to their package; the SDK's own internal imports are not the function's choice.
 */
export function sdkClients(metafile: Metafile): string[] {
  const clients = new Set<string>();
  for (const [input, { imports }] of Object.entries(metafile.inputs)) {
    if (input.includes('node_modules/@aws-sdk/') || input.includes('node_modules/@smithy/')) continue;
    for (const { path: specifier, original } of imports) {
      const named = original ?? specifier;
      if (isSdk(named)) clients.add(moduleOf(`node_modules/${named}`));
    }
  }
  return [...clients].sort();
}

/** The bytes of SDK code inside a bundle (0 when the SDK is external). */
export function sdkBytes(weights: readonly ModuleWeight[]): number {
  return weights
    .filter(
      ({ module }) => isSdk(module) || module.startsWith('@smithy/') || module.startsWith('@aws-crypto/'),
    )
    .reduce((sum, { bytes }) => sum + bytes, 0);
}

/** The floor: only the SDK clients, kept alive by a handler export so the probe treats it like a bundle. */
export function floorSource(clients: readonly string[]): string {
  const imports = clients.map((client, index) => `import * as sdk${index} from '${client}';`);
  const names = clients.map((_, index) => `sdk${index}`).join(', ');
  return `${imports.join('\n')}\nexport const handler = () => [${names}];\n`;
}

/** What every function gets from the stack (lib/keyholder-function.ts `allow`), with placeholder values. */
function lambdaEnvironment(policyJson: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    NODE_OPTIONS: '--enable-source-maps',
    AWS_REGION: 'eu-west-2',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    POWERTOOLS_SERVICE_NAME: 'keyholder',
    POWERTOOLS_METRICS_NAMESPACE: 'Keyholder',
    [ENV.stateTable]: 'keyholder-state',
    [ENV.auditTable]: 'keyholder-audit',
    [ENV.stateMachineArn]: 'arn:aws:states:eu-west-2:000000000000:stateMachine:keyholder-access',
    [ENV.policyJson]: policyJson,
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

async function initTime(file: string, env: NodeJS.ProcessEnv): Promise<number> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', INIT_PROBE, file], {
    env,
    cwd: path.dirname(file),
  });
  return (JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { ms: number }).ms;
}

interface Built {
  readonly outfile: string;
  readonly bytes: number;
  readonly metafile: Metafile;
  readonly buildMs: number;
}

/**
 * The packages a checkout swaps at bundle time (its lib/keyholder-function.ts BUNDLE_ALIASES), as esbuild takes
 * them: this checkout's own, or the base commit's (none before it had any). Every checkout builds against this
 * repository's node_modules, so an alias into node_modules resolves there.
 */
export async function aliasesOf(root: string): Promise<Record<string, string>> {
  const aliases =
    root === PROJECT_ROOT
      ? BUNDLE_ALIASES
      : ((
          (await import(pathToFileURL(path.join(root, 'lib', 'keyholder-function.ts')).href).catch(
            () => ({}),
          )) as { BUNDLE_ALIASES?: Record<string, string> }
        ).BUNDLE_ALIASES ?? {});
  return Object.fromEntries(
    Object.entries(aliases).map(([from, to]) => [
      from,
      path.join(to.startsWith('./node_modules/') ? PROJECT_ROOT : root, to),
    ]),
  );
}

async function bundle(options: {
  readonly entry: string;
  readonly outfile: string;
  readonly root: string;
  readonly sdkBundled: boolean;
}): Promise<Built> {
  const began = performance.now();
  const result = await build({
    entryPoints: [options.entry],
    outfile: options.outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minify: true,
    sourcemap: true,
    metafile: true,
    mainFields: ['module', 'main'],
    external: options.sdkBundled ? [] : ['@aws-sdk/*'],
    banner: { js: ESM_REQUIRE_BANNER },
    alias: await aliasesOf(options.root),
    tsconfig: path.join(options.root, 'tsconfig.json'),
    // The floor module lives in the output folder; it resolves the SDK from this repository.
    nodePaths: [path.join(PROJECT_ROOT, 'node_modules')],
    logLevel: 'error',
  });
  const buildMs = performance.now() - began;
  await writeFile(`${options.outfile}.meta.json`, JSON.stringify(result.metafile));
  return {
    outfile: options.outfile,
    bytes: (await stat(options.outfile)).size,
    metafile: result.metafile,
    buildMs,
  };
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

async function git(args: readonly string[]): Promise<string> {
  const { stdout } = await run('git', ['-C', PROJECT_ROOT, ...args], { maxBuffer: 64 * 1024 * 1024 });
  return stdout.trim();
}

/** The base commit's tree, unpacked beside the outputs (with this repository's node_modules) to build from. */
async function checkoutBase(ref: string, into: string): Promise<string> {
  const commit = await git(['rev-parse', ref]);
  await mkdir(into, { recursive: true });
  const archive = path.join(into, '..', 'base.tar');
  await run('git', ['-C', PROJECT_ROOT, 'archive', '--format=tar', '-o', archive, commit]);
  await run('tar', ['-xf', archive, '-C', into]);
  await rm(archive);
  return commit;
}

/** By default the commit this branch left main at; on main itself, HEAD (before and after are then the same). */
export async function defaultBaseRef(): Promise<string | undefined> {
  try {
    return await git(['merge-base', 'HEAD', 'main']);
  } catch {
    return undefined;
  }
}

export async function benchBundles(options: {
  /** Only the first `limit` entries (the smoke run); all by default. */
  readonly limit?: number | undefined;
  readonly initRuns: number;
  /** Bundle the AWS SDK (tree-shaken) instead of taking it from the runtime. @default false */
  readonly sdkBundled?: boolean;
  /** Commit to measure beside (see defaultBaseRef); none: no before column. */
  readonly baseRef?: string | undefined;
  readonly log?: (line: string) => void;
}): Promise<BundlesResult> {
  const log = options.log ?? (() => undefined);
  const sdkBundled = options.sdkBundled ?? false;
  const all = await lambdaEntries();
  const entries = options.limit === undefined ? all : all.slice(0, options.limit);
  // Inside the repository, so the external SDK resolves from node_modules as it does from the runtime on Lambda.
  // One folder per checkout: worktrees of this repository share node_modules, and may bench at the same time.
  const outRoot = path.join(
    PROJECT_ROOT,
    'node_modules',
    '.cache',
    'keyholder-bench',
    path.basename(PROJECT_ROOT),
    'bundles',
  );
  await rm(outRoot, { recursive: true, force: true });
  await mkdir(outRoot, { recursive: true });
  const baseRoot = path.join(outRoot, 'base-tree');
  const baseCommit = options.baseRef ? await checkoutBase(options.baseRef, baseRoot) : undefined;
  const env = lambdaEnvironment(JSON.stringify(DEFAULT_POLICY));
  const figures: BundleFigures[] = [];
  let buildMs = 0;
  for (const one of entries) {
    const built = await bundle({
      entry: path.join(PROJECT_ROOT, one.entry),
      outfile: path.join(outRoot, one.name, 'index.mjs'),
      root: PROJECT_ROOT,
      sdkBundled,
    });
    buildMs += built.buildMs;
    const weights = moduleWeights(built.metafile);
    const clients = sdkClients(built.metafile);
    const floorEntry = path.join(outRoot, one.name, 'floor-source.mjs');
    await writeFile(floorEntry, floorSource(clients));
    const floor = await bundle({
      entry: floorEntry,
      outfile: path.join(outRoot, one.name, 'floor', 'index.mjs'),
      root: PROJECT_ROOT,
      sdkBundled,
    });
    const baseEntry = baseCommit ? path.join(baseRoot, one.entry) : undefined;
    const base =
      baseEntry && (await exists(baseEntry))
        ? await bundle({
            entry: baseEntry,
            outfile: path.join(outRoot, one.name, 'base', 'index.mjs'),
            root: baseRoot,
            sdkBundled,
          })
        : undefined;
    // Interleaved, so a machine that slows down mid-run slows all three alike; the bundle and its floor take turns
    // going first, so neither always meets the colder file cache.
    const initRunsMs: number[] = [];
    const floorRunsMs: number[] = [];
    const baseRunsMs: number[] = [];
    for (let index = 0; index < options.initRuns; index++) {
      if (index % 2 === 0) {
        initRunsMs.push(await initTime(built.outfile, env));
        floorRunsMs.push(await initTime(floor.outfile, env));
      } else {
        floorRunsMs.push(await initTime(floor.outfile, env));
        initRunsMs.push(await initTime(built.outfile, env));
      }
      if (base) baseRunsMs.push(await initTime(base.outfile, env));
    }
    const result: BundleFigures = {
      ...one,
      bytes: built.bytes,
      appBytes: built.bytes - sdkBytes(weights),
      gzipBytes: gzipSync(await readFile(built.outfile)).length,
      initMs: median(initRunsMs),
      initRunsMs,
      sdkClients: clients,
      floorMs: median(floorRunsMs),
      initOverFloorMs: median(initRunsMs.map((ms, index) => ms - (floorRunsMs[index] ?? 0))),
      topModules: weights.slice(0, 12),
      budget: bundleBudget(one),
      base:
        base && baseCommit
          ? { commit: baseCommit, bytes: base.bytes, initMs: median(baseRunsMs) }
          : undefined,
    };
    figures.push(result);
    const before = result.base
      ? ` (was ${(result.base.bytes / KIB).toFixed(0)} KiB, ${result.base.initMs.toFixed(0)} ms)`
      : '';
    log(
      `  ${one.name}: ${(result.bytes / KIB).toFixed(0)} KiB, init ${result.initMs.toFixed(0)} ms, ` +
        `floor ${result.floorMs.toFixed(0)} ms (+${result.initOverFloorMs.toFixed(0)} paired)${before}`,
    );
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
    sdkBundled,
    baseCommit,
  };
}
