// lambdas/adapters/mail-inbound/mime.ts as the inbound-reply bundle ships it: built by esbuild with the stack's
// bundle-time package swaps (lib/keyholder-function.ts BUNDLE_ALIASES: iconv-lite, encoding-japanese and he on
// Node's TextDecoder), so tests can run the corpus through the code Lambda runs and not only through the sources.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import type * as Mime from '../../lambdas/adapters/mail-inbound/mime.ts';
import { bundleAliases, PROJECT_ROOT } from '../../lib/keyholder-function.ts';

export interface ShippedMime {
  readonly parseMail: typeof Mime.parseMail;
  /** Every input esbuild put in the bundle, as paths relative to the repository (node_modules/... for packages). */
  readonly inputs: readonly string[];
  dispose(): Promise<void>;
}

export async function buildShippedMime(): Promise<ShippedMime> {
  const dir = await mkdtemp(path.join(tmpdir(), 'keyholder-mime-'));
  const outfile = path.join(dir, 'mime.mjs');
  const result = await build({
    entryPoints: [path.join(PROJECT_ROOT, 'lambdas/adapters/mail-inbound/mime.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    mainFields: ['module', 'main'],
    alias: bundleAliases(),
    banner: {
      js: "import { createRequire as __keyholderCreateRequire } from 'node:module'; const require = __keyholderCreateRequire(import.meta.url);",
    },
    metafile: true,
    logLevel: 'error',
  });
  const module = (await import(pathToFileURL(outfile).href)) as typeof Mime;
  return {
    parseMail: module.parseMail,
    inputs: inputsOf(result.metafile),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

function inputsOf(metafile: Metafile): string[] {
  return Object.keys(metafile.inputs).map((input) => {
    const at = input.lastIndexOf('node_modules/');
    return at >= 0 ? input.slice(at) : input;
  });
}
