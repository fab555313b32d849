// Start-up stays lean: `keyholder requests` (a fresh process) loads commander, openapi-fetch and its own modules, but
// not the AWS SDK (only `audit verify`), openid-client (only login, logout, a refresh) or zod (the server's schemas).
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BIN = path.resolve(import.meta.dirname, '../../../bin/keyholder.ts');

// Reports every module resolved, through Node's synchronous module hooks.
const HOOK = `data:text/javascript,${encodeURIComponent(
  "import { registerHooks } from 'node:module'; registerHooks({ resolve(specifier, context, next) { const resolved = next(specifier, context); process.stderr.write('LOADED ' + resolved.url + '\\n'); return resolved; } });",
)}`;

async function loadedBy(args: readonly string[], env: NodeJS.ProcessEnv): Promise<string[]> {
  const answer = await run(process.execPath, ['--import', HOOK, BIN, ...args], { env }).catch(
    (error: { stderr: string }) => error,
  );
  return answer.stderr
    .split('\n')
    .filter((line) => line.startsWith('LOADED '))
    .map((line) => line.slice('LOADED '.length));
}

describe('keyholder start-up', () => {
  it('loads neither the AWS SDK, openid-client nor zod for `keyholder requests`', async () => {
    const home = await mkdtemp(path.join(tmpdir(), 'keyholder-startup-'));
    try {
      // Not logged in: the command's module is loaded and refuses before any call
      const loaded = await loadedBy(['requests'], {
        ...process.env,
        XDG_CONFIG_HOME: home,
        KEYHOLDER_TOKEN: '',
      });
      expect(loaded.some((url) => url.includes('/cli/commands/requests.ts'))).toBe(true);
      expect(loaded.some((url) => url.includes('/node_modules/commander/'))).toBe(true);
      expect(loaded.some((url) => url.includes('/node_modules/openapi-fetch/'))).toBe(true);
      expect(loaded.filter((url) => /@aws-sdk|openid-client|\/zod\/|aws-cdk-lib/.test(url))).toEqual([]);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it('loads the AWS SDK for `audit verify` only', async () => {
    const loaded = await loadedBy(['audit', 'verify'], {
      ...process.env,
      KEYHOLDER_STATE_TABLE: '',
      KEYHOLDER_AUDIT_TABLE: '',
    });
    expect(loaded.some((url) => url.includes('@aws-sdk/client-dynamodb'))).toBe(true);
  });
});
