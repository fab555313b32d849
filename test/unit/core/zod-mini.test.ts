// zod/mini in the Lambda code (issue 17 §1): every module of lambdas/ takes zod from lambdas/core/zod.ts, a route's or
// a task's bundle holds none of full zod (classic) nor a locale but English, and the messages are still zod's English.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { PolicyError, resolvePolicy } from '../../../lambdas/core/policy.ts';
import * as z from '../../../lambdas/core/zod.ts';
import { validate } from '../../../lambdas/http/request.ts';
import { PROJECT_ROOT } from '../../../lib/keyholder-function.ts';

const LAMBDAS = path.join(PROJECT_ROOT, 'lambdas');

async function sourcesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** The zod modules a bundle of `entry` holds, as esbuild's metafile names them (built as the stack builds it). */
async function zodInputsOf(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [path.join(PROJECT_ROOT, entry)],
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
  const inputs = Object.values(result.metafile.outputs).flatMap((output) => Object.keys(output.inputs));
  return inputs.filter((input) => input.includes('node_modules/zod/'));
}

describe('zod/mini in the Lambda code', () => {
  it('every module of lambdas/ imports zod from lambdas/core/zod.ts, never zod itself', async () => {
    const direct: string[] = [];
    for (const file of await sourcesUnder(LAMBDAS)) {
      if (file === path.join(LAMBDAS, 'core', 'zod.ts')) continue;
      if (/from\s+['"]zod(\/[^'"]*)?['"]/.test(await readFile(file, 'utf8')))
        direct.push(path.relative(PROJECT_ROOT, file));
    }
    expect(direct).toEqual([]);
  });

  it.each([
    'lambdas/handlers/http/submit-request.ts',
    'lambdas/handlers/http/update-principal.ts',
    'lambdas/handlers/workflow/grant-access.ts',
    'lambdas/handlers/mail/inbound-reply.ts',
  ])('%s: its bundle holds zod/mini and the English locale only', async (entry) => {
    const inputs = await zodInputsOf(entry);
    expect(inputs.some((input) => input.includes('/zod/v4/mini/'))).toBe(true);
    expect(inputs.filter((input) => input.includes('/zod/v4/classic/'))).toEqual([]);
    const locales = inputs.filter((input) => input.includes('/zod/v4/locales/'));
    expect(locales.map((input) => path.basename(input)).sort()).toEqual(['en.js', 'index.js']);
  });

  it("answers in zod's English, as full zod does (zod/mini alone says only 'Invalid input')", () => {
    const schema = z.strictObject({
      name: z.string().check(z.minLength(1)),
      count: z.number().check(z.int()),
    });
    expect(() => validate(schema, { name: '', count: 1 }, 'body')).toThrow(
      'name Too small: expected string to have >=1 characters',
    );
    expect(() => validate(schema, { name: 'a', count: 1.5 }, 'body')).toThrow('count must be int');
    expect(() => resolvePolicy({ externalAdminCap: -1 })).toThrow(
      new PolicyError(
        'Invalid policy: "externalAdminCap" Too small: expected number to be >=0',
        'externalAdminCap',
      ),
    );
  });
});
