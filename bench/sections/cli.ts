// Benchmark section: the command line's start-up. Wall time of `keyholder requests` (a fresh `node bin/keyholder.ts`
// process per run, as a person types it: Node, type stripping, commander, the API client, the calls to the local
// stack, the table) and of `keyholder --version` (start-up alone, no API call); the median of each over the runs.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../lib/keyholder-function.ts';
import type { LocalStack } from '../../local/stack.ts';
import { median } from '../support.ts';

const run = promisify(execFile);

export interface CliResult {
  readonly requestsMs: { readonly runs: readonly number[]; readonly median: number };
  readonly versionMs: { readonly runs: readonly number[]; readonly median: number };
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
    const time = async (args: readonly string[]) => {
      const began = performance.now();
      await run(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'keyholder.ts'), ...args], {
        cwd: PROJECT_ROOT,
        env,
      });
      return performance.now() - began;
    };
    await time(['requests']); // warm the stack's handlers and the OS file cache, not measured
    const requests: number[] = [];
    const version: number[] = [];
    for (let index = 0; index < Math.max(1, options.runs); index += 1) {
      requests.push(await time(['requests']));
      version.push(await time(['--version']));
    }
    const result = {
      requestsMs: { runs: requests, median: median(requests) },
      versionMs: { runs: version, median: median(version) },
    };
    options.log(
      `  keyholder requests: median ${result.requestsMs.median.toFixed(0)} ms over ${requests.length} fresh processes; ` +
        `keyholder --version: ${result.versionMs.median.toFixed(0)} ms`,
    );
    return result;
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}
