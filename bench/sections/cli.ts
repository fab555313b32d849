// Benchmark section: the command line's start-up. Wall time of `keyholder requests` (a fresh process per run, as a
// person types it: Node, the modules, commander, the API client, the calls to the local stack, the table) and of
// `keyholder --version` (start-up alone, no API call); the median of each over the runs. Measured for what
// `npx keyholder` runs (the bundle cli/build.mjs writes, built afresh here from the current source) and, in the
// same runs, for the source entry `node bin/keyholder.ts`, so the bundle's gain is a ratio from one machine.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { buildCli } from '../../cli/build.mjs';
import { PROJECT_ROOT } from '../../lib/keyholder-function.ts';
import type { LocalStack } from '../../local/stack.ts';
import { median } from '../support.ts';

const run = promisify(execFile);

interface Timings {
  readonly requestsMs: { readonly runs: readonly number[]; readonly median: number };
  readonly versionMs: { readonly runs: readonly number[]; readonly median: number };
}

/** The bundle's timings (what `npx keyholder` runs), and the source entry's beside them. */
export interface CliResult extends Timings {
  readonly source: Timings;
}

export async function benchCli(
  stack: Pick<LocalStack, 'url' | 'tokenFor'>,
  options: { readonly runs: number; readonly log: (line: string) => void },
): Promise<CliResult> {
  const home = await mkdtemp(path.join(tmpdir(), 'keyholder-bench-cli-'));
  try {
    const env = {
      ...process.env,
      XDG_CONFIG_HOME: home,
      KEYHOLDER_API: stack.url,
      KEYHOLDER_TOKEN: await stack.tokenFor('dir-ada'),
      NO_COLOR: '1',
    };
    const { entry: bundle } = await buildCli(path.join(home, 'dist'));
    const time = async (entry: string, args: readonly string[]) => {
      const began = performance.now();
      await run(process.execPath, [entry, ...args], { cwd: PROJECT_ROOT, env });
      return performance.now() - began;
    };
    const measure = async (entry: string): Promise<Timings> => {
      await time(entry, ['requests']); // warm the stack's handlers and the OS file cache, not measured
      const requests: number[] = [];
      const version: number[] = [];
      for (let index = 0; index < Math.max(1, options.runs); index += 1) {
        requests.push(await time(entry, ['requests']));
        version.push(await time(entry, ['--version']));
      }
      return {
        requestsMs: { runs: requests, median: median(requests) },
        versionMs: { runs: version, median: median(version) },
      };
    };
    const bundled = await measure(bundle);
    const source = await measure(path.join(PROJECT_ROOT, 'bin', 'keyholder.ts'));
    for (const [label, timings] of [
      ['npx keyholder (bundle)', bundled],
      ['node bin/keyholder.ts (source)', source],
    ] as const)
      options.log(
        `  ${label}: requests median ${timings.requestsMs.median.toFixed(0)} ms over ` +
          `${timings.requestsMs.runs.length} fresh processes; --version ${timings.versionMs.median.toFixed(0)} ms`,
      );
    return { ...bundled, source };
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}
