// The state machine definition the local engine runs, exactly as the CDK app synthesizes it, kept on disk by what it
// is made of. Synthesizing the app costs seconds (aws-cdk-lib's import and the synth itself) on every `npm start`
// and in every test stack; the definition changes only when the app's source, its packages or the options do.
//
// The key is a SHA-256 of the options, of every project file the app's module graph reaches (esbuild's metafile of
// lib/keyholder-app.ts: the constructs, lambdas/routes.ts, the policy schema...) and of package-lock.json (the
// aws-cdk-lib that synthesizes it). A changed construct, route or package is a new key, so a stale definition
// cannot be served. KEYHOLDER_SYNTH_CACHE=0 turns the cache off.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { build } from 'esbuild';
import type { SynthesizeWorkflowOptions } from './synthesize.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const APP_ENTRY = 'lib/keyholder-app.ts';
const CACHE_DIR = path.join(REPO_ROOT, 'node_modules', '.cache', 'keyholder', 'workflow');

export interface WorkflowDefinitionResult {
  readonly definition: StateMachineDefinition;
  /** Whether this start synthesized (true) or found the same inputs' definition on disk (false). */
  readonly synthesized: boolean;
}

/**
 * The project files the CDK app imports, read from esbuild's metafile (packages stay external: the lock covers
 * them). Walked once per process (about 300 ms): which files the app imports does not change under a running
 * test run, while their contents are hashed afresh for every key.
 */
export function appSources(): Promise<string[]> {
  sources ??= walkAppSources().catch((error: unknown) => {
    sources = undefined; // a failed walk is not remembered: the next start tries again
    throw error;
  });
  return sources;
}

let sources: Promise<string[]> | undefined;

async function walkAppSources(): Promise<string[]> {
  const result = await build({
    absWorkingDir: REPO_ROOT,
    entryPoints: [APP_ENTRY],
    bundle: true,
    write: false,
    metafile: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    logLevel: 'silent',
  });
  return Object.keys(result.metafile.inputs).sort();
}

/** The cache key of a synthesis with these options from the project as it is on disk now. */
export async function workflowCacheKey(options: SynthesizeWorkflowOptions): Promise<string> {
  const hash = createHash('sha256');
  hash.update(JSON.stringify(options));
  for (const file of [...(await appSources()), 'package-lock.json']) {
    hash.update(`\0${file}\0`);
    hash.update(await readFile(path.join(REPO_ROOT, file)).catch(() => Buffer.from('(absent)')));
  }
  return hash.digest('hex');
}

export async function workflowDefinition(
  options: SynthesizeWorkflowOptions = {},
): Promise<WorkflowDefinitionResult> {
  const synthesize = async () => {
    const { synthesizeWorkflow } = await import('./synthesize.ts');
    return synthesizeWorkflow(options).definition;
  };
  if (process.env.KEYHOLDER_SYNTH_CACHE === '0') return { definition: await synthesize(), synthesized: true };
  const file = path.join(CACHE_DIR, `${await workflowCacheKey(options)}.json`);
  const cached = await readFile(file, 'utf8').then(
    (text) => JSON.parse(text) as StateMachineDefinition,
    () => undefined,
  );
  if (cached) return { definition: cached, synthesized: false };
  const definition = await synthesize();
  // Written aside and renamed: two processes synthesizing the same key never leave a half-written file.
  try {
    await mkdir(CACHE_DIR, { recursive: true });
    const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(temporary, JSON.stringify(definition));
    await rename(temporary, file);
  } catch {
    // A read-only checkout still starts: it synthesizes every time.
  }
  return { definition, synthesized: true };
}
