// Builds the `keyholder` command line into dist/cli/ (package.json "prepare": every `npm install` runs it). One
// bundled module starts in a fraction of the time Node takes to find, read and strip the types of the ~40 .ts
// modules `node bin/keyholder.ts` loads; commands stay lazily loaded (code splitting), so `keyholder requests` still
// never loads the AWS SDK or openid-client. Plain JavaScript so it runs on whatever Node npm runs on.
//   node cli/build.mjs [outdir]
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function buildCli(outdir = path.join(root, 'dist', 'cli')) {
  await rm(outdir, { recursive: true, force: true });
  const result = await build({
    entryPoints: { keyholder: path.join(root, 'bin', 'keyholder.ts') },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    minify: true,
    sourcemap: 'linked',
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    // CommonJS dependencies (the AWS SDK's) call require(); an ES module has none of its own.
    banner: {
      js: "import { createRequire as __keyholderRequire } from 'node:module'; const require = __keyholderRequire(import.meta.url);",
    },
    logLevel: 'warning',
    metafile: true,
  });
  return { entry: path.join(outdir, 'keyholder.mjs'), metafile: result.metafile };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildCli(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
}
