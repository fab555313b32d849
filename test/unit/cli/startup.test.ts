// Start-up stays lean: `keyholder requests` (a fresh process) loads commander, openapi-fetch and its own modules, but
// not the AWS SDK (only `audit verify`), openid-client (only login, logout, a refresh) or zod (the server's schemas).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../../../cli/build.mjs';

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

// What `npx keyholder` runs: the bundle cli/build.mjs writes at `npm install` (package.json "prepare"), built afresh
// here from the current source. It must answer exactly as the source does and keep the commands lazily loaded.
describe('the bundled command line', () => {
  let built: Awaited<ReturnType<typeof buildCli>>;
  let outdir: string;

  beforeAll(async () => {
    outdir = await mkdtemp(path.join(tmpdir(), 'keyholder-cli-bundle-'));
    built = await buildCli(outdir);
  }, 60_000);
  afterAll(() => rm(outdir, { recursive: true, force: true }));

  const answer = (entry: string, args: readonly string[], env: NodeJS.ProcessEnv) =>
    run(process.execPath, [entry, ...args], { env }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({
        code: error.code,
        stdout: error.stdout,
        stderr: error.stderr,
      }),
    );

  it('is package.json\'s "bin" and is built on every npm install', async () => {
    const manifest = JSON.parse(
      await readFile(path.resolve(import.meta.dirname, '../../../package.json'), 'utf8'),
    );
    expect(manifest.bin.keyholder).toBe('dist/cli/keyholder.mjs');
    expect(manifest.scripts.prepare).toBe('node cli/build.mjs');
    expect((await readFile(built.entry, 'utf8')).startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('answers --version, --help and a refusal exactly as the source entry does', async () => {
    const home = await mkdtemp(path.join(tmpdir(), 'keyholder-cli-bundle-home-'));
    try {
      const env = { ...process.env, XDG_CONFIG_HOME: home, KEYHOLDER_TOKEN: '', NO_COLOR: '1' };
      for (const args of [['--version'], ['--help'], ['request', '--help'], ['requests']]) {
        const [fromBundle, fromSource] = await Promise.all([
          answer(built.entry, args, env),
          answer(BIN, args, env),
        ]);
        expect(fromBundle, args.join(' ')).toEqual(fromSource);
      }
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it('loads no chunk holding the AWS SDK, openid-client or zod for `keyholder requests`', async () => {
    const heavy = Object.entries(built.metafile.outputs)
      .filter(([, output]) =>
        Object.keys(output.inputs).some((input) => /@aws-sdk|openid-client|\/zod\//.test(input)),
      )
      .map(([file]) => path.basename(file));
    expect(heavy.length).toBeGreaterThan(0);
    const home = await mkdtemp(path.join(tmpdir(), 'keyholder-cli-bundle-home-'));
    try {
      const stderr = await run(process.execPath, ['--import', HOOK, built.entry, 'requests'], {
        env: { ...process.env, XDG_CONFIG_HOME: home, KEYHOLDER_TOKEN: '' },
      }).catch((error: { stderr: string }) => error);
      const loaded = stderr.stderr
        .split('\n')
        .filter((line) => line.startsWith('LOADED '))
        .map((line) => path.basename(line));
      expect(loaded.some((file) => file.startsWith('keyholder.mjs'))).toBe(true);
      expect(loaded.filter((file) => heavy.includes(file))).toEqual([]);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
