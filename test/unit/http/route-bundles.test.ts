// What an HTTP route's bundle holds of the contract (issue 17 §1): the zod schema of the input it validates, never
// the OpenAPI operation table, the answers' shapes or the barrel of every schema. zod builds a schema when its module
// loads, so esbuild keeps every schema of every module a bundle imports: one wrong import line puts them all back.
import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../../lambdas/routes.ts';
import { PROJECT_ROOT } from '../../../lib/keyholder-function.ts';

const SCHEMAS = 'lambdas/http/schemas/';
/** The whole contract: no route carries it, not even GET /openapi.json, which serves the document built ahead. */
const CONTRACT_MODULES = ['lambdas/http/openapi.ts', `${SCHEMAS}index.ts`, `${SCHEMAS}responses.ts`];
const OPENAPI_ENTRY = 'lambdas/handlers/http/openapi.ts';

const entries = [...new Set(ROUTES.map((route) => route.entry))];

/** Every route's bundle, built as the stack builds it, in one esbuild run: its metafile, by entry. */
async function bundleMetafile(): Promise<Metafile> {
  const result = await build({
    entryPoints: entries,
    absWorkingDir: PROJECT_ROOT,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minify: true,
    write: false,
    outdir: 'out',
    metafile: true,
    mainFields: ['module', 'main'],
    external: ['@aws-sdk/*'],
    logLevel: 'error',
  });
  return result.metafile;
}

/** The modules of `entry`'s bundle that put code in it. */
function inputsOf(metafile: Metafile, entry: string): string[] {
  const output = Object.values(metafile.outputs).find((candidate) => candidate.entryPoint === entry);
  if (!output) throw new Error(`No bundle for ${entry}`);
  return Object.keys(output.inputs);
}

/** The modules of the bundle that import `module`: who brought it in. */
function importersOf(metafile: Metafile, inputs: readonly string[], module: string): string[] {
  return inputs.filter((input) =>
    metafile.inputs[input]?.imports.some((imported) => imported.path === module),
  );
}

describe("an HTTP route's bundle and the contract's schemas", () => {
  let metafile: Metafile;
  beforeAll(async () => {
    metafile = await bundleMetafile();
  }, 120_000);

  it.each(entries)('%s holds neither the OpenAPI document nor the answers’ schemas', (entry) => {
    const inputs = inputsOf(metafile, entry);
    const carried = CONTRACT_MODULES.filter((module) => inputs.includes(module));
    // The module that came back, and who imports it: what to change.
    expect(
      Object.fromEntries(carried.map((module) => [module, importersOf(metafile, inputs, module)])),
    ).toEqual({});
  });

  it.each(entries)('%s takes input schemas from its handler only, never through a shared module', (entry) => {
    const inputs = inputsOf(metafile, entry);
    const strays = inputs
      .filter((input) => input.startsWith(SCHEMAS))
      .flatMap((module) =>
        importersOf(metafile, inputs, module)
          .filter((importer) => importer !== entry && !importer.startsWith(SCHEMAS))
          .map((importer) => `${importer} -> ${module}`),
      );
    expect(strays).toEqual([]);
  });

  it('GET /openapi.json serves the document built ahead: no schema module, no zod', () => {
    const inputs = inputsOf(metafile, OPENAPI_ENTRY);
    expect(inputs).toContain('lambdas/http/openapi-document.generated.ts');
    expect(
      inputs.filter((input) => input.startsWith(SCHEMAS) || input.includes('node_modules/zod/')),
    ).toEqual([]);
  });
});
